"""Golden data for ganfactor's PGGAN loaders (InterFaceGAN's and Hammer's), from the official code.

Builds both official PyTorch PGGAN generators on the CPU at 64 px with reduced channels:

  * InterFaceGAN (genforce/interfacegan models/pggan_generator_model.py, PGGANGeneratorModel):
    its channel list is the module-level table _RESOLUTIONS_TO_CHANNELS[resolution], whose first
    entry is the z dimension; we set the 64 px entry to [128, 64, 64, 64, 32, 16] (z 128; 64, 64,
    64, 32, 16 channels at 4 .. 64 px) before building. It is driven through the repository's own
    wrapper models/pggan_generator.py (PGGANGenerator: load, preprocess, easy_sample, synthesize,
    postprocess) via a MODEL_POOL entry added at run time (CPU, fused_scale False as celebahq).
  * Hammer (zhujiapeng/resefa models/pggan_generator.py, PGGANGenerator) with resolution 64,
    z_dim 128, fmaps_base 1024, fmaps_max 64: get_nf(res) = min(1024 // res, 64) gives the same
    channels, so the two can hold the same numbers.

Every parameter is random (weights N(0, 1) as stored, i.e. before the runtime weight scale
gain / sqrt(fan_in); biases 0.2 N(0, 1)); lod is kept at 0 (full resolution). The Hammer
checkpoint is made FROM the InterFaceGAN state dict by renaming (and, for fused up-convs, permuting)
and loaded with strict=True, so both must give the same images:

  X.conv.weight [o, i, k, k]  -> X.weight (same tensor)        (layer*, output*)
  X.wscale.bias [o]           -> X.bias
  X.weight [3, 3, i, o]       -> X.weight.permute(2, 3, 0, 1) [i, o, 3, 3]   (fused up-convs only)
  lod []                      -> lod []

Files (out dir):
  pggan_interfacegan_64.pth      InterFaceGAN's plain state dict (torch.save), fused_scale False
  pggan_hammer_64.pth            {'models': {'generator_smooth': state_dict}}, the same numbers
  pggan_interfacegan_64_fused.pth, pggan_hammer_64_fused.pth
                                 the same with fused_scale True (other random numbers): every
                                 up-sampling conv (layer2, 4, 6, 8) is a fused conv-transpose
  z.npy [4, 128]                 numpy RandomState(4).randn(4, 128), float64
  z_pre.npy [4, 128]             InterFaceGAN's preprocess(z) (z / ||z|| * sqrt(128), float32):
                                 the codes edit.py uses for `-i z.npy`
  easy_sample_codes.npy [4, 128] np.random.seed(4); wrapper.easy_sample(4) (randn cast to float32,
                                 then preprocess)
  img_interfacegan.npy [4, 3, 64, 64]  wrapper.synthesize(z as float32)['image'] (raw, no clamp)
  img_hammer.npy                 Hammer G(z as float32)['image']
  img_easy_sample.npy            wrapper.synthesize(easy_sample_codes)['image']
  img_interfacegan_fused.npy, img_hammer_fused.npy   the fused pair, from z
  box_A.npy, box_B.npy [128, 128]
                                 the Gram pair of d image / d z at z[0] (raw z[0] as float32, the
                                 model's own pixel norm included) of InterFaceGAN's forward:
                                 float32 forward-mode autodiff (128 JVPs, z[0] replicated), Grams in
                                 float64. Rows of J: the image [3, 64, 64] flattened in C order
                                 (channel, row, col), R, G, B as separate rows (the official view
                                 rule for <= 256 px). Region R: rows 24 <= y < 34 and columns
                                 20 <= x < 44 (half-open), i.e. the box [cr, cc, h, w] = [29, 32, 10,
                                 24] with rows [cr - h//2, cr - h//2 + h), all three channels:
                                 |R| = 3 * 10 * 24 = 720 rows, R' = the other 12288 - 720 = 11568.
                                 A = J_R^T J_R / |R|, B = J_R'^T J_R' / |R'|
  box_A_hammer.npy, box_B_hammer.npy   the same from Hammer's forward
  boundary.npy [1, 128]          a random unit boundary, float32
  edit_codes.npy [10, 128]       edit.py for PGGAN with `-i z.npy`: preprocess(z)[0:1] moved by
                                 utils/manipulator.py linear_interpolate(code, boundary, -3, 3, 10)
                                 (float32 values, saved as float64)
  edit_img.npy [10, 3, 64, 64]   wrapper.synthesize on them in batches of MAX_IMAGES_ON_DEVICE (4)
  edit_img_uint8.npy [10, 64, 64, 3]   wrapper.postprocess of those (what edit.py writes as JPEG)
All images are computed in float32 and saved as float64.

Our code, not the repositories': it imports their modules and only calls them. Needs torch
(Debian's python3-torch runs it) and numpy.

    git clone https://github.com/genforce/interfacegan /tmp/interfacegan
    git clone https://github.com/zhujiapeng/resefa /tmp/resefa
    python3 tools/golden/pggan.py /tmp/interfacegan /tmp/resefa OUT_DIR   # the committed fixtures are a subset of OUT_DIR (java/src/test/resources/official/README.md)
"""
import importlib
import logging
import os
import sys
import time
import types

