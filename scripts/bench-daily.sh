#!/usr/bin/env bash
# County-scale daily review benchmark (issue 17): a generated day of CRIMES (500) police daily
# crimes and INCIDENTS (300) partner incidents in the 24 hours to 08:00, over HISTORY days
# (90, the repeat window) of the same volumes before it, on SQLite (and PostgreSQL with
# SAFETYNET_BENCH_POSTGRES_URL). Imports them with the command line, then times
# GET /api/v1/daily-review for that day RUNS times (5) for the council (the sharing rule
# gives it every flag) and for the police, and prints the median and the slowest.
# The target is a review under 1 s; times are only comparable within one run.
#
# Usage: scripts/bench-daily.sh   (SAFETYNET_BIN to use a built binary)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CRIMES=${CRIMES:-500}
INCIDENTS=${INCIDENTS:-300}
HISTORY=${HISTORY:-90}
RUNS=${RUNS:-5}
# shellcheck source=scripts/bench-lib.sh
. "$REPO/scripts/bench-lib.sh"
safetynet_bin

TMP=$(mktemp -d "${TMPDIR:-/tmp}/safetynet-daily.XXXXXX")
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT


DAY=$(date -u +%F)
python3 - "$TMP" "$DAY" "$CRIMES" "$INCIDENTS" "$HISTORY" <<'PY'
import csv, random, sys
from datetime import datetime, timedelta
out, day, crimes, incidents, history = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(17)
end = datetime.fromisoformat(day) + timedelta(hours=8)
streets = [f"{n} {s}" for n in range(1, 80) for s in ("High Street", "London Road", "Hatfield Road", "Victoria Street", "Camp Road", "Sandpit Lane", "Fishpool Street", "Holywell Hill")]
people = [(f"Person {i}", f"{rng.randint(1940, 2008)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}") for i in range(3000)]
offences = ["28/3", "105/1", "8/6", "46/0", "58/1", "45/0", "44/0", "34/1", "92/1", "9/1"]
cats = ["asb-personal", "asb-nuisance", "crime-burglary", "crime-violence-sexual", "fly-tipping", "noise-domestic"]
def place():
    return rng.choice(streets) + ", St Albans", 51.73 + rng.random() * 0.06, -0.37 + rng.random() * 0.08
