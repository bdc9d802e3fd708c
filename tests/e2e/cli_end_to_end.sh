#!/bin/sh
# End to end: start touchline-server on 127.0.0.1:0, drive it with the touchline CLI as a physio
# would, stop it with SIGTERM, start it again on the same database.
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
  if grep -q -- "$2" "$3"; then PASS=$((PASS + 1)); else
    FAIL=$((FAIL + 1)); echo "FAIL: $1: '$2' not in $3:"; cat "$3"; fi
}

start_server() {
  : >"$WORK/server.log"
  "$SERVER" --listen=127.0.0.1:0 --db="$WORK/touchline.db" --synchronous=normal \
    2>"$WORK/server.log" &
  SERVER_PID=$!
  wait_for_port "$WORK/server.log"
  # On first start the server issues a local admin token beside the database (mode 0600).
  TL="$CLI --server=127.0.0.1:$PORT --token-file=$WORK/touchline.db.token"
}

stop_server() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID"
  rc=$?
  SERVER_PID=""
  [ "$rc" -eq 0 ] && PASS=$((PASS + 1)) || { FAIL=$((FAIL + 1)); echo "FAIL: exit $rc on SIGTERM"; }
  contains "stop is logged" "stopped; database closed" "$WORK/server.log"
}

start_server
check "health" $TL health
contains "health says serving" "SERVING" "$WORK/out"

check "create squad" $TL squads create --name="E2E XV"
check "create player" $TL players create --squad=1 --name="Marcus Smith" --group=back --position=fly-half
check "create second player" $TL players create --squad=1 --name="Joe Marler" --group=forward --position="loosehead prop"
check "record awkward lineout landing" $TL events record --player=2 --kind=lineout-landing --at=-20d --awkward --key=e2e-1
check "gradual complaint 50 days ago" $TL complaints create --player=1 --side=right --onset=-50d \
  --onset-kind=gradual --mechanism=unknown --pain=4 --tightness --piriformis-spasm
check "acute tear 2 days ago" $TL complaints create --player=2 --side=left --onset=-2d \
  --onset-kind=acute --mechanism=sprinting --pain=7

check "flags list" $TL flags list --squad=1
contains "persistent flag shown" "persistent" "$WORK/out"
contains "flag names the player" "Marcus Smith" "$WORK/out"

check "readiness" $TL readiness get --squad=1
contains "acute tear makes unavailable" "unavailable" "$WORK/out"
contains "open complaint makes modified" "modified" "$WORK/out"
check "readiness as JSON" $TL --json readiness get --squad=1
contains "JSON uses the proto enum names" "AVAILABILITY_UNAVAILABLE" "$WORK/out"

# Bad input: a clear error, a non-zero exit, the field named, nothing stored.
if $TL complaints resolve --complaint=1 --at=-60d >"$WORK/out" 2>"$WORK/err"; then
  FAIL=$((FAIL + 1)); echo "FAIL: resolution before onset was accepted"
else
  PASS=$((PASS + 1))
  contains "error names the status" "INVALID_ARGUMENT" "$WORK/err"
  contains "error names the field" "resolve_time" "$WORK/err"
fi
check "complaint still open" $TL --json complaints get --id=1
contains "still open after the refused resolve" '"open": true' "$WORK/out"
if $TL squads get --id=999 >"$WORK/out" 2>"$WORK/err"; then
  FAIL=$((FAIL + 1)); echo "FAIL: unknown squad found"
else
  PASS=$((PASS + 1)); contains "unknown id is NOT_FOUND" "NOT_FOUND" "$WORK/err"
fi

check "resolve" $TL complaints resolve --complaint=1 --at=-1h --reason="back to full training"
check "history" $TL complaints history --complaint=1
contains "history keeps who" "local-admin" "$WORK/out"

