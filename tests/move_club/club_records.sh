# Sourced by the shell tests of tests/move_club: a club's records written with the touchline CLI
# ($TL, an admin's), and read back into files to compare before and after (a move, a restore).
# Needs checks.sh, server_port.sh, WORK, SERVER, CLI and TOKEN (the admin token's file).

# start_server STORE-OPTIONS...: the server on that store; TL and AN its CLI for the admin and the
# analyst (whose token the test writes to $WORK/analyst.token).
start_server() {
  : >"$WORK/server.log"
  "$SERVER" --listen=127.0.0.1:0 --plugin_path=none "$@" 2>"$WORK/server.log" &
  SERVER_PID=$!
  wait_for_port "$WORK/server.log"
  TL="$CLI --server=127.0.0.1:$PORT --token-file=$TOKEN"
  AN="$CLI --server=127.0.0.1:$PORT --token-file=$WORK/analyst.token"
}
stop_server() {
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; rc=$?; SERVER_PID=""
  [ "$rc" -eq 0 ] && ok || { bad "server exit $rc on SIGTERM"; cat "$WORK/server.log"; }
}

# write_club: every kind of record, ids from 1 in a new club; then a seeded second squad.
write_club() {
  check "create squad" $TL squads create --name="Move XV"
  check "player 1" $TL players create --squad=1 --name="Marcus Smith" --group=back --position=fly-half
  check "player 2" $TL players create --squad=1 --name="Joe Marler" --group=forward --position="loosehead prop" --external-id=EXT-2
  check "player 3" $TL players create --squad=1 --name="Owen Farrell" --group=back --position=centre
  check "player 4 (archived)" $TL players create --squad=1 --name="Dan Cole" --group=forward --position=prop
  check "archive player 4" $TL players archive --id=4
  check "event" $TL events record --player=2 --kind=lineout-landing --at=-20d --awkward --key=move-1 --note="landed on one leg"
  check "event without a key" $TL events record --player=1 --kind=scrum --at=-3d
  check "gradual complaint" $TL complaints create --player=1 --side=right --onset=-50d --onset-kind=gradual \
    --mechanism=unknown --pain=4 --tightness --piriformis-spasm --history="L5/S1 2021"
  check "acute complaint" $TL complaints create --player=2 --side=left --onset=-2d --onset-kind=acute \
    --mechanism=sprinting --pain=7 --bamic=2b --osiics=TMHX
  check "another complaint" $TL complaints create --player=3 --side=both --onset=-10d --onset-kind=gradual --pain=2
  check "check-in" $TL complaints check-in --complaint=1 --pain=3 --at=-10d --note="easier after rest"
  check "check-in 2" $TL complaints check-in --complaint=1 --pain=2 --at=-5d --tightness
  check "amend" $TL complaints update --id=3 --pain=5 --reason="re-examined"
  check "resolve" $TL complaints resolve --complaint=3 --at=-1h --reason="back to full training"
  check "override" $TL readiness override --player=2 --availability=unavailable --reason="rested" --until=+3d
  check "baseline Nordic" $TL assessments record --player=1 --kind=nordic --at=-60d --left=400 --right=400 --baseline
  check "Nordic" $TL assessments record --player=1 --kind=nordic --at=-1d --left=400 --right=330.5
  check "amend the Nordic" $TL assessments amend --id=2 --reason="wrong leg" --kind=nordic --left=330.5 --right=400
  check "session" $TL sessions record --squad=1 --kind=training --at=-3d --duration=90 \
    --players=1:90:10:20:0,2:60:8:0:25 --title="Tue contact" --key=move-s1
  check "return-to-play plan" $TL rtp create --complaint=2 --sport=+14d --note="graded return"
  check "criterion" $TL rtp add-criterion --plan=1 --stage=sport --text="pain-free sprint"
  check "seed a second squad" $TL seed --players=20
}

# snapshot DIR: the club as the CLI reads it, each read in a file of DIR.
snapshot() {
  mkdir -p "$1"
  check "$1: squads" $TL --json squads list; cp "$WORK/out" "$1/squads"
  check "$1: players" $TL --json players list --squad=1 --include-archived; cp "$WORK/out" "$1/players"
  for id in 1 2 3; do
    check "$1: complaint $id" $TL --json complaints get --id=$id; cp "$WORK/out" "$1/complaint-$id"
    check "$1: history $id" $TL --json complaints history --complaint=$id; cp "$WORK/out" "$1/history-$id"
  done
  check "$1: assessments" $TL --json assessments list --player=1 --include-superseded
  cp "$WORK/out" "$1/assessments"
  check "$1: sessions" $TL --json sessions list --squad=1; cp "$WORK/out" "$1/sessions"
  check "$1: overrides" $TL --json readiness overrides --player=2; cp "$WORK/out" "$1/overrides"
  check "$1: return to play" $TL --json rtp get --complaint=2; cp "$WORK/out" "$1/rtp"
  check "$1: seeded squad's events" $TL --json events list --squad=2 --page-size=1000
  cp "$WORK/out" "$1/seeded-events"
  check "$1: export of every squad" $TL export; cp "$WORK/out" "$1/export"
  check "$1: analyst's events" $AN --json events list --squad=1; cp "$WORK/out" "$1/analyst-events"
}

