#!/bin/sh
# Regenerates the seed corpus from the text-format requests below with protoc --encode.
# Service seeds: one selector byte (see service_request_body.cc) + a serialized request.
set -eu
cd "$(dirname "$0")/../.."
OUT=tests/fuzz/corpus
seed() {  # seed <dir> <name> <selector byte (octal)> <message type> <proto file> <text>
  printf "$3" >"$OUT/$1/$2"
  printf '%s\n' "$6" | protoc -I proto -I /usr/include --encode="$4" "$5" >>"$OUT/$1/$2"
}
C=proto/touchline/v1/complaint.proto
E=proto/touchline/v1/contact_event.proto
F=proto/touchline/v1/flag.proto
R=proto/touchline/v1/readiness.proto
X=proto/touchline/v1/exposure.proto
A=proto/touchline/v1/assessment.proto
O=proto/touchline/v1/outcome.proto
RTP=proto/touchline/v1/return_to_play.proto
P=proto/touchline/plugin/v1/plugin.proto
T=1772366400  # 2026-03-01 12:00 UTC, the harness clock
seed service_request create_complaint '\000' touchline.v1.CreateComplaintRequest $C \
  "complaint { player_id: 2 side: SIDE_RIGHT onset_time { seconds: $((T - 86400 * 3)) } onset_kind: ONSET_KIND_ACUTE mechanism: MECHANISM_SPRINTING osiics_code: \"TH1\" }"
seed service_request create_complaint_bad_side '\000' touchline.v1.CreateComplaintRequest $C \
  "complaint { player_id: 1 side: 7 onset_time { seconds: $((T + 86400 * 400)) } onset_kind: ONSET_KIND_GRADUAL }"
seed service_request update_complaint '\001' touchline.v1.UpdateComplaintRequest $C \
  "complaint { id: 1 side: SIDE_BOTH osiics_code: \"TH2\" } update_mask { paths: \"side\" paths: \"osiics_code\" } reason: \"re-examined\""
seed service_request update_complaint_bad_mask '\001' touchline.v1.UpdateComplaintRequest $C \
  "complaint { id: 1 } update_mask { paths: \"id\" paths: \"check_ins\" paths: \"nonsense\" } reason: \"\""
seed service_request import_events '\002' touchline.v1.ImportContactEventsRequest $E \
  "contact_event { player_id: 1 kind: CONTACT_KIND_SCRUM occur_time { seconds: $((T - 3600)) } idempotency_key: \"imp-1\" } contact_events { player_id: 2 kind: CONTACT_KIND_TACKLE_MADE occur_time { seconds: $((T - 7200)) } idempotency_key: \"imp-2\" awkward: true } contact_events { player_id: 99 kind: 0 }"
seed service_request list_flags '\003' touchline.v1.ListFlagsRequest $F \
  "squad_id: 1 page_size: 2"
seed service_request list_flags_player '\003' touchline.v1.ListFlagsRequest $F \
  "player_id: 1 as_of { seconds: $T } page_token: \"garbage-token\""
seed service_request create_event '\004' touchline.v1.CreateContactEventRequest $E \
  "contact_event { player_id: 1 kind: CONTACT_KIND_LINEOUT_LANDING occur_time { seconds: $((T - 600)) } session_label: \"Tuesday\" note: \"awkward landing\" idempotency_key: \"one\" }"
seed service_request check_in '\005' touchline.v1.CreateCheckInRequest $C \
  "complaint_id: 1 check_in { check_time { seconds: $((T - 120)) } note: \"sore\" }"
seed service_request resolve '\006' touchline.v1.ResolveComplaintRequest $C \
  "complaint_id: 1 resolve_time { seconds: $((T - 60)) }"
seed service_request readiness '\007' touchline.v1.GetSquadReadinessRequest $R \
  "squad_id: 1"
seed service_request record_session '\010' touchline.v1.RecordSessionRequest $X \
  "session { squad_id: 1 kind: EXPOSURE_KIND_TRAINING start_time { seconds: $((T - 86400)) } duration_minutes: 90 title: \"Tue\" idempotency_key: \"s-1\" participations { player_id: 1 minutes: 90 full_contact_minutes: 16 controlled_contact_minutes: 20 } participations { player_id: 2 minutes: 45 live_set_piece_minutes: 30 } }"
