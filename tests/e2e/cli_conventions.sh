#!/bin/sh
# CLI conventions against real servers (issue 17 item 7): connection errors tell refused, TLS
# mismatch and client certificate required apart; an unreadable token file is named; flags watch
# says when it cannot connect; export --file never overwrites by accident; -o yaml; completion.
set -u
. "$(dirname "$0")/../lib/server_port.sh"
. "$(dirname "$0")/../lib/checks.sh"
SERVER=$1
CLI=$2
CERTS_SH="$(dirname "$0")/../../deploy/certs.sh"
WORK=$(mktemp -d)
PASS=0
FAIL=0
PIDS=""
trap 'for p in $PIDS; do kill -9 "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT

contains() {  # contains "description" pattern file
  if grep -q -- "$2" "$3"; then ok; else bad "$1: '$2' not in $3:"; cat "$3"; fi
}
fails() {  # fails "description" command...: must exit non-zero; stdout/stderr in $WORK/out, err
  desc=$1; shift
  if "$@" >"$WORK/out" 2>"$WORK/err"; then bad "$desc: succeeded"; cat "$WORK/out"; else ok; fi
}
start() {  # start NAME ARGS...: a server on a free port; sets PORT
  name=$1; shift
  "$SERVER" --listen=127.0.0.1:0 --db="$WORK/$name.db" --synchronous=normal "$@" 2>"$WORK/$name.log" &
  PIDS="$PIDS $!"
  wait_for_port "$WORK/$name.log"
}

sh "$CERTS_SH" "$WORK/certs" >/dev/null 2>&1 || { echo "certs.sh failed"; exit 1; }
C="$WORK/certs"
start plain
PLAIN=$PORT
start mtls --tls_cert="$C/server.crt" --tls_key="$C/server.key" --tls_client_ca="$C/ca.crt"
MTLS=$PORT
TL="$CLI --server=127.0.0.1:$PLAIN --token-file=$WORK/plain.db.token --timeout=5"

# Connection errors, each with its own hint.
fails "refused" $CLI --server=127.0.0.1:1 --timeout=5 squads list
contains "refused is named" "connection refused: nothing listens at 127.0.0.1:1" "$WORK/err"
fails "plaintext to TLS" $CLI --server=127.0.0.1:$MTLS --token-file="$WORK/mtls.db.token" --timeout=5 squads list
contains "plaintext to a TLS server is a TLS mismatch" "TLS mismatch: .* probably requires TLS" "$WORK/err"
fails "TLS to plaintext" $CLI --server=127.0.0.1:$PLAIN --tls-ca="$C/ca.crt" --token-file="$WORK/plain.db.token" \
  --timeout=5 squads list
contains "TLS to a plaintext server is a TLS mismatch" "TLS mismatch: .* does not speak TLS" "$WORK/err"
fails "no client certificate" $CLI --server=127.0.0.1:$MTLS --tls-ca="$C/ca.crt" --token-file="$WORK/mtls.db.token" \
  --timeout=5 squads list
contains "client certificate required is named" "requires a client certificate" "$WORK/err"
check "mutual TLS works" $CLI --server=127.0.0.1:$MTLS --tls-ca="$C/ca.crt" --tls-cert="$C/client.crt" \
  --tls-key="$C/client.key" --token-file="$WORK/mtls.db.token" --timeout=5 squads list

# An unreadable token file is named, with why.
fails "missing token file" $CLI --server=127.0.0.1:$PLAIN --token-file="$WORK/nope.token" squads list
contains "token file named" "cannot read the token file $WORK/nope.token: No such file or directory" "$WORK/err"
: >"$WORK/empty.token"
fails "empty token file" $CLI --server=127.0.0.1:$PLAIN --token-file="$WORK/empty.token" squads list
contains "empty token file named" "cannot read the token file $WORK/empty.token: the file is empty" "$WORK/err"

# flags watch says when it cannot connect, and keeps trying.
$CLI --server=127.0.0.1:1 flags watch >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH=$!
PIDS="$PIDS $WATCH"
sleep 3
if kill -0 "$WATCH" 2>/dev/null; then ok; else bad "flags watch gave up"; fi
kill "$WATCH" 2>/dev/null
contains "watch says it cannot connect" "cannot connect to 127.0.0.1:1 (connection refused" "$WORK/watch.err"
contains "watch says it keeps trying" "retrying every" "$WORK/watch.err"

# export --file: refuses an existing file; --resume appends what is new; --force replaces.
check "squad" $TL squads create --name="Conventions XV"
check "player" $TL players create --squad=1 --name="Ellis Genge" --group=forward
check "event 1" $TL events record --player=1 --kind=scrum --at=-2d --key=c-1
check "export to a file" $TL export --file="$WORK/records.jsonl" --cursor-file="$WORK/cursor"
check "event 2" $TL events record --player=1 --kind=ruck --at=-1d --key=c-2
fails "export refuses to overwrite" $TL export --file="$WORK/records.jsonl" --cursor-file="$WORK/cursor"
contains "refusal names the file and the way out" "records.jsonl exists: give --resume" "$WORK/err"
[ "$(wc -l <"$WORK/records.jsonl")" -eq 1 ] && ok || bad "refused export changed the file"
check "export --resume" $TL export --file="$WORK/records.jsonl" --cursor-file="$WORK/cursor" --resume
[ "$(wc -l <"$WORK/records.jsonl")" -eq 2 ] && ok || { bad "resume did not append one record"; cat "$WORK/records.jsonl"; }
check "export --force" $TL export --file="$WORK/records.jsonl" --cursor-file="$WORK/cursor" --force
[ "$(wc -l <"$WORK/records.jsonl")" -eq 2 ] && ok || { bad "force did not rewrite both records"; cat "$WORK/records.jsonl"; }

# -o yaml, -o wide, completion.
check "yaml" $TL -o yaml squads list
contains "yaml list" "^- id: \"1\"" "$WORK/out"
contains "yaml plain string" "  name: Conventions XV" "$WORK/out"
check "wide" $TL -o wide players list
contains "wide is a table" "Ellis Genge" "$WORK/out"
$CLI completion bash >"$WORK/completion.bash" && bash -n "$WORK/completion.bash" && ok || bad "completion bash"
contains "completion lists resources" "squads players events complaints flags readiness" "$WORK/completion.bash"

echo "cli_conventions: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
