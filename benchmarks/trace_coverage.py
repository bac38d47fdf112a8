#!/usr/bin/env python3
"""Checks a ganfactor --trace file: the spans of each thread nest (any two are disjoint or one
holds the other), and the command thread's spans cover a share of the run (from the trace's start,
ts 0 when the command began, to the end of its last span). The same rule as TraceTest's
assertNestedAndCovering, for traces of runs too long for the test suite (issue 29).

    python3 benchmarks/trace_coverage.py TRACE.json [MIN_SHARE]      (default 0.95)

Prints the span count, the nesting result and the share covered; exits 1 below MIN_SHARE or on a
span that overlaps another without nesting."""
import json
import sys
from collections import defaultdict

path = sys.argv[1]
need = float(sys.argv[2]) if len(sys.argv) > 2 else 0.95
events = json.load(open(path))["traceEvents"]
threads = defaultdict(list)
for e in events:
    if e.get("ph") == "X":
        threads[e["tid"]].append((e["ts"], e["ts"] + e["dur"], e["name"]))
slack = 1.0  # microseconds: ts and dur are printed to 1 ns, rounded
bad = 0
for spans in threads.values():
    spans.sort()
    for i, (a0, a1, an) in enumerate(spans):
        for b0, b1, bn in spans[i + 1:]:
            if b0 >= a1 - slack:
                break
            if not (b1 <= a1 + slack):  # starts inside a, ends after it
                bad += 1
                print(f"overlap without nesting: {an} [{a0}, {a1}] and {bn} [{b0}, {b1}]")
main = max(threads.values(), key=len)
covered, end, last = 0.0, 0.0, 0.0
for s0, s1, _ in sorted(main):
    last = max(last, s1)
    if s1 <= end:
        continue
    covered += s1 - max(s0, end)
    end = s1
share = covered / last if last > 0 else 0.0
n = sum(len(v) for v in threads.values())
print(f"{path}: {n} spans on {len(threads)} thread(s); nesting {'ok' if bad == 0 else 'BROKEN'}; "
      f"the command thread's spans cover {100 * share:.1f}% of its {last / 1e6:.2f} s run")
sys.exit(1 if bad or share < need else 0)
