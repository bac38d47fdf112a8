"""Golden data for a StyleGAN (v1) generator in ganfactor, from the two official PyTorch code bases.

Builds, on the CPU, InterFaceGAN's StyleGAN generator (genforce/interfacegan
models/stylegan_generator_model.py, loaded through its wrapper models/stylegan_generator.py) and
Hammer's (zhujiapeng/resefa models/stylegan_generator.py) at 64 px with reduced channels, every
parameter and buffer random and non-trivial, and records what the official code computes.

The architecture (the same numbers in both files, see "one set of numbers" below):
  resolution 64, z = w = D (512 by default, see --dim), mapping 8 layers of D (lr_mul 0.01),
  channels 32, 32, 32, 16, 8 at 4, 8, 16, 32, 64 px (Hammer: fmaps_base 512, fmaps_max 32),
  10 W+ entries, up-sampling nearest + conv at 8 and 16 px and FUSED (the 4-tap conv-transpose)
  at 32 and 64 px, so both kinds are exercised (the published 1024 px models fuse from 128 px on).

Files (float64 unless said; every float64 array holds float32 values computed in float32):
  stylegan_interfacegan_64.pth   InterFaceGAN's plain state dict, saved as its convert_tf_model
                                 saves one (without the model-specific 'truncation.truncation')
  stylegan_hammer_64.pth         {'models': {'generator_smooth': state_dict}}, made from the same
                                 numbers by renaming (and reshaping, see ifg_to_hammer)
  z.npy [4, D]                   numpy RandomState(4).randn(4, D) (fed as float32, not re-normalised)
  w.npy [4, D]                   mapping(z)
  wp.npy [4, 10, D]              InterFaceGAN's 'wp': w on all layers, truncated with its defaults
                                 (w_avg + (w - w_avg) * 0.7 on layers 0..7, layers 8, 9 untouched)
  wp_untrunc.npy [4, 10, D]      w repeated on all 10 layers
  img_interfacegan.npy, img_interfacegan_trunc.npy [4, 3, 64, 64]
                                 InterFaceGAN's synthesis of wp_untrunc (WP input) and of z (Z input,
                                 i.e. of wp), stored noise (randomize_noise False); raw output
                                 (about [-1, 1] for a trained model, no clamp)
  img_hammer.npy, img_hammer_trunc.npy
                                 Hammer's G(z) and G(z, trunc_psi=0.7, trunc_layers=8),
                                 noise_mode 'const' (must equal the InterFaceGAN images)
  box_mask.npy [64, 64] bool     the box: mask[24:34, 20:44] (rows 24..33, cols 20..43 inclusive;
                                 ganfactor's [center_row, center_col, height, width] = [29, 32, 10, 24])
  box_A.npy, box_B.npy [D, D]    the Gram pair of J = d image / d w at w[0] (w repeated on all 10
                                 layers, no truncation; float32 forward-mode autodiff of
                                 InterFaceGAN's synthesis, Grams in float64): J has 3 x 64 x 64 rows in image.reshape(-1) order
                                 (row = c * 4096 + y * 64 + x), R, G and B of a pixel separate rows;
                                 R = the rows whose pixel is in the mask (same pixels in R, G, B),
                                 A = J_R^T J_R / |R|, B = J_R'^T J_R' / |R'| (R' = the other rows)
  boundary.npy [1, D] float32    a random unit boundary, InterFaceGAN's shape
  edit_codes_w.npy [10, D]       edit.py -s w on w[0:1]: utils/manipulator.py's linear_interpolate,
                                 -3 .. 3 in 10 steps: w + (t - w.b) b (projected, then moved)
  edit_wp_w.npy [10, 10, D]      the W+ codes its synthesis then used (truncated as above)
  edit_img_w.npy [10, 3, 64, 64]
  edit_codes_wp.npy [10, 10, D]  edit.py -s wp on wp[0:1] (the truncated W+ code generate_data.py
                                 saves): wp + t b on every layer, no projection, no truncation
  edit_img_wp.npy [10, 3, 64, 64]

One set of numbers: Hammer's parameters are InterFaceGAN's renamed, with the noise strength
reshaped [C] -> [1, C, 1, 1], fused up-conv weights permuted from TF's [k, k, in, out] to
[out, in, k, k], and the per-channel blur kernel [C, 1, 3, 3] stored once as the filter [1, 1, 3, 3];
'truncation.w_avg' becomes 'w_avg'. The script checks both images agree.

Our code, not the repositories': it imports their modules and only calls them, after these
run-time settings (module attributes, the files are not changed):
  - models/stylegan_generator_model.py: _RESOLUTIONS_TO_CHANNELS[64] (channels are no constructor
    argument) and _AUTO_FUSED_SCALE_MIN_RES = 32 (fused_scale='auto' fuses from that resolution;
    the constructor only offers all-or-nothing True / False). Hammer gets the same from its
    constructor (fmaps_base, fmaps_max, fused_scale_res=32).
  - models/model_settings.py: USE_CUDA = False and a MODEL_POOL entry for the file written here,
    so the wrapper (StyleGANGenerator) and edit.py load it as they load stylegan_ffhq.pth.
  - --dim 128 only: InterFaceGAN's mapping input / hidden width and the style affine's input width
    are hard-coded defaults (512) that the constructor does not pass on (only the mapping's last
    output follows w_space_dim); --dim 128 overrides those default arguments
    (MappingModule.__init__ and StyleModulationLayer.__init__) to give ~1 MB files. The default
    --dim 512 needs no such override (files ~9.6 MB, dominated by the 8 x 512 x 512 mapping).
Stubs (sys.modules entries) for imports the official modules pull in and that are not needed here:
  cv2 (edit.py writes JPEGs with it; the stub keeps them in memory, compared with the float images),
  tqdm (edit.py's progress bar), sklearn (utils/manipulator.py imports svm for train_boundary only).

Needs torch (Debian's python3-torch runs it) and numpy. Runs in well under a minute on 2 cores.

    git clone https://github.com/genforce/interfacegan /tmp/interfacegan
    git clone https://github.com/zhujiapeng/resefa /tmp/resefa
    python3 tools/golden/stylegan.py /tmp/interfacegan /tmp/resefa java/src/test/resources/official/stylegan --dim 128   # the committed fixtures
"""
import argparse
import logging
import os
import shutil
import sys
import tempfile
import types

