#!/usr/bin/env bash
# Lists the cudart functions that the CUDA preset's JNI wrapper imports and a CUDA 13.0 runtime
# lacks (bundle/cuda-13.0-absent-runtime-functions.txt). Needs pip (PyPI), unzip and nm; the CUDA
# preset jar in ~/.m2 (any build fetches it).
#   bundle/cuda_symbols.sh [RUNTIME_VERSION]      # default 13.0.*
set -euo pipefail
version="${1:-13.0.*}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
jar="$(ls ~/.m2/repository/org/bytedeco/cuda/*/cuda-*-linux-x86_64.jar | head -1)"
unzip -q -o "$jar" 'org/bytedeco/cuda/linux-x86_64/libjnicudart.so' -d "$work/jar"
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 -d "$work/whl" "nvidia-cuda-runtime==$version" >/dev/null
unzip -q -o "$work"/whl/*.whl -d "$work/rt"
rt="$(find "$work/rt" -name 'libcudart.so.13*' | head -1)"
nm -D --defined-only "$rt" | awk '{print $3}' | sed 's/@.*//' | sort -u > "$work/defined"
nm -D --undefined-only "$work/jar/org/bytedeco/cuda/linux-x86_64/libjnicudart.so" | awk '{print $2}' | sed 's/@.*//' | grep '^cuda' | sort -u > "$work/imported"
comm -23 "$work/imported" "$work/defined"