seed service_request record_session_bad '\010' touchline.v1.RecordSessionRequest $X \
  "session { squad_id: 1 kind: EXPOSURE_KIND_MATCH start_time { seconds: $((T - 86400)) } duration_minutes: 80 idempotency_key: \"s-2\" participations { player_id: 1 minutes: 81 full_contact_minutes: 5 } participations { player_id: 1 minutes: -3 } }"
seed service_request injury_rates '\011' touchline.v1.GetInjuryRatesRequest $X \
  "squad_id: 1 start_time { seconds: $((T - 86400 * 90)) } end_time { seconds: $T }"
seed service_request weekly_load '\012' touchline.v1.GetWeeklyContactLoadRequest $X \
  "squad_id: 1 start_time { seconds: $((T - 86400 * 30)) } end_time { seconds: $((T + 3600)) }"
seed service_request create_assessment '\013' touchline.v1.CreateAssessmentRequest $A \
  "assessment { player_id: 1 assess_time { seconds: $((T - 3600)) } baseline: true slump { left { angle_degrees: 62 sensitised_angle_degrees: 78 symptoms_reproduced: true sensitiser_changes_symptoms: true } right { angle_degrees: 84 } } note: \"seated\" }"
seed service_request create_assessment_bad '\013' touchline.v1.CreateAssessmentRequest $A \
  "assessment { player_id: 2 complaint_id: 1 assess_time { seconds: $((T + 86400 * 3)) } isometric_strength { left_newtons: -4 right_newtons: 1e9 knee_flexion_degrees: 400 } }"
seed service_request list_assessments '\014' touchline.v1.ListAssessmentsRequest $A \
  "squad_id: 1 kinds: ASSESSMENT_KIND_NORDIC kinds: 99 include_superseded: true page_size: 1"
seed service_request screening_tasks '\015' touchline.v1.ListScreeningTasksRequest $A \
  "squad_id: 1 overdue_only: true start_time { seconds: $((T - 86400 * 30)) } as_of { seconds: $T } page_size: 1"
seed service_request protocol_outcomes '\016' touchline.v1.GetProtocolOutcomesRequest $O \
  "squad_id: 1 start_time { seconds: $((T - 86400 * 200)) } end_time { seconds: $T }"
seed service_request create_rtp_plan '\017' touchline.v1.CreateReturnToPlayPlanRequest $RTP \
  "complaint_id: 1 note: \"grade 1b\" planned_dates { stage: RETURN_TO_PLAY_STAGE_SPORT planned_time { seconds: $((T + 86400 * 14)) } } criteria { stage: RETURN_TO_PLAY_STAGE_PARTICIPATION description: \"pain-free jog\" } criteria { stage: RETURN_TO_PLAY_STAGE_SPORT description: \"Nordic\" check: CRITERION_CHECK_ECCENTRIC_ASYMMETRY threshold: 8 }"
seed service_request mark_rtp_criterion '\020' touchline.v1.MarkCriterionRequest $RTP \
  "criterion_id: 1 met: true evidence: \"jogged 2 km\" assessment_id: 1"
seed service_request reach_rtp_stage '\021' touchline.v1.ReachStageRequest $RTP \
  "plan_id: 1 stage: RETURN_TO_PLAY_STAGE_PARTICIPATION reach_time { seconds: $((T - 60)) } note: \"on the grass\""
seed plugin_answer assign_response '\001' touchline.plugin.v1.AssignResponse $P \
  "prescriptions { protocol: \"piriformis-4sign\" exercise: \"4-sign isometric\" side: SIDE_BOTH sets: 4 hold_seconds: 20 effort_percent: 20 timing: TIMING_PRE phase: PHASE_UNSPECIFIED pain_ceiling: 3 } prescriptions { exercise: \"Nordic\" timing: TIMING_POST sets: 3 reps: 5 }"
seed plugin_answer assign_response_bad '\001' touchline.plugin.v1.AssignResponse $P \
  "prescriptions { exercise: \"\" side: 9 sets: -1 effort_percent: 400 timing: 7 }"