import numpy as np
import torch
import torch.autograd.forward_ad as fwAD

ap = argparse.ArgumentParser()
ap.add_argument("interfacegan")
ap.add_argument("resefa")
ap.add_argument("out")
ap.add_argument("--dim", type=int, default=512, choices=[128, 512])
args = ap.parse_args()
IFG, RESEFA, OUT, D = os.path.abspath(args.interfacegan), os.path.abspath(args.resefa), args.out, args.dim
os.makedirs(OUT, exist_ok=True)
torch.set_num_threads(min(4, os.cpu_count() or 1))

RES, L = 64, 10
CHANNELS = [32, 32, 32, 32, 16, 8]     # InterFaceGAN's table: const, 4, 8, 16, 32, 64 px
FUSED_FROM = 32
MODEL_NAME = "stylegan_golden64"
IFG_FILE = os.path.join(OUT, "stylegan_interfacegan_64.pth")
HAMMER_FILE = os.path.join(OUT, "stylegan_hammer_64.pth")

# ---- stubs ---------------------------------------------------------------------------------
jpegs = []                                           # (path, HxWx3 RGB uint8) from edit.py
cv2 = types.ModuleType("cv2")
cv2.imwrite = lambda path, img: jpegs.append((path, np.ascontiguousarray(img[:, :, ::-1]))) or True
sys.modules["cv2"] = cv2
tqdm = types.ModuleType("tqdm")
tqdm.tqdm = lambda it=None, *a, **k: it
sys.modules["tqdm"] = tqdm
sklearn = types.ModuleType("sklearn")
sklearn.svm = types.ModuleType("sklearn.svm")
sys.modules["sklearn"], sys.modules["sklearn.svm"] = sklearn, sklearn.svm

# ---- InterFaceGAN (its packages 'models' and 'utils', and edit.py, from its checkout) ---------
sys.path.insert(0, IFG)
from models import model_settings  # noqa: E402
from models import stylegan_generator_model as sgm  # noqa: E402
from models.stylegan_generator import StyleGANGenerator as IfgGenerator  # noqa: E402
import edit  # noqa: E402

sgm._RESOLUTIONS_TO_CHANNELS[RES] = CHANNELS
sgm._AUTO_FUSED_SCALE_MIN_RES = FUSED_FROM
if D != 512:
    d = sgm.MappingModule.__init__.__defaults__          # (normalize_input, input, hidden, final, layers)
    sgm.MappingModule.__init__.__defaults__ = (d[0], D, D, d[3], d[4])
    sgm.StyleModulationLayer.__init__.__defaults__ = (D,)
