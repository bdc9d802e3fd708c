# Sourced by the shell tests that start a touchline-server with --listen=127.0.0.1:0.
# wait_for_port LOG: waits up to 10 s for the server's "started on ... (port N)" line in LOG and
# sets PORT; if none comes, prints LOG and exits the test with status 1.
wait_for_port() {
  PORT=""
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/.*started on .*(port \([0-9]*\)).*/\1/p' "$1")
    [ -n "$PORT" ] && return 0
    sleep 0.05
  done
  echo "server did not start:"
  cat "$1"
  exit 1
}
