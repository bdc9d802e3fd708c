#!/bin/sh
# Moving a club from SQLite to PostgreSQL as an operator does it (docs/postgresql.md): a club kept
# by touchline-server on a SQLite file and written with the touchline CLI; the server stopped;
# touchline-move-club into a PostgreSQL; the server started on PostgreSQL with the SQLite club's
# token and pseudonym key files; the CLI reads every record back as it read them before (the
# analyst's pseudonyms and the audit trail included), and new records continue the ids.
#   move_club_end_to_end.sh SERVER CLI MOVE_CLUB TEST_POSTGRES_SERVER
set -u
. "$(dirname "$0")/../lib/server_port.sh"
. "$(dirname "$0")/../lib/checks.sh"
. "$(dirname "$0")/club_records.sh"
SERVER=$1
CLI=$2
MOVE=$3
PG=$4
WORK=$(mktemp -d)
PASS=0
FAIL=0
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; "$PG" stop "$WORK/postgres.conninfo" >/dev/null 2>&1; rm -rf "$WORK"' EXIT

contains() { if grep -q -- "$2" "$3"; then ok; else bad "$1: '$2' not in $3"; cat "$3"; fi; }
fails() {  # fails "description" EXPECTED-EXIT command...: must exit with that status
  desc=$1; want=$2; shift 2
  "$@" >"$WORK/out" 2>"$WORK/err"; rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "$desc: exit $rc, expected $want"; cat "$WORK/out" "$WORK/err"; fi
}

TOKEN="$WORK/club.db.token"

# ---- the club on SQLite, as it has been kept ----
start_server --db="$WORK/club.db"
write_club
"$SERVER" --db="$WORK/club.db" --add_token_user=ana.lyst --add_token_role=analyst \
  >"$WORK/analyst.token" 2>"$WORK/token.err" || { bad "analyst token"; cat "$WORK/token.err"; }
snapshot "$WORK/before"
contains "the analyst reads pseudonyms" '"player_pseudonym"' "$WORK/before/analyst-events"
sleep 1
CUTOFF=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1
check "audit trail on SQLite" $TL --json audit list --to="$CUTOFF"; cp "$WORK/out" "$WORK/before/audit"
contains "the audit trail has the writes" "CreateComplaint" "$WORK/before/audit"
stop_server

# ---- a PostgreSQL, and the move ----
"$PG" start "$WORK/postgres.conninfo" >"$WORK/pg.log" 2>&1 || { cat "$WORK/pg.log"; exit 1; }
CONNINFO=$(cat "$WORK/postgres.conninfo")
PG_PORT=$(echo "$CONNINFO" | sed -n 's/.*port=\([0-9]*\).*/\1/p')

fails "a password in --to is refused" 2 "$MOVE" --from="sqlite:$WORK/club.db" \
  --to="postgresql://touchline:secret@127.0.0.1:$PG_PORT/postgres" --to_schema=rugby_club
contains "says why" "password" "$WORK/err"
fails "a missing source is refused" 1 "$MOVE" --from="sqlite:$WORK/nowhere.db" \
  --to="postgresql:$CONNINFO" --to_schema=rugby_club
contains "names the missing file" "nowhere.db is missing" "$WORK/err"

check "move the club" "$MOVE" --from="sqlite:$WORK/club.db" --to="postgresql:$CONNINFO" --to_schema=rugby_club
cp "$WORK/out" "$WORK/move.out"
cat "$WORK/move.out"
contains "the report's header" "^table  *rows  *sha256  *ok" "$WORK/move.out"
COMPLAINTS=$(sqlite3 "$WORK/club.db" "SELECT count(*) FROM complaints")
contains "complaints proven" "^rugby_club.complaints  *$COMPLAINTS  *[0-9a-f]\{12\}  *ok" "$WORK/move.out"
contains "the audit log proven" "^rugby_club_audit.audit_events  *[0-9]*  *[0-9a-f]\{12\}  *ok" "$WORK/move.out"
contains "every table matches" "every table matches" "$WORK/move.out"
if grep -q MISMATCH "$WORK/move.out"; then bad "a table does not match"; else ok; fi
fails "a second move into the same schemas is refused" 1 "$MOVE" --from="sqlite:$WORK/club.db" \
  --to="postgresql:$CONNINFO" --to_schema=rugby_club
contains "says the target holds records" "already hold records" "$WORK/err"
check "the copy verifies again" "$MOVE" --from="sqlite:$WORK/club.db" --to="postgresql:$CONNINFO" \
  --to_schema=rugby_club --verify_only
contains "verify says so" "every table matches" "$WORK/out"

# ---- the server on PostgreSQL, with the SQLite club's token and pseudonym key ----
start_server --store="postgresql:$CONNINFO" --store_schema=rugby_club \
  --token_file="$WORK/club.db.token" --pseudonym_key_file="$WORK/club.db.pseudonym-key"
contains "the server runs on the schema" "database PostgreSQL schema rugby_club" "$WORK/server.log"
snapshot "$WORK/after"
check "audit trail on PostgreSQL" $TL --json audit list --to="$CUTOFF"; cp "$WORK/out" "$WORK/after/audit"
if diff -r "$WORK/before" "$WORK/after" >"$WORK/diff"; then ok; else bad "the club reads differently after the move:"; cat "$WORK/diff"; fi

# New records continue after the copied ids.
MAX_ID=$(sqlite3 "$WORK/club.db" "SELECT max(id) FROM complaints")
CREATED_BEFORE=$(grep -c '"/touchline.v1.ComplaintService/CreateComplaint"' "$WORK/before/audit")
check "a complaint after the move" $TL --json complaints create --player=3 --side=left --onset=-1d \
  --onset-kind=acute --mechanism=kicking --pain=6
contains "its id follows the copied ones" "\"id\": \"$((MAX_ID + 1))\"" "$WORK/out"
check "a squad after the move" $TL --json squads create --name="After the move"
contains "the squad's id follows the copied ones" '"id": "3"' "$WORK/out"
check "the new complaint is read back" $TL complaints get --id=$((MAX_ID + 1))
[ "$(sqlite3 "$WORK/club.db" "SELECT max(id) FROM complaints")" = "$MAX_ID" ] && ok ||
  bad "the new complaint went into the SQLite file"
check "the audit trail goes on" $TL --json audit list --method=/touchline.v1.ComplaintService/CreateComplaint
CREATED_AFTER=$(grep -c '"/touchline.v1.ComplaintService/CreateComplaint"' "$WORK/out")
[ "$CREATED_AFTER" -eq $((CREATED_BEFORE + 1)) ] && ok || {
  bad "CreateComplaint audited $CREATED_AFTER times, expected $CREATED_BEFORE before the move + 1"; cat "$WORK/out"; }
stop_server

# Once the club has moved on, the SQLite copy is history: verifying now names what differs.
fails "verify after the club moved on" 1 "$MOVE" --from="sqlite:$WORK/club.db" --to="postgresql:$CONNINFO" \
  --to_schema=rugby_club --verify_only
contains "names the changed table" "MISMATCH rugby_club.complaints: the source has [0-9]* rows, the target [0-9]*" "$WORK/out"

echo "move_club_end_to_end: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
