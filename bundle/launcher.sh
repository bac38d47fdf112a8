#!/usr/bin/env bash
# ganfactor launcher of a self-contained bundle (bundle/bundle.sh): the bundled Java runtime and
# jars, nothing from the network. For a GPU bundle it puts the CUDA 13 libraries that LibTorch
# and cuSOLVER need (libcudart.so.13, libcublas, libcusolver, libcudnn, libnccl, ...) on
# LD_LIBRARY_PATH, found in this order:
#   1. --cuda-libs DIR (first argument): DIR itself, and DIR/nvidia/*/lib when DIR has an nvidia/
#      folder (a whole site-packages: no other package's lib folder is taken), else DIR/*/lib (an
#      nvidia/ folder given itself)
#   2. $GANFACTOR_CUDA_LIBS (':'-separated folders, each searched the same way)
#   3. a Python PyTorch CUDA install: the nvidia/*/lib folders of site-packages, through
#      $GANFACTOR_PYTHON or python3 (import nvidia), then common site-packages globs
#   4. the system's own (ldconfig), left to the dynamic loader
# A folder holding a libtorch or libc10 of its own (a Python torch's torch/lib) is never added:
# the bundle's LibTorch must not meet a foreign one. Before the JVM starts, every CUDA library
# the GPU natives link is looked for in those folders and the system's. On a machine with an
# NVIDIA device (/dev/nvidiactl or /dev/nvidia0; GANFACTOR_ASSUME_GPU=1 says so too) one that is
# missing stops the launch with its name (exit 2), instead of a run on the CPU or a crash inside
# the JVM; without a device the GPU natives run on the CPU, and the launcher says so on one line.
# GANFACTOR_CUDA_CHECK=warn turns that stop into a warning line (device_run.sh sets it: on a device
# the probe's steps then say what actually fails).
# Other settings: GANFACTOR_JAVA_OPTS (extra JVM options, e.g. -Xmx16g),
# GANFACTOR_JAVACPP_CACHE (where the natives are unpacked; default ~/.javacpp/cache),
# GANFACTOR_DEBUG_LAUNCHER=1 (say which folders were taken).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# the CUDA libraries that the GPU natives (pytorch 2.13.0-1.5.14 linux-x86_64-gpu) and the CUDA
# preset's cudart/cublas/cusolver wrappers list as NEEDED and do not bundle (readelf -d; the
# driver's libcuda.so.1 is left to the loader: without it LibTorch just sees no device)
needed="libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcusparse.so.12 libcufft.so.12 libcurand.so.10
libnvrtc.so.13 libcufile.so.0 libcupti.so.13 libcudnn.so.9 libcudnn_adv.so.9 libcudnn_cnn.so.9 libcudnn_graph.so.9
libcudnn_ops.so.9 libnccl.so.2 libcusolver.so.12 libcusolverMg.so.12"
cuda_dirs=""
skipped=""
add_dir() {
  local d="$1"
  [ -d "$d" ] || return 0
  if ls "$d"/libtorch*.so* "$d"/libc10*.so* >/dev/null 2>&1; then
    skipped="${skipped:+$skipped, }$d"
    return 0
  fi
  case ":$cuda_dirs:" in *":$d:"*) ;; *) cuda_dirs="${cuda_dirs:+$cuda_dirs:}$d" ;; esac
}
add_tree() {  # DIR itself, and DIR/nvidia/*/lib for a site-packages (else DIR/*/lib, the nvidia/ layout)
  local d="$1" sub subs
  [ -d "$d" ] || { echo "ganfactor: CUDA library folder '$d' does not exist" >&2; exit 2; }
  d="$(cd "$d" && pwd)"
  ls "$d"/*.so* >/dev/null 2>&1 && add_dir "$d"
  if [ -d "$d/nvidia" ]; then subs=("$d"/nvidia/*/lib); else subs=("$d"/*/lib); fi
  for sub in "${subs[@]}"; do [ -d "$sub" ] && ls "$sub"/*.so* >/dev/null 2>&1 && add_dir "$sub"; done
  return 0
}
gpu=0
ls "$here"/app/lib/pytorch-*-gpu.jar >/dev/null 2>&1 && gpu=1
if [ "${1:-}" = "--cuda-libs" ]; then
  [ $# -ge 2 ] || { echo "ganfactor: --cuda-libs needs a folder" >&2; exit 2; }
  add_tree "$2"
  shift 2
elif [ -n "${GANFACTOR_CUDA_LIBS:-}" ]; then
  IFS=: read -r -a dirs <<< "$GANFACTOR_CUDA_LIBS"
  for d in "${dirs[@]}"; do add_tree "$d"; done
elif [ $gpu = 1 ]; then
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
             /usr/local/lib/python3*/dist-packages/nvidia/*/lib /usr/local/lib/python3*/site-packages/nvidia/*/lib \
             /opt/conda/lib/python3*/site-packages/nvidia/*/lib; do
      add_dir "$d"
    done
  fi
fi
if [ $gpu = 1 ]; then
  system="$( (ldconfig -p 2>/dev/null || true) | awk '{print $1}')"
  missing=""
  for lib in $needed; do
    hit=0
    IFS=: read -r -a ds <<< "$cuda_dirs"
    for d in "${ds[@]}"; do [ -n "$d" ] && [ -e "$d/$lib" ] && { hit=1; break; }; done
    [ $hit = 0 ] && echo "$system" | grep -qx -- "$lib" && hit=1
    [ $hit = 0 ] && missing="${missing:+$missing }$lib"
  done
  if [ -n "$missing" ]; then
    where="looked in: ${cuda_dirs:-no folder given or found}${skipped:+; left out for holding their own libtorch: $skipped}, and the system's"
    if [ "${GANFACTOR_CUDA_CHECK:-}" = "warn" ]; then
      # asked to go on (gpu-check on a device: the probe then shows what actually fails to load)
      echo "ganfactor: warning: CUDA 13 libraries not found: $missing ($where); going on as GANFACTOR_CUDA_CHECK=warn asks" >&2
    elif [ -n "${GANFACTOR_ASSUME_GPU:-}" ] || [ -e /dev/nvidiactl ] || [ -e /dev/nvidia0 ]; then
      # a GPU is there: running on the CPU instead, or loading half of CUDA, would be the wrong answer
      echo "ganfactor: the GPU natives need CUDA 13 libraries that are not here: $missing ($where); give their folder with --cuda-libs DIR (a Python PyTorch CUDA install's site-packages will do) or use the CPU bundle" >&2
      exit 2
    fi
    # no GPU on this machine: the GPU natives run on the CPU (LibTorch then sees no CUDA device)
    echo "ganfactor: no NVIDIA device here and CUDA 13 libraries missing ($missing): running on the CPU" >&2
  fi
fi
if [ -n "$cuda_dirs" ]; then
  export LD_LIBRARY_PATH="$cuda_dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
if [ -n "${GANFACTOR_DEBUG_LAUNCHER:-}" ]; then
  echo "ganfactor: CUDA libraries from ${cuda_dirs:-the system}${skipped:+; left out (their own libtorch): $skipped}" >&2
fi
# LibTorch's OpenMP threads sleep when they wait instead of spinning: beside another busy process
# the demo's Jacobian took 1.19 s against 1.58 s, idle 0.83 s against 0.75 s (issue 29,
# benchmarks/results/competing-process.txt). An OMP_WAIT_POLICY of your own wins;
# GANFACTOR_OMP_WAIT_POLICY=libgomp-default leaves libgomp's own (spin, then sleep).
if [ -z "${OMP_WAIT_POLICY+x}" ] && [ "${GANFACTOR_OMP_WAIT_POLICY:-}" != libgomp-default ]; then export OMP_WAIT_POLICY=PASSIVE; fi
# GANFACTOR_MALLOC=reuse: glibc keeps freed large blocks for the next allocation instead of giving
# them back to the kernel (always above 32 MiB: it maps fresh pages each time, each page faults and is
# zeroed again): the 64 px StyleGAN3-T fixture's Jacobian 20 % faster (JMH), at about 45 % more peak
# memory (benchmarks/malloc_reuse.sh, docs/PROFILING.md). Off by default; MALLOC_* variables of your own win.
if [ "${GANFACTOR_MALLOC:-}" = reuse ]; then
  : "${MALLOC_MMAP_MAX_:=0}" "${MALLOC_TRIM_THRESHOLD_:=68719476736}"
  export MALLOC_MMAP_MAX_ MALLOC_TRIM_THRESHOLD_
fi
cache=()
[ -n "${GANFACTOR_JAVACPP_CACHE:-}" ] && cache=("-Dorg.bytedeco.javacpp.cachedir=$GANFACTOR_JAVACPP_CACHE")
# java.library.path holds only the runtime's own folder: JavaCPP's last resort (System.loadLibrary)
# must not find a system libtorch of another version when an extraction fails
# the studio (module studio/) when the bundle carries it; the kit for a device leaves it out
cp="$here/app/ganfactor.jar"
[ -f "$here/app/ganfactor-studio.jar" ] && cp="$cp:$here/app/ganfactor-studio.jar"
exec "$here/runtime/bin/java" ${GANFACTOR_JAVA_OPTS:-} "${cache[@]}" -Djava.library.path="$here/runtime/lib" \
  -cp "$cp:$here/app/lib/*" ganfactor.cli.Main "$@"
