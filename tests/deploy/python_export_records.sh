#!/bin/sh
# client/python/export_records.py against the real server: export a squad's records in batches,
# stop after two messages, store more records, run it again and check the output file holds every
# record exactly once; run it once more (nothing new); as an analyst (pseudonyms, no free text);
# as CSV; and a run cut off after writing lines but before saving its cursor loses and repeats
# nothing.
#   python_export_records.sh SERVER CLI PYTHON SCRIPT STUBS_DIR
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
equals() {  # equals "description" expected actual
  if [ "$2" = "$3" ]; then ok; else bad "$1: expected '$2', got '$3'"; fi
}

DB=$WORK/touchline.db
"$SERVER" --listen=127.0.0.1:0 --db="$DB" --synchronous=normal --plugin_path=none 2>"$WORK/server.log" &
SERVER_PID=$!
wait_for_port "$WORK/server.log"
TL="$CLI --server=127.0.0.1:$PORT --token-file=$DB.token"
EXPORT="$PYTHON $SCRIPT --server=127.0.0.1:$PORT"

check "squad" $TL squads create --name="Export XV"
check "player 1" $TL players create --squad=1 --name="Maro Itoje" --group=forward --position=lock
check "player 2" $TL players create --squad=1 --name="Ben Earl" --group=forward --position=flanker
check "other squad" $TL squads create --name="Other XV"
check "other player" $TL players create --squad=2 --name="Not Exported" --group=back

