#!/usr/bin/env bash
# On the device machine (or a folder standing in for it): reassembles the transfer kit from its
# parts, checks every part and the whole against SHA256SUMS, unpacks it, rebuilds the natives jar
# (stored: no compression to undo at load), and runs `ganfactor gpu-check`. Each step's time goes to
# stdout and to OUT/device-run.txt. See bundle/DEVICE.md.
#
#   bundle/device_run.sh PARTS_DIR OUT [-- GPU_CHECK_ARGS...]
#
# PARTS_DIR holds kit.tar.xz.part-* and SHA256SUMS; OUT receives gpu-check/ (gpu-check.json and
# .log), device-run.txt and gpu-check.out. The CUDA libraries come from python3's nvidia packages
# (a PyTorch CUDA install), else from the system. GANFACTOR_WORK (default /tmp/gf-kit) is where the
# bundle is unpacked and where JavaCPP extracts the natives. GANFACTOR_REUSE=1 reuses a bundle already
# unpacked there (a rerun on the same warm machine); GANFACTOR_JAR=FILE replaces its application jar.
set -uo pipefail
parts="${1:?usage: device_run.sh PARTS_DIR OUT [-- GPU_CHECK_ARGS...]}"
out="${2:?usage: device_run.sh PARTS_DIR OUT [-- GPU_CHECK_ARGS...]}"
shift 2
[ "${1:-}" = "--" ] && shift
work="${GANFACTOR_WORK:-/tmp/gf-kit}"
mkdir -p "$out"
log="$out/device-run.txt"
: > "$log"
say() { echo "$*" | tee -a "$log"; }
now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
step() {  # step NAME COMMAND...: runs, times, stops the script on failure
  local name="$1" s e rc
  shift
  s=$(now)
  "$@"
  rc=$?
  e=$(now)
  say "$(printf '%-28s rc=%d %6s s' "$name" "$rc" "$(dt "$s" "$e")")"
  [ $rc = 0 ] || { say "device_run: $name failed"; exit $rc; }
}
verify() {
  (cd "$parts" && grep 'part-' SHA256SUMS | sha256sum -c --quiet) || return 1
  [ "$(ls "$parts"/kit.tar.xz.part-* | wc -l)" = "$(grep -c 'part-' "$parts/SHA256SUMS")" ] || { echo "parts missing"; return 1; }
}
unpack() {
  rm -rf "$work" && mkdir -p "$work"
  local whole
  whole="$(grep ' kit.tar.xz$' "$parts/SHA256SUMS" | cut -d' ' -f1)"
  if command -v xz >/dev/null; then
    cat "$parts"/kit.tar.xz.part-* | tee >(sha256sum | cut -d' ' -f1 > "$work/.sum") | xz -dc -T0 | tar -C "$work" -xf - || return 1
  else  # Python's lzma where xz is missing
    cat "$parts"/kit.tar.xz.part-* | tee >(sha256sum | cut -d' ' -f1 > "$work/.sum") \
      | python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.stdin.buffer), sys.stdout.buffer, 1 << 24)' | tar -C "$work" -xf - || return 1
  fi
  local i=0
  while [ ! -s "$work/.sum" ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i + 1)); done   # the checksum's process ends after tar
  [ "$(cat "$work/.sum")" = "$whole" ] || { echo "the reassembled kit's checksum differs"; return 1; }
}
rejar() {
  local b
  b="$(ls -d "$work"/ganfactor-*/)"
  python3 - "$b" <<'PY' || return 1
import os, sys, zipfile
b = sys.argv[1]
nat = os.path.join(b, "natives")
name = open(os.path.join(nat, "JAR_NAME")).read().strip()
with zipfile.ZipFile(os.path.join(b, "app", "lib", name), "w", zipfile.ZIP_STORED) as z:
    for d, _, files in os.walk(nat):
        for f in sorted(files):
            if f == "JAR_NAME":
                continue
            p = os.path.join(d, f)
            z.write(p, os.path.relpath(p, nat))
PY
  rm -rf "$b/natives"
}
say "device_run: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname); $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi')"
if [ -n "${GANFACTOR_REUSE:-}" ] && ls -d "$work"/ganfactor-*/ >/dev/null 2>&1; then
  say "reusing the bundle unpacked in $work (GANFACTOR_REUSE)"
else
  step "verify parts" verify
  step "unpack (xz, tar)" unpack
  step "rebuild natives jar" rejar
fi
bundle="$(ls -d "$work"/ganfactor-*/)"
# the launcher travels with the working tree: it replaces the kit's, so a fix to it needs no new kit
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -f "$here/launcher.sh" ] && ! cmp -s "$here/launcher.sh" "$bundle/ganfactor"; then
  cp "$here/launcher.sh" "$bundle/ganfactor" && chmod +x "$bundle/ganfactor" && say "launcher replaced by the working tree's bundle/launcher.sh"
fi
if [ -n "${GANFACTOR_JAR:-}" ]; then   # a rebuilt application jar carried with the working tree (a fix between runs)
  cp "$GANFACTOR_JAR" "$bundle/app/ganfactor.jar" && say "application jar replaced by $GANFACTOR_JAR"
fi
sp="$(python3 -c 'import nvidia, os; print(os.path.dirname(list(nvidia.__path__)[0]))' 2>/dev/null || true)"
cuda=()
[ -n "$sp" ] && cuda=(--cuda-libs "$sp")
export GANFACTOR_JAVACPP_CACHE="$work/javacpp-cache" GANFACTOR_DEBUG_LAUNCHER=1
# a CUDA library the launcher cannot find is reported, not a stop: the probe's steps show what fails
export GANFACTOR_CUDA_CHECK=warn
info() { "$bundle/ganfactor" "${cuda[@]}" info 2>&1 | tee "$out/info.txt"; return "${PIPESTATUS[0]}"; }
step "ganfactor info" info
s=$(now)
"$bundle/ganfactor" "${cuda[@]}" gpu-check --out "$out/gpu-check" "$@" 2>&1 | tee "$out/gpu-check.out"
rc=${PIPESTATUS[0]}
say "$(printf '%-28s rc=%d %6s s' "gpu-check" "$rc" "$(dt "$s" "$(now)")")"
exit $rc
