#!/usr/bin/env bash
# Server instructions per call (valgrind's callgrind: counts instructions, not seconds, so the
# figures repeat whatever else the machine is doing): a gRPC health check against GetSquadReadiness
# on a kept board, for each role, on a 50-player and a 1,000-player squad. The server runs under
# callgrind with instrumentation off; each phase switches it on, zeroes the counters, sends N calls
# with h2load (outside valgrind, so only the server is counted), dumps and switches it off.
# Every readiness call is checked through the audit log (h2load does not read grpc-status).
# The "after a write" phases count only the first readiness call after each write about one player
# (a contact event recorded through the CLI with instrumentation off, its background work let
# settle): the board recomputes that player's row only (issue 24 item 3).
#
#   tests/benchmark/readiness_callgrind.sh [BUILD_DIR]     (default: build)
#   environment: N (calls per phase, 300), W (writes per "after a write" phase, 20), KEEP=1 keeps
#   the callgrind files for callgrind_annotate
set -euo pipefail

BUILD=$(cd "${1:-build}" && pwd)
SERVER="$BUILD/server/api/touchline-server"
CLI="$BUILD/client/touchline"
N=${N:-300}
W=${W:-20}
for tool in h2load valgrind callgrind_control python3; do
  command -v "$tool" >/dev/null || { echo "$tool not found (Debian: nghttp2-client, valgrind)"; exit 77; }
done

