"""Golden data for a native Hammer StyleGAN3 generator (configs T and R), from the official code.

OUR script: it imports the ReSeFa repository's modules (zhujiapeng/resefa, i.e. Hammer's
models/stylegan3_generator.py and third_party/stylegan3_official_ops) and only calls them.

For each config it builds Hammer's StyleGAN3Generator at 64 px with reduced channels,
z = w = mapping width = 128, 2 mapping layers (the default), 14 + 1 synthesis layers (16 W+):
  T: fmaps_base 512, fmaps_max 64, kernel_size 3, use_radial_filter False (manipulate.py --cfg T
     uses kernel_size 3, fmaps_max 512)
  R: fmaps_base 1024, fmaps_max 128, kernel_size 1, use_radial_filter True (manipulate.py --cfg R
     uses fmaps_max 1024, twice the channel base)
sets every learned parameter to random, non-trivial values (the filters, grid, frequencies and
phases stay as the constructor built them; the magnitude EMAs become positive values in
[0.3, 2.3]; w_avg random), saves {'models': {'generator_smooth': state_dict}} and records what
the official code computes on the CPU (impl='ref', float32):

  stylegan3_{t,r}_64.pth           the checkpoint (out/)
  {t,r}/z.npy [2, 128]             numpy RandomState(4).randn(2, 128)
  {t,r}/w.npy [2, 128], wp.npy [2, 16, 128]          mapping(z), no truncation
  {t,r}/img.npy [2, 3, 64, 64]     G(z): the plain images
  {t,r}/transform.npy [3, 3]       the matrix manipulate.py installs for --tx 0.1 --ty -0.05
                                   --rotate 10: inv(make_transform(0.1, -0.05, 10)), through the
                                   repository's own make_transform
  {t,r}/img_transform.npy          synthesis(wp) with that early_layer.transform installed
  {t,r}/wp_trunc.npy, img_trunc.npy               G(z, trunc_psi=0.7, trunc_layers=8)
  {t,r}/img_transform_trunc.npy    the transform and the truncation together (what manipulate.py
                                   renders with its defaults)
  {t,r}/box_A.npy, box_B.npy [128, 128]  the Gram pair of d image / d w at w[0] (w repeated on
                                   all 16 W+ entries, plain transform, no truncation) for the box
                                   rows 24..33, cols 20..43 (inclusive) of the 64 x 64 grid, the
                                   3 channels as separate rows: A = J_R^T J_R / |R| (|R| = 720),
                                   B = J_R'^T J_R' / |R'| over the other 11568 rows; J by 128
                                   forward-mode JVPs (torch.autograd.forward_ad) of the official
                                   synthesis, in float64 for T (converted) and float32 for R (see
                                   run()), Grams in float64
  {t,r}/box_mask.npy [64, 64]      the box
  {t,r}/layers.json                the per-layer geometry the official module computed
All arrays float64 (.npy) except the masks.

Stubbed imports (sys.modules): the `models` package's __init__ (it imports every model, the
perceptual and inception models and utils.misc), third_party.stylegan3_official_ops.custom_ops
(the CUDA plugin builder, which imports torch.utils.cpp_extension; impl='ref' never calls it)
and cv2 (utils/custom_utils.py imports OpenCV for its mask helpers only).

    /usr/bin/python3 -O tools/golden/hammer_stylegan3.py RESEFA_CHECKOUT OUT      (about 5 min, 2 cores)

-O: the official modules assert float32 styles and filters; the float64 Jacobian needs them skipped.
"""
import copy
import json
import os
import sys
import time
import types

import numpy as np
import torch
import torch.autograd.forward_ad as fwAD

resefa = sys.argv[1] if len(sys.argv) > 1 else "/tmp/resefa"
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/sg3/out"
os.makedirs(out, exist_ok=True)
sys.path.insert(0, resefa)
pkg = types.ModuleType("models")
pkg.__path__ = [os.path.join(resefa, "models")]
sys.modules["models"] = pkg
co = types.ModuleType("third_party.stylegan3_official_ops.custom_ops")
co.get_plugin = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("no CUDA plugins: impl='ref' only"))
sys.modules["third_party.stylegan3_official_ops.custom_ops"] = co
upkg = types.ModuleType("utils")
upkg.__path__ = [os.path.join(resefa, "utils")]
sys.modules["utils"] = upkg
sys.modules.setdefault("cv2", types.ModuleType("cv2"))
from models.stylegan3_generator import StyleGAN3Generator  # noqa: E402
from utils.custom_utils import make_transform  # noqa: E402

