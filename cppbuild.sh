#!/usr/bin/env bash
# Builds native/ (the C API for C/C++ hosts) following JavaCPP's cppbuild.sh conventions.
# The C API is not written yet (see README, "Status"); until then this script only checks the
# toolchain it will need and says so.
set -euo pipefail
cd "$(dirname "$0")"
: "${JAVA_HOME:=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
if [ ! -f "$JAVA_HOME/include/jni.h" ]; then
  echo "cppbuild.sh: jni.h not found under JAVA_HOME=$JAVA_HOME (set JAVA_HOME to a JDK)" >&2
  exit 1
fi
if ! ls native/*.c native/*.cpp >/dev/null 2>&1; then
  echo "cppbuild.sh: nothing to build yet in native/ (the C API is a planned step)"
  exit 0
fi
