#!/usr/bin/env bash
# GetSquadReadiness against the gRPC health check on one touchline-server, driven by h2load
# (Debian nghttp2-client), which costs the machine far less per call than a gRPC client does.
# Per level (callers = h2load connections, one stream each, as the bench's callers are), rounds
# alternate health and readiness; each round sends a fixed number of requests, and the ratio of
# the two rates is taken within the round. Prints medians and min-max over rounds. Asserts nothing
# about speed: it fails only when a call did not answer OK.
#
# h2load counts an HTTP 200 as success, but gRPC answers 200 with its status in a trailer that
# h2load neither checks nor prints, so every call is checked here instead:
#   - readiness: every call leaves an audit record with its outcome (the server writes it before
#     the answer leaves); a round passes when the audit log gained exactly as many OK records for
#     GetSquadReadiness as the round sent, and no other outcome.
#   - health: an OK answer carries the 7-byte message SERVING (5-byte gRPC frame header + 08 01);
#     an error answer carries no message. A round passes when h2load received exactly 7 bytes of
#     data per request sent.
#
#   tests/benchmark/readiness_h2load.sh [BUILD_DIR]        (default: build)
#   environment: ROUNDS (3), LEVELS ("16 64"), READY_N (20000), HEALTH_N (40000), ROLE (physio),
#                QUICK=1 (one round of a few hundred calls at 16 callers: the ctest smoke run)
set -euo pipefail

BUILD=$(cd "${1:-build}" && pwd)
SERVER="$BUILD/server/api/touchline-server"
CLI="$BUILD/client/touchline"
ROUNDS=${ROUNDS:-3}
LEVELS=${LEVELS:-"16 64"}
READY_N=${READY_N:-20000}
HEALTH_N=${HEALTH_N:-40000}
ROLE=${ROLE:-physio}
if [ "${QUICK:-0}" = 1 ]; then ROUNDS=1 LEVELS=16 READY_N=320 HEALTH_N=320; fi

if ! command -v h2load >/dev/null 2>&1; then
  echo "h2load not found (Debian: apt-get install nghttp2-client); skipped"
  exit 77
fi
for bin in "$SERVER" "$CLI"; do
  [ -x "$bin" ] || { echo "missing $bin (build touchline-server and touchline)"; exit 2; }
done

WORK=$(mktemp -d /tmp/touchline_h2load_XXXXXX)
DB="$WORK/h2load.db"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# The server picks its own port and logs it.
"$SERVER" --db="$DB" --listen=127.0.0.1:0 --max_calls_per_user=128 2>"$WORK/server.log" &
SERVER_PID=$!
PORT=""
for _ in $(seq 200); do
  PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$WORK/server.log" 2>/dev/null | head -1 || true)
  [ -n "$PORT" ] && [ -s "$DB.token" ] && break
  sleep 0.05
done
[ -n "$PORT" ] || { echo "touchline-server did not start:"; cat "$WORK/server.log"; exit 1; }
TL=("$CLI" --server="127.0.0.1:$PORT" --token-file="$DB.token")
for _ in $(seq 100); do "${TL[@]}" squads list >/dev/null 2>&1 && break; sleep 0.05; done

# A 50-player squad with a season of contacts and complaints (touchline seed), and a token for ROLE.
"${TL[@]}" seed --players=50 >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log"; exit 1; }
SQUAD=$("${TL[@]}" squads list --json | python3 -c '
import json, sys
squads = json.load(sys.stdin)["squads"]
print(next(s["id"] for s in squads if s["name"] == "First XV"))')
"$SERVER" --db="$DB" --add_token_user="bench.$ROLE" --add_token_role="$ROLE" >"$WORK/role.token" 2>"$WORK/issue.err" \
  || { cat "$WORK/issue.err"; exit 1; }
TOKEN=$(head -1 "$WORK/role.token")

# Request bodies: one gRPC frame each (flag 0, 4-byte big-endian length, the message).
# The audited floor: the same call on a squad without players (token, limits, handler, durable
# audit record; no board).
EMPTY=$("${TL[@]}" squads create --name="Empty XV" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["squad"]["id"])')
python3 - "$WORK" "$SQUAD" "$EMPTY" <<'PY'
import struct, sys
work, squad, empty = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])
def frame(msg):
    return b"\x00" + struct.pack(">I", len(msg)) + msg
open(f"{work}/ready.bin", "wb").write(frame(b"\x08" + varint(squad)))  # GetSquadReadinessRequest{squad_id}
open(f"{work}/health.bin", "wb").write(frame(b""))                     # HealthCheckRequest{}
open(f"{work}/floor.bin", "wb").write(frame(b"\x08" + varint(empty)))  # the squad without players
PY

