#!/usr/bin/env python3
"""The reference RPCA (principal component pursuit by ADMM) in NumPy, for side-by-side timing.

Written from the algorithm in /work/shared ALGORITHMS.md / REFERENCE.md (not copied): lambda 1/60,
mu = n1 n2 / (4 ||M||_1) with the induced 1-norm (NumPy norm(M, 1)), L = S = Y = 0, sweep
L <- SVT_{1/mu}(M - S - Y/mu) by a thin SVD (as the reference does), S <- shrink_{lambda/mu}(M - L - Y/mu),
Y <- Y + mu (L + S - M), stop when ||L + S - M||_F <= tol ||M||_F, at most 10,000 iterations.

usage: rpca_reference.py DIR [--tol 1e-7] [--out L_ref] [--eigh]
reads DIR/M.npy, writes DIR/<out>.npy (L) and DIR/<out>_S.npy, prints one JSON line.
"""
import argparse, json, os, platform, time
import numpy as np


def rpca_admm(M, lam=1.0 / 60, tol=1e-7, max_iter=10000, eigh=False):
    n1, n2 = M.shape
    mu = n1 * n2 / (4.0 * np.linalg.norm(M, 1))
    norm_m = np.linalg.norm(M)
    L = np.zeros_like(M); S = np.zeros_like(M); Y = np.zeros_like(M)
    rank = 0
    for it in range(1, max_iter + 1):
        X = M - S - Y / mu
        if eigh:  # symmetric shortcut (not the reference's): same L, 2-3x cheaper
            w, Q = np.linalg.eigh((X + X.T) / 2)
            keep = np.abs(w) > 1 / mu
            L = (Q[:, keep] * (np.sign(w[keep]) * (np.abs(w[keep]) - 1 / mu))) @ Q[:, keep].T
            rank = int(keep.sum())
        else:
            U, s, Vt = np.linalg.svd(X, full_matrices=False)
            keep = s > 1 / mu
            rank = int(keep.sum())
            L = (U[:, keep] * (s[keep] - 1 / mu)) @ Vt[keep]
        Z = M - L - Y / mu
        S = np.sign(Z) * np.maximum(np.abs(Z) - lam / mu, 0)
        R = L + S - M
        Y = Y + mu * R
        if np.linalg.norm(R) <= tol * norm_m:
            return L, S, it, rank, True, mu
    return L, S, max_iter, rank, False, mu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--tol", type=float, default=1e-7)
    ap.add_argument("--lam", type=float, default=1.0 / 60)
    ap.add_argument("--max-iter", type=int, default=10000)
    ap.add_argument("--out", default="L_ref")
    ap.add_argument("--eigh", action="store_true")
    a = ap.parse_args()
    M = np.load(os.path.join(a.dir, "M.npy"))
    t0 = time.perf_counter()
    L, S, it, rank, conv, mu = rpca_admm(M, a.lam, a.tol, a.max_iter, a.eigh)
    sec = time.perf_counter() - t0
    np.save(os.path.join(a.dir, a.out + ".npy"), L)
    np.save(os.path.join(a.dir, a.out + "_S.npy"), S)
    obj = float(np.abs(np.linalg.eigvalsh((L + L.T) / 2)).sum() + a.lam * np.abs(M - L).sum())
    print(json.dumps({"numpy": np.__version__, "python": platform.python_version(), "svt": "eigh" if a.eigh else "svd",
                      "tol": a.tol, "seconds": round(sec, 3), "iterations": it, "converged": conv, "rank": rank,
                      "mu": mu, "objective": obj, "out": a.out,
                      "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")}))


if __name__ == "__main__":
    main()