# Export for analysis: JSON lines, a cursor file; the same command again gets only what is new.
lines() {  # lines "description" expected-count file
  n=$(wc -l <"$3")
  if [ "$n" -eq "$2" ]; then PASS=$((PASS + 1)); else
    FAIL=$((FAIL + 1)); echo "FAIL: $1: $n lines, expected $2:"; cat "$3"; fi
}
check "export squad 1" $TL export --squad=1 --cursor-file="$WORK/export.cursor"
lines "one line per record (1 event, 2 complaints)" 3 "$WORK/out"
contains "events exported" '"kind":"CONTACT_KIND_LINEOUT_LANDING"' "$WORK/out"
contains "complaints exported with their resolution" '"resolve_time"' "$WORK/out"
contains "cursor reported on stderr" "cursor=" "$WORK/err"
[ -s "$WORK/export.cursor" ] && PASS=$((PASS + 1)) || { FAIL=$((FAIL + 1)); echo "FAIL: no cursor file"; }
check "record after the export" $TL events record --player=1 --kind=scrum --at=-1h --key=e2e-2
check "export again from the cursor file" $TL export --squad=1 --cursor-file="$WORK/export.cursor"
lines "only the new record" 1 "$WORK/out"
contains "the new event" '"idempotency_key":"e2e-2"' "$WORK/out"
check "export complaints only" $TL export --squad=1 --kinds=complaint
lines "two complaints" 2 "$WORK/out"
if $TL export --squad=1 --cursor=not-a-cursor >"$WORK/out" 2>"$WORK/err"; then
  FAIL=$((FAIL + 1)); echo "FAIL: a bad cursor was accepted"
else
  PASS=$((PASS + 1))
  contains "bad cursor is INVALID_ARGUMENT" "INVALID_ARGUMENT" "$WORK/err"
  contains "bad cursor names the field" "cursor" "$WORK/err"
  lines "nothing exported with a bad cursor" 0 "$WORK/out"
fi
# Exposure (issue 8): a training session and a match, then rates and weekly load.
check "record training" $TL sessions record --squad=1 --kind=training --at=-3d --duration=90 \
  --players=1:90:10:20:0,2:60:8:0:25 --title="Tue contact" --key=e2e-s1
check "record match" $TL sessions record --squad=1 --kind=match --at=-1d --players=1,2:30 --key=e2e-s2
check "list sessions" $TL sessions list --squad=1
contains "match listed with its minutes" "match" "$WORK/out"
if $TL sessions record --squad=1 --kind=match --at=-1d --players=1:81 >"$WORK/out" 2>"$WORK/err"; then
  FAIL=$((FAIL + 1)); echo "FAIL: 81 minutes in an 80-minute match accepted"
else
  PASS=$((PASS + 1)); contains "error names the participation" "participations\[0\].minutes" "$WORK/err"
fi
check "injury rates" $TL rates --squad=1 --from=-60d
contains "rates table" "BURDEN-PER-1000H" "$WORK/out"
check "injury rates as JSON" $TL --json rates --squad=1 --from=-60d
contains "rates JSON has training exposure" '"exposure_hours": 2.5' "$WORK/out"
check "weekly load" $TL load --squad=1 --from=-14d
contains "load names the player" "Marcus Smith" "$WORK/out"

# Objective assessments (issue 19 item 1): a baseline, a later Nordic with a strength deficit, a
# positive slump, and a correction that keeps the record it corrects.
check "baseline Nordic" $TL assessments record --player=1 --kind=nordic --at=-60d --left=400 \
  --right=400 --baseline
check "Nordic with a deficit" $TL assessments record --player=1 --kind=nordic --at=-1d --left=400 --right=330
contains "asymmetry shown" "force 17.5% R lower" "$WORK/out"
contains "change from the baseline shown" "R force -17.5%" "$WORK/out"
contains "strength deficit found" "Strength deficit: eccentric imbalance 17.5% (at or above 15%)" "$WORK/out"
check "positive slump" $TL assessments record --player=1 --kind=slump --left=85 --right=60/75 \
  --symptoms=right --sensitiser-changes=right
contains "neural tension found" "positive slump on the right" "$WORK/out"
check "correct the slump" $TL assessments amend --id=3 --reason="legs swapped" --left=60/75 --right=85 \
  --symptoms=left --sensitiser-changes=left
