#!/usr/bin/env bash
# County-scale load benchmark (issue 10): generated data on each engine, `safetynet serve`
# driven by wrk with a bearer token, p50/p99/throughput per endpoint and the ratio of each
# endpoint's throughput to `/healthz` (the server's ceiling on this machine, in the same run).
#
# Usage: scripts/bench-load.sh
#   YEARS=5            years of police.uk data (the bundled months relabelled; ~108,000 rows a year)
#   INCIDENTS=1000000  partner incidents, dealt over ten agencies (scripts/gen-county.py)
#   USERS=500 CASES=20000 MEETING_YEARS=5
#                      then `safetynet generate`: users over every agency, cases worked up
#                      over the agencies' incidents, years of JAG/RAG/forum meetings
#   CONNS=50           concurrent connections;  DURATION=20s per endpoint
#   DATA=DIR           police.uk folder (default ../shared/data/police-uk-hertfordshire-2021)
#   SAFETYNET_BENCH_POSTGRES_URL=postgres://USER@HOST:PORT/postgres  also run on PostgreSQL
#                      (a database safetynet_bench_<pid> is created there and dropped after)
#   SAFETYNET_BIN      use this binary instead of building the release one
#   MAX_RATIO=N        exit 1 when any endpoint's p99 exceeds N x /healthz's p99
#   BASELINE=FILE      exit 1 when any endpoint's throughput, as a share of /healthz's, falls
#                      below a third of the share FILE records for it on that engine (a 3x
#                      regression: the CI guard, see .ci/run); UPDATE_BASELINE=1 rewrites FILE
#   LOGS=DIR           keep each engine's server and import logs there
#
# Prints one table per engine: endpoint, p50 ms, p99 ms, requests/s, non-2xx, throughput as a
# share of /healthz's; then the seconds to build meeting packs and a year's hotspots once, and
# the server's peak memory. Timings are only comparable within one run: the machine is shared.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
YEARS=${YEARS:-5}
INCIDENTS=${INCIDENTS:-1000000}
USERS=${USERS:-500}
CASES=${CASES:-20000}
MEETING_YEARS=${MEETING_YEARS:-5}
CONNS=${CONNS:-50}
DURATION=${DURATION:-20s}
DATA=${DATA:-$REPO/../shared/data/police-uk-hertfordshire-2021}
OFFICER=asb.officer@stalbans.gov.uk

command -v wrk >/dev/null || { echo "bench: wrk not found (apt-get install wrk)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench: python3 not found" >&2; exit 1; }
# shellcheck source=scripts/bench-lib.sh
. "$REPO/scripts/bench-lib.sh"
safetynet_bin

TMP=$(mktemp -d "${TMPDIR:-/tmp}/safetynet-load.XXXXXX")
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

echo "generating: $YEARS years of police.uk data, $INCIDENTS incidents, $USERS users, $CASES cases" >&2
python3 "$REPO/scripts/gen-county.py" "$TMP/data" --data "$DATA" --years "$YEARS" --incidents "$INCIDENTS" >&2

