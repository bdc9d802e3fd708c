#!/bin/sh
# Backup and restore of a club on PostgreSQL with pg_dump and pg_restore, with exactly the commands
# of docs/postgresql.md: a server on PostgreSQL, records written with the CLI; the server stopped;
# pg_dump of the club's two schemas (-Fc); the schemas dropped (the club lost); pg_restore; the
# server started again reads every record back, the audit trail included, and new records
# continue the ids.
#   postgres_backup_restore.sh SERVER CLI TEST_POSTGRES_SERVER
# The PostgreSQL tools come from TOUCHLINE_PG_BINDIR, else /usr/lib/postgresql/15/bin.
set -u
. "$(dirname "$0")/../lib/server_port.sh"
. "$(dirname "$0")/../lib/checks.sh"
. "$(dirname "$0")/club_records.sh"
SERVER=$1
CLI=$2
PG=$3
PGBIN=${TOUCHLINE_PG_BINDIR:-/usr/lib/postgresql/15/bin}
WORK=$(mktemp -d)
PASS=0
FAIL=0
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; "$PG" stop "$WORK/postgres.conninfo" >/dev/null 2>&1; rm -rf "$WORK"' EXIT

contains() { if grep -q -- "$2" "$3"; then ok; else bad "$1: '$2' not in $3"; cat "$3"; fi; }

"$PG" start "$WORK/postgres.conninfo" >"$WORK/pg.log" 2>&1 || { cat "$WORK/pg.log"; exit 1; }
CONNINFO=$(cat "$WORK/postgres.conninfo")
STORE="postgresql:$CONNINFO"

TOKEN="$WORK/club.token"
start_on_postgres() {
  start_server --store="$STORE" --store_schema=rugby_club --token_file="$TOKEN" \
    --pseudonym_key_file="$WORK/club.pseudonym-key"
}
count() {  # count SQL: one number from psql
  "$PGBIN/psql" "$CONNINFO" -v ON_ERROR_STOP=1 -At -c "$1"
}

# ---- a club on PostgreSQL from its first start ----
start_on_postgres
[ -s "$WORK/club.token" ] && ok || { bad "no admin token written on first start"; cat "$WORK/server.log"; }
write_club
"$SERVER" --store="$STORE" --store_schema=rugby_club --add_token_user=ana.lyst --add_token_role=analyst \
  >"$WORK/analyst.token" 2>"$WORK/token.err" || { bad "analyst token"; cat "$WORK/token.err"; }
snapshot "$WORK/before"
sleep 1
CUTOFF=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1
check "audit trail" $TL --json audit list --to="$CUTOFF"; cp "$WORK/out" "$WORK/before/audit"
contains "the audit trail has the writes" "CreateComplaint" "$WORK/before/audit"
stop_server
EVENTS=$(count "SELECT count(*) FROM rugby_club_audit.audit_events")
COMPLAINTS=$(count "SELECT max(id) FROM rugby_club.complaints")

# ---- backup: both schemas, one consistent snapshot (pg_dump runs in one transaction) ----
check "pg_dump" "$PGBIN/pg_dump" --dbname="$CONNINFO" --schema=rugby_club --schema=rugby_club_audit \
  -Fc --file="$WORK/rugby_club.dump"
[ -s "$WORK/rugby_club.dump" ] && ok || bad "pg_dump wrote nothing"
check "pg_restore --list" "$PGBIN/pg_restore" --list "$WORK/rugby_club.dump"
contains "the dump holds the clinical schema" "SCHEMA - rugby_club " "$WORK/out"
contains "the dump holds the audit log's schema" "SCHEMA - rugby_club_audit " "$WORK/out"
contains "the dump holds the triggers" "TRIGGER rugby_club amendments amendments_no_update" "$WORK/out"

# ---- the club lost ----
check "drop the schemas" "$PGBIN/psql" "$CONNINFO" -v ON_ERROR_STOP=1 \
  -c "DROP SCHEMA rugby_club, rugby_club_audit CASCADE"
[ "$(count "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'rugby_club%'")" = 0 ] && ok ||
  bad "the schemas are still there"

# ---- restore, then the server on the restored club ----
check "pg_restore" "$PGBIN/pg_restore" --dbname="$CONNINFO" --exit-on-error "$WORK/rugby_club.dump"
[ "$(count "SELECT count(*) FROM rugby_club_audit.audit_events")" = "$EVENTS" ] && ok ||
  bad "the restored audit log does not hold the $EVENTS events backed up"
# The append-only triggers came back with the rows (pg_restore creates them after the data).
if "$PGBIN/psql" "$CONNINFO" -v ON_ERROR_STOP=1 -c "DELETE FROM rugby_club.amendments" >"$WORK/out" 2>&1; then
  bad "the restored amendments can be deleted"; else ok; fi
contains "refused by the append-only trigger" "append-only" "$WORK/out"

start_on_postgres
snapshot "$WORK/after"
check "audit trail after the restore" $TL --json audit list --to="$CUTOFF"; cp "$WORK/out" "$WORK/after/audit"
if diff -r "$WORK/before" "$WORK/after" >"$WORK/diff"; then ok; else
  bad "the club reads differently after the restore:"; cat "$WORK/diff"; fi
check "a complaint after the restore" $TL --json complaints create --player=3 --side=left --onset=-1d \
  --onset-kind=acute --mechanism=kicking --pain=6
contains "its id follows the restored ones" "\"id\": \"$((COMPLAINTS + 1))\"" "$WORK/out"
stop_server

echo "postgres_backup_restore: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
