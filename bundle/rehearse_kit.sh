#!/usr/bin/env bash
# Rehearses bundle/DEVICE.md's sequence on this machine, a fresh local folder standing in for the
# device: the GPU kit's parts copied one by one (as the calls carry them), reassembled, checked and
# unpacked by device_run.sh with an empty JavaCPP cache; without an NVIDIA device its natives run on
# the CPU, so gpu-check answers as it does without a GPU (exit 4) and `gpu-check --rehearse` runs
# every step with the GPU natives on the CPU; then the CPU kit through the same steps.
# Writes KITDIR/REHEARSAL.txt.
#   bundle/rehearse_kit.sh [KITDIR]          # default .kit (made by bundle/kit.sh)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kit="${1:-$here/../.kit}"
kit="$(cd "$kit" && pwd)"
dev="$(mktemp -d /tmp/gf-device-XXXX)"
rep="$kit/REHEARSAL.txt"
: > "$rep"
say() { echo "$*" | tee -a "$rep"; }
copy_parts() {  # copy_parts FROM TO: one part at a time, each timed
  mkdir -p "$2"
  cp "$1/SHA256SUMS" "$2/"
  for p in "$1"/kit.tar.xz.part-*; do
    s=$(date +%s.%N)
    cp "$p" "$2/"
    say "$(printf '  carried %-22s %9d bytes in %s s' "$(basename "$p")" "$(stat -c %s "$p")" "$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')")"
  done
}
say "rehearsal of bundle/DEVICE.md, $(date -u +%Y-%m-%dT%H:%M:%SZ), device stand-in $dev"
device_run() {  # device_run PARTS OUT [GPU_CHECK_ARGS...]: device_run.sh in the stand-in's work folder, indented into the report
  local parts="$1" out="$2"
  shift 2
  GANFACTOR_WORK="$dev/work" bash "$here/device_run.sh" "$parts" "$out" "$@" 2>&1 | sed 's/^/    /' | tee -a "$rep" >/dev/null
}
rehearse() {  # rehearse KIT_DIR NAME: parts carried, a cold run (gpu-check without a GPU), then --rehearse on the same bundle; echoes its exit code
  local from="$1" name="$2"
  copy_parts "$from" "$dev/$name-parts"
  say "device_run.sh on the $name kit (fresh work folder and JavaCPP cache): gpu-check without a GPU"
  device_run "$dev/$name-parts" "$dev/out-$name"
  say "the same $name bundle, gpu-check --rehearse:"
  GANFACTOR_REUSE=1 device_run "$dev/$name-parts" "$dev/out-$name-rehearse" -- --rehearse
  local rc
  rc=$(tail -1 "$dev/out-$name-rehearse/device-run.txt" | sed -n 's/.*rc=\([0-9]*\).*/\1/p')
  say "$name bundle gpu-check --rehearse exit code: $rc"
  rm -rf "$dev/work"
  [ "$rc" = 0 ]
}
say "GPU kit: $(head -1 "$kit/KIT.txt") (without an NVIDIA device its natives run on the CPU)"
rehearse "$kit" gpu
gpu_ok=$?
say "CPU kit:"
"$here/kit.sh" --cpu --out "$dev/cpukit" | sed 's/^/    /' | tee -a "$rep" >/dev/null
rehearse "$dev/cpukit" cpu
cpu_ok=$?
rm -rf "$dev"
[ $gpu_ok = 0 ] && [ $cpu_ok = 0 ]
