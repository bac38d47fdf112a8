#!/usr/bin/env python3
"""LowRankGAN's direction step in NumPy, as the reference does it, for side-by-side timing.

Written from /work/shared REFERENCE.md (LowRankGAN) and ALGORITHMS.md (not copied): RPCA of the
foreground Gram A and of the background Gram B with the reference's ADMM (rpca_reference.py:
lambda 1/60, its mu, tol 1e-7, SVD each sweep), rank_f = numerical rank of L_A, F = the first
rank_f rows of V^T of L_A, rank_b = numerical rank of L_B, the null space N = rows of V^T of
L_B from rank_b - num_relax (clamped to [1, d - 1]), directions = unit rows of (N^T N F^T)^T.

With --official CLONE the two RPCAs are the official LowRankGAN RobustPCA.fit itself, imported
from a clone of github.com/zhujiapeng/LowRankGAN (nothing of it is shipped; see rpca_official.py);
the iteration counts are then its own.

usage: lowrankgan_reference.py FG.npy BG.npy OUT.npy [--sample 0] [--lam 1/60] [--num-relax 0] [--official CLONE]
FG/BG: [d, d] or [N, d, d] (ganfactor jacobian's <region>_A.npy / <region>_B.npy); prints one JSON line.
"""
import argparse, json, os, platform, sys, time
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rpca_reference import rpca_admm  # noqa: E402


def load(path, sample):
    m = np.load(path).astype(np.float64)
    return m[sample] if m.ndim == 3 else m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fg")
    ap.add_argument("bg")
    ap.add_argument("out")
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--lam", type=float, default=1.0 / 60)
    ap.add_argument("--num-relax", type=int, default=0)
    ap.add_argument("--official", help="a clone of zhujiapeng/LowRankGAN: use its RobustPCA for the RPCAs")
    a = ap.parse_args()
    rpca = rpca_admm
    if a.official:
        import contextlib, io
        if not os.path.isfile(os.path.join(a.official, "RobustPCA.py")):
            sys.exit(f"lowrankgan_reference.py: no RobustPCA.py in {a.official}")
        if not hasattr(np, "Inf"):  # NumPy 2 removed the alias that file uses
            np.Inf = np.inf
        sys.path.insert(0, a.official)
        from RobustPCA import RobustPCA

        def rpca(M, lam):
            r = RobustPCA(M, lam)
            with contextlib.redirect_stdout(io.StringIO()):
                L, S = r.fit()
            return L, S, r.iter, None, r.iter < 10000, r.mu
    A, B = load(a.fg, a.sample), load(a.bg, a.sample)
    d = A.shape[0]
    t0 = time.perf_counter()
    LA, _, itA, _, convA, _ = rpca(A, a.lam)
    LB, _, itB, _, convB, _ = rpca(B, a.lam)
    rank_f = int(np.linalg.matrix_rank(LA))
    rank_b = int(np.linalg.matrix_rank(LB))
    F = np.linalg.svd(LA)[2][:rank_f]
    start = min(max(rank_b - a.num_relax, 1), d - 1)
    N = np.linalg.svd(LB)[2][start:]
    D = (N.T @ N @ F.T).T
    norms = np.linalg.norm(D, axis=1, keepdims=True)
    D = D / np.where(norms > 0, norms, 1)
    sec = time.perf_counter() - t0
    np.save(a.out, D)
    print(json.dumps({"rpca": "official RobustPCA.fit" if a.official else "replica (rpca_reference.py)", "numpy": np.__version__, "python": platform.python_version(), "d": d, "seconds": round(sec, 3),
                      "iterations_a": itA, "iterations_b": itB, "converged": bool(convA and convB), "rank_f": rank_f,
                      "rank_b": rank_b, "null_space_start": start, "directions": int(D.shape[0]),
                      "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "")}))


if __name__ == "__main__":
    main()
