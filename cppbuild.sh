#!/usr/bin/env bash
# Builds native/ (the C API for C/C++ hosts) the way JavaCPP's cppbuild.sh scripts build their
# native parts: an operation (install or clean), an optional -platform, and everything placed
# under native/cppbuild/<platform>/ ({include,lib,bin}).
#
#   ./cppbuild.sh [-platform linux-x86_64] [install|clean]
#
# Needs a C compiler (CC, default gcc) and a JDK (jni.h, libjvm.so): JAVA_HOME, or the JDK of the
# javac on PATH. Without either it says so and exits 0 (the Maven build goes on; CApiTest skips).
# Output: lib/libganfactor.so (links libjvm.so, rpath to the JDK), bin/gf_example, bin/gf_test.
set -euo pipefail
cd "$(dirname "$0")"

OPERATION=install
PLATFORM=
while [[ $# -gt 0 ]]; do
  case "$1" in
    -platform=*) PLATFORM="${1#-platform=}" ;;
    -platform) PLATFORM="$2"; shift ;;
    install|clean) OPERATION="$1" ;;
    *) echo "Usage: ./cppbuild.sh [-platform <name>] [install|clean]" >&2; exit 1 ;;
  esac
  shift
done
if [[ -z "$PLATFORM" ]]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) PLATFORM=linux-x86_64 ;;
    Linux-aarch64) PLATFORM=linux-arm64 ;;
    *) PLATFORM="$(uname -s | tr A-Z a-z)-$(uname -m)" ;;
  esac
fi

INSTALL_PATH="$PWD/native/cppbuild/$PLATFORM"
if [[ "$OPERATION" == clean ]]; then
  echo "Cleaning $INSTALL_PATH"
  rm -rf "$INSTALL_PATH"
  exit 0
fi

case "$PLATFORM" in
  linux-x86_64|linux-arm64) ;;
  *) echo "cppbuild.sh: platform \"$PLATFORM\" is not supported (linux-x86_64, linux-arm64)" >&2; exit 1 ;;
esac

CC="${CC:-gcc}"
if ! command -v "$CC" >/dev/null 2>&1; then
  echo "cppbuild.sh: no C compiler ($CC) on PATH; skipping the C API build"
  exit 0
fi
if [[ -z "${JAVA_HOME:-}" ]]; then
  JAVAC="$(command -v javac || true)"
  if [[ -n "$JAVAC" ]]; then JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$JAVAC")")")"; fi
fi
if [[ -z "${JAVA_HOME:-}" || ! -f "$JAVA_HOME/include/jni.h" ]]; then
  echo "cppbuild.sh: jni.h not found (JAVA_HOME=${JAVA_HOME:-unset}; set JAVA_HOME to a JDK); skipping the C API build"
  exit 0
fi
JVM_DIR="$JAVA_HOME/lib/server"
if [[ ! -f "$JVM_DIR/libjvm.so" ]]; then
  echo "cppbuild.sh: $JVM_DIR/libjvm.so not found; skipping the C API build"
  exit 0
fi

echo "Building the ganfactor C API for $PLATFORM with $CC against $JAVA_HOME"
mkdir -p "$INSTALL_PATH/include" "$INSTALL_PATH/lib" "$INSTALL_PATH/bin"
cp native/include/ganfactor.h "$INSTALL_PATH/include/"
CFLAGS="-std=c11 -O2 -g -Wall -Wextra -Werror=implicit-function-declaration"
JNI_INCLUDES=(-I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux")
"$CC" $CFLAGS -fPIC -shared -D_GNU_SOURCE -Inative/include "${JNI_INCLUDES[@]}" native/src/ganfactor.c \
  -o "$INSTALL_PATH/lib/libganfactor.so" -Wl,-soname,libganfactor.so \
  -L"$JVM_DIR" -ljvm -Wl,-rpath,"$JVM_DIR" -lpthread
for prog in example/gf_example test/gf_test; do
  "$CC" $CFLAGS -Inative/include "native/$prog.c" -o "$INSTALL_PATH/bin/$(basename "$prog")" \
    -L"$INSTALL_PATH/lib" -lganfactor -Wl,-rpath,'$ORIGIN/../lib' -Wl,-rpath-link,"$JVM_DIR" -lm -lpthread
done
echo "Installed $INSTALL_PATH/{include/ganfactor.h,lib/libganfactor.so,bin/gf_example,bin/gf_test}"
