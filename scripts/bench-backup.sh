#!/usr/bin/env bash
# Benchmark `safetynet backup` (a consistent copy, then the copy's integrity
# check and its whole audit trail verified under the key) against SQLite's
# own online backup (`sqlite3 DB ".backup FILE"`, copy only), and
# `safetynet restore` (copy, check against the manifest, verify) against `cp`.
#
# Usage: scripts/bench-backup.sh [DATA_DIR]
#   DATA_DIR       police.uk folder with street/*.csv and outcomes/*.csv
#                  (default: ../shared/data/police-uk-hertfordshire-2021 next to the repo)
#   SAFETYNET_BIN  use this binary instead of building with `cargo build --release -p safetynet`
#   N              repetitions (default 5)
#
# Prints the database size, audit rows, the medians and the ratios ours/reference.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${1:-$REPO/../shared/data/police-uk-hertfordshire-2021}
DATA=$(cd "$DATA" && pwd)
N=${N:-5}
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 not found" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench: python3 not found" >&2; exit 1; }

# shellcheck source=scripts/bench-lib.sh
. "$REPO/scripts/bench-lib.sh"
safetynet_bin

TMP=$(mktemp -d "${TMPDIR:-/tmp}/safetynet-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/sn.db
export SAFETYNET_DATABASE_URL=sqlite://$DB
unset SAFETYNET_CONFIG SAFETYNET_AUDIT_KEY_FILE
"$BIN" migrate >/dev/null
"$BIN" import police-uk --format json "$DATA" >/dev/null

seconds() { python3 - "$@" <<'PY'
import subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(f"{time.perf_counter() - t:.4f}")
PY
}
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.4f}")' "$@"; }

ref=(); ours=(); cps=(); restores=()
for i in $(seq 1 "$N"); do
  ref+=("$(seconds sqlite3 "$DB" ".backup $TMP/ref-$i.db")")
  ours+=("$(seconds "$BIN" backup --out "$TMP/ours-$i.db")")
  cps+=("$(seconds cp "$TMP/ours-$i.db" "$TMP/cp-$i.db")")
  restores+=("$(seconds "$BIN" restore --from "$TMP/ours-$i.db" --database-url "sqlite://$TMP/restored-$i.db" --audit-key-file "$DB.audit-key")")
  rm -f "$TMP/ref-$i.db" "$TMP/cp-$i.db" "$TMP/restored-$i.db"*
done
size=$(du -h "$DB" | cut -f1)
audit=$(sqlite3 "$DB" "SELECT COUNT(*) FROM audit_log")
rows=$(sqlite3 "$DB" "SELECT COUNT(*) FROM police_crimes")
r=$(median "${ref[@]}"); o=$(median "${ours[@]}"); c=$(median "${cps[@]}"); s=$(median "${restores[@]}")
echo "database: $size, $rows police.uk rows, $audit audit rows; $N runs each (medians)"
echo "backup:  sqlite3 .backup ${r}s, safetynet backup ${o}s, ratio $(python3 -c "print(f'{$o/$r:.2f}')")"
echo "restore: cp ${c}s, safetynet restore ${s}s, ratio $(python3 -c "print(f'{$s/$c:.2f}')")"