# 120 events of squad 1 (one a day from 2025-03-01, alternating players), 5 of squad 2.
"$PYTHON" - "$WORK/events.csv" <<'PY'
import datetime, sys
start = datetime.datetime(2025, 3, 1, 10, tzinfo=datetime.timezone.utc)
with open(sys.argv[1], "w") as f:
    f.write("player_id,kind,occurred_at,awkward,source,session_label,idempotency_key,note\n")
    for i in range(120):
        at = (start + datetime.timedelta(days=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        f.write(f"{1 + i % 2},{'ruck' if i % 3 else 'tackle-made'},{at},false,wearable,Training,ev-{i},secret-note\n")
    for i in range(5):
        f.write(f"3,scrum,2025-03-0{i + 1}T10:00:00Z,false,manual,,other-{i},\n")
PY
check "import events" $TL events import --file="$WORK/events.csv"
check "complaint 1" $TL complaints create --player=1 --side=left --onset=2025-04-01T08:00:00Z \
  --onset-kind=gradual --pain=3 --tightness --history="secret-history"
check "complaint 2" $TL complaints create --player=2 --side=right --onset=2025-05-01T08:00:00Z \
  --onset-kind=acute --mechanism=sprinting --pain=6

# Stopped after two messages of 25: 50 records written, the cursor saved after them.
check "first run, stopped" $EXPORT --token-file="$DB.token" --squad=1 --batch-size=25 \
  --out="$WORK/physio.jsonl" --state="$WORK/physio.state" --stop-after=2
equals "first run wrote two batches" 50 "$(wc -l <"$WORK/physio.jsonl")"
# Stored before the resumption: a backfilled event dated before everything exported so far.
check "backfilled event" $TL events record --player=2 --kind=fall --at=2025-02-01T10:00:00Z --key=late-1
check "resumed run" $EXPORT --token-file="$DB.token" --squad=1 --batch-size=25 \
  --out="$WORK/physio.jsonl" --state="$WORK/physio.state"
check "nothing new" $EXPORT --token-file="$DB.token" --squad=1 --batch-size=25 \
  --out="$WORK/physio.jsonl" --state="$WORK/physio.state"
# A run that wrote lines and stopped before saving its cursor: the next run drops and rewrites them.
cp "$WORK/physio.jsonl" "$WORK/before.jsonl"
echo '{"half": "a line written after the last saved cursor"}' >>"$WORK/physio.jsonl"
check "record after the export" $TL events record --player=1 --kind=scrum --at=2025-06-01T10:00:00Z --key=late-2
check "run after an unsaved write" $EXPORT --token-file="$DB.token" --squad=1 \
  --out="$WORK/physio.jsonl" --state="$WORK/physio.state"

"$PYTHON" - "$WORK/physio.jsonl" >"$WORK/summary" 2>&1 <<'PY' && ok || { bad "physio export content"; cat "$WORK/summary"; }
import collections, json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
keys = [r["contact_event"]["idempotency_key"] if "contact_event" in r else "complaint-" + r["complaint"]["id"]
        for r in records]
dups = [k for k, n in collections.Counter(keys).items() if n > 1]
assert not dups, f"duplicates: {dups}"
want = {f"ev-{i}" for i in range(120)} | {"late-1", "late-2"}
got_events = {k for k in keys if not k.startswith("complaint-")}
assert got_events == want, f"missing {sorted(want - got_events)[:5]} extra {sorted(got_events - want)[:5]}"
assert sum(k.startswith("complaint-") for k in keys) == 2, keys
assert all(r["squad_id"] == "1" for r in records)
assert any(r.get("contact_event", {}).get("note") == "secret-note" for r in records)
assert all("half" not in r for r in records)
print(len(records))
PY
equals "physio export: 122 events and 2 complaints" 124 "$(cat "$WORK/summary")"

# An analyst: pseudonyms, no names or free text, the same number of records.
"$SERVER" --db="$DB" --add_token_user=analyst.ana --add_token_role=analyst >"$WORK/analyst.token" 2>"$WORK/issue.err" \
  && ok || { bad "issue analyst token"; cat "$WORK/issue.err"; }
check "analyst export" $EXPORT --token-file="$WORK/analyst.token" --squad=1 \
  --out="$WORK/analyst.jsonl" --state="$WORK/analyst.state"
equals "analyst gets every record" 124 "$(wc -l <"$WORK/analyst.jsonl")"
if grep -q "secret\|Itoje\|Earl\|local-admin\|\"player_id\"" "$WORK/analyst.jsonl"; then
  bad "analyst saw free text, a name or a player id"; grep -m3 "secret\|Itoje\|Earl\|local-admin\|\"player_id\"" "$WORK/analyst.jsonl"
else ok; fi
equals "two pseudonyms" 2 "$(grep -o '"player_pseudonym": "P[0-9a-f]*"' "$WORK/analyst.jsonl" | sort -u | wc -l)"

# CSV, complaints only.
check "csv export" $EXPORT --token-file="$DB.token" --squad=1 --kinds=complaint --csv \
  --out="$WORK/complaints.csv" --state="$WORK/complaints.state"
equals "csv header" "record,id,squad_id,player,time,kind_or_side,awkward,open,check_ins,revision,minutes" \
  "$(head -1 "$WORK/complaints.csv")"
equals "csv complaint rows" 2 "$(grep -c '^complaint,' "$WORK/complaints.csv")"
grep -q '^complaint,1,1,1,2025-04-01T08:00:00Z,SIDE_LEFT,,1,0,1,$' "$WORK/complaints.csv" && ok \
  || { bad "csv complaint 1 row"; cat "$WORK/complaints.csv"; }

# Sessions: one CSV row per player who took part, with the minutes.
check "record a training session" $TL sessions record --squad=1 --kind=training \
  --at=2025-04-02T10:00:00Z --duration=90 --players=1:90:10:20:0,2:45 --key=py-s1
check "csv sessions export" $EXPORT --token-file="$DB.token" --squad=1 --kinds=session --csv \
  --out="$WORK/sessions.csv" --state="$WORK/sessions.state"
equals "one row per participation" 2 "$(grep -c '^session,' "$WORK/sessions.csv")"
grep -q '^session,1,1,2,2025-04-02T10:00:00Z,EXPOSURE_KIND_TRAINING,,,,1,45$' "$WORK/sessions.csv" && ok \
  || { bad "csv session row of player 2"; cat "$WORK/sessions.csv"; }

# A bad token: a clear error, a non-zero exit.
echo "not-a-token" >"$WORK/bad.token"
if $EXPORT --token-file="$WORK/bad.token" --out="$WORK/bad.jsonl" --state="$WORK/bad.state" >"$WORK/out" 2>"$WORK/err"; then
  bad "bad token accepted"; else grep -q UNAUTHENTICATED "$WORK/err" && ok || { bad "no UNAUTHENTICATED"; cat "$WORK/err"; }; fi

# An existing --out without its --state is not overwritten unless --force.
echo '{"kept": true}' >"$WORK/kept.jsonl"
if $EXPORT --token-file="$DB.token" --out="$WORK/kept.jsonl" --state="$WORK/kept.state" >"$WORK/out" 2>"$WORK/err"; then
  bad "an existing --out without --state was overwritten"
else
  grep -q "kept.jsonl exists" "$WORK/err" && ok || { bad "refusal does not name the file"; cat "$WORK/err"; }
  equals "refused --out untouched" '{"kept": true}' "$(cat "$WORK/kept.jsonl")"
fi
check "--force overwrites" $EXPORT --token-file="$DB.token" --out="$WORK/kept.jsonl" --state="$WORK/kept.state" --force
grep -q '"kept"' "$WORK/kept.jsonl" && bad "--force kept the old content" || ok

kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; SERVER_PID=""
echo "python_export_records: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
