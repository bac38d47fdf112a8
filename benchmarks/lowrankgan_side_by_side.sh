#!/bin/sh
# LowRankGAN directions on the demo generator, side by side with a NumPy replica of the reference
# (see RESULTS.md, issue 15), back to back in one run, everything on one thread (unless THREADS=0):
#   1. ganfactor jacobian: the eyes Grams of the demo (default settings: W, seed 4, one sample);
#   2. NumPy: RPCA of A and B (the reference's ADMM with SVD), ranks, null space, projection
#      (lowrankgan_reference.py), timed inside Python;
#   3. ganfactor solve --method lowrankgan on the same Grams, whole process (JVM and LibTorch start
#      included), the record's seconds_total (reading the Grams to writing the directions) and the
#      two RPCAs' seconds, with the default (certified partial SVT) and with --no-rpca-certified
#      (a full eigendecomposition every sweep);
#   4. |cos| between the NumPy directions and ganfactor's, row by row.
#   (OFFICIAL=<a clone of github.com/zhujiapeng/LowRankGAN>: step 2 also with the official RobustPCA.fit for the RPCAs)
#   (GRAMS=<a folder with eyes_A.npy and eyes_B.npy>: those Grams instead of step 1, e.g. a 512-d pair;
#    MODES="rpca-certified": skip the --no-rpca-certified run)
#   (THREADS=0: both sides on their default threads instead of one each: NumPy's OpenBLAS as it
#    comes, ganfactor without --threads, which lets it solve the two RPCAs side by side)
# usage (from the repository root, after mvn -B -DskipTests package): [OFFICIAL=clone] benchmarks/lowrankgan_side_by_side.sh OUT [LAMBDA]
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=$1
lam=${2:-0.016666666666666666}
rm -rf "$out"
mkdir -p "$out"
if [ "${THREADS:-1}" = "0" ]; then one=""; jthreads=""; else one="OPENBLAS_NUM_THREADS=1"; jthreads="--threads 1"; fi
echo "threads: ${THREADS:-1} (1: one each; 0: defaults)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "lambda: $lam"
if [ -n "${GRAMS:-}" ]; then
  mkdir -p "$out/grams" && cp "$GRAMS/eyes_A.npy" "$GRAMS/eyes_B.npy" "$out/grams/"
  echo "grams: $GRAMS"
else
  "$root/ganfactor" jacobian --model demo --region eyes --out "$out/grams" --quiet
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "numpy reference (1 OpenBLAS thread):"
env $one python3 "$here/lowrankgan_reference.py" "$out/grams/eyes_A.npy" "$out/grams/eyes_B.npy" "$out/numpy_directions.npy" --lam "$lam"
if [ -n "${OFFICIAL:-}" ]; then
  echo "the same with the official LowRankGAN RobustPCA ($OFFICIAL) for the two RPCAs:"
  env $one python3 "$here/lowrankgan_reference.py" "$out/grams/eyes_A.npy" "$out/grams/eyes_B.npy" "$out/official_directions.npy" --lam "$lam" --official "$OFFICIAL"
fi
for mode in ${MODES:-rpca-certified no-rpca-certified}; do
  start=$(date +%s.%N)
  env $one "$root/ganfactor" solve --method lowrankgan --fg "$out/grams/eyes_A.npy" --bg "$out/grams/eyes_B.npy" \
    --rpca-lambda "$lam" --$mode $jthreads --out "$out/$mode" > /dev/null
  end=$(date +%s.%N)
  python3 - "$out" "$mode" "$start" "$end" <<'EOF'
import json, sys, glob, os
import numpy as np
out, mode, t0, t1 = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
rec = json.load(open(os.path.join(out, mode, "solve.json")))
files = sorted(glob.glob(os.path.join(out, mode, "*directions.npy")))
ref = np.load(os.path.join(out, "numpy_directions.npy"))
dj = np.load(files[0]).astype(np.float64)
dj = dj.reshape(-1, dj.shape[-1])
n = min(len(ref), len(dj))
cos = [float(abs(ref[i] @ dj[i]) / (np.linalg.norm(ref[i]) * np.linalg.norm(dj[i]) or 1)) for i in range(n)]
off_path = os.path.join(out, "official_directions.npy")
cos_off = None
if os.path.isfile(off_path):
    off = np.load(off_path)
    m = min(len(off), len(dj))
    cos_off = [float(abs(off[i] @ dj[i]) / (np.linalg.norm(off[i]) * np.linalg.norm(dj[i]) or 1)) for i in range(m)]
ra, rb = rec["results"][0]["rpca_a"], rec["results"][0]["rpca_b"]
print(json.dumps({"ganfactor": mode, "whole_process_seconds": round(t1 - t0, 3), "seconds_total": rec.get("seconds_total"),
                  "rpca_seconds": round(ra["seconds"] + rb["seconds"], 3), "rpca_parallel": rec["results"][0].get("rpca_parallel"),
                  "directions": len(dj), "numpy_directions": len(ref), "abs_cos_vs_numpy": [round(c, 9) for c in cos],
                  "abs_cos_vs_official": None if cos_off is None else [round(c, 9) for c in cos_off], "official_directions": None if cos_off is None else len(off),
                  "rpca_a": ra, "rpca_b": rb}))
EOF
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
