#!/usr/bin/env bash
# The demo's Jacobian stage idle and beside a competing CPU-bound process (issue 29), for each
# OpenMP wait policy given: the same build, the same machine, one run after another.
#
#   benchmarks/competing_process.sh GANFACTOR [RUNS] [POLICY ...]
#
# GANFACTOR: a launcher (./ganfactor); RUNS per cell (default 5); POLICY: values of
# OMP_WAIT_POLICY to compare ("default" runs with the variable removed; default list: default
# passive active). The competitor is one process spinning on one core (python3), started before
# and stopped after each busy cell. Prints each run's Jacobian seconds (from the demo's
# discover.json) and the median per cell. THREADS=N in the environment passes --threads N (default:
# the launcher's default). A launcher that sets its own default policy is given
# the value explicitly, so "default" here means libgomp's own default (spin, then sleep).
set -euo pipefail
g="${1:?usage: competing_process.sh GANFACTOR [RUNS] [POLICY ...]}"
runs="${2:-5}"
shift $(( $# >= 2 ? 2 : 1 ))
policies=("$@")
[ ${#policies[@]} -eq 0 ] && policies=(default passive active)
work="$(mktemp -d /tmp/gf-compete-XXXX)"
one() {  # one POLICY -> the Jacobian seconds of one demo run
  local pol="$1" out="$work/demo" t=()
  [ -n "${THREADS:-}" ] && t=(--threads "$THREADS")
  rm -rf "$out"
  if [ "$pol" = default ]; then
    env -u OMP_WAIT_POLICY GANFACTOR_OMP_WAIT_POLICY=unset "$g" demo "${t[@]}" --out "$out" --quiet >/dev/null
  else
    OMP_WAIT_POLICY="$pol" "$g" demo "${t[@]}" --out "$out" --quiet >/dev/null
  fi
  python3 -c "import json,sys; print('%.3f' % json.load(open(sys.argv[1]))['seconds']['jacobian'])" "$out/discover.json"
}
median() { python3 -c "import statistics,sys; print('%.3f' % statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
echo "# $(date -u +%F) $(nproc) cores, threads ${THREADS:-default}, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $g; $runs runs per cell"
one default >/dev/null   # warm the file cache and the JVM's class data
for pol in "${policies[@]}"; do
  for load in idle busy; do
    comp=""
    if [ "$load" = busy ]; then
      python3 -c 'while True: pass' & comp=$!
      sleep 1
    fi
    ts=()
    for _ in $(seq "$runs"); do ts+=("$(one "$pol")"); done
    [ -n "$comp" ] && kill "$comp" && wait "$comp" 2>/dev/null || true
    echo "OMP_WAIT_POLICY=$pol $load: jacobian s ${ts[*]}  median $(median "${ts[@]}")"
  done
done
rm -rf "$work"
