#!/usr/bin/env bash
# Knox near-repeat benchmark, side by side in one run: SafetyNet (999
# permutations) against a vectorised NumPy/SciPy implementation of the same
# table (cKDTree pairs, 99 permutations), on the 11,701 Chicago 2016
# burglaries. Reports seconds per permutation and the ratio.
#
# Usage: scripts/bench-knox.sh   (PYTHON=/path/to/python with numpy and scipy;
# default: a venv in /tmp/safetynet-bench-venv, created on first use)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=$REPO/crates/analysis/tests/fixtures/chicago_burglary_2016.csv
if [ -z "${PYTHON:-}" ]; then
  VENV=/tmp/safetynet-bench-venv
  [ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q numpy scipy; }
  PYTHON=$VENV/bin/python
fi
ours=$(cd "$REPO" && cargo bench -q -p safetynet-analysis --bench knox -- 999 2>/dev/null | tail -1)
echo "$ours"
ours_s=$(echo "$ours" | sed -E 's/.* ([0-9.]+) s,.*/\1/')
theirs_s=$("$PYTHON" - "$DATA" <<'PY'
import sys, time
import numpy as np
from scipy.spatial import cKDTree
rows = np.genfromtxt(sys.argv[1], delimiter=",", skip_header=1, dtype=str)
xy = rows[:, :2].astype(float)
d = np.array([list(map(int, s.split("/"))) for s in rows[:, 2]])
cum = np.array([0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335])
days = cum[d[:, 1] - 1] + d[:, 0] - 1
dist_edges = [0.1, 200, 400, 600]
time_edges = [7, 14, 21]
start = time.perf_counter()
pairs = cKDTree(xy).query_pairs(r=600, output_type="ndarray")
dd = np.linalg.norm(xy[pairs[:, 0]] - xy[pairs[:, 1]], axis=1)
dband = np.searchsorted(dist_edges, dd, side="left")
def table(dy):
    t = np.abs(dy[pairs[:, 0]] - dy[pairs[:, 1]])
    tband = np.searchsorted(time_edges, t, side="left")
    ok = tband < 3
    return np.bincount(dband[ok] * 3 + tband[ok], minlength=12).reshape(4, 3)
obs = table(days)
rng = np.random.default_rng(1)
perms = 99
for _ in range(perms):
    table(rng.permutation(days))
elapsed = time.perf_counter() - start
assert obs[0].tolist() == [342, 97, 62], obs
print(f"{elapsed / perms:.6f}")
PY
)
python3 - "$ours_s" "$theirs_s" <<'PY'
import sys
ours = float(sys.argv[1]) / 999
theirs = float(sys.argv[2])
print(f"safetynet: {ours * 1000:.3f} ms per permutation (999 permutations in {float(sys.argv[1]):.3f} s)")
print(f"numpy/scipy: {theirs * 1000:.3f} ms per permutation (99 permutations)")
print(f"ratio numpy/safetynet: {theirs / ours:.1f}x")
print(f"target: 999 permutations under 2 s: {'PASS' if float(sys.argv[1]) < 2 else 'FAIL'}")
PY
