#!/usr/bin/env bash
# Same outputs as before? Runs one fixed set of commands with two builds of ganfactor (their
# launchers, e.g. an old checkout's ./ganfactor and this one's) on one thread (--threads 1, so
# LibTorch's reductions run in one order), then compares every file they wrote: .npy, .png and
# .csv byte for byte, .json records after dropping what is meant to change (timings, dates,
# versions, paths). For refactors that must not move a number (issue 26). Besides the commands,
# the Spark module's `aggregate` (spark/bin/ganfactor-spark beside each launcher, one executor
# thread, two partitions) and the studio's export (a studio on a free loopback port: an image,
# a ReSeFa discovery on the mouth, the top direction exported), when the build has them.
#
#   benchmarks/compare_outputs.sh OLD_GANFACTOR NEW_GANFACTOR [WORK_DIR]
#
# Prints one line per file (same / DIFFERENT / only in one) and exits 1 when anything differs.
set -uo pipefail
old="${1:?usage: compare_outputs.sh OLD_GANFACTOR NEW_GANFACTOR [WORK_DIR]}"
new="${2:?usage: compare_outputs.sh OLD_GANFACTOR NEW_GANFACTOR [WORK_DIR]}"
work="${3:-$(mktemp -d /tmp/gf-compare-XXXX)}"
mkdir -p "$work"
run_all() {  # run_all GANFACTOR DIR
  local g="$1" d="$2"
  rm -rf "$d" && mkdir -p "$d" && cd "$d" || return 1
  "$g" demo --threads 1 --out demo --quiet >/dev/null
  "$g" jacobian --region eyes --region mouth --grid 32 --threads 1 --num 2 --out jac --quiet >/dev/null
  "$g" discover --region eyes --threads 1 --show 1 --out disc --quiet >/dev/null
  "$g" discover --method lowrankgan --region mouth --rpca-lambda 0.125 --threads 1 --show 1 --out lrg --quiet >/dev/null
  "$g" solve --fg jac/eyes_A.npy --bg jac/eyes_B.npy --regularize paper --threads 1 --out solve >/dev/null
  "$g" solve --method lowrankgan --fg jac/mouth_A.npy --bg jac/mouth_B.npy --rpca-lambda 0.125 --threads 1 --out solve-lrg >/dev/null
  "$g" edit --direction disc/eyes/directions.npy --index 0 --threads 1 --out edit --quiet >/dev/null
  "$g" sefa --threads 1 --show 1 --out sefa >/dev/null
  "$g" ganspace --samples 2000 --threads 1 --show 1 --out ganspace --quiet >/dev/null
  "$g" sample --num 300 --attribute smile --threads 1 --out sample --quiet >/dev/null
  "$g" train-boundary --codes sample/w.npy --scores sample/scores_smile.npy --out boundary >/dev/null
  local spark; spark="$(dirname "$g")/spark/bin/ganfactor-spark"
  if [ -x "$spark" ]; then
    "$spark" aggregate --master 'local[1]' --codes seeds:0-3 --partitions 2 --region eyes --grid 32 --threads 1 --out agg --quiet >/dev/null 2>&1 \
      || echo "compare_outputs: spark aggregate failed with $spark" >&2
  else
    echo "compare_outputs: no $spark (build the spark module); aggregate not compared" >&2
  fi
  studio_export "$g" "$d/studio-work" || echo "compare_outputs: the studio export failed with $g" >&2
}
studio_export() {  # studio_export GANFACTOR WORKDIR: a studio, one image, one discovery, one export
  mkdir -p "$2" && python3 - "$1" "$2" <<'PY'
import json, re, subprocess, sys, time, urllib.request
g, work = sys.argv[1], sys.argv[2]
p = subprocess.Popen([g, "studio", "--port", "0", "--threads", "1", "--workdir", work], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
try:
    line = p.stdout.readline()
    m = re.search(r"(http://[^ ]+/)", line)
    if not m:
        sys.exit("no studio address in: " + line)
    url = m.group(1)
    def call(path, body=None):
        req = urllib.request.Request(url + path.lstrip("/"), data=None if body is None else json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        return json.load(urllib.request.urlopen(req, timeout=600))
    call("/api/image", {"seed": 3, "space": "wp"})
    job = call("/api/discover", {"method": "resefa", "k": 4, "region": {"part": "mouth"}})["id"]
    while True:
        j = call(f"/api/job/{job}")
        if j.get("state") not in ("queued", "running"):
            break
        time.sleep(0.05)
    top = j["result"]["directions"][0]["id"]
    call("/api/export", {"folder": "export", "direction": top, "strength": 2, "min": -4, "max": 4, "steps": 5, "region": {"part": "mouth"}})
finally:
    p.terminate()
    p.wait(30)
PY
}
(run_all "$old" "$work/old") || echo "compare_outputs: a command failed with $old" >&2
(run_all "$new" "$work/new") || echo "compare_outputs: a command failed with $new" >&2
python3 - "$work/old" "$work/new" <<'PY'
import json, os, re, sys
a, b = sys.argv[1], sys.argv[2]
VOLATILE = re.compile(r"(second|_s$|time|date|created|duration|elapsed|version|java|os$|path|folder|cwd|host|pid|written|started|torch threads|cpu cores|budget|out$)", re.I)
def files(root):
    out = set()
    for d, _, fs in os.walk(root):
        for f in fs:
            if f == ".ganfactor-manifest":
                continue
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out
# keys a change adds to the records on purpose (named in the README): compared only when both sides have them
ADDED = {"method_settings", "work"}
added_seen = set()
# wording a change made on purpose (named in the README): compared after this rewrite, and said apart
REWORDED = {"chosen_by": (re.compile(r"--(grid|reduce)\b"), r"\1")}   # issue 26: the library names settings, not flags
reworded_seen = set()
def clean(x, other=None):
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            if VOLATILE.search(k):
                continue
            if k in REWORDED and isinstance(v, str):
                pat, rep = REWORDED[k]
                if pat.search(v):
                    reworded_seen.add(k)
                v = pat.sub(rep, v)
            if k in ADDED and (other is None or k not in other):
                added_seen.add(k)
                continue
            out[k] = clean(v, other.get(k) if isinstance(other, dict) else None)
        return out
    if isinstance(x, list):
        return [clean(v) for v in x]
    return x
fa, fb = files(a), files(b)
bad = 0
for f in sorted(fa | fb):
    if f not in fa or f not in fb:
        print(f"only in {'old' if f in fa else 'new'}: {f}")
        bad += 1
        continue
    pa, pb = os.path.join(a, f), os.path.join(b, f)
    if f.endswith(".json"):
        ja, jb = json.load(open(pa)), json.load(open(pb))
        same = clean(ja, jb) == clean(jb, ja)
    else:
        same = open(pa, "rb").read() == open(pb, "rb").read()
    print(("same       " if same else "DIFFERENT  ") + f)
    bad += 0 if same else 1
# the one field a refactor may change on purpose, said apart: the threads the record names (issue 26: --threads 1 used to read 2)
for f in sorted(fa & fb):
    if f.endswith(".json"):
        ta = json.load(open(os.path.join(a, f))).get("versions", {}).get("torch threads")
        tb = json.load(open(os.path.join(b, f))).get("versions", {}).get("torch threads")
        if ta != tb:
            print(f"note: {f}: the record's torch threads {ta} -> {tb}")
for k in sorted(reworded_seen):
    print(f"note: records' '{k}' reworded on purpose (REWORDED: compared after the rewrite)")
for k in sorted(added_seen):
    print(f"note: records gained '{k}' (ADDED: compared only where both builds write it)")
print(f"{len(fa | fb)} files, {bad} differ or are missing")
sys.exit(1 if bad else 0)
PY
