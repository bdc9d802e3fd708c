#!/bin/sh
# Crash safety: SIGKILL touchline-server at random points while a client records contact events and
# complaint check-ins, ROUNDS times, restarting each time. After every restart every acknowledged
# write must be there exactly once (idempotency keys), and PRAGMA integrity_check must say ok; the
# audit log (its own file, t.db.audit) must pass it too and hold an OK record of every acknowledged
# contact event (an answer is sent only once its audit record is durable). Check-ins are sent with
# a request_id (--request-id); one cut off by a kill is sent again after the restart with the same
# id, as a client that did not learn its outcome would: each is then stored exactly once.
#
#   crash_safety.sh SERVER CLI [ROUNDS] [POSTGRES_FIXTURE]
#
# With POSTGRES_FIXTURE (tests/lib's touchline_test_postgres_server) the same runs with the record
# and its audit log in a PostgreSQL it starts (issue 21); PostgreSQL checks its own pages, so
# there is no integrity_check to run there.
set -u
. "$(dirname "$0")/../lib/server_port.sh"
SERVER=$1
CLI=$2
ROUNDS=${3:-20}
PG_FIXTURE=${4:-}
WORK=$(mktemp -d)
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; [ -n "$PG_FIXTURE" ] && "$PG_FIXTURE" stop "$WORK/pg.conninfo"; rm -rf "$WORK"' EXIT
if [ -n "$PG_FIXTURE" ]; then
  "$PG_FIXTURE" start "$WORK/pg.conninfo" >/dev/null || { echo "cannot start PostgreSQL"; exit 1; }
  CONNINFO=$(cat "$WORK/pg.conninfo")
  PG_PORT=$(echo "$CONNINFO" | sed 's/.*port=\([0-9]*\).*/\1/')
  STORE="--store=postgresql://touchline@127.0.0.1:$PG_PORT/postgres --store_schema=crash"
else
  STORE="--db=$WORK/t.db"
fi
# A query on the audit log: its SQLite file, or its PostgreSQL schema.
audit_query() {
  if [ -n "$PG_FIXTURE" ]; then
    psql "$CONNINFO" -tAq -c "SET search_path TO crash_audit" -c "$1"
  else
    sqlite3 "$WORK/t.db.audit" "$1"
  fi
}
PASS=0
FAIL=0
fail() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

start_server() {
  : >"$WORK/server.log"
  # shellcheck disable=SC2086 # STORE is one or two flags
  "$SERVER" --listen=127.0.0.1:0 $STORE --token_file="$WORK/t.db.token" \
    --pseudonym_key_file="$WORK/t.db.pseudonym-key" --plugin_path=none 2>"$WORK/server.log" &
  SERVER_PID=$!
  wait_for_port "$WORK/server.log"
  TL="$CLI --server=127.0.0.1:$PORT --token-file=$WORK/t.db.token --timeout=5"
}

