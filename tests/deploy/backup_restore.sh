#!/bin/sh
# Online backup and restore: back up a live server's database and its audit log with
# touchline-backup while a writer records contact events, check the copies (PRAGMA
# integrity_check), restore them into a new path the documented way (copy both in place, start),
# start a server on them and find the data and its audit trail. A database restored without its
# audit log is refused, not started with an empty one.
#   backup_restore.sh SERVER CLI BACKUP
set -u
. "$(dirname "$0")/../lib/server_port.sh"
. "$(dirname "$0")/../lib/checks.sh"
SERVER=$1
CLI=$2
BACKUP=$3
WORK=$(mktemp -d)
PASS=0
FAIL=0
SERVER_PID=""
WRITER_PID=""
trap '[ -n "$WRITER_PID" ] && kill "$WRITER_PID" 2>/dev/null; [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

contains() { if grep -q -- "$2" "$3"; then ok; else bad "$1: '$2' not in $3"; cat "$3"; fi; }

start_server() {  # start_server DB
  : >"$WORK/server.log"
  "$SERVER" --listen=127.0.0.1:0 --db="$1" --synchronous=normal --plugin_path=none \
    2>"$WORK/server.log" &
  SERVER_PID=$!
  wait_for_port "$WORK/server.log"
  TL="$CLI --server=127.0.0.1:$PORT --token-file=$WORK/live.db.token"
}
stop_server() {
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; rc=$?; SERVER_PID=""
  [ "$rc" -eq 0 ] && ok || bad "server exit $rc on SIGTERM"
}

start_server "$WORK/live.db"
check "create squad" $TL squads create --name="Backup XV"
check "create player" $TL players create --squad=1 --name="Ellis Genge" --group=forward --position="loosehead prop"
for i in 1 2 3 4 5; do
  check "record event $i" $TL events record --player=1 --kind=scrum --at=-${i}d --key=before-$i
done

# A writer keeps recording while the backup runs.
( i=0; while :; do i=$((i + 1)); $TL events record --player=1 --kind=tackle-made --at=-1h --key=during-$i >/dev/null 2>&1; done ) &
WRITER_PID=$!
sleep 1
check "online backup while writing" "$BACKUP" --db="$WORK/live.db" --backup_to="$WORK/backup.db"
contains "backup reports integrity ok" "integrity_check ok" "$WORK/out"
contains "backup copies the audit log" "audit log $WORK/live.db.audit written to $WORK/backup.db.audit" "$WORK/out"
sleep 0.5
kill "$WRITER_PID"; wait "$WRITER_PID" 2>/dev/null; WRITER_PID=""

# The server kept serving: writes after the backup still succeed.
check "write after backup" $TL events record --player=1 --kind=fall --at=-1m --key=after-1
if "$BACKUP" --db="$WORK/live.db" --backup_to="$WORK/backup.db" >/dev/null 2>&1; then
  bad "backup overwrote an existing file"; else ok; fi
if "$BACKUP" --db="$WORK/missing.db" --backup_to="$WORK/x.db" >/dev/null 2>&1; then
  bad "backup of a missing database succeeded"; else ok; fi
stop_server

for f in backup.db backup.db.audit; do
  [ "$(stat -c %a "$WORK/$f")" = "600" ] && ok || bad "$f mode is not 0600"
  IC=$(sqlite3 "$WORK/$f" "PRAGMA integrity_check")
  [ "$IC" = "ok" ] && ok || bad "integrity_check of $f: $IC"
