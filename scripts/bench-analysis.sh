#!/usr/bin/env bash
# Side-by-side analysis benchmarks in one run, reported as ratios:
#  1. Gi* + Local Moran's I with 999 permutations on a 187 x 187 grid (34,969 cells):
#     SafetyNet against PySAL esda (numba) on the same counts, statistics compared.
#  2. Kernel density of 50,000 points on a ~400 x 400 grid: SafetyNet's quartic
#     kernel against scikit-learn KernelDensity (epanechnikov) on the same grid.
# Usage: scripts/bench-analysis.sh  (PYTHON with esda, libpysal, numba, scikit-learn;
# default: a venv in /tmp/safetynet-bench-venv, created on first use)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -z "${PYTHON:-}" ]; then
  VENV=/tmp/safetynet-bench-venv
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -c "import esda, numba, sklearn" 2>/dev/null || "$VENV/bin/pip" install -q esda libpysal numba scikit-learn
  PYTHON=$VENV/bin/python
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$REPO"
cargo bench -q -p safetynet-analysis --bench local --no-run 2>/dev/null
cargo bench -q -p safetynet-analysis --bench density --no-run 2>/dev/null
ours_local=$(cargo bench -q -p safetynet-analysis --bench local -- "$TMP/counts.txt" "$TMP/ours.csv" 2>/dev/null | sed -nE 's/^local: .*: ([0-9.]+) s$/\1/p')
ours_density=$(cargo bench -q -p safetynet-analysis --bench density -- "$TMP/points.csv" 2>/dev/null | sed -nE 's/^density: .*: ([0-9.]+) s$/\1/p')
"$PYTHON" - "$TMP" "$ours_local" "$ours_density" <<'PY'
import sys, time, warnings
import numpy as np
warnings.filterwarnings("ignore")
tmp, ours_local, ours_density = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
import esda, libpysal
from sklearn.neighbors import KernelDensity

y = np.loadtxt(f"{tmp}/counts.txt")
side = int(round(len(y) ** 0.5))
def run_esda():
    w = libpysal.weights.lat2W(side, side, rook=False)
    t = time.perf_counter()
    g = esda.G_Local(y, w, transform="B", star=True, permutations=999, n_jobs=-1, seed=1)
    w.transform = "r"
    lm = esda.Moran_Local(y, w, permutations=999, n_jobs=-1, seed=1)
    return time.perf_counter() - t, g, lm
cold, g, lm = run_esda()
warm, g, lm = run_esda()
ours = np.loadtxt(f"{tmp}/ours.csv", delimiter=",")
dz = np.max(np.abs(ours[:, 0] - g.Zs))
di = np.max(np.abs(ours[:, 1] - lm.Is))
print(f"local statistics, {len(y)} cells, 999 permutations:")
print(f"  safetynet {ours_local:.3f} s; esda {cold:.3f} s cold (numba compiling), {warm:.3f} s warm")
print(f"  ratio esda/safetynet: {cold / ours_local:.1f}x cold, {warm / ours_local:.1f}x warm (target >= 10x)")
print(f"  identical statistics: max |Gi* z difference| = {dz:.2e}, max |Local Moran I difference| = {di:.2e}")

pts = np.loadtxt(f"{tmp}/points.csv", delimiter=",")
xs = np.arange(pts[:, 0].min() - 250, pts[:, 0].max() + 250, 50.0) + 25
ys = np.arange(pts[:, 1].min() - 250, pts[:, 1].max() + 250, 50.0) + 25
gx, gy = np.meshgrid(xs, ys)
grid = np.column_stack([gx.ravel(), gy.ravel()])
t = time.perf_counter()
kde = KernelDensity(kernel="epanechnikov", bandwidth=250.0).fit(pts)
kde.score_samples(grid)
sk = time.perf_counter() - t
print(f"density, {len(pts)} points on {len(xs)} x {len(ys)} cells:")
print(f"  safetynet (quartic) {ours_density:.3f} s; scikit-learn KernelDensity (epanechnikov) {sk:.3f} s")
print(f"  ratio scikit-learn/safetynet: {sk / ours_density:.0f}x (target >= 20x)")
PY
