#!/usr/bin/env bash
# The transfer kit: the GPU bundle (bundle.sh --gpu) made as small as it honestly gets and split
# into parts that each fit one device call beside the working tree (bundle/DEVICE.md says how they
# travel). The GPU natives jar (455 MB, deflate) is unpacked and its libraries recompressed with xz
# together with the rest of the bundle (measured: 525 MB as the bundle's tar.gz, 445 MB as xz: the
# CUDA device code inside libtorch_cuda is already compressed, so xz gains little beyond the host
# code); bundle/device_run.sh rebuilds the jar (stored) on the device. The studio's jars are left
# out. No device code is pruned: no CUDA tool that could (nvprune, cuobjdump) is on this machine.
#
#   bundle/kit.sh [--out DIR] [--part-size 60m] [--cpu] [--bundle BUNDLE.tar.gz]
#
# --cpu makes the same kit of the CPU bundle (for the rehearsal: it runs here). Output (DIR,
# default .kit/ in the repository, which git ignores): kit.tar.xz.part-000..., SHA256SUMS, KIT.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$root/.kit" part=60m gpu=1 bundle=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift ;;
    --part-size) part="$2"; shift ;;
    --cpu) gpu=0 ;;
    --bundle) bundle="$2"; shift ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "kit.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for tool in tar xz split sha256sum unzip; do
  command -v "$tool" >/dev/null || { echo "kit.sh: '$tool' is needed and not on PATH" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)
if [ -z "$bundle" ]; then
  "$here/bundle.sh" $([ $gpu = 1 ] && echo --gpu) --no-split --no-build --out "$work/bundle" >/dev/null
  bundle="$(ls "$work"/bundle/ganfactor-*.tar.gz)"
fi
mkdir -p "$work/stage"
tar -C "$work/stage" -xzf "$bundle"
name="$(ls "$work/stage")"
lib="$work/stage/$name/app/lib"
natives="$(ls "$lib"/pytorch-*-linux-x86_64*.jar 2>/dev/null | head -1)"
[ -n "$natives" ] || { echo "kit.sh: no pytorch natives jar in the bundle" >&2; exit 1; }
jarname="$(basename "$natives")"
# the device runs gpu-check, never the studio: its web server's jars stay home (9 MB; the CLI,
# info and gpu-check were run here without them)
lean=0
for f in "$work/stage/$name/app/ganfactor-studio.jar" "$lib"/javalin-*.jar "$lib"/jetty-*.jar "$lib"/kotlin-*.jar "$lib"/jackson-*.jar "$lib"/jakarta.*.jar "$lib"/asm-*.jar \
         "$lib"/slf4j-*.jar "$lib"/annotations-13.0.jar; do
  [ -f "$f" ] && { lean=$((lean + $(stat -c %s "$f"))); rm "$f"; }
done
mkdir -p "$work/stage/$name/natives"
unzip -q "$natives" -d "$work/stage/$name/natives"
rm "$natives"
echo "$jarname" > "$work/stage/$name/natives/JAR_NAME"
t1=$(date +%s)
mkdir -p "$out"
rm -f "$out"/kit.tar.xz.part-* "$out/SHA256SUMS" "$out/KIT.txt"
tar -C "$work/stage" -cf - "$name" | xz -6 -T2 > "$work/kit.tar.xz"
t2=$(date +%s)
(cd "$work" && split -b "$part" -d -a 3 kit.tar.xz "$out/kit.tar.xz.part-")
(cd "$out" && sha256sum kit.tar.xz.part-* > SHA256SUMS && (cd "$work" && sha256sum kit.tar.xz) >> SHA256SUMS)
raw=$(du -sb "$work/stage" | cut -f1)
{
  echo "kit of $name: $(ls "$out"/kit.tar.xz.part-* | wc -l) part(s) of at most $part"
  echo "unpacked $raw bytes; xz $(stat -c %s "$work/kit.tar.xz") bytes; the natives jar $jarname rebuilt on the device; the studio's jars ($lean bytes) left out"
  echo "made $(date -u +%Y-%m-%dT%H:%M:%SZ): bundle and unpack $((t1 - t0)) s, xz $((t2 - t1)) s"
  (cd "$out" && ls -l kit.tar.xz.part-* | awk '{print $5, $9}')
} > "$out/KIT.txt"
cat "$out/KIT.txt"
