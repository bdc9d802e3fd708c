#!/bin/sh
# touchline-server --help / -h list every flag with its default (Abseil listed none: "No flags
# matched"); --version on the server and the CLI names the version, the commit and the build type
# (it said "Debug build (NDEBUG not #defined)" for a Release build).
# usage: help_and_version.sh SERVER CLI
set -u
SERVER=$1
CLI=$2
PASS=0
FAIL=0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
. "$(dirname "$0")/../lib/checks.sh"

for form in --help -h; do
  "$SERVER" $form >"$WORK/help" 2>&1  # Abseil 20220623 exits 1 after printing help
  if grep -q "No flags matched" "$WORK/help"; then bad "$form: no flags listed"; else ok; fi
  # Every flag the server defines, each with its default.
  for flag in listen db audit_db persistent_days max_calls_per_user max_streams_per_user \
      stream_worker_threads plugin_hosts_per_plugin plugin_assign_budget_ms tls_cert \
      revoke_token_user shutdown_grace_seconds; do
    if grep -q -- "--$flag " "$WORK/help"; then ok; else bad "$form does not list --$flag"; fi
  done
  if tr '\n' ' ' <"$WORK/help" | grep -q -- '--max_streams_per_user [^;]*; default: 64;'; then
    ok
  else
    bad "$form: --max_streams_per_user's default is not shown"
  fi
done

for program in "$SERVER" "$CLI"; do
  name=$(basename "$program")
  if "$program" --version >"$WORK/version" 2>&1; then ok; else bad "$name --version failed"; fi
  # "<name> 0.1.0 (commit <hex>[+changes], <build type> build)"
  if grep -Eq "^$name [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{7,}(\+changes)?|unknown), [A-Za-z-]+ build\)$" \
      "$WORK/version"; then
    ok
  else
    bad "$name --version: $(cat "$WORK/version")"
  fi
  if grep -q "NDEBUG" "$WORK/version"; then bad "$name --version speaks of NDEBUG"; else ok; fi
done

echo "help_and_version: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