import numpy as np
import torch

ifg_dir, resefa_dir, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
t0 = time.time()
torch.set_num_threads(max(1, os.cpu_count() or 1))


def package(name, path):
    """Registers an empty package `name` whose modules live in `path` (the repositories' own
    __init__ files are skipped: both are called `models`, and resefa's imports every model)."""
    pkg = types.ModuleType(name)
    pkg.__path__ = [path]
    sys.modules[name] = pkg


package("ifg_models", os.path.join(ifg_dir, "models"))
package("ifg_utils", os.path.join(ifg_dir, "utils"))
package("hammer_models", os.path.join(resefa_dir, "models"))
# utils/manipulator.py imports sklearn.svm for train_boundary only (not called here): a stub
sklearn = types.ModuleType("sklearn")
sklearn.svm = types.ModuleType("sklearn.svm")
sys.modules.setdefault("sklearn", sklearn)
sys.modules.setdefault("sklearn.svm", sklearn.svm)

settings = importlib.import_module("ifg_models.model_settings")
ifg_model_mod = importlib.import_module("ifg_models.pggan_generator_model")
ifg_wrapper_mod = importlib.import_module("ifg_models.pggan_generator")
hammer_mod = importlib.import_module("hammer_models.pggan_generator")
linear_interpolate = importlib.import_module("ifg_utils.manipulator").linear_interpolate

D, RES = 128, 64
IFG_CHANNELS = [D, 64, 64, 64, 32, 16]                 # z dim, then 4, 8, 16, 32, 64 px
HAMMER_KW = dict(resolution=RES, z_dim=D, fmaps_base=1024, fmaps_max=64)
ifg_model_mod._RESOLUTIONS_TO_CHANNELS[RES] = IFG_CHANNELS   # the official table, 64 px entry
settings.USE_CUDA = False


def random_ifg(fused, seed):
    torch.manual_seed(seed)
    G = ifg_model_mod.PGGANGeneratorModel(resolution=RES, fused_scale=fused, output_channels=3)
    gen = torch.Generator().manual_seed(seed + 1000)
    with torch.no_grad():
        for name, p in G.named_parameters():
            if name == "lod":
                continue                               # 0: full resolution
            scale = 0.2 if name.endswith("bias") else 1.0
            p.copy_(scale * torch.randn(p.shape, generator=gen))
    return G.eval()


def to_hammer(sd):
    """InterFaceGAN state dict -> Hammer state dict holding the same numbers."""
    h = {}
    for k, v in sd.items():
        if k.endswith(".conv.weight"):
            h[k[:-len(".conv.weight")] + ".weight"] = v.clone()
        elif k.endswith(".wscale.bias"):
            h[k[:-len(".wscale.bias")] + ".bias"] = v.clone()
        elif k.endswith(".weight"):                    # fused up-conv [k, k, in, out]
            h[k] = v.permute(2, 3, 0, 1).contiguous()
        else:
            assert k == "lod", k
            h[k] = v.clone()
    return h


def build_hammer(sd_ifg, fused):
    H = hammer_mod.PGGANGenerator(fused_scale=fused, **HAMMER_KW)
    H.load_state_dict(to_hammer(sd_ifg), strict=True)
    return H.eval()


def save(name, a):
    np.save(os.path.join(out, name), np.asarray(a, dtype=np.float64))


def f64(t):
    return t.detach().double().numpy()


z = np.random.RandomState(4).randn(4, D)
zt = torch.from_numpy(z).float()
save("z.npy", z)

# ---- the CelebA-HQ setting (fused_scale False) ----------------------------------------------
G = random_ifg(False, 2028)
ifg_path = os.path.join(out, "pggan_interfacegan_64.pth")
torch.save(G.state_dict(), ifg_path)
H = build_hammer(G.state_dict(), False)
torch.save({"models": {"generator_smooth": H.state_dict()}}, os.path.join(out, "pggan_hammer_64.pth"))

# InterFaceGAN's wrapper, loading the file we wrote (as it loads pggan_celebahq.pth)
settings.MODEL_POOL["pggan_golden64"] = dict(
    model_path=ifg_path, gan_type="pggan", dataset_name="golden", latent_space_dim=D,
    resolution=RES, min_val=-1.0, max_val=1.0, output_channels=3, channel_order="RGB",
    fused_scale=False)
