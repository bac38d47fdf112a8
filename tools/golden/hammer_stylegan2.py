"""Golden data for ganfactor's Hammer StyleGAN2 loader (issue 27), from the official code.

Builds the ReSeFa repository's own StyleGAN2 generator (zhujiapeng/resefa models/, i.e. Hammer's)
at 64 px with reduced channels, sets every parameter and buffer to random, non-trivial values,
saves it as the repository's checkpoints are saved ({'models': {'generator_smooth': state_dict}})
and records what the official code computes with it on the CPU (impl='ref', its pure-PyTorch ops):

  G_hammer_64.pth            the checkpoint
  z.npy [4, 128]             numpy RandomState(4).randn(4, 128), as ReSeFa's scripts draw codes
  w.npy [4, 128]             mapping(z)
  img.npy [4, 3, 64, 64]     synthesis, float32, noise_mode 'const', no truncation
  img_trunc.npy              the same with trunc_psi 0.7 on the first 8 layers (manipulate.py's)
  wp_trunc.npy [4, 10, 128]  the truncated W+ codes
  direction.npy [1, 128]     a random unit direction, float32, the shape of the shipped directions
  mani_codes.npy [7, 10, 128], mani_img.npy [7, 3, 64, 64]
                             manipulate.py's edit of the first truncated code along it (its
                             linear_interpolate: layers 4-7, 7 steps from -10 to 10) and images
  box_A.npy, box_B.npy       the Gram pair of d image / d w at w[0] (w repeated on all 10 layers;
                             float32 autodiff of the official forward, as compute_jacobian.py) for the box [29, 33, 9, 27] on the 64 grid (official
                             [center_row, center_col, height, width]; rows cr - h//2 .. + h),
                             3 x 64 x 64 rows (the official view rule for 64 px), A = J_R^T J_R /
                             rows(R), B = J_R'^T J_R' / rows(R')

Our code, not the repository's: it imports the repository's module and only calls it.
Needs torch (Debian's python3-torch runs it), numpy and easydict (its ops import it).

    git clone https://github.com/zhujiapeng/resefa /tmp/resefa   # any checkout
    python3 tools/golden/hammer_stylegan2.py /tmp/resefa java/src/test/resources/official/hammer-stylegan2
"""
import os
import sys
import types

import numpy as np
import torch

resefa, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
sys.path.insert(0, resefa)
# the models package without its __init__, which imports every model and their dependencies
pkg = types.ModuleType("models")
pkg.__path__ = [os.path.join(resefa, "models")]
sys.modules["models"] = pkg
from models.stylegan2_generator import StyleGAN2Generator  # noqa: E402

D, RES, BASE = 128, 64, 512          # channels 128, 64, 32, 16, 8 at 4 .. 64 px; 10 W+ entries
torch.manual_seed(27)
G = StyleGAN2Generator(z_dim=D, w_dim=D, mapping_fmaps=D, resolution=RES, fmaps_base=BASE).eval()

gen = torch.Generator().manual_seed(2027)


def randn(shape):
    return torch.randn(shape, generator=gen)


with torch.no_grad():
    for name, p in list(G.named_parameters()) + list(G.named_buffers()):
        if name.endswith("filter"):
            continue                                   # the fixed [1,3,3,1] resampling filters
        if name.startswith("mapping."):
            # stored / lr_mul (0.01): the layer multiplies by lr_mul at run time
            p.copy_((randn(p.shape) if name.endswith("weight") else 0.1 * randn(p.shape)) / 0.01)
        elif name.endswith("style.bias"):
            p.copy_(1 + 0.25 * randn(p.shape))         # the affine's bias, +1 stored as NVlabs does
        elif name.endswith("noise_strength"):
            p.copy_(0.2 * randn(p.shape))
        elif name.endswith("bias"):
            p.copy_(0.1 * randn(p.shape))
        elif name == "w_avg":
            p.copy_(0.5 * randn(p.shape))
        else:                                          # conv, style and ToRGB weights, const, noise
            p.copy_(randn(p.shape))

torch.save({"models": {"generator_smooth": G.state_dict()}}, os.path.join(out, "G_hammer_64.pth"))

z = np.random.RandomState(4).randn(4, D)
zt = torch.from_numpy(z).float()
kw = dict(noise_mode="const", fused_modulate=False, impl="ref")
with torch.no_grad():
    r = G(zt, **kw)
    rt = G(zt, trunc_psi=0.7, trunc_layers=8, **kw)
np.save(os.path.join(out, "z.npy"), z)
np.save(os.path.join(out, "w.npy"), r["w"].double().numpy())
np.save(os.path.join(out, "img.npy"), r["image"].double().numpy())
np.save(os.path.join(out, "img_trunc.npy"), rt["image"].double().numpy())
np.save(os.path.join(out, "wp_trunc.npy"), rt["wp"].double().numpy())

# the W-space Jacobian of the first code: autodiff of the official forward, in float32 as the
# official compute_jacobian.py (the model asserts float32 styles); the Grams in float64 from it
L = G.num_layers
w0 = r["w"][0].clone()


def image_of(w):
    return G.synthesis(w.reshape(1, 1, D).repeat(1, L, 1), **kw)["image"].reshape(-1)


J = torch.autograd.functional.jacobian(image_of, w0).double().numpy()   # [3 * 64 * 64, D]
cr, cc, h, wd = 29, 33, 9, 27
mask = np.zeros((RES, RES), bool)
mask[cr - h // 2:cr - h // 2 + h, cc - wd // 2:cc - wd // 2 + wd] = True
rows = np.tile(mask.reshape(-1), 3)                                  # the same pixels in R, G and B
Jr, Jb = J[rows], J[~rows]
np.save(os.path.join(out, "box_A.npy"), Jr.T @ Jr / Jr.shape[0])
np.save(os.path.join(out, "box_B.npy"), Jb.T @ Jb / Jb.shape[0])
# manipulate.py's edit (its defaults: the codes truncated as above, layers 4-7, 7 steps from -10 to
# 10) of the first code along a direction of the shipped files' shape [1, D], float32, through the
# repository's own linear_interpolate
upkg = types.ModuleType("utils")
upkg.__path__ = [os.path.join(resefa, "utils")]
sys.modules["utils"] = upkg
sys.modules.setdefault("cv2", types.ModuleType("cv2"))   # custom_utils imports OpenCV for its mask helpers only
from utils.custom_utils import linear_interpolate  # noqa: E402

direction = randn((1, D)).numpy()
direction = (direction / np.linalg.norm(direction)).astype(np.float32)
np.save(os.path.join(out, "direction.npy"), direction)
latent_w = rt["wp"][0:1].numpy()
mani = linear_interpolate(latent_code=latent_w, boundary=np.tile(direction, [1, L, 1]), layer_index=[4, 5, 6, 7],
                          start_distance=-10.0, end_distance=10.0, steps=7)
with torch.no_grad():
    mani_img = G.synthesis(torch.from_numpy(mani.astype(np.float32)), **kw)["image"]
np.save(os.path.join(out, "mani_codes.npy"), mani.astype(np.float64))
np.save(os.path.join(out, "mani_img.npy"), mani_img.double().numpy())
print("wrote", out, "image range", float(r["image"].abs().max()), "J max", float(np.abs(J).max()))