model_settings.USE_CUDA = False
model_settings.MODEL_POOL[MODEL_NAME] = {
    "model_path": IFG_FILE, "gan_type": "stylegan", "dataset_name": "golden",
    "latent_space_dim": D, "w_space_dim": D, "resolution": RES, "min_val": -1.0, "max_val": 1.0,
    "output_channels": 3, "channel_order": "RGB", "fused_scale": "auto",
}

# ---- Hammer (resefa's models package without its __init__, which imports every model) --------
hpkg = types.ModuleType("hammer_models")
hpkg.__path__ = [os.path.join(RESEFA, "models")]
sys.modules["hammer_models"] = hpkg
from hammer_models.stylegan_generator import StyleGANGenerator as HammerGenerator  # noqa: E402


def hammer_model():
    return HammerGenerator(z_dim=D, w_dim=D, mapping_fmaps=D, resolution=RES, fused_scale="auto",
                           fused_scale_res=FUSED_FROM, fmaps_base=512, fmaps_max=32).eval()


# ---- random weights in InterFaceGAN's model ---------------------------------------------------
torch.manual_seed(1)
ifg = sgm.StyleGANGeneratorModel(resolution=RES, w_space_dim=D, fused_scale="auto").eval()
gen = torch.Generator().manual_seed(2028)


def randn(shape):
    return torch.randn(shape, generator=gen)


sd = ifg.state_dict()
for name, t in sd.items():
    if name.endswith("blur.kernel") or name in ("synthesis.lod", "truncation.truncation"):
        continue                        # the fixed [1,2,1] blur, lod 0, the wrapper's psi table
    if name.startswith("mapping."):     # stored / lr_mul: the layer multiplies by 0.01 at run time
        t.copy_((randn(t.shape) if name.endswith("weight") else 0.1 * randn(t.shape)) / 0.01)
    elif name.endswith("style_mod.dense.wscale.bias"):
        t.copy_(0.25 * randn(t.shape))  # scale = 1 + first half (the +1 is not stored in v1)
    elif name.endswith("apply_noise.weight"):
        t.copy_(0.2 * randn(t.shape))
    elif name.endswith("bias"):         # epilogue bias, ToRGB bias
        t.copy_(0.1 * randn(t.shape))
    elif name == "truncation.w_avg":
        t.copy_(0.5 * randn(t.shape))
    else:                               # conv (plain and fused), style, ToRGB weights, const, noise
        t.copy_(randn(t.shape))
ifg.load_state_dict(sd)
saved = {k: v for k, v in ifg.state_dict().items() if k != "truncation.truncation"}
torch.save(saved, IFG_FILE)


def ifg_to_hammer(s):
    """InterFaceGAN state dict -> Hammer's (the renaming rule; see the report)."""
    h = {}
    for k, v in s.items():
        if k == "truncation.truncation":
            continue
        if k == "truncation.w_avg":
            h["w_avg"] = v
            continue
        parts = k.split(".")
        if parts[0] == "mapping":       # mapping.denseI.{linear.weight, wscale.bias}
            h[f"mapping.{parts[1]}.{parts[-1]}"] = v
            continue
        if k == "synthesis.lod":
            h[k] = v
            continue
        layer, rest = ".".join(parts[:2]), ".".join(parts[2:])
        if rest == "first_layer":
            h[f"{layer}.const"] = v
        elif rest == "conv.weight":     # layerN (plain up / plain) and outputN
            h[f"{layer}.weight"] = v
        elif rest == "weight":          # fused up-conv, TF layout [k, k, in, out]
            h[f"{layer}.weight"] = v.permute(3, 2, 0, 1).contiguous()
        elif rest == "bias":            # outputN.bias
            h[f"{layer}.bias"] = v
        elif rest == "blur.kernel":     # [C, 1, 3, 3], the same 3x3 in every channel
            assert torch.equal(v, v[:1].expand_as(v))
            h[f"{layer}.filter"] = v[:1].clone()
        elif rest == "epilogue.apply_noise.noise":
            h[f"{layer}.noise"] = v
        elif rest == "epilogue.apply_noise.weight":
            h[f"{layer}.noise_strength"] = v.reshape(1, -1, 1, 1)
        elif rest == "epilogue.bias":
            h[f"{layer}.bias"] = v
        elif rest == "epilogue.style_mod.dense.linear.weight":
            h[f"{layer}.style.weight"] = v
        elif rest == "epilogue.style_mod.dense.wscale.bias":
            h[f"{layer}.style.bias"] = v
        else:
            raise KeyError(k)
    return h


