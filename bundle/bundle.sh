#!/usr/bin/env bash
# Builds a self-contained ganfactor bundle for an air-gapped Linux x86-64 host: a jlink Java
# runtime, the application jars, the LibTorch natives (CPU by default, CUDA with --gpu) and a
# launcher; then splits the tarball into parts smaller than 60 MiB with SHA256SUMS and
# reassemble.sh. Needs: JDK 17 (jdeps, jlink), Maven, network (or a filled ~/.m2) on the build side.
#
#   bundle/bundle.sh [--gpu] [--out DIR] [--part-size 59m] [--no-split] [--no-build]
#
# Output (DIR, default bundle/out): ganfactor-<version>-<platform>.tar.gz.part-000..., SHA256SUMS,
# reassemble.sh. Copy those to the host, then: ./reassemble.sh [TARGET_DIR].
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
gpu=0 out="$here/out" part=59m split_it=1 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --gpu) gpu=1 ;;
    --out) out="$2"; shift ;;
    --part-size) part="$2"; shift ;;
    --no-split) split_it=0 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "bundle.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for tool in mvn jdeps jlink tar split sha256sum gzip; do
  command -v "$tool" >/dev/null || { echo "bundle.sh: '$tool' is needed and not on PATH" >&2; exit 2; }
done
version=0.1.0
platform=linux-x86_64$([ $gpu = 1 ] && echo -gpu || true)
profile=$([ $gpu = 1 ] && echo -Pgpu || true)
name="ganfactor-$version-$platform"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$out/stage/$name"
rm -rf "$out/stage" "$out/$name.tar.gz" "$out/$name.tar.gz.part-"* "$out/SHA256SUMS" "$out/reassemble.sh"
mkdir -p "$stage/app/lib"

# 1. the application jar (the same for both platforms: the CUDA code is compiled in every build)
if [ $build = 1 ]; then
  echo "bundle: building the application (mvn package)"
  (cd "$root" && mvn -B -q -DskipTests package -pl java,studio -am)
fi
cp "$root/java/target/ganfactor.jar" "$stage/app/"
# the studio (module studio/): its jar beside the application's; its own jars (web server, JSON,
# logging) join lib/ below, the core's are already there
cp "$root/studio/target/ganfactor-studio.jar" "$stage/app/"
# 2. the runtime dependencies of the chosen platform, into a fresh folder (never CPU and GPU
#    pytorch natives together: the JVM aborts, docs/JAVACPP.md)
echo "bundle: runtime dependencies for $platform"
(cd "$root" && mvn -B -q $profile dependency:copy-dependencies -pl java -DincludeScope=runtime -DoutputDirectory="$stage/app/lib")
# (with package in the same run: the studio's dependency on the core resolves in the reactor)
(cd "$root" && mvn -B -q $profile -DskipTests package dependency:copy-dependencies -pl studio -am -DincludeScope=runtime \
   -DexcludeGroupIds=io.ganfactor,org.bytedeco,info.picocli,tw.edu.ntu.csie -DoutputDirectory="$stage/app/lib")
if [ $gpu = 1 ]; then
  rm -f "$stage/app/lib/pytorch-"*"-linux-x86_64.jar"
  ls "$stage/app/lib/" | grep -q -- '-linux-x86_64-gpu\.jar$' || { echo "bundle.sh: the GPU pytorch natives are missing" >&2; exit 1; }
fi
# 3. a jlink runtime with just the modules the application needs
echo "bundle: jlink runtime"
mods="$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 --class-path "$stage/app/lib/*" "$stage/app/ganfactor.jar" 2>/dev/null | tail -1)"
mods="$(echo "${mods:+$mods,}jdk.unsupported,java.management,jdk.zipfs" | tr , "\n" | sort -u | paste -sd, -)"
jlink --add-modules "$mods" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$stage/runtime"
# 4. the launcher
cp "$here/launcher.sh" "$stage/ganfactor"
chmod +x "$stage/ganfactor"
cat > "$stage/BUNDLE.txt" <<TXT
ganfactor $version for $platform, built $(date -u +%Y-%m-%dT%H:%M:%SZ)
Java runtime modules: $mods
Run: ./ganfactor info    (GPU bundle: ./ganfactor --cuda-libs DIR info, or see the launcher's header)
TXT
# 5. tarball, parts, checksums
echo "bundle: tarball"
tar -C "$out/stage" -cf - "$name" | gzip -1 > "$out/$name.tar.gz"
rm -rf "$out/stage"
cp "$here/reassemble.sh" "$out/reassemble.sh"
chmod +x "$out/reassemble.sh"
if [ $split_it = 1 ]; then
  (cd "$out" && split -b "$part" -d -a 3 "$name.tar.gz" "$name.tar.gz.part-")
  (cd "$out" && sha256sum "$name.tar.gz.part-"* "$name.tar.gz" > SHA256SUMS)
  rm -f "$out/$name.tar.gz"
else
  (cd "$out" && sha256sum "$name.tar.gz" > SHA256SUMS)
fi
echo "bundle: wrote $out:"
ls -l "$out" | tail -n +2
