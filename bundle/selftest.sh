#!/usr/bin/env bash
# Checks the split / checksum / reassemble logic without Maven or a real bundle: a small fake
# bundle tarball is split like bundle.sh does, reassembled in a fresh folder, then a corrupted
# part and a missing part must both be refused (exit 2) with nothing unpacked.
#   bundle/selftest.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
name=ganfactor-0.0.0-selftest
mkdir -p "$work/stage/$name"
head -c 3000000 /dev/urandom > "$work/stage/$name/payload.bin"
printf '#!/bin/sh\necho selftest-ok\n' > "$work/stage/$name/ganfactor"
chmod +x "$work/stage/$name/ganfactor"
mkdir "$work/out"
tar -C "$work/stage" -cf - "$name" | gzip -1 > "$work/out/$name.tar.gz"
(cd "$work/out" && split -b 1m -d -a 3 "$name.tar.gz" "$name.tar.gz.part-" && sha256sum "$name.tar.gz.part-"* "$name.tar.gz" > SHA256SUMS && rm "$name.tar.gz")
cp "$here/reassemble.sh" "$work/out/"
fail() { echo "selftest: FAILED: $*" >&2; exit 1; }
# 1. the good case, in a fresh folder
mkdir "$work/host"; cp "$work/out/"* "$work/host/"
(cd "$work/host" && ./reassemble.sh "$work/host/unpacked" >/dev/null) || fail "reassembling intact parts"
cmp -s "$work/stage/$name/payload.bin" "$work/host/unpacked/$name/payload.bin" || fail "payload differs after reassembly"
[ "$("$work/host/unpacked/$name/ganfactor")" = selftest-ok ] || fail "launcher did not run"
# 2. one flipped byte in a part
mkdir "$work/bad"; cp "$work/out/"* "$work/bad/"
printf 'X' | dd of="$work/bad/$name.tar.gz.part-001" bs=1 seek=1000 conv=notrunc status=none
set +e; (cd "$work/bad" && ./reassemble.sh "$work/bad/unpacked" >/dev/null 2>&1); rc=$?; set -e
[ $rc = 2 ] || fail "a corrupt part gave exit code $rc, expected 2"
[ ! -e "$work/bad/unpacked" ] || fail "a corrupt part was unpacked"
# 3. a missing part
mkdir "$work/missing"; cp "$work/out/"* "$work/missing/"; rm "$work/missing/$name.tar.gz.part-000"
set +e; (cd "$work/missing" && ./reassemble.sh "$work/missing/unpacked" >/dev/null 2>&1); rc=$?; set -e
[ $rc = 2 ] || fail "a missing part gave exit code $rc, expected 2"
parts=$(ls "$work/out/"*.part-* | wc -l)
echo "selftest: ok ($parts parts of 1 MiB: reassembled and verified; a corrupt part and a missing part refused with exit code 2)"
