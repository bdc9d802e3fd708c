#!/bin/sh
# A corrupt or foreign database file is refused at start by the real touchline-server: non-zero
# exit within seconds, an error line naming the file and the reason, and the file left untouched.
# The same for the audit log (--audit_db): garbage, the database itself, another database's log,
# and a missing one (never recreated empty).
# Then a damaged page inside a real Touchline database: refused or served, but never a crash.
set -u
SERVER=$1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); }
fail() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

# refused <description> <file> <reason pattern> [server flags]: <file> is named in the error and
# left unchanged.
refused() {
  desc=$1; db=$2; reason=$3; shift 3
  before=$(sha256sum "$db" | cut -d' ' -f1)
  [ $# -gt 0 ] || set -- --db="$db"
  timeout 20 "$SERVER" --listen=127.0.0.1:0 "$@" --plugin_path=none >"$WORK/out" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || [ "$rc" -ge 128 ]; then
    fail "$desc: exit $rc (want a clean non-zero exit)"; cat "$WORK/out"; return
  fi
  ok
  grep -q "error: .*$db" "$WORK/out" && ok || { fail "$desc: message does not name $db:"; cat "$WORK/out"; }
  grep -qi -- "$reason" "$WORK/out" && ok || { fail "$desc: reason '$reason' not given:"; cat "$WORK/out"; }
  grep -q "started on" "$WORK/out" && fail "$desc: server started" || ok
  after=$(sha256sum "$db" | cut -d' ' -f1)
  [ "$before" = "$after" ] && ok || fail "$desc: the refused file was modified"
  echo "  $desc -> $(grep 'error:' "$WORK/out" | head -1)"
}

# Random bytes (not SQLite at all).
head -c 65536 /dev/urandom >"$WORK/random.db"
refused "random bytes" "$WORK/random.db" "not a SQLite database"

# A text file someone pointed --db at.
printf 'player,minutes\nsmith,80\n' >"$WORK/notes.db"
refused "text file" "$WORK/notes.db" "not a SQLite database"

# A SQLite database of another application (its own application_id).
sqlite3 "$WORK/foreign.db" "PRAGMA application_id = 1234; CREATE TABLE t(x); INSERT INTO t VALUES (1);"
refused "foreign application_id" "$WORK/foreign.db" "another application"

# A SQLite database without application_id but with someone else's tables.
sqlite3 "$WORK/other.db" "CREATE TABLE invoices(id INTEGER PRIMARY KEY, amount REAL); INSERT INTO invoices VALUES (1, 9.5);"
refused "foreign tables" "$WORK/other.db" "refusing to open"

# A Touchline database whose header was overwritten (corrupt header).
start_and_stop() {  # start_and_stop DB: a real database and its audit log, as a server leaves them
  "$SERVER" --listen=127.0.0.1:0 --db="$1" --plugin_path=none >"$WORK/out" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do grep -q "started on" "$WORK/out" && break; sleep 0.05; done
  kill -TERM "$pid"; wait "$pid"
}
start_and_stop "$WORK/real.db"
cp "$WORK/real.db" "$WORK/header.db"
printf 'garbage garbage garbage garbage!' | dd of="$WORK/header.db" bs=1 seek=0 conv=notrunc 2>/dev/null
refused "overwritten header" "$WORK/header.db" "not a SQLite database"

# A Touchline database from a newer build.
cp "$WORK/real.db" "$WORK/newer.db"
sqlite3 "$WORK/newer.db" "PRAGMA user_version = 9999"
refused "newer schema" "$WORK/newer.db" "upgrade Touchline"

# The audit log: garbage, the database itself, another database's log, a missing one.
head -c 65536 /dev/urandom >"$WORK/random.audit"
refused "audit log of random bytes" "$WORK/random.audit" "not a SQLite database" \
  --db="$WORK/real.db" --audit_db="$WORK/random.audit"
cp "$WORK/real.db" "$WORK/copy.db"
refused "the database as its own audit log" "$WORK/copy.db" "not a Touchline audit log" \
  --db="$WORK/real.db" --audit_db="$WORK/copy.db"
start_and_stop "$WORK/second.db"
refused "another database's audit log" "$WORK/second.db.audit" "audit log of another Touchline database" \
  --db="$WORK/real.db" --audit_db="$WORK/second.db.audit"
mv "$WORK/real.db.audit" "$WORK/real.db.audit.away"
refused "missing audit log" "$WORK/real.db" "is missing"
[ ! -e "$WORK/real.db.audit" ] && ok || fail "missing audit log: recreated"
mv "$WORK/real.db.audit.away" "$WORK/real.db.audit"
start_and_stop "$WORK/real.db"
grep -q "started on" "$WORK/out" && ok || { fail "real.db with its audit log back did not start:"; cat "$WORK/out"; }

echo "bad_database_file: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
