#!/bin/sh
# `touchline events import` from the outside (issue 16): a CSV with good rows, rows the CLI cannot
# read (an unknown kind, invalid UTF-8), a row the server refuses (an unknown player) and a row
# whose key is already stored with other content. Every row is sent; the good ones are stored;
# each refused one is listed once, with its row in the file and the server's index agreeing
# (index = row - 2 with a header); the exit status says some were refused; running it again
# stores nothing twice; nor does a file without keys (the CLI derives them).
# usage: csv_import.sh SERVER CLI
set -u
. "$(dirname "$0")/../lib/server_port.sh"
SERVER=$1
CLI=$2
PASS=0
FAIL=0
WORK=$(mktemp -d)
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/../lib/checks.sh"

"$SERVER" --listen=127.0.0.1:0 --db="$WORK/t.db" --plugin_path=none 2>"$WORK/server.log" &
SERVER_PID=$!
wait_for_port "$WORK/server.log"
TL="$CLI --server=127.0.0.1:$PORT --token-file=$WORK/t.db.token"
$TL squads create --name="Import XV" >/dev/null || { echo "setup failed"; exit 1; }
$TL players create --squad=1 --name="Ana Row" --group=back >/dev/null || exit 1
$TL events record --player=1 --kind=scrum --at=2026-11-01T10:00:00Z --key=taken >/dev/null || exit 1

{
  echo "player_id,kind,occurred_at,awkward,idempotency_key,note"
  echo "1,tackle-made,2026-11-02T10:00:00Z,false,good-1,"            # row 2
  echo "1,hug,2026-11-02T10:01:00Z,false,bad-kind,"                  # row 3: the CLI cannot read it
  echo "1,ruck,2026-11-02T10:02:00Z,true,good-2,"                    # row 4
  printf '1,ruck,2026-11-02T10:03:00Z,false,bad-utf8,caf\351\n'      # row 5: not UTF-8
  echo "99,scrum,2026-11-02T10:04:00Z,false,no-player,"              # row 6: the server refuses
  echo "1,ruck,2026-11-02T10:05:00Z,false,taken,"                    # row 7: key taken, other event
  echo "1,lineout-landing,2026-11-02T10:06:00Z,true,good-3,landed"   # row 8
} >"$WORK/events.csv"

$TL events import --file="$WORK/events.csv" >"$WORK/out" 2>&1
rc=$?
cat "$WORK/out"
if [ "$rc" -eq 1 ]; then ok; else bad "exit status $rc, expected 1 (rows were refused)"; fi
if grep -q "^received 7, stored 3, duplicates 0, rejected 4$" "$WORK/out"; then ok; else bad "counts"; fi
# Each refused row once, ROW and INDEX agreeing.
for expect in "3 1 csv-record-3 .*kind" "5 3 csv-record-5 .*UTF-8" "6 4 no-player .*" \
    "7 5 taken .*ALREADY_EXISTS"; do
  if grep -Eq "^$(echo "$expect" | sed 's/ /  */g')" "$WORK/out"; then ok; else bad "no line: $expect"; fi
done
lines=$(grep -Ec '^[0-9]+ +[0-9]+ ' "$WORK/out")
if [ "$lines" -eq 4 ]; then ok; else bad "$lines refused rows listed, expected 4"; fi

$TL --json events list --player=1 --page-size=100 >"$WORK/list.json" || bad "events list failed"
for key in good-1 good-2 good-3 taken; do
  n=$(grep -c "\"idempotency_key\": \"$key\"" "$WORK/list.json")
  if [ "$n" -eq 1 ]; then ok; else bad "$key stored $n times"; fi
done
total=$(grep -c '"idempotency_key"' "$WORK/list.json")
if [ "$total" -eq 4 ]; then ok; else bad "$total events stored, expected 4"; fi

# Again: nothing stored twice.
$TL events import --file="$WORK/events.csv" >"$WORK/again" 2>&1
if grep -q "^received 7, stored 0, duplicates 3, rejected 4$" "$WORK/again"; then ok; else
  bad "second import: $(head -1 "$WORK/again")"
fi

# Without keys (as a wearable or spreadsheet export gives them): the CLI derives each row's key
# from its content, so the same file again stores nothing, two identical rows are two events, and
# rows added to the file later are the only ones stored then.
{
  echo "player_id,kind,occurred_at,awkward,source,session_label"
  echo "1,tackle-made,2026-11-03T10:00:00Z,false,wearable,match"
  echo "1,tackle-made,2026-11-03T10:00:00Z,false,wearable,match"
  echo "1,ruck,2026-11-03T10:01:00Z,true,wearable,match"
} >"$WORK/keyless.csv"
$TL events import --file="$WORK/keyless.csv" >"$WORK/k1" 2>&1
if grep -q "^received 3, stored 3, duplicates 0, rejected 0$" "$WORK/k1"; then ok; else bad "keyless: $(head -1 "$WORK/k1")"; fi
$TL events import --file="$WORK/keyless.csv" >"$WORK/k2" 2>&1
if grep -q "^received 3, stored 0, duplicates 3, rejected 0$" "$WORK/k2"; then ok; else
  bad "keyless again: $(head -1 "$WORK/k2")"
fi
echo "1,maul,2026-11-03T10:02:00Z,false,wearable,match" >>"$WORK/keyless.csv"
$TL events import --file="$WORK/keyless.csv" >"$WORK/k3" 2>&1
if grep -q "^received 4, stored 1, duplicates 3, rejected 0$" "$WORK/k3"; then ok; else
  bad "keyless with a row added: $(head -1 "$WORK/k3")"
fi
$TL --json events list --player=1 --page-size=100 >"$WORK/list2.json" || bad "events list failed"
derived=$(grep -c '"idempotency_key": "csv-20261103T10' "$WORK/list2.json")
if [ "$derived" -eq 4 ]; then ok; else bad "$derived events under derived keys, expected 4"; fi

# The same file on standard input (read whole rather than a block at a time): the same keys.
$TL events import --file=- <"$WORK/keyless.csv" >"$WORK/k4" 2>&1
if grep -q "^received 4, stored 0, duplicates 4, rejected 0$" "$WORK/k4"; then ok; else
  bad "keyless from stdin: $(head -1 "$WORK/k4")"
fi
# A quote never closed would swallow every row after it: the file is refused, nothing is sent.
{
  echo "player_id,kind,occurred_at,note"
  echo "1,scrum,2026-11-04T10:00:00Z,fine"
  echo "1,scrum,2026-11-04T10:01:00Z,\"never closed"
  echo "1,scrum,2026-11-04T10:02:00Z,fine"
} >"$WORK/open-quote.csv"
$TL events import --file="$WORK/open-quote.csv" >"$WORK/q" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "unterminated quoted field" "$WORK/q"; then ok; else
  bad "open quote: exit $rc, $(head -1 "$WORK/q")"
fi
$TL --json events list --player=1 --page-size=100 >"$WORK/list3.json" || bad "events list failed"
if ! grep -q "2026-11-04" "$WORK/list3.json"; then ok; else bad "a row of the refused file was stored"; fi

echo "csv_import: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