# Seeds the demo partnership into URL (the demo serves; it is stopped once up), then
# imports the generated data, generates the partnership's work over it and prints a
# token for the ASB officer.
prepare() { # URL KEY
  local url=$1 key=$2 port
  port=$(free_port)
  "$BIN" demo --database-url "$url" --audit-key-file "$key" --bind "127.0.0.1:$port" >"$TMP/demo.log" 2>&1 &
  SERVER=$!
  wait_up "http://127.0.0.1:$port"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  local t0 t1
  t0=$(date +%s.%N)
  "$BIN" import police-uk --database-url "$url" --audit-key-file "$key" "$TMP/data/police-uk" >"$TMP/import-police.log" 2>&1
  t1=$(date +%s.%N)
  echo "police.uk import: $(python3 -c "print(f'{$t1-$t0:.1f}')") s" >&2
  t0=$(date +%s.%N)
  local file
  : >"$TMP/import-incidents.log"
  for file in "$TMP"/data/incidents/*.csv; do
    "$BIN" import incidents --database-url "$url" --audit-key-file "$key" --agency "$(basename "$file" .csv)" \
      "$file" >>"$TMP/import-incidents.log" 2>&1
  done
  t1=$(date +%s.%N)
  echo "incident import: $(python3 -c "print(f'{$t1-$t0:.1f} s, {$INCIDENTS/($t1-$t0):.0f} rows/s')")" >&2
  t0=$(date +%s.%N)
  "$BIN" generate --database-url "$url" --audit-key-file "$key" --users "$USERS" --cases "$CASES" \
    --meeting-years "$MEETING_YEARS" >"$TMP/generate.log" 2>&1
  t1=$(date +%s.%N)
  echo "$(tail -1 "$TMP/generate.log") in $(python3 -c "print(f'{$t1-$t0:.1f}')") s" >&2
  "$BIN" token create --database-url "$url" --audit-key-file "$key" --email "$OFFICER" | tail -1
}

# wrk's latency percentiles and throughput for one endpoint, as "p50 p99 rps non2xx".
measure() { # BASE PATH HEADER
  local out
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --timeout 10s --latency -H "$3" "$1$2")
  python3 - "$out" <<'PY'
import re, sys
text = sys.argv[1]
def ms(label):
    m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        return float("nan")
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
timeouts = re.search(r"timeout (\d+)", text)
print(f"{ms('50'):.1f} {ms('99'):.1f} {float(rps.group(1)) if rps else 0:.0f} {(int(bad.group(1)) if bad else 0) + (int(timeouts.group(1)) if timeouts else 0)}")
PY
}

# Signs the ASB officer in through the sign-in form; prints the session cookie.
sign_in() { # BASE
  local jar=$TMP/cookies csrf
  rm -f "$jar"
  csrf=$(curl -sf -c "$jar" -b "$jar" "$1/sign-in" | grep -o 'name="csrf_token" value="[0-9a-f]*"' | sed 's/.*value="//; s/"$//')
  curl -sf -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$csrf" --data-urlencode "email=$OFFICER" \
    --data-urlencode "password=safetynet-demo-2024" "$1/sign-in"
  awk '$6 == "sn_session" { print $7 }' "$jar"
}

# The first id in a list answer whose records match a Python condition on `r`.
first_id() { # BASE PATH TOKEN CONDITION
  curl -sf -H "Authorization: Bearer $3" "$1$2" | python3 -c "
import json, sys
items = json.load(sys.stdin)['items']
print(next((r['id'] for r in items if $4), items[0]['id'] if items else ''))"
}

# API endpoints (bearer token), then pages (session cookie); CASE and INCIDENT are
# replaced by a case's and an incident's ids (one with a victim, for its repeats).
API_ENDPOINTS=(
  /healthz
  "/api/v1/crimes"
  "/api/v1/crimes?page=40"
  "/api/v1/crimes?type=Burglary&from=2019-01&to=2019-12"
  "/api/v1/incidents"
  "/api/v1/incidents?page=50"
  "/api/v1/incidents?category=asb-personal&page=20"
  "/api/v1/cases"
  "/api/v1/cases/CASE"
  "/api/v1/incidents/INCIDENT/repeats"
  "/api/v1/daily-review?date=2026-11-30"
)
PAGE_ENDPOINTS=(
  /dashboard
  "/crimes?page=40"
  "/crimes?type=Burglary&from=2019-01&to=2019-12"
  "/incidents?page=50"
  "/cases"
  "/cases/CASE"
  "/daily-review?date=2026-11-30"
)

# Built once per request rather than served under load: meeting packs for the latest
# date and one in the middle of the history, and a year of the county's hotspots.
BUILD_ENDPOINTS=(
  "/api/v1/packs/jag?date=2026-11-30"
  "/api/v1/packs/rag?date=2026-11-30"
  "/api/v1/packs/psf?date=2026-11-30"
  "/api/v1/packs/jag?date=2019-06-01"
  "/api/v1/analytics/hotspots?from=2021-01&to=2021-12"
  "/api/v1/analytics/hotspots?from=2020-01&to=2020-12&type=Burglary"
)

FAILED=0
run_engine() { # NAME URL KEY
  local name=$1 url=$2 key=$3 token port base
  token=$(prepare "$url" "$key")
  port=$(free_port)
  base="http://127.0.0.1:$port"
  "$BIN" serve --database-url "$url" --audit-key-file "$key" --bind "127.0.0.1:$port" >"$TMP/serve.log" 2>&1 &
  SERVER=$!
  wait_up "$base"
  printf '\n%s (%s connections, %s each)\n' "$name" "$CONNS" "$DURATION"
  local case_id incident_id session
  case_id=$(first_id "$base" /api/v1/cases "$token" True)
  incident_id=$(first_id "$base" "/api/v1/incidents?per_page=50" "$token" "r['people']")
  session=$(sign_in "$base")
  echo "case $case_id, incident $incident_id" >&2
  printf '%-55s %9s %9s %9s %8s %9s\n' endpoint "p50 ms" "p99 ms" "req/s" "non-2xx" "x healthz"
  local ceiling_rps=0 ceiling_p99=0 path header
  for path in "${API_ENDPOINTS[@]}" "${PAGE_ENDPOINTS[@]}"; do
    case $path in
      /api/*) header="Authorization: Bearer $token" ;;
      /healthz) header="Accept: */*" ;;
      *) header="Cookie: sn_session=$session" ;;
    esac
    path=${path//CASE/$case_id}
    path=${path//INCIDENT/$incident_id}
    read -r p50 p99 rps bad < <(measure "$base" "$path" "$header")
    if [ "$path" = /healthz ]; then ceiling_rps=$rps; ceiling_p99=$p99; fi
    share=$(python3 -c "print(f'{$rps/max($ceiling_rps,1):.4f}')")
    label=${path//$case_id/\{case\}}
    label=${label//$incident_id/\{incident\}}
    printf '%-55s %9s %9s %9s %8s %9s\n' "$label" "$p50" "$p99" "$rps" "$bad" "$share"
    if [ "$path" != /healthz ]; then
      echo "$name $label $share" >>"$TMP/shares"
    fi
    if [ -n "${MAX_RATIO:-}" ] && [ "$path" != /healthz ]; then
      if python3 -c "import sys; sys.exit(0 if $p99 > ${MAX_RATIO} * max($ceiling_p99, 1.0) else 1)"; then
        echo "  regression: p99 $p99 ms > $MAX_RATIO x healthz p99 ($ceiling_p99 ms)"; FAILED=1
      fi
    fi
  done
  echo "server memory after the load (max RSS, kB): $(grep VmHWM /proc/$SERVER/status | awk '{print $2}')"
  printf '%-55s %9s %9s\n' "built once" seconds status
  for path in "${BUILD_ENDPOINTS[@]}"; do
    read -r status seconds < <(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
      -H "Authorization: Bearer $token" "$base$path")
    printf '%-55s %9s %9s\n' "$path" "$seconds" "$status"
    [ "$status" = 200 ] || { echo "  failed: $path answered $status"; FAILED=1; }
  done
  echo "server memory (max RSS, kB): $(grep VmHWM /proc/$SERVER/status | awk '{print $2}')"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  if [ -n "${LOGS:-}" ]; then
    mkdir -p "$LOGS"
    for f in serve demo import-police import-incidents generate; do cp "$TMP/$f.log" "$LOGS/$name-$f.log"; done
  fi
}

mkdir -p "$TMP/sqlite"
run_engine SQLite "sqlite://$TMP/sqlite/safetynet.db" "$TMP/sqlite/safetynet.db.audit-key"

if [ -n "${SAFETYNET_BENCH_POSTGRES_URL:-}" ]; then
  DB=safetynet_bench_$$
  psql "$SAFETYNET_BENCH_POSTGRES_URL" -qc "CREATE DATABASE $DB" >/dev/null
  PG_URL=${SAFETYNET_BENCH_POSTGRES_URL%/*}/$DB
  run_engine PostgreSQL "$PG_URL" "$TMP/pg.audit-key" || FAILED=1
  psql "$SAFETYNET_BENCH_POSTGRES_URL" -qc "DROP DATABASE $DB WITH (FORCE)" >/dev/null
fi

if [ -n "${BASELINE:-}" ]; then
  if [ "${UPDATE_BASELINE:-}" = 1 ]; then
    { echo "# engine endpoint share-of-healthz (scripts/bench-load.sh with UPDATE_BASELINE=1)"; cat "$TMP/shares"; } >"$BASELINE"
    echo "baseline written to $BASELINE"
  else
    python3 - "$BASELINE" "$TMP/shares" <<'PY' || FAILED=1
import sys
def read(path):
    out = {}
    for line in open(path):
        if line.strip() and not line.startswith("#"):
            engine, endpoint, share = line.split()
            out[(engine, endpoint)] = float(share)
    return out
base, now = read(sys.argv[1]), read(sys.argv[2])
bad = [(k, base[k], v) for k, v in now.items() if k in base and v < base[k] / 3]
for (engine, endpoint), was, is_ in bad:
    print(f"regression: {engine} {endpoint}: {is_:.4f} of /healthz's throughput, baseline {was:.4f} (more than 3x slower)")
sys.exit(1 if bad else 0)
PY
  fi
fi
exit "$FAILED"