contains "the correction names what it corrects" "Corrects:.*3 (legs swapped)" "$WORK/out"
contains "the correction is analysed" "positive slump on the left" "$WORK/out"
check "list assessments" $TL assessments list --player=1 --include-superseded
contains "the original is kept, superseded" "3 (superseded by 4)" "$WORK/out"
contains "the list shows the findings" "strength deficit" "$WORK/out"
if $TL assessments record --player=1 --kind=isometric-strength --left=300 >"$WORK/out" 2>"$WORK/err"; then
  FAIL=$((FAIL + 1)); echo "FAIL: an isometric test without its knee angle was accepted"
else
  PASS=$((PASS + 1))
  contains "error names the field" "isometric_strength.knee_flexion_degrees" "$WORK/err"
fi

# The six-week window (issue 19 item 2): a gradual complaint 30 days old with no anti-spasm work is
# flagged window-closing and queued by days left; anti-spasm work reported done takes it out.
check "third player" $TL players create --squad=1 --name="Owen Farrell" --group=back --position=centre
check "gradual complaint 30 days ago" $TL complaints create --player=3 --side=left --onset=-30d \
  --onset-kind=gradual --pain=3 --tightness --piriformis-spasm
check "flags of the window" $TL flags list --squad=1 --kind=window-closing
contains "window-closing flag raised" "Owen Farrell.*window-closing (day 28)" "$WORK/out"
check "six-week queue" $TL flags windows --squad=1
contains "queued with its days left (30 days open: 11 whole days left)" "^11 *Owen Farrell (3)" "$WORK/out"
check "prescribe the anti-spasm work" $TL protocols assign --player=3 --session="Wednesday rehab"
contains "the 4-sign is prescribed" "Piriformis 4-sign" "$WORK/out"
check "report it done" $TL protocols adherence --assignment=1 --status=done
check "queue after the work" $TL flags windows --squad=1
contains "the queue is empty" "no open gradual-onset complaint without anti-spasm work" "$WORK/out"

# Pelvic screens after awkward contact (issue 19 item 3): player 2's awkward lineout landing 20 days
# ago opened a task due a week later, overdue since; a pelvic screen closes it.
check "screens owed" $TL screening list --squad=1 --overdue
contains "the landing's screen is overdue" "^overdue 13d *Joe Marler (2) *lineout-landing" "$WORK/out"
check "record a pelvic screen" $TL assessments record --player=2 --kind=pelvic-screen --rotation=left \
  --left=spasm --right=normal
contains "the screen is shown" "rotation left, L piriformis spasm, R piriformis normal" "$WORK/out"
check "screens owed after it" $TL screening list --squad=1
contains "nothing owed any more" "no pelvic screens owed" "$WORK/out"
check "screening history" $TL screening list --player=2 --from=-30d
contains "closed by the screen" "^closed *Joe Marler (2) *lineout-landing .*#5 " "$WORK/out"

check "seed a demo squad" $TL seed --players=20
check "flags on the demo squad" $TL flags list --squad=2
# The demo shows the product (issue 17): every flag kind, an unavailable acute tear, and match
# incidence well above training incidence (domain.md: 5.6 vs 0.27 per 1000 h).
for kind in persistent recurrent exacerbation suspected-pelvic-origin; do
  contains "demo shows a $kind flag" "$kind" "$WORK/out"
done
check "demo readiness" $TL readiness get --squad=2
contains "demo has an unavailable player" "unavailable  *Open acute hamstring complaint" "$WORK/out"
check "demo rates" $TL rates --squad=2 --from=-365d
match=$(awk '$1 == "match" && $2 == "all" { print $6 }' "$WORK/out")
training=$(awk '$1 == "training" && $2 == "all" { print $6 }' "$WORK/out")
if awk -v m="$match" -v t="$training" 'BEGIN { exit !(m > 3 * t && m > 0) }'; then PASS=$((PASS + 1)); else
  FAIL=$((FAIL + 1)); echo "FAIL: demo match incidence $match not well above training $training"; cat "$WORK/out"