ham = hammer_model()
ham.load_state_dict(ifg_to_hammer(saved), strict=True)           # every key, both ways
torch.save({"models": {"generator_smooth": ham.state_dict()}}, HAMMER_FILE)

# ---- load both from disk, as their code bases do --------------------------------------------
M = IfgGenerator(MODEL_NAME, logger=logging.getLogger("ifg_golden"))    # load(): torch.load + psi table
H = hammer_model()
H.load_state_dict(torch.load(HAMMER_FILE, map_location="cpu")["models"]["generator_smooth"])
assert M.num_layers == L == H.num_layers
print("fused up-sampling layers (InterFaceGAN):",
      [n for n, m in M.model.synthesis.named_children() if getattr(m, "fused_scale", False)])


def f64(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


z = np.random.RandomState(4).randn(4, D)
rz = M.synthesize(z.astype(np.float32), latent_space_type="Z")           # truncated (defaults)
wp_untrunc = np.repeat(rz["w"][:, None, :], L, axis=1)
img_ifg = M.synthesize(wp_untrunc, latent_space_type="WP")["image"]
with torch.no_grad():
    zt = torch.from_numpy(z.astype(np.float32))
    hr = H(zt, noise_mode="const")
    hrt = H(zt, trunc_psi=0.7, trunc_layers=8, noise_mode="const")
np.save(os.path.join(OUT, "z.npy"), z)
np.save(os.path.join(OUT, "w.npy"), f64(rz["w"]))
np.save(os.path.join(OUT, "wp.npy"), f64(rz["wp"]))
np.save(os.path.join(OUT, "wp_untrunc.npy"), f64(wp_untrunc))
np.save(os.path.join(OUT, "img_interfacegan.npy"), f64(img_ifg))
np.save(os.path.join(OUT, "img_interfacegan_trunc.npy"), f64(rz["image"]))
np.save(os.path.join(OUT, "img_hammer.npy"), f64(hr["image"].numpy()))
np.save(os.path.join(OUT, "img_hammer_trunc.npy"), f64(hrt["image"].numpy()))


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / np.abs(b).max())


checks = {
    "hammer w vs interfacegan w": rel(hr["w"].numpy(), rz["w"]),
    "hammer wp_trunc vs interfacegan wp": rel(hrt["wp"].numpy(), rz["wp"]),
    "hammer image vs interfacegan": rel(hr["image"].numpy(), img_ifg),
    "hammer image_trunc vs interfacegan": rel(hrt["image"].numpy(), rz["image"]),
}

# ---- the Gram pair of d image / d w at w[0] ----------------------------------------------------
mask = np.zeros((RES, RES), bool)
mask[24:34, 20:44] = True
np.save(os.path.join(OUT, "box_mask.npy"), mask)
synth = M.model.synthesis


def jacobian(synthesis, w0, chunk=128):
    """d image.reshape(-1) / d w at w0 [3 * RES * RES, D] by forward-mode autodiff, `chunk` columns
    per pass: the batch holds copies of w0, copy b carrying the tangent e_(c0 + b) (the samples of
    a batch do not interact in this synthesis)."""
    cols = []
    with torch.no_grad():
        for c0 in range(0, D, chunk):
            b = min(chunk, D - c0)
            tangent = torch.zeros(b, D, dtype=w0.dtype)
            tangent[torch.arange(b), torch.arange(c0, c0 + b)] = 1
            with fwAD.dual_level():
                wb = fwAD.make_dual(w0.reshape(1, D).repeat(b, 1), tangent)
                img = synthesis(wb.unsqueeze(1).repeat(1, L, 1))
                cols.append(fwAD.unpack_dual(img).tangent.reshape(b, -1))
    return torch.cat(cols).T.numpy()