WORK=$(mktemp -d /tmp/touchline_callgrind_XXXXXX)
DB="$WORK/cg.db"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "${KEEP:-}" ]; then echo "kept: $WORK (callgrind_annotate its cg.out.*)"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Seed with a native server first (valgrind would take minutes for it), then restart under it.
start_native() {
  "$SERVER" --db="$DB" --listen=127.0.0.1:0 2>"$WORK/native.log" &
  SERVER_PID=$!
  for _ in $(seq 200); do
    PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$WORK/native.log" 2>/dev/null | head -1 || true)
    [ -n "$PORT" ] && [ -s "$DB.token" ] && return 0
    sleep 0.05
  done
  cat "$WORK/native.log"; exit 1
}
start_native
TL=("$CLI" --server="127.0.0.1:$PORT" --token-file="$DB.token")
"${TL[@]}" seed --players=50 --name="Fifty" >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log"; exit 1; }
"${TL[@]}" seed --players=1000 --name="Thousand" >>"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log"; exit 1; }
squad_id() { "${TL[@]}" squads list --json | python3 -c "
import json, sys
print(next(s['id'] for s in json.load(sys.stdin)['squads'] if s['name'] == '$1'))"; }
S50=$(squad_id Fifty)
S1000=$(squad_id Thousand)
kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
declare -A TOKEN
for role in physio coach analyst; do
  TOKEN[$role]=$("$SERVER" --db="$DB" --add_token_user="cg.$role" --add_token_role="$role" | head -1)
done

valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/cg.out.%p" \
  "$SERVER" --db="$DB" --listen=127.0.0.1:0 2>"$WORK/server.log" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1200); do
  PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$WORK/server.log" 2>/dev/null | head -1 || true)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "server did not start under valgrind:"; cat "$WORK/server.log"; exit 1; }

python3 - "$WORK" "$S50" "$S1000" <<'PY'
import struct, sys
work = sys.argv[1]
def frame(msg): return b"\x00" + struct.pack(">I", len(msg)) + msg
def varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        if n: out += bytes([b | 0x80])
        else: return out + bytes([b])
for name, squad in (("s50", int(sys.argv[2])), ("s1000", int(sys.argv[3]))):
    open(f"{work}/{name}.bin", "wb").write(frame(b"\x08" + varint(squad)))
open(f"{work}/health.bin", "wb").write(frame(b""))
PY
BASE="http://127.0.0.1:$PORT"
H=(-H 'content-type: application/grpc' -H 'te: trailers')
ok_count() {
  python3 -c "
import sqlite3, sys
db = sqlite3.connect('file:$DB.audit?mode=ro', uri=True)
print(db.execute(\"SELECT count(*) FROM audit_events WHERE method LIKE '%GetSquadReadiness' AND outcome = 'OK'\").fetchone()[0])"
}
calls() {  # calls KIND N [ROLE SQUAD]
  if [ "$1" = health ]; then
    h2load -n "$2" -c 1 -m 1 -t 1 -d "$WORK/health.bin" "${H[@]}" "$BASE/grpc.health.v1.Health/Check"
  else
    h2load -n "$2" -c 1 -m 1 -t 1 -d "$WORK/$4.bin" "${H[@]}" -H "authorization: Bearer ${TOKEN[$3]}" \
      "$BASE/touchline.v1.ReadinessService/GetSquadReadiness"
  fi >"$WORK/h2load.out"
  grep -q "requests: $2 total, $2 started, $2 done, $2 succeeded" "$WORK/h2load.out" \
    || { echo "h2load: not every call completed"; cat "$WORK/h2load.out"; exit 1; }
}
FAILED=0
phase() {  # phase LABEL KIND [ROLE SQUAD]: prints LABEL and instructions per call
  local before after total
  [ "$2" = readiness ] && calls readiness 2 "$3" "$4"  # the board (and this role's form) kept
  before=$([ "$2" = readiness ] && ok_count || echo 0)
  callgrind_control -i on "$SERVER_PID" >/dev/null
  callgrind_control -z "$SERVER_PID" >/dev/null
  calls "$2" "$N" "${3:-}" "${4:-}"
  callgrind_control -d "$LABEL_DUMP" "$SERVER_PID" >/dev/null
  callgrind_control -i off "$SERVER_PID" >/dev/null
  if [ "$2" = readiness ]; then
    after=$(ok_count)
    [ $((after - before)) -eq "$N" ] || { echo "error: $1: $((after - before)) OK of $N"; FAILED=1; }
  fi
  sleep 0.5  # the dump is written
  total=$(grep -h "^totals:" $(ls -t "$WORK/cg.out.$SERVER_PID".* | head -1) | awk "{print \$2}")
  echo "$1 $((total / N))"
}
# after_write LABEL ROLE: the first readiness call after each of W writes, against the same call
# with no write before it, in one Python client (one connection, so no connection set-up is
# counted; Debian's python3-grpcio, hence /usr/bin/python3): prints "LABEL-write" and
# "LABEL-kept1", instructions per call.
after_write() {
  local before after
  before=$(ok_count)
  /usr/bin/python3 - "$SERVER_PID" "$PORT" "${TOKEN[physio]}" "${TOKEN[$2]}" "$S50" "$W" "$1" \
      "$BUILD/client/python/gen" "$WORK" <<'PY'
import glob, os, subprocess, sys, time
pid, port, writer_token, reader_token, squad, w, label, stubs, work = sys.argv[1:]
sys.path.insert(0, stubs)
import grpc
from google.protobuf import timestamp_pb2
from touchline.v1 import contact_event_pb2 as ce, contact_event_pb2_grpc as ce_grpc
from touchline.v1 import readiness_pb2 as rd, readiness_pb2_grpc as rd_grpc
from touchline.v1 import squad_pb2 as sq, squad_pb2_grpc as sq_grpc
channel = grpc.insecure_channel(f"127.0.0.1:{port}")
write_md = (("authorization", f"Bearer {writer_token}"),)
read_md = (("authorization", f"Bearer {reader_token}"),)
players = [p.id for p in sq_grpc.PlayerServiceStub(channel).ListPlayers(
    sq.ListPlayersRequest(squad_id=int(squad), page_size=100), metadata=write_md).players]
events = ce_grpc.ContactEventServiceStub(channel)
board = rd_grpc.ReadinessServiceStub(channel)
request = rd.GetSquadReadinessRequest(squad_id=int(squad))
def callgrind(*args):
    subprocess.run(["callgrind_control", *args, pid], check=True, stdout=subprocess.DEVNULL)
def total(dump):
    path = max(glob.glob(f"{work}/cg.out.{pid}.*"), key=os.path.getmtime)
    for line in open(path):
        if line.startswith("totals:"):
            return int(line.split()[1])
def write(i):
    now = timestamp_pb2.Timestamp()
    now.GetCurrentTime()
    events.CreateContactEvent(ce.CreateContactEventRequest(contact_event=ce.ContactEvent(
        player_id=players[(i * 7) % len(players)], kind=ce.CONTACT_KIND_SCRUM,
        occur_time=now, source=ce.CONTACT_SOURCE_MANUAL, session_label=f"cg {i}",
        idempotency_key=f"cg-{label}-{i}-{time.time_ns()}")), metadata=write_md)
# Steady state: every reader connection has prepared the statements of this path once (they are
# kept prepared per connection), and the board and this role's form are kept.
for i in range(8):
    write(1000 + i)
    board.GetSquadReadiness(request, metadata=read_md)
for phase in ("write", "kept1"):
    callgrind("-z")
    for i in range(int(w)):
        if phase == "write":
            write(i)
        time.sleep(0.3)  # flag and protocol observers run after a write: not part of the read
        callgrind("-i", "on")
        board.GetSquadReadiness(request, metadata=read_md)
        callgrind("-i", "off")
    callgrind("-d", f"{label}-{phase}")
    time.sleep(0.5)
    print(f"{label}-{phase} {total(phase) // int(w)}")
PY
  after=$(ok_count)
  [ $((after - before)) -eq $((2 * W + 8)) ] || { echo "error: $1: $((after - before)) OK of $((2 * W + 8))"; FAILED=1; }
}
LABEL_DUMP=phase
RESULTS="$WORK/results"
{
  phase health health
  for role in physio coach analyst; do
    phase "$role-50" readiness "$role" s50
    phase "$role-1000" readiness "$role" s1000
    after_write "$role" "$role"
  done
  phase health-again health
} >"$RESULTS"
cat "$RESULTS" >&2
echo "readiness_callgrind: server instructions per call, $N calls per phase (callgrind, one caller)"
python3 - "$RESULTS" <<'PY'
import sys
v = dict((l.split()[0], int(l.split()[1])) for l in open(sys.argv[1]) if len(l.split()) == 2)
health = (v["health"] + v["health-again"]) / 2
print("%-10s %12s %10s %12s %10s %12s %14s %10s" % ("role", "50 players", "x health", "1000 players", "x health", "1000 / 50", "after a write", "x kept 1"))
print("%-10s %12d" % ("health", health))
for role in ("physio", "coach", "analyst"):
    a, b, w, k = v[f"{role}-50"], v[f"{role}-1000"], v[f"{role}-write"], v[f"{role}-kept1"]
    print("%-10s %12d %10.2f %12d %10.2f %12.2f %14d %10.2f" % (role, a, a / health, b, b / health, b / a, w, w / k))
print('"after a write": the first call after a contact event about one player of the 50 (one client')
print('connection, calls toggled one at a time); "x kept 1": against the same call, same client and')
print("toggling, with no write before it")
PY
[ "$FAILED" -eq 0 ]
