#include "server/storage/migrations.h"

#include <array>
#include <exception>
#include <string>

#include "SQLiteCpp/Exception.h"
#include "absl/strings/str_cat.h"
#include "server/storage/database.h"

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

// Access control (issue 5). NOTE: numbered 3 on feature/access; renumber to 5 when merged after
// the ProtocolService (3) and live-flags (4) steps.
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

constexpr std::array<Migration, 3> kMigrations = {{
    {1, "squads, players, contact events, complaints, check-ins, amendments", kV1},
    {2, "readiness overrides, open-complaint index", kV2},
    {3, "access tokens (hashes), append-only audit log", kAccess},  // renumber to 5 at merge
}};

int UserVersion(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestMigrationVersion() { return kMigrations.back().version; }

absl::Status MigrateTo(SQLite::Database& db, int target_version) {
  for (const Migration& step : kMigrations) {
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
        db.exec(absl::StrCat("PRAGMA application_id = ", kTouchlineApplicationId));
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