fi
check "demo load" $TL load --squad=2 --from=-28d
contains "demo weeks are checked against the guidance" "within" "$WORK/out"

# Back-entered history (issue 17): a past injury entered with its resolution is stored resolved
# and raises nothing; flags watch starts from now (--from-start replays from the first change).
check "back-enter a past injury" $TL complaints create --player=2 --side=right --onset=-200d \
  --onset-kind=acute --mechanism=sprinting --pain=5 --resolved=-180d
contains "stored resolved" "resolved" "$WORK/out"
check "watch from the start" $TL --json flags watch --squad=1 --from-start --max-events=1
contains "from the start: the first change ever" '"sequence": "1"' "$WORK/out"
$TL --json flags watch --squad=1 --max-events=1 >"$WORK/watch.out" 2>&1 &
WATCHER=$!
n=0
while kill -0 "$WATCHER" 2>/dev/null && [ "$n" -lt 10 ]; do  # new flags until the watcher has one
  n=$((n + 1))
  id=$($TL --json players create --squad=1 --name="Watched $n" --group=back |
    sed -n 's/.*"id": "\([0-9]*\)".*/\1/p' | head -1)
  $TL complaints create --player="$id" --side=left --onset=-50d --onset-kind=gradual --pain=3 >/dev/null
  sleep 0.5
done
kill "$WATCHER" 2>/dev/null  # still running: it never saw a flag (the check below says so)
wait "$WATCHER" 2>/dev/null
contains "from now: a flag raised after the watch started" "FLAG_CHANGE_TYPE_RAISED" "$WORK/watch.out"
if grep -q '"sequence": "1"' "$WORK/watch.out"; then
  FAIL=$((FAIL + 1)); echo "FAIL: flags watch replayed the history by default"; cat "$WORK/watch.out"
else
  PASS=$((PASS + 1))
fi

# Protocols as each role reads them on the readiness board (issue 16): the physio the exercises,
# sides and doses; the coach only coach-safe labels before/after the session.
check "assign protocols" $TL protocols assign --squad=1 --session="Thursday training" --kind=training
check "readiness with protocols (physio)" $TL readiness get --squad=1
contains "physio sees the exercise, side and dose" "POST: .*Submaximal isometric hamstring hold (left, [0-9]x" "$WORK/out"
"$SERVER" --db="$WORK/touchline.db" --add_token_user=coach.sam --add_token_role=coach \
  >"$WORK/coach.token" 2>"$WORK/token.err" || { FAIL=$((FAIL + 1)); echo "FAIL: coach token"; cat "$WORK/token.err"; }
check "readiness with protocols (coach)" $CLI --server=127.0.0.1:$PORT --token-file="$WORK/coach.token" \
  readiness get --squad=1
contains "coach sees the coach-safe label" "POST: .*Strength routine" "$WORK/out"
if grep -Eq "amstring|isometric|left|right|each leg|[0-9]x[0-9]|%" "$WORK/out"; then
  FAIL=$((FAIL + 1)); echo "FAIL: the coach's board shows clinical protocol detail:"; cat "$WORK/out"
else
  PASS=$((PASS + 1))
fi

check "whoami" $TL whoami
contains "whoami names the token's user and role" "local-admin (admin)" "$WORK/out"
# The live board: the first board at once, the next after an override made while it is open.
( sleep 1; $TL readiness override --player=1 --availability=unavailable --reason="rested" --until=+1h \
    > /dev/null ) &
OVERRIDE=$!
check "readiness watch follows a change" timeout 20 $TL readiness watch --squad=1 --max-boards=2
if [ "$(grep -c ' available, ' "$WORK/out")" -eq 2 ]; then PASS=$((PASS + 1)); else
  FAIL=$((FAIL + 1)); echo "FAIL: readiness watch did not print two boards:"; cat "$WORK/out"; fi
wait "$OVERRIDE"

stop_server
start_server
check "data survives a restart" $TL squads list
contains "squad still there" "E2E XV" "$WORK/out"
stop_server

echo "cli_end_to_end: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
