#!/usr/bin/env bash
# Verifies and reassembles a ganfactor bundle: checks every part against SHA256SUMS, joins them,
# checks the whole tarball, and unpacks it into TARGET_DIR (default: this folder).
#   ./reassemble.sh [TARGET_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="${1:-$here}"
cd "$here"
[ -f SHA256SUMS ] || { echo "reassemble: SHA256SUMS not found in $here" >&2; exit 2; }
whole="$(grep -v '\.part-[0-9]*$' SHA256SUMS | awk '{print $2}' | sed 's/^\*//' | head -1)"
[ -n "$whole" ] || { echo "reassemble: SHA256SUMS names no tarball" >&2; exit 2; }
parts="$(grep '\.part-[0-9]*$' SHA256SUMS | awk '{print $2}' | sed 's/^\*//' | sort)"
if [ -n "$parts" ]; then
  for p in $parts; do [ -f "$p" ] || { echo "reassemble: part $p is missing" >&2; exit 2; }; done
  echo "reassemble: checking $(echo "$parts" | wc -l) parts"
  grep '\.part-[0-9]*$' SHA256SUMS | sha256sum --quiet -c - || { echo "reassemble: a part is corrupt (see above); copy it again" >&2; exit 2; }
  tmp="$whole.tmp.$$"
  trap 'rm -f "$tmp"' EXIT
  cat $parts > "$tmp"
  mv "$tmp" "$whole"
  trap - EXIT
fi
echo "reassemble: checking $whole"
grep " \*\?$whole\$" SHA256SUMS | sha256sum --quiet -c - || { echo "reassemble: $whole does not match its checksum" >&2; exit 2; }
mkdir -p "$target"
tar -C "$target" -xzf "$whole"
dir="$target/${whole%.tar.gz}"   # the tarball holds one folder of its own name (bundle.sh)
echo "reassemble: unpacked $dir; run $dir/ganfactor info"
