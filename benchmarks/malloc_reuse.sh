#!/usr/bin/env bash
# glibc's default allocator against GANFACTOR_MALLOC=reuse (MALLOC_MMAP_MAX_=0 and a 64 GiB trim
# threshold: freed large blocks stay in the process), on the same build and machine, one after
# the other:
#   1. JMH: OfficialGeneratorsBenchmark.jacobian on the 64 px StyleGAN3-T fixture (the forked JVM
#      inherits the environment);
#   2. whole runs of the launcher: `jacobian` on the same fixture (one code, ffhq:eyes), wall
#      seconds, system seconds and peak resident memory from /usr/bin/time, RUNS each, interleaved.
#
#   benchmarks/malloc_reuse.sh [RUNS]      (from the repository root, after mvn -DskipTests package)
#
# Prints everything; benchmarks/results/malloc-reuse.txt is one such output.
set -euo pipefail
runs="${1:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
model="$root/java/src/test/resources/official/hammer-stylegan3/t/G.pth"
reuse=(MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736)
work="$(mktemp -d /tmp/gf-malloc-XXXX)"
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(ldd --version | head -1)"
echo "commit: $(git -C "$root" rev-parse --short HEAD)"
for mode in default reuse; do
  e=(); [ "$mode" = reuse ] && e=("${reuse[@]}")
  echo "== JMH, malloc $mode"
  (cd "$root/benchmarks" && env -u MALLOC_MMAP_MAX_ -u MALLOC_TRIM_THRESHOLD_ "${e[@]}" java -jar target/benchmarks.jar \
     OfficialGeneratorsBenchmark.jacobian -p model=hammer-stylegan3/t/G.pth -wi 1 -i 5 -f 1 2>&1 | grep -E '^Iteration|avgt')
done
for i in $(seq 1 "$runs"); do
  for mode in default reuse; do
    rm -rf "$work/out"
    if [ "$mode" = reuse ]; then
      env -u MALLOC_MMAP_MAX_ -u MALLOC_TRIM_THRESHOLD_ GANFACTOR_MALLOC=reuse /usr/bin/time -f "run $i malloc $mode: %e s wall, %S s system, %M KB peak" \
        "$root/ganfactor" jacobian --model "$model" --num 1 --region ffhq:eyes --out "$work/out" --quiet 2>&1 | tail -1
    else
      env -u MALLOC_MMAP_MAX_ -u MALLOC_TRIM_THRESHOLD_ -u GANFACTOR_MALLOC /usr/bin/time -f "run $i malloc $mode: %e s wall, %S s system, %M KB peak" \
        "$root/ganfactor" jacobian --model "$model" --num 1 --region ffhq:eyes --out "$work/out" --quiet 2>&1 | tail -1
    fi
  done
done
