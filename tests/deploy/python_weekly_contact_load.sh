#!/bin/sh
# The Python client against the real server: seed a squad with a few contact events through the
# touchline CLI, run client/python/weekly_contact_load.py (generated stubs, python3-grpcio) as a
# physio and as an analyst, and check every number of the weekly table.
#   python_weekly_contact_load.sh SERVER CLI PYTHON SCRIPT STUBS_DIR
set -u
. "$(dirname "$0")/../lib/server_port.sh"
. "$(dirname "$0")/../lib/checks.sh"
SERVER=$1
CLI=$2
PYTHON=$3
SCRIPT=$4
export TOUCHLINE_PYTHON_STUBS=$5
WORK=$(mktemp -d)
PASS=0
FAIL=0
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
same() {  # same "description" expected-file actual-file
  if diff -u "$2" "$3"; then ok; else bad "$1"; fi
}

DB=$WORK/touchline.db
"$SERVER" --listen=127.0.0.1:0 --db="$DB" --synchronous=normal --plugin_path=none 2>"$WORK/server.log" &
SERVER_PID=$!
wait_for_port "$WORK/server.log"
TL="$CLI --server=127.0.0.1:$PORT --token-file=$DB.token"

check "squad" $TL squads create --name="Python XV"
check "player 1" $TL players create --squad=1 --name="Maro Itoje" --group=forward --position=lock
check "player 2" $TL players create --squad=1 --name="Ben Earl" --group=forward --position=flanker
check "other squad" $TL squads create --name="Other XV"
check "other player" $TL players create --squad=2 --name="Not Counted" --group=back

n=0
rec() {  # rec PLAYER KIND TIME
  n=$((n + 1))
  check "event $n" $TL events record --player="$1" --kind="$2" --at="$3" --key=py-$n
}
# Week of Monday 2025-03-03: Itoje 2 tackles made, 1 lineout lift; Earl 1 ruck.
rec 1 tackle-made 2025-03-03T10:00:00Z
rec 1 tackle-made 2025-03-09T23:59:00Z
rec 1 lineout-lift 2025-03-05T18:30:00Z
rec 2 ruck 2025-03-04T09:00:00Z
# Week of Monday 2025-03-10 (Monday 00:00 starts the new week): Itoje 1 tackle made; Earl 3 rucks.
rec 1 tackle-made 2025-03-10T00:00:00Z
rec 2 ruck 2025-03-11T10:00:00Z
rec 2 ruck 2025-03-12T10:00:00Z
rec 2 ruck 2025-03-16T20:00:00Z
# Another squad's event is not counted.
rec 3 scrum 2025-03-04T10:00:00Z

check "weekly table (csv)" "$PYTHON" "$SCRIPT" --server=127.0.0.1:$PORT --token-file="$DB.token" --squad=1 --csv
cp "$WORK/out" "$WORK/physio.csv"
cat >"$WORK/expected.csv" <<'CSV'
player,week,lineout-lift,ruck,tackle-made,total
Ben Earl,2025-03-03,0,1,0,1
Ben Earl,2025-03-10,0,3,0,3
Maro Itoje,2025-03-03,1,0,2,3
Maro Itoje,2025-03-10,0,0,1,1
CSV
same "weekly contact load by player and kind" "$WORK/expected.csv" "$WORK/physio.csv"

check "period filter" "$PYTHON" "$SCRIPT" --server=127.0.0.1:$PORT --token-file="$DB.token" --squad=1 --csv \
  --from=2025-03-10 --to=2025-03-17
cat >"$WORK/expected2.csv" <<'CSV'
player,week,ruck,tackle-made,total
Ben Earl,2025-03-10,3,0,3
Maro Itoje,2025-03-10,0,1,1
CSV
same "second week only" "$WORK/expected2.csv" "$WORK/out"

check "weekly table (text)" "$PYTHON" "$SCRIPT" --server=127.0.0.1:$PORT --token-file="$DB.token" --squad=1
grep -q "^Maro Itoje  2025-03-03 .* 1 .* 0 .* 2 .* 3$" "$WORK/out" && ok || { bad "text table row"; cat "$WORK/out"; }

# An analyst sees pseudonyms, never names, and the same numbers.
"$SERVER" --db="$DB" --add_token_user=analyst.ana --add_token_role=analyst >"$WORK/analyst.token" 2>"$WORK/issue.err" \
  && ok || { bad "issue analyst token"; cat "$WORK/issue.err"; }
check "analyst table" "$PYTHON" "$SCRIPT" --server=127.0.0.1:$PORT --token-file="$WORK/analyst.token" --squad=1 --csv
if grep -q "Itoje\|Earl" "$WORK/out"; then bad "analyst saw a name"; cat "$WORK/out"; else ok; fi
[ "$(grep -c '^P' "$WORK/out")" = 4 ] && ok || { bad "analyst rows are not 4 pseudonymous rows"; cat "$WORK/out"; }
sed 1d "$WORK/out" | cut -d, -f2- | sort >"$WORK/analyst.nums"
sed 1d "$WORK/expected.csv" | cut -d, -f2- | sort >"$WORK/expected.nums"
same "analyst numbers" "$WORK/expected.nums" "$WORK/analyst.nums"

# A bad token: a clear error and a non-zero exit.
echo "not-a-token" >"$WORK/bad.token"
if "$PYTHON" "$SCRIPT" --server=127.0.0.1:$PORT --token-file="$WORK/bad.token" --squad=1 >"$WORK/out" 2>"$WORK/err"; then
  bad "bad token accepted"; else grep -q UNAUTHENTICATED "$WORK/err" && ok || { bad "no UNAUTHENTICATED"; cat "$WORK/err"; }; fi

kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; SERVER_PID=""
echo "python_weekly_contact_load: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