with open(f"{out}/daily.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["crime_reference", "offence_code", "occurred_from", "reported_at", "latitude", "longitude", "address",
                "domestic_abuse", "weapon", "vulnerable_victim", "child_involved", "status", "victim_name", "victim_date_of_birth"])
    for d in range(history + 1):
        for i in range(crimes):
            at = end - timedelta(days=d, minutes=rng.randrange(24 * 60))
            addr, lat, lon = place()
            v = rng.choice(people) if rng.random() < 0.3 else ("", "")
            w.writerow([f"41/{d:03d}{i:04d}/26", rng.choice(offences), (at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:00Z"),
                        at.strftime("%Y-%m-%dT%H:%M:00Z"), f"{lat:.5f}", f"{lon:.5f}", addr,
                        "Y" if rng.random() < 0.15 else "N", "Y" if rng.random() < 0.05 else "N",
                        "Y" if rng.random() < 0.08 else "N", "Y" if rng.random() < 0.04 else "N", "recorded", v[0], v[1]])
with open(f"{out}/incidents.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["reference", "category", "occurred_at", "reported_at", "latitude", "longitude", "description", "address", "victim_name", "victim_dob"])
    for d in range(history + 1):
        for i in range(incidents):
            at = end - timedelta(days=d, minutes=rng.randrange(24 * 60))
            addr, lat, lon = place()
            v = rng.choice(people) if rng.random() < 0.3 else ("", "")
            w.writerow([f"BENCH-{d:03d}-{i:04d}", rng.choice(cats), at.strftime("%Y-%m-%dT%H:%M:00Z"), at.strftime("%Y-%m-%dT%H:%M:00Z"),
                        f"{lat:.5f}", f"{lon:.5f}", f"Generated incident {i}", addr, v[0], v[1]])
PY
cat >"$TMP/safetynet.toml" <<'TOML'
[police_daily.share]
SACDC = ["domestic_abuse", "hate", "weapon", "vulnerable_victim", "repeat_victim", "repeat_location", "child_involved"]
TOML

run_engine() { # NAME URL KEY
  local name=$1 url=$2 key=$3 port base
  port=$(free_port)
  SAFETYNET_CONFIG=$TMP/safetynet.toml "$BIN" demo --database-url "$url" --audit-key-file "$key" --bind "127.0.0.1:$port" >"$TMP/demo.log" 2>&1 &
  SERVER=$!
  wait_up "http://127.0.0.1:$port" || { cat "$TMP/demo.log" >&2; exit 1; }
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  local t0 t1
  t0=$(date +%s.%N)
  "$BIN" import police-daily --database-url "$url" --audit-key-file "$key" --agency HERTS-POLICE "$TMP/daily.csv" | head -1
  "$BIN" import incidents --database-url "$url" --audit-key-file "$key" --agency SACDC "$TMP/incidents.csv" | sed -n '1,3p'
  t1=$(date +%s.%N)
  echo "$name: imported $(( (HISTORY + 1) * CRIMES )) daily crimes and $(( (HISTORY + 1) * INCIDENTS )) incidents in $(python3 -c "print(f'{$t1-$t0:.1f}')") s"
  local council police
  council=$("$BIN" token create --database-url "$url" --audit-key-file "$key" --email csp.manager@stalbans.gov.uk 2>/dev/null | tail -1)
  police=$("$BIN" token create --database-url "$url" --audit-key-file "$key" --email pc.neighbourhood@herts.police.uk 2>/dev/null | tail -1)
  SAFETYNET_CONFIG=$TMP/safetynet.toml "$BIN" serve --database-url "$url" --audit-key-file "$key" --bind "127.0.0.1:$port" >"$TMP/serve.log" 2>&1 &
  SERVER=$!
  base="http://127.0.0.1:$port"
  wait_up "$base" || { cat "$TMP/serve.log" >&2; exit 1; }
  for who in council police; do
    local token times lines
    token=${!who}
    times=()
    for _ in $(seq 1 "$RUNS"); do
      times+=("$(curl -sf -o "$TMP/review.json" -w '%{time_total}' -H "Authorization: Bearer $token" "$base/api/v1/daily-review?date=$DAY")")
    done
    lines=$(python3 -c "import json; r=json.load(open('$TMP/review.json')); print(len(r['police_crimes']), len(r['items']))")
    python3 - "$name" "$who" "$lines" "${times[@]}" <<'PY'
import statistics, sys
name, who, lines, times = sys.argv[1], sys.argv[2], sys.argv[3].split(), [float(t) for t in sys.argv[4:]]
print(f"{name} {who}: {lines[0]} police crimes + {lines[1]} incidents reviewed; median {statistics.median(times):.3f} s, "
      f"slowest {max(times):.3f} s over {len(times)} runs (target < 1 s: {'PASS' if max(times) < 1 else 'FAIL'})")
PY
  done
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
}

run_engine sqlite "sqlite://$TMP/bench.db" "$TMP/bench.db.audit-key"
if [ -n "${SAFETYNET_BENCH_POSTGRES_URL:-}" ]; then
  db=safetynet_bench_daily_$$
  psql "$SAFETYNET_BENCH_POSTGRES_URL" -qc "CREATE DATABASE $db" >/dev/null
  run_engine postgres "${SAFETYNET_BENCH_POSTGRES_URL%/*}/$db" "$TMP/pg.audit-key"
  psql "$SAFETYNET_BENCH_POSTGRES_URL" -qc "DROP DATABASE $db" >/dev/null
fi
