#!/usr/bin/env bash
# ganfactor launcher of a self-contained bundle (bundle/bundle.sh): the bundled Java runtime and
# jars, nothing from the network. For a GPU bundle it puts the CUDA 13 libraries that LibTorch
# and cuSOLVER need (libcudart.so.13, libcublas, libcusolver, libcudnn, libnccl, ...) on
# LD_LIBRARY_PATH, found in this order:
#   1. --cuda-libs DIR (first argument; DIR or DIR/*/lib holding the .so files)
#   2. $GANFACTOR_CUDA_LIBS (':'-separated folders)
#   3. a Python PyTorch CUDA install: the nvidia/*/lib folders of site-packages, through
#      $GANFACTOR_PYTHON or python3 (import nvidia), then common site-packages globs
#   4. the system's own (ldconfig, /usr/local/cuda/lib64), left to the dynamic loader
# Other settings: GANFACTOR_JAVA_OPTS (extra JVM options, e.g. -Xmx16g),
# GANFACTOR_JAVACPP_CACHE (where the natives are unpacked; default ~/.javacpp/cache).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cuda_dirs=""
add_dir() { [ -d "$1" ] && cuda_dirs="${cuda_dirs:+$cuda_dirs:}$1" || true; }
add_tree() {  # DIR itself, and DIR/*/lib (the nvidia/ layout)
  local d="$1" sub
  [ -d "$d" ] || { echo "ganfactor: CUDA library folder '$d' does not exist" >&2; exit 2; }
  ls "$d"/*.so* >/dev/null 2>&1 && add_dir "$d"
  for sub in "$d"/*/lib; do [ -d "$sub" ] && add_dir "$sub"; done
  return 0
}
if [ "${1:-}" = "--cuda-libs" ]; then
  [ $# -ge 2 ] || { echo "ganfactor: --cuda-libs needs a folder" >&2; exit 2; }
  add_tree "$2"
  shift 2
elif [ -n "${GANFACTOR_CUDA_LIBS:-}" ]; then
  IFS=: read -r -a dirs <<< "$GANFACTOR_CUDA_LIBS"
  for d in "${dirs[@]}"; do add_tree "$d"; done
elif ls "$here"/app/lib/pytorch-*-gpu.jar >/dev/null 2>&1; then
  py="${GANFACTOR_PYTHON:-python3}"
  if command -v "$py" >/dev/null 2>&1; then
    found="$("$py" - <<'PY' 2>/dev/null || true
import glob, os
try:
    import nvidia
    roots = list(getattr(nvidia, "__path__", []))
except Exception:
    roots = []
for r in roots:
    for lib in sorted(glob.glob(os.path.join(r, "*", "lib"))):
        print(lib)
PY
)"
    for d in $found; do add_dir "$d"; done
  fi
  if [ -z "$cuda_dirs" ]; then
    for d in "$HOME"/.local/lib/python3*/site-packages/nvidia/*/lib /usr/lib/python3*/site-packages/nvidia/*/lib \
             /usr/local/lib/python3*/dist-packages/nvidia/*/lib /opt/conda/lib/python3*/site-packages/nvidia/*/lib; do
      add_dir "$d"
    done
  fi
fi
if [ -n "$cuda_dirs" ]; then
  export LD_LIBRARY_PATH="$cuda_dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  [ -n "${GANFACTOR_DEBUG_LAUNCHER:-}" ] && echo "ganfactor: CUDA libraries from $cuda_dirs" >&2
fi
cache=()
[ -n "${GANFACTOR_JAVACPP_CACHE:-}" ] && cache=("-Dorg.bytedeco.javacpp.cachedir=$GANFACTOR_JAVACPP_CACHE")
exec "$here/runtime/bin/java" ${GANFACTOR_JAVA_OPTS:-} "${cache[@]}" -cp "$here/app/ganfactor.jar:$here/app/lib/*" ganfactor.cli.Main "$@"
