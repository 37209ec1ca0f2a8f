#!/usr/bin/env bash
# The load test of bench/README.md ("Load test"): gunicorn on the load-test database, then
# locust at 20 and 50 users, with the load average and a sample of the requests waiting for a
# lock in PostgreSQL. Build the database first (bench/loadtest_data.py).
#
#   LOCUST=../locust-venv/bin/locust bench/loadtest.sh            # 2 minutes at 20, then at 50
#   RUN_TIME=30s USERS="5" bench/loadtest.sh                      # a quick look
#
# Environment: DATABASE_URL and EMPLUS_VAR_DIR as for the builder (the field, search and audit
# keys are in EMPLUS_VAR_DIR), PORT (18042), WORKERS (2) and THREADS (4) as `emplus serve`
# takes them, OUT (/tmp/emplus-load) for locust's CSV files and the logs.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?set DATABASE_URL to the load-test database}"
: "${EMPLUS_VAR_DIR:?set EMPLUS_VAR_DIR as the builder had it}"
LOCUST=${LOCUST:-locust}
PORT=${PORT:-18042}
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-4}
RUN_TIME=${RUN_TIME:-2m}
USERS=${USERS:-"20 50"}
OUT=${OUT:-/tmp/emplus-load}
PYTHON=${PYTHON:-.venv/bin/python}
mkdir -p "$OUT"

# As in production: the second factor is required; no debug.
export EMPLUS_REQUIRE_2FA=1 EMPLUS_DEBUG=0
"$PYTHON" -m emplus serve --bind "127.0.0.1:$PORT" --workers "$WORKERS" --threads "$THREADS" \
  --no-access-log >"$OUT/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done
# The evidence reports `emplus serve` computes beside itself at start (decision 0079): waited
# for here (the command finds them kept, or waits for the server's own computation), so that
# the load meets a server as it is once started, not while it starts.
"$PYTHON" -m emplus warm_reports || echo "no reports warmed: the first views compute them"

for users in $USERS; do
  echo "== $users users, $RUN_TIME; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  # Requests waiting for a lock (advisory: the audit log's), sampled twice a second.
  (
    while true; do
      psql "$DATABASE_URL" -Atc "SELECT count(*) FILTER (WHERE wait_event = 'advisory'),
        count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()" 2>/dev/null || true
      sleep 0.5
    done
  ) >"$OUT/locks-$users.txt" &
  sampler=$!
  "$LOCUST" -f bench/locustfile.py --host "http://127.0.0.1:$PORT" --headless \
    --users "$users" --spawn-rate 5 --run-time "$RUN_TIME" --csv "$OUT/load$users" \
    --reset-stats --only-summary >"$OUT/locust-$users.log" 2>&1 || true
  kill "$sampler"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  awk -F'|' '{n++; w += $1; a += $2; if ($1 > 0) busy++}
    END {if (n) printf "lock samples: %d, with a request waiting for the audit lock: %d (%.0f %%), mean waiting %.2f, mean active %.2f\n", n, busy, 100*busy/n, w/n, a/n}' \
    "$OUT/locks-$users.txt"
  "$PYTHON" bench/loadtest_table.py "$OUT/load${users}_stats.csv"
done