torch.set_num_threads(max(1, os.cpu_count() or 1))
D, RES, LR_MUL = 128, 64, 0.01
ROWS, COLS = (24, 33), (20, 43)            # the box, inclusive
CONFIGS = {
    "t": dict(fmaps_base=512, fmaps_max=64, kernel_size=3, use_radial_filter=False),
    "r": dict(fmaps_base=1024, fmaps_max=128, kernel_size=1, use_radial_filter=True),
}
KW = dict(impl="ref")
JACOBIAN_PRECISION = {"t": "float64", "r": "float32"}      # see run()


def build(name, seed):
    torch.manual_seed(seed)                  # frequencies and phases: as the constructor draws them
    G = StyleGAN3Generator(z_dim=D, w_dim=D, mapping_fmaps=D, resolution=RES, **CONFIGS[name]).eval()
    gen = torch.Generator().manual_seed(seed + 1000)

    def randn(shape):
        return torch.randn(shape, generator=gen)

    with torch.no_grad():
        for key, p in list(G.named_parameters()) + list(G.named_buffers()):
            if key.endswith(("_filter", "grid", "frequency", "phase", "transform")):
                continue                                       # design buffers, as constructed
            if key.startswith("mapping."):
                # stored / lr_mul (0.01): the layer multiplies by lr_mul at run time
                p.copy_((randn(p.shape) if key.endswith("weight") else 0.1 * randn(p.shape)) / LR_MUL)
            elif key.endswith("early_layer.affine.weight"):
                p.copy_(0.3 * randn(p.shape))                  # init 0: the transform then follows w
            elif key.endswith("early_layer.affine.bias"):
                p.copy_(torch.tensor([1.0, 0.0, 0.0, 0.0]) + 0.2 * randn(p.shape))
            elif key.endswith("style.bias"):
                p.copy_(1 + 0.25 * randn(p.shape))             # the style affine's +1, as trained
            elif key.endswith("magnitude_ema"):
                p.copy_(0.3 + 2.0 * torch.rand((), generator=gen))
            elif key.endswith("bias"):
                p.copy_(0.1 * randn(p.shape))
            elif key == "w_avg":
                p.copy_(0.5 * randn(p.shape))
            else:                                              # conv, style, input-layer weights
                p.copy_(randn(p.shape))
    return G


def geometry(G):
    S = G.synthesis
    rows = []
    for i in range(S.num_layers + 1):
        L = getattr(S, f"layer{i}")
        f = L.filter
        rows.append(dict(layer=i, in_channels=int(L.conv.in_channels), out_channels=int(L.conv.out_channels),
                         kernel=int(L.conv.kernel_size), demodulate=bool(L.conv.demodulate),
                         in_size=int(f.in_size), out_size=int(f.out_size),
                         in_sampling_rate=int(f.in_sampling_rate), out_sampling_rate=int(f.out_sampling_rate),
                         in_cutoff=float(f.in_cutoff), out_cutoff=float(f.out_cutoff),
                         in_half_width=float(f.in_half_width), out_half_width=float(f.out_half_width),
                         up_factor=int(f.up_factor), up_taps=int(f.up_taps), down_factor=int(f.down_factor),
                         down_taps=int(f.down_taps), radial=bool(f.use_radial_filter), padding=[int(v) for v in f.padding],
                         magnitude_ema=float(L.magnitude_ema)))
    el = S.early_layer
    return dict(num_ws=int(G.num_layers), input=dict(size=int(el.size), sampling_rate=int(el.sampling_rate),
                                                   cutoff=float(el.cutoff), channels=int(el.channels)),
                layers=rows)


def save(d, name, a):
    np.save(os.path.join(d, name), a.detach().double().numpy() if torch.is_tensor(a) else a)


