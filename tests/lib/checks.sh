# Sourced by the shell tests: pass/fail counting. The test sets PASS=0, FAIL=0 and WORK (a scratch
# directory) first, and reports the counts at its end.
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
# check "description" command...: the command must succeed; its output is shown when it does not.
check() {
  desc=$1; shift
  if "$@" >"$WORK/out" 2>"$WORK/err"; then ok; else bad "$desc"; cat "$WORK/out" "$WORK/err"; fi
}
