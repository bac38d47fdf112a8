#!/usr/bin/env bash
# The demo's Jacobian stage idle and beside a competing CPU-bound process (issue 29), for each
# OpenMP wait policy given: the same build, the same machine, one run after another.
#
#   benchmarks/competing_process.sh GANFACTOR [RUNS] [POLICY ...]
#
# GANFACTOR: a launcher (./ganfactor); RUNS per cell (default 5); POLICY: values of
# OMP_WAIT_POLICY to compare (default list: default passive). "default" is libgomp's own default
# (spin, then sleep), whatever the launcher would set (GANFACTOR_OMP_WAIT_POLICY=libgomp-default).
# The competitor is one process spinning on one core (python3), started before and stopped after
# the busy runs; the policies are interleaved run by run. Prints each run's Jacobian seconds (from
# the demo's discover.json) and the median per cell. THREADS=N in the environment passes
# --threads N (default: the launcher's default).
set -euo pipefail
g="${1:?usage: competing_process.sh GANFACTOR [RUNS] [POLICY ...]}"
runs="${2:-5}"
shift $(( $# >= 2 ? 2 : 1 ))
policies=("$@")
[ ${#policies[@]} -eq 0 ] && policies=(default passive)
work="$(mktemp -d /tmp/gf-compete-XXXX)"
one() {  # one POLICY -> the Jacobian seconds of one demo run
  local pol="$1" out="$work/demo" t=()
  [ -n "${THREADS:-}" ] && t=(--threads "$THREADS")
  rm -rf "$out"
  if [ "$pol" = default ]; then
    env -u OMP_WAIT_POLICY GANFACTOR_OMP_WAIT_POLICY=libgomp-default "$g" demo "${t[@]}" --out "$out" --quiet >/dev/null
  else
    OMP_WAIT_POLICY="$pol" "$g" demo "${t[@]}" --out "$out" --quiet >/dev/null
  fi
  python3 -c "import json,sys; print('%.3f' % json.load(open(sys.argv[1]))['seconds']['jacobian'])" "$out/discover.json"
}
median() { python3 -c "import statistics,sys; print('%.3f' % statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
echo "# $(date -u +%F) $(nproc) cores, threads ${THREADS:-default}, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $g; $runs runs per cell"
one default >/dev/null   # warm the file cache and the JVM's class data
# the policies interleaved run by run, so that a drift of the machine falls on all of them alike
for load in idle busy; do
  comp=""
  if [ "$load" = busy ]; then
    python3 -c 'while True: pass' & comp=$!
    sleep 1
  fi
  declare -A ts=()
  for _ in $(seq "$runs"); do
    for pol in "${policies[@]}"; do ts[$pol]="${ts[$pol]:-} $(one "$pol")"; done
  done
  [ -n "$comp" ] && { kill "$comp"; wait "$comp" 2>/dev/null || true; }
  for pol in "${policies[@]}"; do
    # shellcheck disable=SC2086
    echo "OMP_WAIT_POLICY=$pol $load: jacobian s${ts[$pol]}  median $(median ${ts[$pol]})"
  done
  unset ts
done
rm -rf "$work"
