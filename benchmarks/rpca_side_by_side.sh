#!/bin/sh
# RPCA side by side on one Gram, back to back in one run (see RESULTS.md, issue 15):
#   1. Java writes the RpcaBenchmark matrix (512 x 512, lambda 1/60) as OUT/M.npy;
#   2. NumPy runs the reference ADMM with SVD on it (rpca_reference.py, timed, L -> OUT/L_ref.npy);
#   3. optionally (OPT=1, or when OUT/L_opt.npy is missing and OPT is unset) the same ADMM run on to
#      1e-12 (eigh SVT; not timed for the comparison) gives the optimum OUT/L_opt.npy;
#   4. with OFFICIAL=<a clone of github.com/zhujiapeng/LowRankGAN>: the official RobustPCA.fit on the
#      same file (rpca_official.py; timed, L -> OUT/L_official.npy; ganfactor ships none of its code);
#   5. Java times each solver spec on OUT/M.npy and reports distances to L_ref, L_opt and L_official.
# usage (from the repository root, after mvn -B -DskipTests package):
#   [REPEATS=n] [OFFICIAL=clone] benchmarks/rpca_side_by_side.sh OUT [solver[:k=v,...] ...]     default solvers: admm:certified=0 admm
#   (REPEATS: Java runs per solver in one JVM, the first one cold; the median is reported)
#   (admm and exact run the certified partial SVT by default; certified=0 is the full eigendecomposition every sweep)
#   (THREADS=0: both sides with their default threads, as a user runs them: NumPy's OpenBLAS and
#    ganfactor's LibTorch/OpenBLAS on all cores; otherwise one OpenBLAS thread each, the default)
set -e
if [ "${THREADS:-1}" = 0 ]; then pin=""; else pin="OPENBLAS_NUM_THREADS=1"; fi
here=$(cd "$(dirname "$0")" && pwd)
out=$1; shift
[ $# -gt 0 ] || set -- admm:certified=0 admm
jar="${JAR:-$here/target/benchmarks.jar}"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, kernel $(uname -r)"
echo "java: $(java -version 2>&1 | head -1)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$jar" ganfactor.bench.RpcaSideBySide write "$out" 512 2>&1 | grep -v '^Warning: Versions'
echo "numpy reference (SVD, ${pin:-default OpenBLAS threads}):"
env $pin python3 "$here/rpca_reference.py" "$out"
if [ "${OPT:-auto}" = 1 ] || { [ "${OPT:-auto}" = auto ] && [ ! -f "$out/L_opt.npy" ]; }; then
  echo "numpy optimum (same ADMM to 1e-12, eigh SVT; not part of the timing comparison):"
  env $pin python3 "$here/rpca_reference.py" "$out" --tol 1e-12 --eigh --out L_opt
fi
if [ -n "${OFFICIAL:-}" ]; then
  echo "official LowRankGAN RobustPCA ($OFFICIAL, ${pin:-default OpenBLAS threads}):"
  env $pin python3 "$here/rpca_official.py" "$out" "$OFFICIAL"
else
  rm -f "$out/L_official.npy"
fi
echo "load before java: $(cut -d' ' -f1-3 /proc/loadavg)"
env $pin java -Dthreads=${THREADS:-1} -cp "$jar" ganfactor.bench.RpcaSideBySide solve "$out" ${REPEATS:-1} "$@" 2>&1 | grep -v '^Warning: Versions'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