w0 = torch.from_numpy(rz["w"][0].astype(np.float32))
J = jacobian(synth, w0).astype(np.float64)
rows = np.tile(mask.reshape(-1), 3)
Jr, Jc = J[rows], J[~rows]
A, B = Jr.T @ Jr / Jr.shape[0], Jc.T @ Jc / Jc.shape[0]
np.save(os.path.join(OUT, "box_A.npy"), A)
np.save(os.path.join(OUT, "box_B.npy"), B)
# a spot check against Hammer's synthesis: a few rows of its Jacobian (its own backward of Blur)
probe = np.array([0, 24 * 64 + 20, 4096 + 30 * 64 + 40, 8191, 12287])
Jh = []
for r in probe:
    wh = w0.clone().requires_grad_(True)
    img = H.synthesis(wh.reshape(1, 1, D).repeat(1, L, 1), noise_mode="const")["image"].reshape(-1)
    Jh.append(torch.autograd.grad(img[int(r)], wh)[0].numpy())
checks["hammer Jacobian rows vs interfacegan"] = rel(np.array(Jh), J[probe])
# one direction in float64 (a copy of the synthesis in double, forward mode, batch 1)
u = torch.from_numpy(np.random.RandomState(7).randn(D))
synth64 = sgm.SynthesisModule(resolution=RES, fused_scale="auto").double()
synth64.load_state_dict({k[len("synthesis."):]: v for k, v in M.model.state_dict().items()
                         if k.startswith("synthesis.")})
with torch.no_grad(), fwAD.dual_level():
    wd = fwAD.make_dual(w0.double().reshape(1, 1, D).repeat(1, L, 1), u.reshape(1, 1, D).repeat(1, L, 1))
    ju = fwAD.unpack_dual(synth64(wd)).tangent.reshape(-1).numpy()
checks["Jacobian . u vs float64 forward mode"] = rel(J @ u.numpy(), ju)

# ---- edit.py on it: W space from w[0], W+ space from wp[0] ----------------------------------------
boundary = randn((1, D)).numpy()
boundary = (boundary / np.linalg.norm(boundary)).astype(np.float32)
tmp = tempfile.mkdtemp(prefix="stylegan1_golden_")
bpath = os.path.join(tmp, "boundary.npy")
np.save(bpath, boundary)
np.save(os.path.join(OUT, "boundary.npy"), boundary)
for space, code in (("w", rz["w"][0:1]), ("wp", rz["wp"][0:1])):
    cpath = os.path.join(tmp, f"input_{space}.npy")
    np.save(cpath, code)
    codes = edit.linear_interpolate(M.preprocess(code, latent_space_type=space), boundary,
                                    start_distance=-3.0, end_distance=3.0, steps=10)
    imgs, wps = [], []
    for batch in M.get_batch_inputs(codes):                              # edit.py's batches of 4
        r = M.synthesize(batch, latent_space_type=space)
        imgs.append(r["image"])
        wps.append(r["wp"])
    imgs, wps = np.concatenate(imgs), np.concatenate(wps)
    np.save(os.path.join(OUT, f"edit_codes_{space}.npy"), f64(codes))
    np.save(os.path.join(OUT, f"edit_img_{space}.npy"), f64(imgs))
    if space == "w":
        np.save(os.path.join(OUT, "edit_wp_w.npy"), f64(wps))
    # the same edit by edit.py itself; its JPEG pixels (kept by the cv2 stub) must be ours, rounded
    del jpegs[:]
    logging.getLogger("generate_data").handlers.clear()                  # edit.py's logger, per run
    sys.argv = ["edit.py", "-m", MODEL_NAME, "-o", os.path.join(tmp, f"edit_{space}"), "-b", bpath,
                "-i", cpath, "-s", space, "--start_distance", "-3", "--end_distance", "3", "--steps", "10"]
    edit.main()
    assert len(jpegs) == 10
    ours = M.postprocess(imgs)
    checks[f"edit.py -s {space} pixels differing from ours (of 122880)"] = int(
        sum((a[1] != b).sum() for a, b in zip(jpegs, ours)))
    assert np.array_equal(np.load(os.path.join(tmp, f"edit_{space}", "latent_codes.npy")), code)

shutil.rmtree(tmp)                                                       # edit.py's own outputs

for k, v in checks.items():
    print(f"  {k}: {v:.3g}" if isinstance(v, float) else f"  {k}: {v}")
assert all(v < 1e-4 for v in checks.values() if isinstance(v, float))
assert all(v == 0 for v in checks.values() if isinstance(v, int))
print("image range", float(np.abs(img_ifg).max()), "J max", float(np.abs(J).max()),
      "trace A, B", float(np.trace(A)), float(np.trace(B)))
print("wrote", OUT)
