#!/usr/bin/env bash
# Benchmark `safetynet import police-uk` against a plain `sqlite3 .import` of the same CSVs.
#
# Usage: scripts/bench-import.sh [DATA_DIR]
#   DATA_DIR       police.uk folder with street/*.csv and outcomes/*.csv
#                  (default: ../shared/data/police-uk-hertfordshire-2021 next to the repo)
#   SAFETYNET_BIN  use this binary instead of building with `cargo build --release -p safetynet`
#   N              repetitions (default 3); each repetition runs sqlite3 then safetynet
#
# Prints medians, rows imported, input rows, rows/s and the time ratio ours/sqlite3,
# ending with `target: ratio <= 2.00: PASS|FAIL` (exit status 0 either way).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${1:-$REPO/../shared/data/police-uk-hertfordshire-2021}
DATA=$(cd "$DATA" && pwd)
N=${N:-3}

command -v sqlite3 >/dev/null || { echo "bench: sqlite3 not found" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench: python3 not found" >&2; exit 1; }

shopt -s nullglob
STREET=("$DATA"/street/*.csv)
OUTCOMES=("$DATA"/outcomes/*.csv)
shopt -u nullglob
[ "${#STREET[@]}" -gt 0 ] && [ "${#OUTCOMES[@]}" -gt 0 ] \
  || { echo "bench: no street/*.csv or outcomes/*.csv under $DATA" >&2; exit 1; }

# shellcheck source=scripts/bench-lib.sh
. "$REPO/scripts/bench-lib.sh"
safetynet_bin

TMP=$(mktemp -d "${TMPDIR:-/tmp}/safetynet-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Input rows = data lines (header excluded), counted per file (awk also counts a
# last line without a trailing newline).
IN_STREET=$(awk 'FNR > 1' "${STREET[@]}" | wc -l)
IN_OUTCOMES=$(awk 'FNR > 1' "${OUTCOMES[@]}" | wc -l)
IN_TOTAL=$((IN_STREET + IN_OUTCOMES))

# One sqlite3 script importing every file.
{
  echo 'CREATE TABLE street("Crime ID" TEXT, "Month" TEXT, "Reported by" TEXT, "Falls within" TEXT, "Longitude" TEXT, "Latitude" TEXT, "Location" TEXT, "LSOA code" TEXT, "LSOA name" TEXT, "Crime type" TEXT, "Last outcome category" TEXT, "Context" TEXT);'
  echo 'CREATE TABLE outcomes("Crime ID" TEXT, "Month" TEXT, "Reported by" TEXT, "Falls within" TEXT, "Longitude" TEXT, "Latitude" TEXT, "Location" TEXT, "LSOA code" TEXT, "LSOA name" TEXT, "Outcome type" TEXT);'
  echo '.mode csv'
  for f in "${STREET[@]}"; do printf '.import --skip 1 "%s" street\n' "$f"; done
  for f in "${OUTCOMES[@]}"; do printf '.import --skip 1 "%s" outcomes\n' "$f"; done
} >"$TMP/import.sql"

# A reference floor: sqlite3 itself loading the same rows into SafetyNet's own
# schema (unique key, secondary indexes, WAL) through an unindexed staging table,
# merged in key order, as our importer does. It shows what the indexes cost
# any SQLite writer, apart from our code.
SCHEMA=$REPO/crates/store/migrations/sqlite/0001_foundation.sql
{
  echo 'PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;'
  cat "$SCHEMA"
  echo 'CREATE TEMP TABLE s("Crime ID" TEXT, "Month" TEXT, "Reported by" TEXT, "Falls within" TEXT, "Longitude" TEXT, "Latitude" TEXT, "Location" TEXT, "LSOA code" TEXT, "LSOA name" TEXT, "Crime type" TEXT, "Last outcome category" TEXT, "Context" TEXT);'
  echo 'CREATE TEMP TABLE o("Crime ID" TEXT, "Month" TEXT, "Reported by" TEXT, "Falls within" TEXT, "Longitude" TEXT, "Latitude" TEXT, "Location" TEXT, "LSOA code" TEXT, "LSOA name" TEXT, "Outcome type" TEXT);'
  echo '.mode csv'
  for f in "${STREET[@]}"; do printf '.import --skip 1 "%s" s\n' "$f"; done
  for f in "${OUTCOMES[@]}"; do printf '.import --skip 1 "%s" o\n' "$f"; done
  echo "BEGIN IMMEDIATE;"
  echo "INSERT INTO police_crimes SELECT 'c:' || substr(\"Crime ID\", 1, 32) || ':' || rowid, \"Crime ID\", \"Month\", \"Reported by\", \"Falls within\", \"Longitude\", \"Latitude\", \"Location\", \"LSOA code\", \"LSOA name\", \"Crime type\", \"Last outcome category\", \"Context\" FROM s WHERE true ORDER BY 1 ON CONFLICT (row_key) DO NOTHING;"
  echo "INSERT INTO police_outcomes SELECT 'h:' || substr(\"Crime ID\", 1, 32) || ':' || rowid, \"Crime ID\", \"Month\", \"Reported by\", \"Falls within\", \"Longitude\", \"Latitude\", \"Location\", \"LSOA code\", \"LSOA name\", \"Outcome type\" FROM o WHERE true ORDER BY 1 ON CONFLICT (row_key) DO NOTHING;"
  echo "COMMIT;"
} >"$TMP/schema-import.sql"

now() { date +%s.%N; }
elapsed() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.3f}")' "$1" "$2"; }

SQLITE_TIMES=()
FLOOR_TIMES=()
OURS_TIMES=()
for i in $(seq 1 "$N"); do
  # (a) sqlite3 baseline
  rm -f "$TMP/base.db"
  t0=$(now)
  sqlite3 -bail "$TMP/base.db" <"$TMP/import.sql"
  t1=$(now)
  SQLITE_TIMES+=("$(elapsed "$t0" "$t1")")

  # (b) sqlite3 into SafetyNet's schema (reference floor)
  rm -f "$TMP"/floor.db "$TMP"/floor.db-wal "$TMP"/floor.db-shm
  t0=$(now)
  sqlite3 -bail "$TMP/floor.db" <"$TMP/schema-import.sql" >/dev/null
  t1=$(now)
  FLOOR_TIMES+=("$(elapsed "$t0" "$t1")")

  # (c) safetynet (migrate is not timed)
  rm -f "$TMP"/sn.db "$TMP"/sn.db-wal "$TMP"/sn.db-shm
  "$BIN" migrate --database-url "sqlite://$TMP/sn.db" >"$TMP/migrate.log" 2>&1 \
    || { cat "$TMP/migrate.log" >&2; exit 1; }
  t0=$(now)
  "$BIN" import police-uk --database-url "sqlite://$TMP/sn.db" --format json "$DATA" \
    >"$TMP/import.json" 2>"$TMP/import.err" \
    || { cat "$TMP/import.err" "$TMP/import.json" >&2; exit 1; }
  t1=$(now)
  OURS_TIMES+=("$(elapsed "$t0" "$t1")")

  echo "run $i/$N: sqlite3 ${SQLITE_TIMES[-1]}s  sqlite3-into-our-schema ${FLOOR_TIMES[-1]}s  safetynet ${OURS_TIMES[-1]}s"
done

BASE_STREET=$(sqlite3 "$TMP/base.db" 'select count(*) from street')
BASE_OUTCOMES=$(sqlite3 "$TMP/base.db" 'select count(*) from outcomes')
OURS_CRIMES=$(sqlite3 "$TMP/sn.db" 'select count(*) from police_crimes')
OURS_OUTCOMES=$(sqlite3 "$TMP/sn.db" 'select count(*) from police_outcomes')

python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("last safetynet import report:", {k: r[k] for k in ("rows_read","imported","already_present","rejected")})' "$TMP/import.json"
python3 - "$IN_STREET" "$IN_OUTCOMES" "$IN_TOTAL" \
  "$BASE_STREET" "$BASE_OUTCOMES" "$OURS_CRIMES" "$OURS_OUTCOMES" \
  "${SQLITE_TIMES[*]}" "${OURS_TIMES[*]}" "${FLOOR_TIMES[*]}" <<'PY'
import statistics, sys
(in_street, in_out, in_total, b_street, b_out, o_crimes, o_out) = map(int, sys.argv[1:8])
st = [float(x) for x in sys.argv[8].split()]
ot = [float(x) for x in sys.argv[9].split()]
ft = [float(x) for x in sys.argv[10].split()]
mf = statistics.median(ft)
ms, mo = statistics.median(st), statistics.median(ot)
ratio = mo / ms
print(f"input rows:       {in_total} ({in_street} street + {in_out} outcomes, headers excluded)")
print(f"sqlite3 imported: {b_street + b_out} ({b_street} street + {b_out} outcomes)")
print(f"ours imported:    {o_crimes + o_out} ({o_crimes} police_crimes + {o_out} police_outcomes)")
print(f"sqlite3 median:   {ms:.3f}s  ({in_total / ms:,.0f} rows/s)  runs: {' '.join(f'{t:.3f}' for t in st)}")
print(f"ours median:      {mo:.3f}s  ({in_total / mo:,.0f} rows/s)  runs: {' '.join(f'{t:.3f}' for t in ot)}")
print(f"floor median:     {mf:.3f}s  (sqlite3 into SafetyNet's schema: keys, indexes, WAL)  runs: {' '.join(f'{t:.3f}' for t in ft)}")
print(f"ratio floor/sqlite3: {mf / ms:.2f}   (what the indexes cost any SQLite writer)")
print(f"ratio ours/floor:    {mo / mf:.2f}   (our overhead over sqlite3 on the same schema)")
print(f"ratio ours/sqlite3: {ratio:.2f}")
print(f"target: ratio <= 2.00: {'PASS' if round(ratio, 2) <= 2.00 else 'FAIL'}")
PY
