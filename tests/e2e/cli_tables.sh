#!/bin/sh
# The CLI's tables on the real server (issue 17 item 4): an analyst reads pseudonyms, never "#0";
# the readiness board has an ID column; flags list shows who acknowledged; an empty list says so.
set -u
. "$(dirname "$0")/../lib/server_port.sh"
. "$(dirname "$0")/../lib/checks.sh"
SERVER=$1
CLI=$2
WORK=$(mktemp -d)
PASS=0
FAIL=0
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

contains() {  # contains "description" pattern file
  if grep -q -- "$2" "$3"; then ok; else bad "$1: '$2' not in $3:"; cat "$3"; fi
}
lacks() {  # lacks "description" pattern file
  if grep -q -- "$2" "$3"; then bad "$1: '$2' in $3:"; cat "$3"; else ok; fi
}

"$SERVER" --listen=127.0.0.1:0 --db="$WORK/touchline.db" --synchronous=normal 2>"$WORK/server.log" &
SERVER_PID=$!
wait_for_port "$WORK/server.log"
TL="$CLI --server=127.0.0.1:$PORT --token-file=$WORK/touchline.db.token"

check "squad" $TL squads create --name="Tables XV"
check "player" $TL players create --squad=1 --name="Marcus Smith" --group=back
check "event" $TL events record --player=1 --kind=lineout-landing --at=-20d --awkward --key=t-1
check "complaint" $TL complaints create --player=1 --side=right --onset=-50d --onset-kind=gradual --pain=4
check "empty squad" $TL squads create --name="Empty XV"

check "readiness (physio)" $TL readiness get --squad=1
contains "readiness has an ID column" "^ID  NAME" "$WORK/out"
contains "readiness row has id and name" "^1   Marcus Smith" "$WORK/out"

check "flags before ack" $TL flags list --squad=1
contains "flags list has ACK" "ACK" "$WORK/out"
check "ack" $TL flags ack --player=1 --kind=persistent --complaint=1 --note="seen"
check "flags after ack" $TL flags list --squad=1
contains "ACK names who" "local-admin [0-9]" "$WORK/out"

check "empty events" $TL events list --squad=2
contains "empty list says so" "no contact events" "$WORK/out"
check "empty events as JSON" $TL --json events list --squad=2
contains "empty JSON is JSON" "^{" "$WORK/out"
lacks "no prose in JSON" "no contact events" "$WORK/out"

"$SERVER" --db="$WORK/touchline.db" --add_token_user=ana.lyst --add_token_role=analyst \
  >"$WORK/analyst.token" 2>"$WORK/token.err" || { bad "analyst token"; cat "$WORK/token.err"; }
AN="$CLI --server=127.0.0.1:$PORT --token-file=$WORK/analyst.token"
for cmd in "events list --squad=1" "flags list --squad=1" "complaints list --squad=1" "readiness get --squad=1"; do
  # shellcheck disable=SC2086
  check "analyst $cmd" $AN $cmd
  lacks "analyst $cmd shows no #0" "#0" "$WORK/out"
  PSEUDO=$($AN --json events list --squad=1 | sed -n 's/.*"player_pseudonym": "\([^"]*\)".*/\1/p' | head -1)
  [ -n "$PSEUDO" ] && contains "analyst $cmd shows the pseudonym" "$PSEUDO" "$WORK/out"
done

kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; SERVER_PID=""
echo "cli_tables: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
