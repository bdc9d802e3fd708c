#!/bin/sh
# Soak: start touchline-server, run soak_client (CLIENTS concurrent clients mixing reads and writes
# for SECONDS), then check the server still answers and stops cleanly. Locally: soak.sh SERVER
# SOAK_CLIENT 64 60; CI runs 64 clients for 10 s.
set -u
SERVER=$1
CLIENT=$2
CLIENTS=${3:-64}
SECONDS_=${4:-10}
MAX_GROWTH_KIB=${5:-0}
WORK=$(mktemp -d)
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
"$SERVER" --listen=127.0.0.1:0 --db="$WORK/t.db" --plugin_path=none 2>"$WORK/server.log" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/.*started on .*(port \([0-9]*\)).*/\1/p' "$WORK/server.log")
  [ -n "$PORT" ] && break
  sleep 0.05
done
[ -n "$PORT" ] || { echo "server did not start:"; cat "$WORK/server.log"; exit 1; }
"$CLIENT" "127.0.0.1:$PORT" "$(head -1 "$WORK/t.db.token")" "$SERVER_PID" "$CLIENTS" "$SECONDS_" "$MAX_GROWTH_KIB"
rc=$?
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; src=$?; SERVER_PID=""
[ "$src" -eq 0 ] || { echo "FAIL: server exit $src after the soak"; tail -5 "$WORK/server.log"; rc=1; }
integrity=$(sqlite3 "$WORK/t.db" "PRAGMA integrity_check" 2>&1)
[ "$integrity" = "ok" ] || { echo "FAIL: integrity_check: $integrity"; rc=1; }
exit $rc
