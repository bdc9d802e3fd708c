#include "server/storage/migrations.h"

#include <array>
#include <exception>
#include <string>

#include "SQLiteCpp/Exception.h"
#include "absl/strings/str_cat.h"
#include "SQLiteCpp/Database.h"
#include "server/storage/sqlite/sqlite_transaction.h"

namespace touchline::storage {
namespace {

// Conventions: instants are INTEGER microseconds since the Unix epoch (UTC), enums are INTEGER
// (the domain enum values), booleans are INTEGER 0/1. Tables are STRICT so a wrong type is an
// error rather than a silent conversion.

// v1: the squad medical record.
constexpr char kV1[] = R"sql(
CREATE TABLE squads (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE players (
  id             INTEGER PRIMARY KEY,
  squad_id       INTEGER NOT NULL REFERENCES squads (id),
  name           TEXT    NOT NULL,
  position_group INTEGER NOT NULL,
  position_name  TEXT    NOT NULL,
  external_id    TEXT,              -- NULL when not set
  archived_at    INTEGER,           -- NULL while the player is in the club
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX players_by_external_id ON players (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX players_by_squad ON players (squad_id, id);

CREATE TABLE contact_events (
  id              INTEGER PRIMARY KEY,
  player_id       INTEGER NOT NULL REFERENCES players (id),
  kind            INTEGER NOT NULL,
  occurred_at     INTEGER NOT NULL,
  session_label   TEXT    NOT NULL,
  awkward         INTEGER NOT NULL CHECK (awkward IN (0, 1)),
  source          INTEGER NOT NULL,
  note            TEXT    NOT NULL,
  idempotency_key TEXT    UNIQUE,   -- NULL when the event came without one (never deduplicated)
  recorded_at     INTEGER NOT NULL,
  recorded_by     TEXT    NOT NULL
) STRICT;
CREATE INDEX contact_events_by_player_time ON contact_events (player_id, occurred_at, id);
CREATE INDEX contact_events_by_kind ON contact_events (kind, occurred_at, id);

CREATE TABLE complaints (
  id                                  INTEGER PRIMARY KEY,
  player_id                           INTEGER NOT NULL REFERENCES players (id),
  side                                INTEGER NOT NULL,
  onset_at                            INTEGER NOT NULL,
  onset_kind                          INTEGER NOT NULL,
  mechanism                           INTEGER NOT NULL,
  symptom_ache                        INTEGER NOT NULL CHECK (symptom_ache IN (0, 1)),
  symptom_tightness                   INTEGER NOT NULL CHECK (symptom_tightness IN (0, 1)),
  symptom_spasm                       INTEGER NOT NULL CHECK (symptom_spasm IN (0, 1)),
  symptom_pain                        INTEGER NOT NULL,
  symptom_sleep_disturbance           INTEGER NOT NULL CHECK (symptom_sleep_disturbance IN (0, 1)),
  symptom_inflexibility               INTEGER NOT NULL CHECK (symptom_inflexibility IN (0, 1)),
  symptom_weakness_against_quadriceps INTEGER NOT NULL
                                      CHECK (symptom_weakness_against_quadriceps IN (0, 1)),
  osiics_code                         TEXT    NOT NULL,
  history_lumbar_disc_herniation      INTEGER NOT NULL
                                      CHECK (history_lumbar_disc_herniation IN (0, 1)),
  history_notes                       TEXT    NOT NULL,
  finding_pelvic_rotation             INTEGER NOT NULL CHECK (finding_pelvic_rotation IN (0, 1)),
  finding_piriformis_spasm            INTEGER NOT NULL CHECK (finding_piriformis_spasm IN (0, 1)),
  finding_lumbar_stiffness            INTEGER NOT NULL CHECK (finding_lumbar_stiffness IN (0, 1)),
  finding_thoracic_stiffness          INTEGER NOT NULL CHECK (finding_thoracic_stiffness IN (0, 1)),
  finding_sciatic_nerve_tension       INTEGER NOT NULL
                                      CHECK (finding_sciatic_nerve_tension IN (0, 1)),
  finding_notes                       TEXT    NOT NULL,
  resolved_at                         INTEGER,   -- NULL while open
  created_at                          INTEGER NOT NULL,
  created_by                          TEXT    NOT NULL,
  updated_at                          INTEGER NOT NULL,
  updated_by                          TEXT    NOT NULL
) STRICT;
CREATE INDEX complaints_by_player ON complaints (player_id, id);

CREATE TABLE check_ins (
  id                                  INTEGER PRIMARY KEY,
  complaint_id                        INTEGER NOT NULL REFERENCES complaints (id),
  checked_at                          INTEGER NOT NULL,
  symptom_ache                        INTEGER NOT NULL CHECK (symptom_ache IN (0, 1)),
  symptom_tightness                   INTEGER NOT NULL CHECK (symptom_tightness IN (0, 1)),
  symptom_spasm                       INTEGER NOT NULL CHECK (symptom_spasm IN (0, 1)),
  symptom_pain                        INTEGER NOT NULL,
  symptom_sleep_disturbance           INTEGER NOT NULL CHECK (symptom_sleep_disturbance IN (0, 1)),
  symptom_inflexibility               INTEGER NOT NULL CHECK (symptom_inflexibility IN (0, 1)),
  symptom_weakness_against_quadriceps INTEGER NOT NULL
                                      CHECK (symptom_weakness_against_quadriceps IN (0, 1)),
  note                                TEXT    NOT NULL,
  recorded_by                         TEXT    NOT NULL
) STRICT;
CREATE INDEX check_ins_by_complaint ON check_ins (complaint_id, checked_at, id);

-- The complaint history. Append-only: the triggers below make the database itself refuse any
-- UPDATE or DELETE, whoever issues it.
CREATE TABLE amendments (
  id           INTEGER PRIMARY KEY,
  complaint_id INTEGER NOT NULL REFERENCES complaints (id),
  action       INTEGER NOT NULL,
  amended_by   TEXT    NOT NULL,
  amended_at   INTEGER NOT NULL,
  reason       TEXT    NOT NULL
) STRICT;
CREATE INDEX amendments_by_complaint ON amendments (complaint_id, id);

CREATE TABLE amendment_changes (
  amendment_id INTEGER NOT NULL REFERENCES amendments (id),
  seq          INTEGER NOT NULL,   -- order within the amendment, from 0
  field        TEXT    NOT NULL,
  old_value    TEXT    NOT NULL,
  new_value    TEXT    NOT NULL,
  PRIMARY KEY (amendment_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER amendments_no_update BEFORE UPDATE ON amendments
BEGIN SELECT RAISE(ABORT, 'amendments are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER amendments_no_delete BEFORE DELETE ON amendments
BEGIN SELECT RAISE(ABORT, 'amendments are append-only: DELETE is not allowed'); END;
CREATE TRIGGER amendment_changes_no_update BEFORE UPDATE ON amendment_changes
BEGIN SELECT RAISE(ABORT, 'amendments are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER amendment_changes_no_delete BEFORE DELETE ON amendment_changes
BEGIN SELECT RAISE(ABORT, 'amendments are append-only: DELETE is not allowed'); END;
)sql";

// v2: readiness overrides, and an index for the open complaints of a player or squad.
constexpr char kV2[] = R"sql(
CREATE TABLE readiness_overrides (
  id           INTEGER PRIMARY KEY,
  player_id    INTEGER NOT NULL REFERENCES players (id),
  availability INTEGER NOT NULL,
  reason       TEXT    NOT NULL,
  starts_at    INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,   -- exclusive
  set_by       TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  cleared_at   INTEGER,            -- NULL unless cleared
  cleared_by   TEXT    NOT NULL    -- empty unless cleared
) STRICT;
CREATE INDEX readiness_overrides_by_player ON readiness_overrides (player_id, id);

CREATE INDEX complaints_open_by_player ON complaints (player_id, id) WHERE resolved_at IS NULL;
)sql";

// v3: protocol assignments (one row per player and session, one row per prescription; the
// prescription itself is the plugin contract's serialized touchline.plugin.v1.Prescription, lossless
// and append-only like the contract) and adherence reports. All three are append-only.
constexpr char kV3[] = R"sql(
CREATE TABLE protocol_assignments (
  id            INTEGER PRIMARY KEY,
  player_id     INTEGER NOT NULL REFERENCES players (id),
  session_label TEXT    NOT NULL,
  session_kind  INTEGER NOT NULL,
  session_at    INTEGER NOT NULL,
  assigned_at   INTEGER NOT NULL,
  assigned_by   TEXT    NOT NULL,
  failures      BLOB    NOT NULL   -- serialized touchline.plugin.v1.AssignResult holding failures only
) STRICT;
CREATE INDEX protocol_assignments_by_player ON protocol_assignments (player_id, id);
CREATE INDEX protocol_assignments_by_session ON protocol_assignments (player_id, session_at, id);

CREATE TABLE protocol_prescriptions (
  id             INTEGER PRIMARY KEY,
  assignment_id  INTEGER NOT NULL REFERENCES protocol_assignments (id),
  seq            INTEGER NOT NULL,   -- composition order within the assignment, from 0
  timing         INTEGER NOT NULL CHECK (timing IN (1, 2)),   -- PRE, POST
  protocol       TEXT    NOT NULL,
  exercise       TEXT    NOT NULL,
  complaint_id   INTEGER NOT NULL,   -- 0 = none (as the plugin said; not a foreign key)
  plugin_name    TEXT    NOT NULL,
  plugin_version TEXT    NOT NULL,
  body           BLOB    NOT NULL,   -- serialized touchline.plugin.v1.Prescription
  UNIQUE (assignment_id, seq)
) STRICT;

CREATE TABLE protocol_adherence (
  id              INTEGER PRIMARY KEY,
  prescription_id INTEGER NOT NULL REFERENCES protocol_prescriptions (id),
  adherence       INTEGER NOT NULL CHECK (adherence IN (1, 2, 3)),   -- DONE, PARTLY, NOT_DONE
  pain            INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),
  note            TEXT    NOT NULL,
  recorded_at     INTEGER NOT NULL,
  recorded_by     TEXT    NOT NULL
) STRICT;
CREATE INDEX protocol_adherence_by_prescription ON protocol_adherence (prescription_id, id);

CREATE TRIGGER protocol_assignments_no_update BEFORE UPDATE ON protocol_assignments
BEGIN SELECT RAISE(ABORT, 'protocol assignments are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER protocol_assignments_no_delete BEFORE DELETE ON protocol_assignments
BEGIN SELECT RAISE(ABORT, 'protocol assignments are append-only: DELETE is not allowed'); END;
CREATE TRIGGER protocol_prescriptions_no_update BEFORE UPDATE ON protocol_prescriptions
BEGIN SELECT RAISE(ABORT, 'protocol assignments are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER protocol_prescriptions_no_delete BEFORE DELETE ON protocol_prescriptions
BEGIN SELECT RAISE(ABORT, 'protocol assignments are append-only: DELETE is not allowed'); END;
CREATE TRIGGER protocol_adherence_no_update BEFORE UPDATE ON protocol_adherence
BEGIN SELECT RAISE(ABORT, 'adherence is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER protocol_adherence_no_delete BEFORE DELETE ON protocol_adherence
BEGIN SELECT RAISE(ABORT, 'adherence is append-only: DELETE is not allowed'); END;
)sql";

// v4, live flags (issue 4): the flag change log behind FlagService.WatchFlags and the flags
// currently held, with their acknowledgement.
constexpr char kLiveFlags[] = R"sql(
-- Append-only; sequence is the resume position of a watch (AUTOINCREMENT: never reused).
CREATE TABLE flag_changes (
  sequence    INTEGER PRIMARY KEY AUTOINCREMENT,
  squad_id    INTEGER NOT NULL,
  player_id   INTEGER NOT NULL REFERENCES players (id),
  change_type INTEGER NOT NULL,   -- touchline.v1.FlagChangeType
  flag_key    TEXT    NOT NULL,
  detected_at INTEGER NOT NULL,
  flag        BLOB    NOT NULL    -- serialized touchline.v1.Flag as streamed
) STRICT;
CREATE INDEX flag_changes_by_squad ON flag_changes (squad_id, sequence);
CREATE TRIGGER flag_changes_no_update BEFORE UPDATE ON flag_changes
BEGIN SELECT RAISE(ABORT, 'flag changes are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER flag_changes_no_delete BEFORE DELETE ON flag_changes
BEGIN SELECT RAISE(ABORT, 'flag changes are append-only: DELETE is not allowed'); END;

-- The flags the monitor last saw holding, one row per flag key; deleted when the flag clears.
CREATE TABLE flag_states (
  flag_key        TEXT    PRIMARY KEY,
  player_id       INTEGER NOT NULL REFERENCES players (id),
  squad_id        INTEGER NOT NULL,
  kind            INTEGER NOT NULL,
  complaint_id    INTEGER NOT NULL,
  flag            BLOB    NOT NULL,   -- serialized touchline.v1.Flag, without acknowledgement
  acknowledged_at INTEGER,            -- NULL until acknowledged
  acknowledged_by TEXT    NOT NULL,   -- empty until acknowledged
  ack_note        TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX flag_states_by_player ON flag_states (player_id);
)sql";

// v5, access control (issue 5).
// Bearer tokens are kept only as SHA-256 hashes. The audit log is append-only like amendments.
constexpr char kAccess[] = R"sql(
CREATE TABLE access_tokens (
  token_sha256 TEXT    PRIMARY KEY,   -- hex SHA-256 of the bearer token; the token is never stored
  user_name    TEXT    NOT NULL,
  role         INTEGER NOT NULL CHECK (role BETWEEN 1 AND 4),   -- touchline.v1.Role
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER                -- NULL while the token is valid
) STRICT;
CREATE INDEX access_tokens_by_user ON access_tokens (user_name);

CREATE TABLE audit_events (
  id          INTEGER PRIMARY KEY,
  occurred_at INTEGER NOT NULL,
  user_name   TEXT    NOT NULL,
  role        INTEGER NOT NULL,
  method      TEXT    NOT NULL,
  squad_id    INTEGER,                -- NULL when the request named no squad
  outcome     TEXT    NOT NULL        -- gRPC status code name
) STRICT;
CREATE INDEX audit_events_by_user ON audit_events (user_name, id);

CREATE TABLE audit_event_players (
  event_id  INTEGER NOT NULL REFERENCES audit_events (id),
  player_id INTEGER NOT NULL,
  PRIMARY KEY (event_id, player_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX audit_event_players_by_player ON audit_event_players (player_id, event_id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE is not allowed'); END;
CREATE TRIGGER audit_event_players_no_update BEFORE UPDATE ON audit_event_players
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER audit_event_players_no_delete BEFORE DELETE ON audit_event_players
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE is not allowed'); END;
)sql";

// v6: awkward events are the only ones the pelvic-origin rule reads; a partial index keeps
// readiness and flags from scanning every tackle of a season.
constexpr char kV6[] = R"sql(
CREATE INDEX contact_events_awkward ON contact_events (player_id, occurred_at) WHERE awkward = 1;
)sql";

// v7: an audit event naming many players (a squad's readiness board, a squad's flags) keeps their
// ids packed in one JSON column instead of a row each in audit_event_players: one row per read
// instead of fifty, and no fifty index pages dirtied by every read's commit.
constexpr char kV7[] = R"sql(
ALTER TABLE audit_events ADD COLUMN packed_player_ids TEXT;  -- JSON array; NULL: rows per player
)sql";

// v8, exposure (issue 8): sessions and the minutes each player took part. Sessions are records:
// created once with their participations, never updated or deleted (triggers refuse it).
constexpr char kExposure[] = R"sql(
CREATE TABLE sessions (
  id               INTEGER PRIMARY KEY,
  squad_id         INTEGER NOT NULL REFERENCES squads (id),
  kind             INTEGER NOT NULL CHECK (kind IN (1, 2)),   -- MATCH, TRAINING
  starts_at        INTEGER NOT NULL,
  duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
  title            TEXT    NOT NULL,
  idempotency_key  TEXT    NOT NULL UNIQUE,
  recorded_at      INTEGER NOT NULL,
  recorded_by      TEXT    NOT NULL
) STRICT;
-- ListSessions, rates and weekly load read a squad's sessions by time; an export reads every
-- squad's by (starts_at, id).
CREATE INDEX sessions_by_squad_time ON sessions (squad_id, starts_at, id);
CREATE INDEX sessions_by_time ON sessions (starts_at, id);

CREATE TABLE session_participations (
  session_id                 INTEGER NOT NULL REFERENCES sessions (id),
  player_id                  INTEGER NOT NULL REFERENCES players (id),
  minutes                    INTEGER NOT NULL CHECK (minutes > 0),
  full_contact_minutes       INTEGER NOT NULL CHECK (full_contact_minutes >= 0),
  controlled_contact_minutes INTEGER NOT NULL CHECK (controlled_contact_minutes >= 0),
  live_set_piece_minutes     INTEGER NOT NULL CHECK (live_set_piece_minutes >= 0),
  PRIMARY KEY (session_id, player_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX session_participations_by_player ON session_participations (player_id, session_id);

CREATE TRIGGER sessions_no_update BEFORE UPDATE ON sessions
BEGIN SELECT RAISE(ABORT, 'sessions are records: UPDATE is not allowed'); END;
CREATE TRIGGER sessions_no_delete BEFORE DELETE ON sessions
BEGIN SELECT RAISE(ABORT, 'sessions are records: DELETE is not allowed'); END;
CREATE TRIGGER session_participations_no_update BEFORE UPDATE ON session_participations
BEGIN SELECT RAISE(ABORT, 'sessions are records: UPDATE is not allowed'); END;
CREATE TRIGGER session_participations_no_delete BEFORE DELETE ON session_participations
BEGIN SELECT RAISE(ABORT, 'sessions are records: DELETE is not allowed'); END;
)sql";

// v9: the audit log moves to a file of its own (<db>.audit, kAuditLogV1 below). Every read of the
// medical record commits an audit event; committed into this file, each one made every other
// connection drop its page cache (WAL), so reads cost more the more history they touched. The old
// audit tables stay, append-only and never deleted: a server's first start on v9 copies their
// rows into the audit log (ids kept), then records the move here, and after that nothing more is
// appended to them. store_id pairs this database with its audit log.
constexpr char kV9[] = R"sql(
CREATE TABLE store_identity (
  only_row           INTEGER PRIMARY KEY CHECK (only_row = 1),
  store_id           TEXT    NOT NULL,   -- random; the audit log file names the database it belongs to
  audit_log_moved_at INTEGER             -- NULL until the audit events were copied to the audit log
) STRICT;
INSERT INTO store_identity (only_row, store_id) VALUES (1, lower(hex(randomblob(16))));
CREATE TRIGGER store_identity_no_delete BEFORE DELETE ON store_identity
BEGIN SELECT RAISE(ABORT, 'the store identity cannot be deleted'); END;
CREATE TRIGGER store_identity_set_once BEFORE UPDATE ON store_identity
WHEN NEW.store_id IS NOT OLD.store_id OR OLD.audit_log_moved_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'the store identity is set once'); END;
CREATE TRIGGER audit_events_moved BEFORE INSERT ON audit_events
WHEN (SELECT audit_log_moved_at FROM store_identity) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'the audit log has moved to its own file: nothing is appended here'); END;
CREATE TRIGGER audit_event_players_moved BEFORE INSERT ON audit_event_players
WHEN (SELECT audit_log_moved_at FROM store_identity) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'the audit log has moved to its own file: nothing is appended here'); END;
)sql";

// v10, safe retries (issue 16, AIP-155): the first result of every request a client sent with a
// request_id, kept beside the records it wrote, in the same transaction: a retry finds it and is
// answered with it, and a crash leaves both or neither. Ids are per user (another user's id never
// matches: it would hand over their result). Append-only.
constexpr char kV10[] = R"sql(
CREATE TABLE request_results (
  user_name    TEXT    NOT NULL,
  request_id   TEXT    NOT NULL,
  request_type TEXT    NOT NULL,  -- the request message's full name
  fingerprint  BLOB    NOT NULL,  -- SHA-256 of the request without its request_id
  response     BLOB    NOT NULL,  -- the serialized first response
  recorded_at  INTEGER NOT NULL,
  PRIMARY KEY (user_name, request_id)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER request_results_no_update BEFORE UPDATE ON request_results
BEGIN SELECT RAISE(ABORT, 'request results are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER request_results_no_delete BEFORE DELETE ON request_results
BEGIN SELECT RAISE(ABORT, 'request results are append-only: DELETE is not allowed'); END;
)sql";

// v11, objective assessments (issue 19): one row per test, one per leg tested. Append-only like
// amendments: a correction is a new row naming the one it amends (amends_id, unique: a record is
// corrected once, then its correction is), and the triggers refuse UPDATE and DELETE.
constexpr char kV11[] = R"sql(
CREATE TABLE assessments (
  id                   INTEGER PRIMARY KEY,
  player_id            INTEGER NOT NULL REFERENCES players (id),
  kind                 INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 7),   -- touchline.v1.AssessmentKind
  assessed_at          INTEGER NOT NULL,
  baseline             INTEGER NOT NULL CHECK (baseline IN (0, 1)),
  complaint_id         INTEGER REFERENCES complaints (id),             -- NULL: none
  knee_flexion_degrees INTEGER NOT NULL,                               -- isometric test position
  pelvic_rotation      INTEGER CHECK (pelvic_rotation BETWEEN 1 AND 3), -- NULL: not a pelvic screen
  lumbar_flexion_cm    REAL,                                           -- NULL: not measured
  note                 TEXT    NOT NULL,
  amends_id            INTEGER UNIQUE REFERENCES assessments (id),     -- NULL: an original record
  amend_reason         TEXT    NOT NULL,
  recorded_at          INTEGER NOT NULL,
  recorded_by          TEXT    NOT NULL
) STRICT;
CREATE INDEX assessments_by_player ON assessments (player_id, assessed_at, id);
CREATE INDEX assessments_by_time ON assessments (assessed_at, id);

-- Units: degrees, newtons, millimetres (apprehension, 0-100). NULL: not measured.
CREATE TABLE assessment_sides (
  assessment_id                  INTEGER NOT NULL REFERENCES assessments (id),
  side                           INTEGER NOT NULL CHECK (side IN (1, 2)),   -- LEFT, RIGHT
  angle_degrees                  REAL,
  sensitised_angle_degrees       REAL,
  symptoms_reproduced            INTEGER NOT NULL CHECK (symptoms_reproduced IN (0, 1)),
  sensitised_symptoms_reproduced INTEGER NOT NULL CHECK (sensitised_symptoms_reproduced IN (0, 1)),
  sensitiser_changes_symptoms    INTEGER NOT NULL CHECK (sensitiser_changes_symptoms IN (0, 1)),
  force_newtons                  REAL,
  hip_flexion_degrees            REAL,
  apprehension_mm                INTEGER,
  piriformis_tone                INTEGER CHECK (piriformis_tone BETWEEN 1 AND 3),
  thoracic_rotation_degrees      REAL,
  PRIMARY KEY (assessment_id, side)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER assessments_no_update BEFORE UPDATE ON assessments
BEGIN SELECT RAISE(ABORT, 'assessments are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments
BEGIN SELECT RAISE(ABORT, 'assessments are append-only: DELETE is not allowed'); END;
CREATE TRIGGER assessment_sides_no_update BEFORE UPDATE ON assessment_sides
BEGIN SELECT RAISE(ABORT, 'assessments are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER assessment_sides_no_delete BEFORE DELETE ON assessment_sides
BEGIN SELECT RAISE(ABORT, 'assessments are append-only: DELETE is not allowed'); END;
)sql";

// v12, same site and muscle grade (issue 19 item 7): the optional British Athletics Muscle Injury
// Classification of an acute complaint (Pollock et al. 2014): grade 0-4 and site letter a/b/c
// (1-3), both NULL or both set; grade 0 has no site c. Amended like every complaint column (the
// amendments table keeps who, when and the previous value).
constexpr char kV12[] = R"sql(
ALTER TABLE complaints ADD COLUMN bamic_grade INTEGER CHECK (bamic_grade BETWEEN 0 AND 4);
ALTER TABLE complaints ADD COLUMN bamic_site INTEGER
  CHECK (bamic_site BETWEEN 1 AND 3 AND (bamic_grade IS NULL) = (bamic_site IS NULL)
         AND NOT (bamic_grade = 0 AND bamic_site = 3));
)sql";

// v13, return to play (issue 19 item 5): one plan per complaint and its parts, every one a row
// appended, never changed: planned dates (a stage's latest row is its plan), criteria (a
// correction or withdrawal is a new row naming the one it amends), marks of a criterion met or
// retracted with their evidence (the latest is the criterion's state) and the stages reached
// (each once per plan). The triggers refuse UPDATE and DELETE.
constexpr char kV13[] = R"sql(
CREATE TABLE return_to_play_plans (
  id           INTEGER PRIMARY KEY,
  complaint_id INTEGER NOT NULL UNIQUE REFERENCES complaints (id),
  player_id    INTEGER NOT NULL REFERENCES players (id),
  note         TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  created_by   TEXT    NOT NULL
) STRICT;
CREATE INDEX return_to_play_plans_by_player ON return_to_play_plans (player_id, id);

CREATE TABLE return_to_play_planned_dates (
  id          INTEGER PRIMARY KEY,
  plan_id     INTEGER NOT NULL REFERENCES return_to_play_plans (id),
  stage       INTEGER NOT NULL CHECK (stage BETWEEN 1 AND 3),  -- touchline.v1.ReturnToPlayStage
  planned_at  INTEGER NOT NULL,
  reason      TEXT    NOT NULL,
  recorded_at INTEGER NOT NULL,
  recorded_by TEXT    NOT NULL
) STRICT;
CREATE INDEX return_to_play_planned_dates_by_plan ON return_to_play_planned_dates (plan_id, id);

CREATE TABLE return_to_play_criteria (
  id           INTEGER PRIMARY KEY,
  plan_id      INTEGER NOT NULL REFERENCES return_to_play_plans (id),
  stage        INTEGER NOT NULL CHECK (stage BETWEEN 1 AND 3),
  description  TEXT    NOT NULL,
  check_kind   INTEGER NOT NULL CHECK (check_kind BETWEEN 0 AND 2),  -- touchline.v1.CriterionCheck
  threshold    REAL    NOT NULL,
  withdrawn    INTEGER NOT NULL CHECK (withdrawn IN (0, 1)),
  amends_id    INTEGER UNIQUE REFERENCES return_to_play_criteria (id),  -- NULL: an original
  amend_reason TEXT    NOT NULL,
  recorded_at  INTEGER NOT NULL,
  recorded_by  TEXT    NOT NULL
) STRICT;
CREATE INDEX return_to_play_criteria_by_plan ON return_to_play_criteria (plan_id, id);

CREATE TABLE return_to_play_marks (
  id            INTEGER PRIMARY KEY,
  criterion_id  INTEGER NOT NULL REFERENCES return_to_play_criteria (id),
  met           INTEGER NOT NULL CHECK (met IN (0, 1)),  -- 0: an earlier mark retracted
  evidence      TEXT    NOT NULL,
  assessment_id INTEGER REFERENCES assessments (id),     -- NULL: none cited
  finding       TEXT    NOT NULL,                        -- a typed check's measurement
  recorded_at   INTEGER NOT NULL,
  recorded_by   TEXT    NOT NULL
) STRICT;
CREATE INDEX return_to_play_marks_by_criterion ON return_to_play_marks (criterion_id, id);

CREATE TABLE return_to_play_stages (
  id          INTEGER PRIMARY KEY,
  plan_id     INTEGER NOT NULL REFERENCES return_to_play_plans (id),
  stage       INTEGER NOT NULL CHECK (stage BETWEEN 1 AND 3),
  reached_at  INTEGER NOT NULL,
  note        TEXT    NOT NULL,
  recorded_at INTEGER NOT NULL,
  recorded_by TEXT    NOT NULL,
  UNIQUE (plan_id, stage)
) STRICT;
CREATE TRIGGER return_to_play_plans_no_update BEFORE UPDATE ON return_to_play_plans
BEGIN SELECT RAISE(ABORT, 'return-to-play records are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER return_to_play_plans_no_delete BEFORE DELETE ON return_to_play_plans
BEGIN SELECT RAISE(ABORT, 'return-to-play records are append-only: DELETE is not allowed'); END;
CREATE TRIGGER return_to_play_planned_dates_no_update BEFORE UPDATE ON return_to_play_planned_dates
BEGIN SELECT RAISE(ABORT, 'return-to-play records are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER return_to_play_planned_dates_no_delete BEFORE DELETE ON return_to_play_planned_dates
BEGIN SELECT RAISE(ABORT, 'return-to-play records are append-only: DELETE is not allowed'); END;
CREATE TRIGGER return_to_play_criteria_no_update BEFORE UPDATE ON return_to_play_criteria
BEGIN SELECT RAISE(ABORT, 'return-to-play records are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER return_to_play_criteria_no_delete BEFORE DELETE ON return_to_play_criteria
BEGIN SELECT RAISE(ABORT, 'return-to-play records are append-only: DELETE is not allowed'); END;
CREATE TRIGGER return_to_play_marks_no_update BEFORE UPDATE ON return_to_play_marks
BEGIN SELECT RAISE(ABORT, 'return-to-play records are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER return_to_play_marks_no_delete BEFORE DELETE ON return_to_play_marks
BEGIN SELECT RAISE(ABORT, 'return-to-play records are append-only: DELETE is not allowed'); END;
CREATE TRIGGER return_to_play_stages_no_update BEFORE UPDATE ON return_to_play_stages
BEGIN SELECT RAISE(ABORT, 'return-to-play records are append-only: UPDATE is not allowed'); END;
CREATE TRIGGER return_to_play_stages_no_delete BEFORE DELETE ON return_to_play_stages
BEGIN SELECT RAISE(ABORT, 'return-to-play records are append-only: DELETE is not allowed'); END;
)sql";

constexpr std::array<Migration, 13> kMigrations = {{
    {1, "squads, players, contact events, complaints, check-ins, amendments", kV1},
    {2, "readiness overrides, open-complaint index", kV2},
    {3, "protocol assignments, prescriptions, adherence", kV3},
    {4, "flag change log and held flags (live flags)", kLiveFlags},
    {5, "access tokens (hashes), append-only audit log", kAccess},
    {6, "partial index of awkward contact events", kV6},
    {7, "audit events pack the ids of many players in one column", kV7},
    {8, "sessions and participations (exposure)", kExposure},
    {9, "store identity; the audit log moves to its own file", kV9},
    {10, "request results (safe retries by request_id)", kV10},
    {11, "objective assessments (append-only)", kV11},
    {12, "BAMIC grade and site of acute complaints", kV12},
    {13, "return to play: plans, planned dates, criteria, marks, stages (append-only)", kV13},
}};

// ---- the audit log file (<db>.audit) ----

// v1: the append-only audit log as the clinical database kept it up to v8 (same tables and ids, so
// its events are copied across unchanged), and the store_id of the database it belongs to. The
// text repeats v5's on purpose: released steps are never edited, so two files' schemas must not
// share one string that a later edit could change under both.
constexpr char kAuditLogV1[] = R"sql(
CREATE TABLE audit_log_owner (
  only_row   INTEGER PRIMARY KEY CHECK (only_row = 1),
  store_id   TEXT    NOT NULL,         -- store_identity.store_id of the clinical database
  created_at INTEGER NOT NULL
) STRICT;
CREATE TRIGGER audit_log_owner_no_update BEFORE UPDATE ON audit_log_owner
BEGIN SELECT RAISE(ABORT, 'the audit log owner is set once'); END;
CREATE TRIGGER audit_log_owner_no_delete BEFORE DELETE ON audit_log_owner
BEGIN SELECT RAISE(ABORT, 'the audit log owner is set once'); END;

CREATE TABLE audit_events (
  id                INTEGER PRIMARY KEY,
  occurred_at       INTEGER NOT NULL,
  user_name         TEXT    NOT NULL,
  role              INTEGER NOT NULL,
  method            TEXT    NOT NULL,
  squad_id          INTEGER,          -- NULL when the request named no squad
  outcome           TEXT    NOT NULL, -- gRPC status code name
  packed_player_ids TEXT              -- JSON array; NULL: a row per player in audit_event_players
) STRICT;
CREATE INDEX audit_events_by_user ON audit_events (user_name, id);

CREATE TABLE audit_event_players (
  event_id  INTEGER NOT NULL REFERENCES audit_events (id),
  player_id INTEGER NOT NULL,
  PRIMARY KEY (event_id, player_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX audit_event_players_by_player ON audit_event_players (player_id, event_id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE is not allowed'); END;
CREATE TRIGGER audit_event_players_no_update BEFORE UPDATE ON audit_event_players
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER audit_event_players_no_delete BEFORE DELETE ON audit_event_players
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE is not allowed'); END;
)sql";

// v2, complete stream audit (issue 16): a stream is recorded when it opens (outcome OPENED, before
// anything is sent) and again when it ends, with how many records it sent.
constexpr char kAuditLogV2[] = R"sql(
ALTER TABLE audit_events ADD COLUMN records_sent INTEGER;  -- NULL: not a stream's closing record
)sql";

constexpr std::array<Migration, 2> kAuditLogMigrations = {{
    {1, "append-only audit log and its owner", kAuditLogV1},
    {2, "records sent by a stream", kAuditLogV2},
}};

int UserVersion(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

}  // namespace

int32_t ApplicationId(StoreKind kind) {
  return kind == StoreKind::kAuditLog ? kTouchlineAuditLogApplicationId : kTouchlineApplicationId;
}

const char* StoreName(StoreKind kind) {
  return kind == StoreKind::kAuditLog ? "Touchline audit log" : "Touchline database";
}

std::span<const Migration> Migrations(StoreKind kind) {
  if (kind == StoreKind::kAuditLog) return kAuditLogMigrations;
  return kMigrations;
}

int LatestMigrationVersion(StoreKind kind) { return Migrations(kind).back().version; }

absl::Status MigrateTo(SQLite::Database& db, int target_version, StoreKind kind) {
  for (const Migration& step : Migrations(kind)) {
    if (step.version > target_version) break;
    try {
      db.exec("BEGIN IMMEDIATE");
      try {
        const int current = UserVersion(db);
        if (current > target_version) {
          db.exec("ROLLBACK");
          return absl::FailedPreconditionError(absl::StrCat(
              "database ", db.getFilename(), " has schema version ", current,
              ", newer than the version ", target_version, " being migrated to"));
        }
        if (current >= step.version) {
          db.exec("ROLLBACK");
          continue;
        }
        if (current != step.version - 1) {
          db.exec("ROLLBACK");
          return absl::InternalError(absl::StrCat("database ", db.getFilename(),
                                                  " is at schema version ", current,
                                                  " but the next migration step is ", step.version));
        }
        db.exec(step.sql);
        db.exec(absl::StrCat("PRAGMA application_id = ", ApplicationId(kind)));
        db.exec(absl::StrCat("PRAGMA user_version = ", step.version));
        db.exec("COMMIT");
      } catch (...) {
        db.tryExec("ROLLBACK");
        throw;
      }
    } catch (const std::exception& e) {
      const absl::Status status = StatusFromSqliteError(e);
      return absl::Status(status.code(),
                          absl::StrCat("migrating ", db.getFilename(), " to schema version ",
                                       step.version, " (", step.description,
                                       ") failed: ", status.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace touchline::storage
