#!/usr/bin/env python3
"""A 512-d Gram pair for the LowRankGAN side by side at the reference's size (RESULTS.md, issue 15).

A (foreground) = the RpcaBenchmark Gram that `RpcaSideBySide write DIR 512` wrote as DIR/M.npy;
B (background) = the same recipe drawn by NumPy (J = U diag(exp(-i/8)) V^T with U 2048 x 512 and
V 512 x 512 orthonormal from Gaussian matrices, seed 5; G = J^T J scaled to max |G| = 1).
Both are synthetic Jacobian-like Grams, not a generator's.

usage: gram_pair.py DIR OUT   writes OUT/eyes_A.npy and OUT/eyes_B.npy (float64)
"""
import os, shutil, sys
import numpy as np

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
a = np.load(os.path.join(src, "M.npy"))
d = a.shape[0]
rng = np.random.default_rng(5)
u = np.linalg.qr(rng.standard_normal((4 * d, d)))[0]
v = np.linalg.qr(rng.standard_normal((d, d)))[0]
j = (u * np.exp(-np.arange(d) / 8.0)) @ v.T
b = j.T @ j
b = (b + b.T) / 2
b /= np.abs(b).max()
shutil.copyfile(os.path.join(src, "M.npy"), os.path.join(out, "eyes_A.npy"))
np.save(os.path.join(out, "eyes_B.npy"), b)
print(f"wrote {out}/eyes_A.npy (from {src}/M.npy) and {out}/eyes_B.npy, d = {d}")
