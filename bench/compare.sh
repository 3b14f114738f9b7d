#!/usr/bin/env bash
# Signing latency of an earlier commit against the working tree, measured alternately because
# this machine's speed drifts between runs by more than the difference being measured.
#
#     bench/compare.sh <commit> [pairs] [requests]
#     CACHE_URL=redis://127.0.0.1:6379/3 bench/compare.sh e5ae3cd 10 600
#
# Both sides run this tree's bench/signing.py (copied into a worktree of the commit), against
# the same PostgreSQL. Prints each run's new-signature line, then for p50 and mean the median
# run and the best run of each side (the best is the least disturbed by the machine).
set -euo pipefail
cd "$(dirname "$0")/.."
commit=${1:?usage: bench/compare.sh <commit> [pairs] [requests]}
pairs=${2:-10}
requests=${3:-600}
before=$(mktemp -d)
trap 'git worktree remove --force "$before"' EXIT
git worktree add --detach --quiet "$before" "$commit"
cp bench/signing.py "$before/bench/signing.py"
results=$(mktemp)
for _ in $(seq "$pairs"); do
  for side in before after; do
    script=bench/signing.py
    [ "$side" = before ] && script=$before/bench/signing.py
    line=$(.venv/bin/python "$script" --rounds 1 --requests "$requests" | grep '^all: new')
    echo "$side $line" | tee -a "$results"
  done
done
.venv/bin/python - "$results" <<'PYTHON'
import re, statistics, sys
runs = {"before": [], "after": []}
for line in open(sys.argv[1]):
    side = line.split()[0]
    runs[side].append({k: float(v) for k, v in re.findall(r"(mean|p50)=\s*([\d.]+)", line)})
for key in ("p50", "mean"):
    for name, pick in (("median", statistics.median), ("best", min)):
        before, after = (pick(run[key] for run in runs[side]) for side in ("before", "after"))
        print(f"{name} {key}: before {before:.2f} ms, after {after:.2f} ms ({after / before - 1:+.0%})")
PYTHON