start_server
$TL squads create --name="Crash XV" >/dev/null || { echo "setup failed"; exit 1; }
$TL players create --squad=1 --name="Crash Test" --group=back >/dev/null || exit 1
$TL complaints create --player=1 --side=left --onset=-3d --onset-kind=gradual --pain=3 >/dev/null || exit 1
: >"$WORK/acked_events"
: >"$WORK/acked_checkins"
: >"$WORK/pending"
: >"$WORK/pending_checkin"
opened_streams=0
n=0
round=1
while [ "$round" -le "$ROUNDS" ]; do
  # The write cut off by the last kill may or may not have been stored: retry it with the same
  # idempotency key, as an importer would; it must end up stored exactly once.
  if [ -s "$WORK/pending" ]; then
    key=$(cat "$WORK/pending")
    if $TL events record --player=1 --kind=tackle-made --at=-1h --key="$key" >/dev/null 2>&1; then
      echo "$key" >>"$WORK/acked_events"
      : >"$WORK/pending"
    fi
  fi
  if [ -s "$WORK/pending_checkin" ]; then
    read -r request note <"$WORK/pending_checkin"
    if $TL --request-id="$request" complaints check-in --complaint=1 --at=-30m --pain=2 \
        --note="$note" >/dev/null 2>&1; then
      echo "$note" >>"$WORK/acked_checkins"
      : >"$WORK/pending_checkin"
    fi
  fi
  # A watcher holding a WatchFlags stream open when the kill comes: its opening audit record must
  # survive the kill (a stream is audited before it sends anything).
  $TL flags watch --squad=1 >/dev/null 2>&1 &
  WATCHER=$!
  # Known open once its OPENED record is in the audit log (written before the stream sends anything).
  want=$((opened_streams + 1))
  for _ in $(seq 1 100); do
    n=$(audit_query "SELECT count(*) FROM audit_events WHERE outcome = 'OPENED' AND method = '/touchline.v1.FlagService/WatchFlags'" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge "$want" ] && break
    sleep 0.05
  done
  [ "${n:-0}" -ge "$want" ] && opened_streams=$want || fail "round $round: the watch stream was not audited as opened"
  # A writer that logs each write only after the server acknowledged it.
  (
    i=0
    while :; do
      i=$((i + 1))
      key="r${round}-e${i}"
      if $TL events record --player=1 --kind=tackle-made --at=-1h --key="$key" >/dev/null 2>&1; then
        echo "$key" >>"$WORK/acked_events"
      else
        echo "$key" >"$WORK/pending"
        exit 0
      fi
      if [ $((i % 3)) -eq 0 ]; then
        # Noted as pending before it is sent: a kill may cut it off at any point.
        echo "ci-r${round}-${i} c${round}-${i}" >"$WORK/pending_checkin"
        if $TL --request-id="ci-r${round}-${i}" complaints check-in --complaint=1 --at=-30m \
            --pain=2 --note="c${round}-${i}" >/dev/null 2>&1; then
          echo "c${round}-${i}" >>"$WORK/acked_checkins"
          : >"$WORK/pending_checkin"
        else
          exit 0
        fi
      fi
    done
  ) &
  WRITER=$!
  # Kill at a random point 0.2 - 1.2 s into the round.
  sleep "0.$(( $(od -An -N1 -tu1 /dev/urandom) % 10 + 2 ))"
  kill -9 "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
  kill -9 "$WATCHER" 2>/dev/null
  wait "$WATCHER" 2>/dev/null
  pkill -KILL -P "$WRITER" 2>/dev/null  # the CLI it is running too (it would retry by itself)
  kill "$WRITER" 2>/dev/null
  wait "$WRITER" 2>/dev/null

  if [ -z "$PG_FIXTURE" ]; then
    integrity=$(sqlite3 "$WORK/t.db" "PRAGMA integrity_check" 2>&1)
    [ "$integrity" = "ok" ] && PASS=$((PASS + 1)) || fail "round $round: integrity_check: $integrity"
    integrity=$(sqlite3 "$WORK/t.db.audit" "PRAGMA integrity_check" 2>&1)
    [ "$integrity" = "ok" ] && PASS=$((PASS + 1)) || fail "round $round: audit log integrity_check: $integrity"
  fi
  audited=$(audit_query "SELECT count(*) FROM audit_events WHERE outcome = 'OK' AND method = '/touchline.v1.ContactEventService/CreateContactEvent'" 2>&1)
  opened=$(audit_query "SELECT count(*) FROM audit_events WHERE outcome = 'OPENED' AND method = '/touchline.v1.FlagService/WatchFlags'" 2>&1)
  [ "$opened" -ge "$opened_streams" ] 2>/dev/null && PASS=$((PASS + 1)) ||
    fail "round $round: $opened WatchFlags streams audited as opened after the kill, $opened_streams seen open before it"
  acked=$(wc -l <"$WORK/acked_events")
  [ "$audited" -ge "$acked" ] 2>/dev/null && PASS=$((PASS + 1)) ||
    fail "round $round: $acked events acknowledged but $audited audited"

  start_server
  $TL --json events list --player=1 --page-size=1000 >"$WORK/events.json" 2>"$WORK/err" ||
    fail "round $round: list events: $(cat "$WORK/err")"
  missing=0
  while read -r key; do
    count=$(grep -c "\"idempotency_key\": \"$key\"" "$WORK/events.json")
    [ "$count" -eq 1 ] || { missing=$((missing + 1)); echo "  event $key stored $count times"; }
  done <"$WORK/acked_events"
  $TL --json complaints get --id=1 >"$WORK/complaint.json" 2>/dev/null
  while read -r note; do
    count=$(grep -c "\"note\": \"$note\"" "$WORK/complaint.json")
    [ "$count" -eq 1 ] || { missing=$((missing + 1)); echo "  check-in $note stored $count times"; }
  done <"$WORK/acked_checkins"
  # Whatever was cut off and retried: at most once.
  dup=$(grep -o '"note": "c[0-9]*-[0-9]*"' "$WORK/complaint.json" | sort | uniq -d | head -3)
  [ -z "$dup" ] || { missing=$((missing + 1)); echo "  check-ins stored twice: $dup"; }
  [ "$missing" -eq 0 ] && PASS=$((PASS + 1)) || fail "round $round: $missing acknowledged writes wrong"
  round=$((round + 1))
done
events=$(wc -l <"$WORK/acked_events")
checkins=$(wc -l <"$WORK/acked_checkins")
echo "crash_safety ($([ -n "$PG_FIXTURE" ] && echo PostgreSQL || echo SQLite)): $ROUNDS SIGKILLs, $events acknowledged events and $checkins check-ins (sent with request ids, retried after a kill) verified after each restart"
echo "crash_safety: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
