"""manipulate.py's edit on the Hammer StyleGAN3 golden fixtures (R, or T), from the official code (issue 27).

OUR script, like hammer_stylegan3.py (whose build and import stubs it reuses): it loads the
committed checkpoint (java/src/test/resources/official/hammer-stylegan3/CFG/G.pth) into the ReSeFa
repository's StyleGAN3Generator (config R or T as there) and runs what manipulate.py does with its
defaults and `--stylegan3 --cfg R|T --tx 0.1 --ty -0.05 --rotate 10`:
  - the code of seed 4 (numpy RandomState(4).randn), mapped with trunc_psi 0.7 on 8 layers;
  - a direction of the shipped files' shape [1, 128] (random, seeded, unit, float32), through the
    repository's own utils.custom_utils.linear_interpolate: layers 4-7, 7 steps from -10 to 10;
  - the images of those codes with early_layer.transform = inv(make_transform(0.1, -0.05, 10)).
Writes into OUT: CFG/direction.npy [1, 128] float32, CFG/mani_codes.npy [7, 16, 128] and
CFG/mani_img.npy [7, 3, 64, 64] (float64 copies of the official float32 results). The direction is
the same draw for both configs.

    /usr/bin/python3 -O tools/golden/hammer_stylegan3_manipulate.py RESEFA_CHECKOUT OUT [r|t]   (a few seconds each)
"""
import os
import sys
import time

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
resefa = sys.argv[1] if len(sys.argv) > 1 else "/tmp/resefa"
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/sg3m/out"
cfg = sys.argv[3] if len(sys.argv) > 3 else "r"
if cfg not in ("r", "t"):
    sys.exit("the config is r or t, not " + cfg)
sys.argv = [sys.argv[0], resefa, out]             # hammer_stylegan3 reads them the same way
sys.path.insert(0, here)
import hammer_stylegan3 as base                   # noqa: E402  (stubs, StyleGAN3Generator, CONFIGS)
from utils.custom_utils import linear_interpolate, make_transform  # noqa: E402

t0 = time.time()
ckpt = os.path.join(here, "..", "..", "java", "src", "test", "resources", "official", "hammer-stylegan3", cfg, "G.pth")
G = base.StyleGAN3Generator(z_dim=base.D, w_dim=base.D, mapping_fmaps=base.D, resolution=base.RES, **base.CONFIGS[cfg]).eval()
G.load_state_dict(torch.load(ckpt)["models"]["generator_smooth"])
L = G.num_layers
d = os.path.join(out, cfg)
os.makedirs(d, exist_ok=True)
z = torch.from_numpy(np.random.RandomState(4).randn(1, base.D)).float()
gen = torch.Generator().manual_seed(27)
direction = torch.randn((1, base.D), generator=gen).numpy()
direction = (direction / np.linalg.norm(direction)).astype(np.float32)
with torch.no_grad():
    wp = G(z, trunc_psi=0.7, trunc_layers=8, **base.KW)["wp"].numpy()
    mani = linear_interpolate(latent_code=wp, boundary=np.tile(direction, [1, L, 1]), layer_index=[4, 5, 6, 7],
                              start_distance=-10.0, end_distance=10.0, steps=7)
    G.synthesis.early_layer.transform.copy_(torch.from_numpy(np.linalg.inv(make_transform(0.1, -0.05, 10.0))))
    img = G.synthesis(torch.from_numpy(mani.astype(np.float32)), **base.KW)["image"]
np.save(os.path.join(d, "direction.npy"), direction)
np.save(os.path.join(d, "mani_codes.npy"), mani.astype(np.float64))
np.save(os.path.join(d, "mani_img.npy"), img.double().numpy())
print(f"wrote {d}: codes {mani.shape}, images {tuple(img.shape)}, |img| max {float(img.abs().max()):.3f}, {time.time() - t0:.1f} s")
