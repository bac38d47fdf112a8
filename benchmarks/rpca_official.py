#!/usr/bin/env python3
"""Times the official LowRankGAN RPCA (RobustPCA.py of a local clone of zhujiapeng/LowRankGAN) on DIR/M.npy.

ganfactor ships none of that code: this driver imports the class from the clone the user points
at, runs its fit() with its defaults (lambda 1/60, its mu, its 1e-7 stop, 10,000 iterations at
most) and times only fit(). Its progress prints go to a buffer (one line every 100 iterations).
NumPy 2 removed np.Inf, which that file uses; the driver restores the alias before the import.

usage: rpca_official.py DIR CLONE [--out L_official]
reads DIR/M.npy, writes DIR/<out>.npy (L) and prints one JSON line; with DIR/L_ref.npy present
(benchmarks/rpca_reference.py, the replica) it also prints the distance between the two L.
"""
import argparse, contextlib, io, json, os, platform, sys, time
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("clone", help="a clone of github.com/zhujiapeng/LowRankGAN (holds RobustPCA.py)")
    ap.add_argument("--out", default="L_official")
    a = ap.parse_args()
    if not os.path.isfile(os.path.join(a.clone, "RobustPCA.py")):
        sys.exit(f"rpca_official.py: no RobustPCA.py in {a.clone}")
    if not hasattr(np, "Inf"):
        np.Inf = np.inf
    sys.path.insert(0, a.clone)
    from RobustPCA import RobustPCA
    M = np.load(os.path.join(a.dir, "M.npy"))
    r = RobustPCA(M)
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        L, S = r.fit()
    sec = time.perf_counter() - t0
    np.save(os.path.join(a.dir, a.out + ".npy"), L)
    ref = os.path.join(a.dir, "L_ref.npy")
    dist = None
    if os.path.isfile(ref):
        lr = np.load(ref)
        dist = float(np.linalg.norm(L - lr) / np.linalg.norm(lr))
    print(json.dumps({"official": "RobustPCA.fit", "numpy": np.__version__, "python": platform.python_version(),
                      "seconds": round(sec, 3), "iterations": r.iter,
                      "rank": int(np.linalg.matrix_rank(L)), "L_vs_replica": dist, "out": a.out,
                      "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")}))


if __name__ == "__main__":
    main()
