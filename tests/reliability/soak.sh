#!/bin/sh
# Soak: start touchline-server, run soak_client (CLIENTS concurrent clients mixing reads and writes
# for SECONDS, the server's memory sampled every SAMPLE seconds), then check the server stops
# cleanly and the database is intact. MAX_GROWTH_KIB (0 = report only) bounds the RSS growth from
# the end of the WARMUP seconds to the end of the run (see soak_client.cc).
#   soak.sh SERVER SOAK_CLIENT [CLIENTS=64] [SECONDS=10] [MAX_GROWTH_KIB=0] [WARMUP=10] [SAMPLE=10]
#           [EXTRA SERVER FLAGS, one word each]
set -u
. "$(dirname "$0")/../lib/server_port.sh"
SERVER=$1
CLIENT=$2
CLIENTS=${3:-64}
SECONDS_=${4:-10}
MAX_GROWTH_KIB=${5:-0}
WARMUP=${6:-10}
SAMPLE=${7:-10}
if [ $# -ge 7 ]; then shift 7; else set --; fi
WORK=$(mktemp -d)
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
"$SERVER" --listen=127.0.0.1:0 --db="$WORK/t.db" --plugin_path=none "$@" 2>"$WORK/server.log" &
SERVER_PID=$!
wait_for_port "$WORK/server.log"
"$CLIENT" "127.0.0.1:$PORT" "$(head -1 "$WORK/t.db.token")" "$SERVER_PID" "$CLIENTS" "$SECONDS_" "$MAX_GROWTH_KIB" \
  "$WARMUP" "$SAMPLE" "$WORK/t.db"
rc=$?
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; src=$?; SERVER_PID=""
[ "$src" -eq 0 ] || { echo "FAIL: server exit $src after the soak"; tail -5 "$WORK/server.log"; rc=1; }
integrity=$(sqlite3 "$WORK/t.db" "PRAGMA integrity_check" 2>&1)
[ "$integrity" = "ok" ] || { echo "FAIL: integrity_check: $integrity"; rc=1; }
exit $rc