quiet = logging.getLogger("pggan_golden")
quiet.addHandler(logging.NullHandler())
quiet.propagate = False
W = ifg_wrapper_mod.PGGANGenerator("pggan_golden64", quiet)
assert W.lod == 0.0 and W.batch_size == 4

img_ifg = W.synthesize(z.astype(np.float32))["image"]
with torch.no_grad():
    img_h = H(zt)["image"]
save("img_interfacegan.npy", img_ifg)
save("img_hammer.npy", f64(img_h))

save("z_pre.npy", W.preprocess(z))
np.random.seed(4)
es = W.easy_sample(4)
save("easy_sample_codes.npy", es)
save("img_easy_sample.npy", W.synthesize(es)["image"])


# ---- Jacobian d image / d z at z[0]: forward mode, 128 JVPs at once ------------------------------
def jacobian(forward, z0):
    import torch.autograd.forward_ad as fwAD
    n = z0.numel()
    with torch.no_grad(), fwAD.dual_level():
        dual = fwAD.make_dual(z0.reshape(1, n).repeat(n, 1), torch.eye(n))
        tangent = fwAD.unpack_dual(forward(dual)).tangent      # [n, 3, 64, 64]: column i in row i
    return tangent.reshape(n, -1).t().double().numpy()          # [3 * 64 * 64, n]


cr, cc, h, w = 29, 32, 10, 24
mask = np.zeros((RES, RES), bool)
mask[cr - h // 2:cr - h // 2 + h, cc - w // 2:cc - w // 2 + w] = True   # rows 24..33, cols 20..43
rows = np.tile(mask.reshape(-1), 3)                                        # the same pixels in R, G, B


def grams(J):
    Jr, Jb = J[rows], J[~rows]
    return Jr.T @ Jr / Jr.shape[0], Jb.T @ Jb / Jb.shape[0]


J_ifg = jacobian(W.model, zt[0])
J_h = jacobian(lambda x: H(x)["image"], zt[0])
A, B = grams(J_ifg)
Ah, Bh = grams(J_h)
save("box_A.npy", A)
save("box_B.npy", B)
save("box_A_hammer.npy", Ah)
save("box_B_hammer.npy", Bh)

# a reverse-mode spot check of the forward-mode Jacobian (a few rows, official autograd)
z0 = zt[0:1].clone().requires_grad_(True)
img0 = W.model(z0).reshape(-1)
for r in (24 * 64 + 20, 4096 + 30 * 64 + 40, 8192 + 5):
    g, = torch.autograd.grad(img0[r], z0, retain_graph=True)
    assert np.allclose(g.double().numpy()[0], J_ifg[r], rtol=1e-4, atol=1e-5 * np.abs(J_ifg).max())

# ---- edit.py for PGGAN with -i z.npy, boundary random unit [1, 128] --------------------------------
bnd = np.random.RandomState(2029).randn(1, D)
bnd = (bnd / np.linalg.norm(bnd)).astype(np.float32)
np.save(os.path.join(out, "boundary.npy"), bnd)                  # float32, as shipped boundaries load
codes = W.preprocess(np.load(os.path.join(out, "z.npy")))
edit = linear_interpolate(codes[0:1], bnd, start_distance=-3.0, end_distance=3.0, steps=10)
assert edit.dtype == np.float32 and edit.shape == (10, D)
edit_img = np.concatenate([W.synthesize(b)["image"] for b in W.get_batch_inputs(edit)])
save("edit_codes.npy", edit)
save("edit_img.npy", edit_img)
np.save(os.path.join(out, "edit_img_uint8.npy"), W.postprocess(edit_img))

# ---- fused_scale True: every up-sampling conv a fused conv-transpose ------------------------------
Gf = random_ifg(True, 3028)
torch.save(Gf.state_dict(), os.path.join(out, "pggan_interfacegan_64_fused.pth"))
Hf = build_hammer(Gf.state_dict(), True)
torch.save({"models": {"generator_smooth": Hf.state_dict()}}, os.path.join(out, "pggan_hammer_64_fused.pth"))
with torch.no_grad():
    img_f = Gf(zt)
    img_hf = Hf(zt)["image"]
save("img_interfacegan_fused.npy", f64(img_f))
save("img_hammer_fused.npy", f64(img_hf))


def rel(a, b):
    return float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max() / np.abs(b).max())


print(f"image range {np.abs(img_ifg).max():.3f}; InterFaceGAN vs Hammer: images {rel(f64(img_h), img_ifg):.2e}, "
      f"fused {rel(f64(img_hf), f64(img_f)):.2e}, box_A {rel(Ah, A):.2e}, box_B {rel(Bh, B):.2e}; "
      f"easy_sample vs z {rel(W.synthesize(es)['image'], img_ifg):.2e}; "
      f"J max {np.abs(J_ifg).max():.3f}; {time.time() - t0:.1f} s")