done
AUDITED=$(sqlite3 "$WORK/backup.db.audit" "SELECT count(*) FROM audit_events WHERE method = '/touchline.v1.ContactEventService/CreateContactEvent'")
[ "$AUDITED" -ge 6 ] && ok || bad "the audit log backup holds $AUDITED contact event calls, not at least 6"
BEFORE=$(sqlite3 "$WORK/backup.db" "SELECT count(*) FROM contact_events WHERE idempotency_key LIKE 'before-%'")
DURING=$(sqlite3 "$WORK/backup.db" "SELECT count(*) FROM contact_events WHERE idempotency_key LIKE 'during-%'")
AFTER=$(sqlite3 "$WORK/backup.db" "SELECT count(*) FROM contact_events WHERE idempotency_key LIKE 'after-%'")
[ "$BEFORE" = 5 ] && ok || bad "backup has $BEFORE of the 5 events written before it"
[ "$DURING" -ge 1 ] && ok || bad "backup has none of the events written while it ran"
[ "$AFTER" = 0 ] && ok || bad "backup has events written after it"
echo "backup holds 5 earlier events and $DURING recorded while it ran"

# An audit log kept elsewhere (the server's --audit_db) must be named: a backup without it is
# refused and leaves nothing; named, both files are written.
mv "$WORK/live.db.audit" "$WORK/elsewhere.audit"
if "$BACKUP" --db="$WORK/live.db" --backup_to="$WORK/second.db" >"$WORK/out" 2>&1; then
  bad "backup without the audit log kept elsewhere succeeded"; else ok; fi
contains "backup names --audit_db" "name it with" "$WORK/out"
[ ! -e "$WORK/second.db" ] && ok || bad "a refused backup left $WORK/second.db"
check "backup with --audit_db" "$BACKUP" --db="$WORK/live.db" --backup_to="$WORK/second.db" --audit_db="$WORK/elsewhere.audit"
[ -e "$WORK/second.db.audit" ] && ok || bad "no second.db.audit"

# Restoring the database alone is refused: its audit log would start again empty.
mkdir -p "$WORK/restored"
cp "$WORK/backup.db" "$WORK/restored/touchline.db"
if "$SERVER" --listen=127.0.0.1:0 --db="$WORK/restored/touchline.db" --plugin_path=none \
  >"$WORK/out" 2>&1; then bad "server started on a database restored without its audit log"; else ok; fi
contains "refusal names the missing audit log" "audit log of $WORK/restored/touchline.db is missing" "$WORK/out"
[ ! -e "$WORK/restored/touchline.db.audit" ] && ok || bad "the refused start created an audit log"

# Restore, as documented: (server stopped) copy both files in place, remove stale -wal/-shm, start.
cp "$WORK/backup.db.audit" "$WORK/restored/touchline.db.audit"
rm -f "$WORK/restored/touchline.db-wal" "$WORK/restored/touchline.db-shm" \
  "$WORK/restored/touchline.db.audit-wal" "$WORK/restored/touchline.db.audit-shm"
start_server "$WORK/restored/touchline.db"
# Tokens live in the database (hashed): the live server's admin token works on the restored one.
[ ! -e "$WORK/restored/touchline.db.token" ] && ok || bad "restored server issued a new bootstrap token"
check "restored: squad" $TL squads get --id=1
contains "restored squad name" "Backup XV" "$WORK/out"
check "restored: events" $TL --json events list --squad=1 --page-size=1000
contains "restored earlier event" '"before-5"' "$WORK/out"
contains "restored event recorded during the backup" '"during-1"' "$WORK/out"
if grep -q '"after-1"' "$WORK/out"; then bad "restored database has an event from after the backup"; else ok; fi
check "restored server accepts writes" $TL events record --player=1 --kind=ruck --at=-1m --key=restored-1
check "restored: audit trail" $TL --json audit list --method=/touchline.v1.ContactEventService/CreateContactEvent --page-size=1000
RESTORED_AUDIT=$(grep -c '"method"' "$WORK/out")
[ "$RESTORED_AUDIT" -eq $((AUDITED + 1)) ] && ok || bad "restored audit trail lists $RESTORED_AUDIT contact event calls, expected the backup's $AUDITED and the one after restore"
stop_server
IC=$(sqlite3 "$WORK/restored/touchline.db" "PRAGMA integrity_check")
[ "$IC" = "ok" ] && ok || bad "integrity_check after restore: $IC"

echo "backup_restore: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