def run(name, seed):
    t0 = time.time()
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    G = build(name, seed)
    ckpt = os.path.join(out, f"stylegan3_{name}_64.pth")
    torch.save({"models": {"generator_smooth": G.state_dict()}}, ckpt)
    with open(os.path.join(d, "layers.json"), "w") as fh:
        json.dump(geometry(G), fh, indent=1)
    z = np.random.RandomState(4).randn(2, D)
    zt = torch.from_numpy(z).float()
    S = G.synthesis
    with torch.no_grad():
        r = G(zt, **KW)
        rt = G(zt, trunc_psi=0.7, trunc_layers=8, **KW)
        m = np.linalg.inv(make_transform(0.1, -0.05, 10.0))          # manipulate.py's lines 163-165
        S.early_layer.transform.copy_(torch.from_numpy(m))
        img_tr = S(r["wp"], **KW)["image"]
        img_tr_trunc = S(rt["wp"], **KW)["image"]
        S.early_layer.transform.copy_(torch.eye(3))
    save(d, "z.npy", z)
    save(d, "w.npy", r["w"])
    save(d, "wp.npy", r["wp"])
    save(d, "img.npy", r["image"])
    save(d, "transform.npy", m)
    save(d, "img_transform.npy", img_tr)
    save(d, "wp_trunc.npy", rt["wp"])
    save(d, "img_trunc.npy", rt["image"])
    save(d, "img_transform_trunc.npy", img_tr_trunc)
    t1 = time.time()

    # the W-space Jacobian of the first code. T: in float64 (the official model converted, its
    # filters kept float32 as its upfirdn2d wants them, float64 as default dtype for the eye() its
    # input layer makes; python3 -O skips its float32-only asserts): at a kink of the clamp or the
    # leaky ReLU a float32 Jacobian can take the other side (seen on config T: an 11 % difference
    # in a corner of the image, 7e-5 of B), so T's golden Grams come from the exact function.
    # R: in float32, as the official compute_jacobian.py runs (its float64 run goes through the
    # reference's float64 depthwise convolutions of the radial filters and had not finished after
    # an hour on two cores; ganfactor's float32 Grams agree with R's float32 ones to 1e-6).
    L = G.num_layers
    exact = JACOBIAN_PRECISION[name] == "float64"
    if exact:
        G64 = copy.deepcopy(G).double()
        for mod in G64.modules():
            for nm in ("up_filter", "down_filter"):
                if isinstance(getattr(mod, nm, None), torch.Tensor):
                    setattr(mod, nm, getattr(mod, nm).float())
        SJ = G64.synthesis
        w0 = r["w"][0].clone().double()
        torch.set_default_dtype(torch.float64)
    else:
        SJ = S
        w0 = r["w"][0].clone()

    def image_of(w):
        return SJ(w.reshape(1, 1, D).repeat(1, L, 1), **KW)["image"].reshape(-1)

    cols = []
    with torch.no_grad():
        for k in range(D):
            e = torch.zeros(D)
            e[k] = 1
            with fwAD.dual_level():
                cols.append(fwAD.unpack_dual(image_of(fwAD.make_dual(w0, e))).tangent.clone())
    J = torch.stack(cols, 1).double()                                  # [3 * 64 * 64, D]
    # cross-check against one reverse-mode vector-Jacobian product
    u = torch.from_numpy(np.random.RandomState(11).randn(J.shape[0]))
    u = u if exact else u.float()
    wg = w0.clone().requires_grad_(True)
    (image_of(wg) * u).sum().backward()
    torch.set_default_dtype(torch.float32)
    vjp_err = float((J.t() @ u.double() - wg.grad.double()).abs().max() / wg.grad.abs().max())
    mask = np.zeros((RES, RES), bool)
    mask[ROWS[0]:ROWS[1] + 1, COLS[0]:COLS[1] + 1] = True
    rows = np.tile(mask.reshape(-1), 3)                                # the same pixels in R, G and B
    Jn = J.numpy()
    Jr, Jb = Jn[rows], Jn[~rows]
    np.save(os.path.join(d, "box_A.npy"), Jr.T @ Jr / Jr.shape[0])
    np.save(os.path.join(d, "box_B.npy"), Jb.T @ Jb / Jb.shape[0])
    np.save(os.path.join(d, "box_mask.npy"), mask)
    t2 = time.time()
    print(f"[{name}] checkpoint {os.path.getsize(ckpt) / 1e6:.2f} MB, {sum(p.numel() for p in G.parameters())} parameters; "
          f"images {t1 - t0:.1f} s, Jacobian ({D} JVPs) + Grams {t2 - t1:.1f} s; |img| max {float(r['image'].abs().max()):.3f}, "
          f"transform changes the image by {float((img_tr - r['image']).abs().max()):.3f}, truncation by "
          f"{float((rt['image'] - r['image']).abs().max()):.3f}; J max {float(J.abs().max()):.3e}, "
          f"forward-mode J vs reverse-mode VJP rel {vjp_err:.2e}; rows |R| {Jr.shape[0]}, |R'| {Jb.shape[0]}", flush=True)


if __name__ == "__main__":
    T0 = time.time()
    run("t", 3)
    run("r", 4)
    print(f"total {time.time() - T0:.1f} s; wrote {out}")
