#!/usr/bin/env bash
# Before the test suite runs (Maven's process-test-classes phase, after cppbuild.sh): with CI=true
# every test input must be here, so anything missing fails the build now, in seconds, with the line
# that installs it, instead of one test failing after the whole core suite (and the Spark and
# benchmark modules then being skipped). Without CI=true the same tests skip; this says which.
set -u
root="$(cd "$(dirname "$0")/../../../.." && pwd)"
missing=()
[ -d "$root/../shared/fixtures" ] || missing+=("../shared/fixtures beside the checkout (golden data; CI lays shared/ there)")
gf_test="$root/native/cppbuild/linux-$(uname -m | sed 's/aarch64/arm64/;s/x86_64/x86_64/')/bin/gf_test"
[ -x "$gf_test" ] || missing+=("the C API test program $gf_test: install gcc and a JDK with jni.h (apt-get install -y gcc openjdk-17-jdk-headless), then rebuild")
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  missing+=("Debian's chromium and chromium-driver for the studio's browser tests: apt-get update && apt-get install -y chromium chromium-driver")
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "${CI:-}" = "true" ]; then
  for m in "${missing[@]}"; do echo "ganfactor tests: missing: $m" >&2; done
  echo "ganfactor tests: CI=true runs every test, so these must be present (.ci/run installs the packages); stopping before the suite" >&2
  exit 1
fi
for m in "${missing[@]}"; do echo "ganfactor tests: not here, its tests will skip: $m"; done
exit 0