# One seed per contract check of InvalidPrescription (each passes decoding, then fails one check).
bad() {  # bad <name> <text of one prescription>
  seed plugin_answer "$1" '\001' touchline.plugin.v1.AssignResponse $P "prescriptions { $2 }"
}
bad invalid_timing 'exercise: "Bridge" timing: 3'
bad invalid_side 'exercise: "Bridge" timing: TIMING_PRE side: 4'
bad invalid_phase 'exercise: "Bridge" timing: TIMING_PRE phase: 4'
bad invalid_dosage 'exercise: "Bridge" timing: TIMING_POST sets: 3 reps: -5'
bad invalid_hold 'exercise: "Bridge" timing: TIMING_POST hold_seconds: -1'
bad invalid_effort 'exercise: "Bridge" timing: TIMING_POST effort_percent: 101'
bad invalid_pain_ceiling 'exercise: "Bridge" timing: TIMING_PRE pain_ceiling: 11'
bad invalid_contraction 'exercise: "Bridge" timing: TIMING_PRE contraction: 9'
bad invalid_day_part 'exercise: "Bridge" timing: TIMING_PRE frequency { times_per_day: 2 day_parts: DAY_PART_AM day_parts: 7 }'
bad invalid_frequency 'exercise: "Bridge" timing: TIMING_PRE frequency { times_per_week: -3 }'
# Valid answers that exercise the composition: phases out of order, duplicates differing in case.
seed plugin_answer compose_order '\001' touchline.plugin.v1.AssignResponse $P \
  "prescriptions { exercise: \"Nordic\" timing: TIMING_POST phase: PHASE_REHABILITATION sets: 3 reps: 5 } prescriptions { exercise: \"Clam\" timing: TIMING_PRE side: SIDE_LEFT phase: PHASE_BIOMECHANICS contraction: CONTRACTION_DYNAMIC frequency { times_per_day: 2 day_parts: DAY_PART_AM day_parts: DAY_PART_PM } } prescriptions { exercise: \"clam\" timing: TIMING_PRE side: SIDE_LEFT phase: PHASE_STABILISE } prescriptions { exercise: \"Clam\" timing: TIMING_PRE side: SIDE_RIGHT complaint_id: 4 each_side: true }"
# Several plugins answering one request ('M', then per plugin: kind byte, 16-bit LE length, bytes):
# a good answer, a crash, garbage bytes, and an answer that breaks the contract.
le16() { printf "\\$(printf %03o $(($1 % 256)))\\$(printf %03o $(($1 / 256)))"; }
part() {  # part <kind byte (octal)> <file holding the answer after its selector byte>
  printf "$1"
  le16 "$(wc -c <"$2")"
  cat "$2"
}
TMP=$(mktemp -d)
tail -c +2 "$OUT/plugin_answer/compose_order" >"$TMP/good"
: >"$TMP/none"
printf '\377\377\377garbage' >"$TMP/garbage"
tail -c +2 "$OUT/plugin_answer/invalid_side" >"$TMP/invalid"
{ printf 'M'; part '\000' "$TMP/good"; part '\002' "$TMP/none"; part '\000' "$TMP/garbage"; part '\000' "$TMP/invalid"; } >"$OUT/plugin_answer/multi_plugin"
{ printf 'M'; part '\000' "$TMP/good"; part '\000' "$TMP/good"; } >"$OUT/plugin_answer/multi_duplicates"
rm -rf "$TMP"
# A result frame payload: 'R', rc 0, empty error, then the AssignResponse bytes.
{ printf 'R\000\000\000\000\000\000\000\000'; tail -c +2 "$OUT/plugin_answer/assign_response"; } >"$OUT/plugin_answer/result_frame"
printf 'R\001\000\000\000\005\000\000\000crash' >"$OUT/plugin_answer/result_error"
# Hello payloads: loaded with name/version/handles/assign; and a load error.
printf 'H\001\120\000\000\000\001\000\000\000\001\001\004\000\000\000demo\001\003\000\000\0001.0\000\001' >"$OUT/plugin_answer/hello_ok"
printf 'H\000\011\000\000\000no dlopen' >"$OUT/plugin_answer/hello_error"