BASE="http://127.0.0.1:$PORT"
HEADERS=(-H 'content-type: application/grpc' -H 'te: trailers')
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
audit_count() {  # $1: outcome test, e.g. "= 'OK'"; $2: method suffix (GetSquadReadiness)
  python3 - "$DB.audit" "$1" "${2:-GetSquadReadiness}" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(db.execute("SELECT count(*) FROM audit_events WHERE method LIKE ? AND outcome "
                 + sys.argv[2], ("%/" + sys.argv[3],)).fetchone()[0])
PY
}
FAILURES="$WORK/failures"
: >"$FAILURES"
# run KIND CALLERS N: prints "rate server_us_per_call", checks every answer. KIND: readiness,
# health, or floor (readiness of the squad without players: the least an audited call costs).
run() {
  local kind=$1 c=$2 n=$3 out ok0 bad0 ok1 bad1 t0 t1 rate data method
  method=GetSquadReadiness
  if [ "$kind" != health ]; then ok0=$(audit_count "= 'OK'" $method); bad0=$(audit_count "!= 'OK'" $method); fi
  t0=$(cpu_ticks)
  if [ "$kind" = readiness ]; then
    out=$(h2load -n "$n" -c "$c" -m 1 -t 1 -d "$WORK/ready.bin" "${HEADERS[@]}" \
      -H "authorization: Bearer $TOKEN" "$BASE/touchline.v1.ReadinessService/GetSquadReadiness")
  elif [ "$kind" = floor ]; then
    out=$(h2load -n "$n" -c "$c" -m 1 -t 1 -d "$WORK/floor.bin" "${HEADERS[@]}" \
      -H "authorization: Bearer $TOKEN" "$BASE/touchline.v1.ReadinessService/GetSquadReadiness")
  else
    out=$(h2load -n "$n" -c "$c" -m 1 -t 1 -d "$WORK/health.bin" "${HEADERS[@]}" \
      "$BASE/grpc.health.v1.Health/Check")
  fi
  t1=$(cpu_ticks)
  rate=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
  data=$(sed -n 's/^traffic: .*(\([0-9]*\)) data.*/\1/p' <<<"$out")
  if ! grep -q "requests: $n total, $n started, $n done, $n succeeded, 0 failed, 0 errored" <<<"$out"; then
    echo "error: $kind at $c callers: h2load did not complete every request:" >&2
    grep '^requests:' <<<"$out" >&2
    echo "$kind $c" >>"$FAILURES"
  fi
  if [ "$kind" != health ]; then
    ok1=$(audit_count "= 'OK'" $method); bad1=$(audit_count "!= 'OK'" $method)
    if [ $((ok1 - ok0)) -ne "$n" ] || [ $((bad1 - bad0)) -ne 0 ]; then
      echo "error: $kind at $c callers: $n sent, audit log: $((ok1 - ok0)) OK, $((bad1 - bad0)) not OK" >&2
      echo "$kind $c" >>"$FAILURES"
    fi
  elif [ "$data" != $((7 * n)) ]; then
    echo "error: health at $c callers: $data bytes of answers for $n calls (7 each when SERVING)" >&2
    echo "$kind $c" >>"$FAILURES"
  fi
  python3 -c "import sys; print(sys.argv[1], (int(sys.argv[3]) - int(sys.argv[2])) / $(getconf CLK_TCK) * 1e6 / $n)" \
    "${rate:-0}" "$t0" "$t1"
}

# Warm-up: the board is computed once and kept; connections and caches settle.
run readiness 16 $((READY_N / 10 + 16)) >/dev/null
run health 16 $((HEALTH_N / 10 + 16)) >/dev/null

RESULTS="$WORK/results"
: >"$RESULTS"
for c in $LEVELS; do
  for r in $(seq "$ROUNDS"); do
    # Alternate which goes first, so neither always follows a quiet moment.
    if [ $((r % 2)) -eq 1 ]; then order="health readiness floor"; else order="floor readiness health"; fi
    for kind in $order; do
      if [ "$kind" = health ]; then n=$HEALTH_N; else n=$READY_N; fi
      echo "$c $r $kind $(run "$kind" "$c" "$n")" >>"$RESULTS"
    done
  done
done

echo "readiness_h2load: squad of 50 ($ROLE token), $ROUNDS rounds per level, $READY_N readiness and $HEALTH_N health calls a round, $(nproc) cores"
python3 - "$RESULTS" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    c, r, kind, rate, us = line.split()
    rows[(int(c), int(r))][kind] = (float(rate), float(us))
def med(v): return statistics.median(v)
def spread(v, f="%.2f"): return (f + "-" + f) % (min(v), max(v))
print("%-8s %12s %13s %12s %13s %7s %11s %10s %10s %10s %9s" % ("callers", "readiness/s", "min-max", "health/s",
      "min-max", "ratio", "min-max", "srv us rd", "srv us hc", "srv us fl", "rd/floor"))
for c in sorted({c for c, _ in rows}):
    rs = [v for (cc, _), v in sorted(rows.items()) if cc == c]
    rd = [v["readiness"][0] for v in rs]; hc = [v["health"][0] for v in rs]
    ratio = [v["readiness"][0] / v["health"][0] for v in rs]
    fl = [v["floor"][0] for v in rs]
    print("%-8d %12.0f %13s %12.0f %13s %7.2f %11s %10.0f %10.0f %10.0f %9.2f" % (
        c, med(rd), spread(rd, "%.0f"), med(hc), spread(hc, "%.0f"), med(ratio), spread(ratio),
        med([v["readiness"][1] for v in rs]), med([v["health"][1] for v in rs]),
        med([v["floor"][1] for v in rs]), med([a / b for a, b in zip(rd, fl)])))
PY
failures=$(wc -l <"$FAILURES")
echo "rounds with a call not answered OK: $failures"
[ "$failures" -eq 0 ]
