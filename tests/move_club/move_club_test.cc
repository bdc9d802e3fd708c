// touchline-move-club's copy and proof (server/move_club/club_copy.h) on a real SQLite club and a
// real PostgreSQL 15: every table copied with its ids and proven by the same digest on both sides,
// the records read back through the stores as they were, ids continuing after the copied ones, a
// non-empty target refused, a failed copy leaving nothing behind, and a tampered row found.
#include "server/move_club/club_copy.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "SQLiteCpp/Database.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/access_store.h"
#include "server/storage/assessment_store.h"
#include "server/storage/audit_log_store.h"
#include "server/storage/flag_store.h"
#include "server/storage/migrations.h"
#include "server/storage/protocol_store.h"
#include "server/storage/record_store.h"
#include "server/storage/request_result_store.h"
#include "server/storage/return_to_play_store.h"
#include "server/storage/row_binding.h"
#include "server/storage/session_store.h"
#include "server/storage/sqlite/sqlite_transaction.h"
#include "tests/lib/postgres_server.h"

namespace touchline::move_club {
namespace {

using storage::Database;
using storage::DatabaseOptions;
using storage::Id;
using storage::Transaction;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixMicros(1'760'000'000'123'456);

// Audit events in the log: more than a page of the copy's reads (2000 rows), so paging by key
// (and, for audit_event_players, by a two-column key) is exercised.
constexpr int kLogEvents = 2600;

// ---- what the tests compare: every field of a record, as text ----

std::string Show(const domain::Symptoms& s) {
  return absl::StrCat(s.ache, s.tightness, s.spasm, s.pain, s.sleep_disturbance, s.inflexibility,
                      s.weakness_against_quadriceps);
}

std::string Show(const domain::Complaint& c) {
  std::string out = absl::StrCat(
      c.id, "|", c.player_id, "|", static_cast<int>(c.side), "|", absl::FormatTime(c.onset_at),
      "|", static_cast<int>(c.onset_kind), "|", static_cast<int>(c.mechanism), "|", Show(c.symptoms),
      "|", c.osiics_code, "|", c.bamic ? absl::StrCat(c.bamic->grade, static_cast<int>(c.bamic->site)) : "-",
      "|", c.history.lumbar_disc_herniation, c.history.notes, "|", c.findings.pelvic_rotation,
      c.findings.piriformis_spasm, c.findings.lumbar_stiffness, c.findings.thoracic_stiffness,
      c.findings.sciatic_nerve_tension, c.findings.notes, "|",
      c.resolved_at ? absl::FormatTime(*c.resolved_at) : "open", "|", absl::FormatTime(c.created_at),
      c.created_by, absl::FormatTime(c.updated_at), c.updated_by);
  for (const domain::CheckIn& ci : c.check_ins) {
    absl::StrAppend(&out, "\n  check-in ", ci.id, "|", ci.complaint_id, "|",
                    absl::FormatTime(ci.checked_at), "|", Show(ci.symptoms), "|", ci.note, "|",
                    ci.recorded_by);
  }
  return out;
}

std::string Show(const std::vector<domain::Amendment>& amendments) {
  std::string out;
  for (const domain::Amendment& a : amendments) {
    absl::StrAppend(&out, a.id, "|", a.complaint_id, "|", static_cast<int>(a.action), "|",
                    a.amended_by, "|", absl::FormatTime(a.amended_at), "|", a.reason, "\n");
    for (const domain::FieldChange& f : a.changes) {
      absl::StrAppend(&out, "  ", f.field, ": ", f.old_value, " -> ", f.new_value, "\n");
    }
  }
  return out;
}

std::string Show(const std::optional<domain::AssessmentSide>& side) {
  if (!side) return "-";
  auto d = [](const std::optional<double>& v) { return v ? absl::StrCat(*v) : "null"; };
  return absl::StrCat(d(side->angle_degrees), ",", d(side->sensitised_angle_degrees), ",",
                      side->symptoms_reproduced, side->sensitised_symptoms_reproduced,
                      side->sensitiser_changes_symptoms, ",", d(side->force_newtons), ",",
                      d(side->hip_flexion_degrees), ",",
                      side->apprehension_mm ? absl::StrCat(*side->apprehension_mm) : "null", ",",
                      side->piriformis_tone ? static_cast<int>(*side->piriformis_tone) : 0, ",",
                      d(side->thoracic_rotation_degrees));
}

std::string Show(const domain::Assessment& a) {
  return absl::StrCat(a.id, "|", a.player_id, "|", static_cast<int>(a.kind), "|",
                      absl::FormatTime(a.assessed_at), "|", a.baseline, "|", a.complaint_id, "|",
                      Show(a.left), "|", Show(a.right), "|", a.knee_flexion_degrees, "|",
                      a.pelvic_rotation ? static_cast<int>(*a.pelvic_rotation) : 0, "|",
                      a.lumbar_flexion_cm ? absl::StrCat(*a.lumbar_flexion_cm) : "null", "|", a.note,
                      "|", a.amends_id, "|", a.amend_reason, "|", absl::FormatTime(a.recorded_at),
                      a.recorded_by, "|", a.superseded_by);
}

std::string Show(const storage::ProtocolAssignment& a) {
  std::string out = absl::StrCat(a.id, "|", a.player_id, "|", a.session_label, "|", a.session_kind,
                                 "|", absl::FormatTime(a.session_at), "|",
                                 absl::FormatTime(a.assigned_at), "|", a.assigned_by, "|",
                                 absl::CHexEscape(a.failures));
  for (const storage::StoredPrescription& p : a.prescriptions) {
    absl::StrAppend(&out, "\n  ", p.id, "|", p.seq, "|", p.timing, "|", p.protocol, "|",
                    p.exercise, "|", p.complaint_id, "|", p.plugin_name, p.plugin_version, "|",
                    absl::CHexEscape(p.body));
    for (const storage::AdherenceRecord& r : p.adherence) {
      absl::StrAppend(&out, "\n    ", r.id, "|", r.adherence, "|", r.pain, "|", r.note, "|",
                      absl::FormatTime(r.recorded_at), r.recorded_by);
    }
  }
  return out;
}

std::string Show(const std::vector<storage::AuditRecord>& events) {
  std::string out;
  for (const storage::AuditRecord& e : events) {
    absl::StrAppend(&out, e.id, "|", absl::FormatTime(e.occurred_at), "|", e.user, "|", e.role,
                    "|", e.method, "|", e.squad_id, "|", e.outcome, "|",
                    absl::StrJoin(e.player_ids, ","), "|",
                    e.records_sent ? absl::StrCat(*e.records_sent) : "-", "\n");
  }
  return out;
}

std::string Show(const std::vector<storage::FlagChangeRow>& changes) {
  std::string out;
  for (const auto& c : changes) {
    absl::StrAppend(&out, c.sequence, "|", c.squad_id, "|", c.player_id, "|", c.change_type, "|",
                    c.key, "|", absl::FormatTime(c.detected_at), "|", absl::CHexEscape(c.flag),
                    "\n");
  }
  return out;
}

std::string Show(const std::vector<storage::FlagStateRow>& states) {
  std::string out;
  for (const auto& s : states) {
    absl::StrAppend(&out, s.key, "|", s.player_id, "|", s.squad_id, "|", s.kind, "|",
                    s.complaint_id, "|", absl::CHexEscape(s.flag), "|",
                    s.ack ? absl::StrCat(absl::FormatTime(s.ack->at), s.ack->by, s.ack->note) : "-",
                    "\n");
  }
  return out;
}

std::string Show(const domain::ReturnToPlayPlan& p) {
  std::string out = absl::StrCat(p.id, "|", p.complaint_id, "|", p.player_id, "|", p.note, "|",
                                 absl::FormatTime(p.created_at), p.created_by);
  for (const auto& d : p.planned_dates) {
    absl::StrAppend(&out, "\n date ", d.id, "|", static_cast<int>(d.stage), "|",
                    absl::FormatTime(d.planned_at), "|", d.reason, "|", d.recorded_by);
  }
  for (const auto& c : p.criteria) {
    absl::StrAppend(&out, "\n criterion ", c.id, "|", static_cast<int>(c.stage), "|",
                    c.description, "|", static_cast<int>(c.check), "|", c.threshold, "|",
                    c.withdrawn, "|", c.amends_id, "|", c.amend_reason, "|", c.superseded_by);
  }
  for (const auto& m : p.marks) {
    absl::StrAppend(&out, "\n mark ", m.id, "|", m.criterion_id, "|", m.met, "|", m.evidence, "|",
                    m.assessment_id, "|", m.finding);
  }
  for (const auto& r : p.reached) {
    absl::StrAppend(&out, "\n reached ", r.id, "|", static_cast<int>(r.stage), "|",
                    absl::FormatTime(r.reached_at), "|", r.note);
  }
  return out;
}

// ---- the club ----

// Ids of the records the club was built with, to read them back on both sides.
struct ClubIds {
  std::vector<Id> squads, players, events, complaints, assessments, sessions, assignments, plans;
  std::vector<std::string> token_hashes;
};

// Runs `fn` in a write transaction of `db`; the test fails if it does not commit.
template <typename Fn>
void InWrite(Database& db, Fn fn) {
  const absl::Status status = db.Write([&](Transaction& tx) {
    fn(tx);
    return absl::OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status;
}

template <typename Fn>
void InRead(Database& db, Fn fn) {
  const absl::Status status = db.Read([&](Transaction& tx) {
    fn(tx);
    return absl::OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status;
}

template <typename T>
T Ok(absl::StatusOr<T> value) {
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *std::move(value) : T{};
}

storage::AuditRecord AuditEvent(int n) {
  storage::AuditRecord r;
  r.occurred_at = kT0 + absl::Seconds(n);
  r.user = absl::StrCat("physio-", n % 3);
  r.role = 2;
  r.method = absl::StrCat("/touchline.v1.ReadinessService/GetSquadReadiness#", n);
  r.squad_id = n % 2 == 0 ? 1 : 0;  // NULL in the row when 0
  r.outcome = n % 7 == 0 ? "OPENED" : "OK";
  if (n % 11 == 0) r.records_sent = n;
  // Some name a few players (a row each), some a whole board (packed in the event's row).
  const int players = n % 5 == 0 ? 30 : n % 4;
  for (int p = 1; p <= players; ++p) r.player_ids.push_back(p * 10 + n % 13);
  return r;
}

class MoveClubTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::PostgresServerOptions options;
    options.fsync = false;  // behaviour, not durability
    auto server = testing::PostgresServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    static int counter = 0;
    dir_ = absl::StrCat(::testing::TempDir(), "move_club_", ::getpid(), "_", counter, "/");
    schema_ = absl::StrCat("club_", counter++);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ + "club.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  DatabaseOptions TargetOptions() const {
    DatabaseOptions options;
    options.postgres = server_->ConnectionString();
    options.postgres_schema = schema_;
    return options;
  }

  ClubStores OpenSource() { return Ok(OpenSqliteClub(path_, "")); }
  ClubStores OpenTarget() { return Ok(OpenPostgresClub(TargetOptions())); }

  // A club as years of use leave it: started before schema v9 (its first audit events inside the
  // database, moved into the audit log by the server's first start on v9), then every kind of
  // record through the real stores, then the audit log growing on.
  ClubIds BuildSqliteClub() {
    ClubIds ids;
    {
      SQLite::Database raw(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      raw.exec("PRAGMA journal_mode = WAL");
      EXPECT_TRUE(storage::MigrateTo(raw, 8).ok());
      for (int n = 0; n < 40; ++n) {
        storage::SqliteTransaction tx(raw);
        storage::AuditRecord event = AuditEvent(n);
        event.records_sent.reset();  // a v2 audit log's column, not v8's
        EXPECT_TRUE(storage::AppendAuditEvent(tx, event).ok());
      }
    }
    DatabaseOptions options;
    options.path = path_;
    auto opened = Database::Open(options);  // migrates v8 to the latest
    EXPECT_TRUE(opened.ok()) << opened.status();
    std::unique_ptr<Database> db = std::move(*opened);
    DatabaseOptions log_options;
    log_options.path = storage::AuditLogPathFor(path_);
    auto log = storage::OpenAuditLog(*db, log_options, kT0);  // as the server's first start
    EXPECT_TRUE(log.ok()) << log.status();

    InWrite(*db, [&](Transaction& tx) {
      for (const char* name : {"Firsts", "Ólafur's \"A\" XV"}) {
        domain::Squad s{.name = name, .created_at = kT0, .updated_at = kT0 + absl::Seconds(3)};
        ids.squads.push_back(Ok(storage::InsertSquad(tx, s)).id);
      }
      for (int i = 0; i < 5; ++i) {
        domain::Player p;
        p.squad_id = ids.squads[i % 2];
        p.name = i == 1 ? "Þórr Ó'Brien\nsecond line" : absl::StrCat("Player ", i);
        p.position_group = i % 2 ? domain::PositionGroup::kBack : domain::PositionGroup::kForward;
        p.position_name = "Wing";
        if (i == 0) p.external_id = "EXT-0";  // the others NULL
        if (i == 4) p.archived_at = kT0 + absl::Hours(100);
        p.created_at = kT0 + absl::Microseconds(i);
        p.updated_at = kT0 + absl::Microseconds(7 * i);
        ids.players.push_back(Ok(storage::InsertPlayer(tx, p)).id);
      }
      storage::ContactEventInserter events(tx);
      for (int i = 0; i < 12; ++i) {
        domain::ContactEvent e;
        e.player_id = ids.players[i % 4];
        e.kind = i % 3 ? domain::ContactKind::kTackleMade : domain::ContactKind::kLineoutLanding;
        e.occurred_at = kT0 - absl::Hours(i);
        e.session_label = "Tuesday contact";
        e.awkward = i % 4 == 0;
        e.source = domain::ContactSource::kVideo;
        e.note = i == 3 ? "" : absl::StrCat("note ", i);
        if (i % 2 == 0) e.idempotency_key = absl::StrCat("key-", i);  // else NULL
        e.recorded_at = kT0 + absl::Minutes(i);
        e.recorded_by = "analyst";
        ids.events.push_back(events.InsertIfNew(e).value_or(0));
      }
      for (int i = 0; i < 3; ++i) {
        domain::Complaint c;
        c.player_id = ids.players[i];
        c.side = i == 0 ? domain::Side::kRight : domain::Side::kLeft;
        c.onset_at = kT0 - absl::Hours(24 * (i + 1));
        c.onset_kind = i == 1 ? domain::OnsetKind::kGradual : domain::OnsetKind::kAcute;
        c.mechanism = domain::Mechanism::kSprinting;
        c.symptoms = {.ache = true, .spasm = i == 2, .pain = 6 - i, .sleep_disturbance = true};
        c.osiics_code = "TMHX";
        if (i == 0) c.bamic = domain::BamicGrade{.grade = 2, .site = domain::BamicSite::kB};
        c.history = {.lumbar_disc_herniation = i == 1, .notes = "L5/S1 2021"};
        c.findings = {.pelvic_rotation = true, .sciatic_nerve_tension = i == 2, .notes = "slump +"};
        if (i == 2) c.resolved_at = kT0 + absl::Hours(1);
        c.created_at = kT0;
        c.created_by = "physio-a";
        c.updated_at = kT0 + absl::Hours(2);
        c.updated_by = "physio-b";
        const domain::Complaint stored = Ok(storage::InsertComplaint(tx, c));
        ids.complaints.push_back(stored.id);
        for (int k = 0; k < 3; ++k) {
          domain::CheckIn ci;
          ci.complaint_id = stored.id;
          ci.checked_at = kT0 + absl::Hours(24 * k);
          ci.symptoms = {.tightness = k % 2 == 0, .pain = 5 - k};
          ci.note = absl::StrCat("check-in ", k);
          ci.recorded_by = "physio-a";
          EXPECT_TRUE(storage::InsertCheckIn(tx, ci).ok());
        }
        for (int k = 0; k < 3; ++k) {
          domain::Amendment a;
          a.complaint_id = stored.id;
          a.action = k == 0 ? domain::AmendmentAction::kCreate : domain::AmendmentAction::kUpdate;
          a.amended_by = absl::StrCat("user", k);
          a.amended_at = kT0 + absl::Minutes(k);
          a.reason = k == 2 ? "" : absl::StrCat("reason ", k);
          for (int j = 0; j < k; ++j) {
            a.changes.push_back({absl::StrCat("field", j), absl::StrCat("old", j), ""});
          }
          EXPECT_TRUE(storage::AppendAmendment(tx, a).ok());
        }
      }
      domain::ReadinessOverride o;
      o.player_id = ids.players[0];
      o.availability = domain::Availability::kUnavailable;
      o.reason = "coach's call";
      o.starts_at = kT0;
      o.expires_at = kT0 + absl::Hours(24);
      o.set_by = "doctor";
      o.created_at = kT0;
      domain::ReadinessOverride cleared = Ok(storage::InsertOverride(tx, o));
      cleared.cleared_at = kT0 + absl::Hours(2);
      cleared.cleared_by = "doctor";
      EXPECT_TRUE(storage::UpdateOverride(tx, cleared).ok());
      EXPECT_TRUE(storage::InsertOverride(tx, o).ok());

      // Floats, NULL floats, and a correction of an assessment (a self-reference).
      domain::Assessment nordic;
      nordic.player_id = ids.players[0];
      nordic.kind = domain::AssessmentKind::kNordic;
      nordic.assessed_at = kT0;
      nordic.baseline = true;
      nordic.left = domain::AssessmentSide{.force_newtons = 400.1};
      nordic.right = domain::AssessmentSide{.force_newtons = 1.0 / 3.0};
      nordic.note = "pre-season";
      nordic.recorded_at = kT0;
      nordic.recorded_by = "physio-a";
      const Id first = Ok(storage::InsertAssessment(tx, nordic)).id;
      domain::Assessment corrected = nordic;
      corrected.right = domain::AssessmentSide{.force_newtons = 1e-300, .hip_flexion_degrees = 0.1};
      corrected.complaint_id = ids.complaints[0];
      corrected.amends_id = first;
      corrected.amend_reason = "legs swapped";
      ids.assessments = {first, Ok(storage::InsertAssessment(tx, corrected)).id};
      domain::Assessment schober;
      schober.player_id = ids.players[1];
      schober.kind = domain::AssessmentKind::kSpinalMobility;
      schober.assessed_at = kT0 + absl::Hours(1);
      schober.lumbar_flexion_cm = 5.25;
      schober.left = domain::AssessmentSide{.thoracic_rotation_degrees = 45};
      schober.recorded_at = kT0;
      schober.recorded_by = "physio-b";
      ids.assessments.push_back(Ok(storage::InsertAssessment(tx, schober)).id);

      domain::Session session;
      session.squad_id = ids.squads[0];
      session.kind = domain::ExposureKind::kMatch;
      session.starts_at = kT0 - absl::Hours(3);
      session.duration_minutes = 80;
      session.title = "League";
      session.idempotency_key = "s-1";
      session.recorded_at = kT0;
      session.recorded_by = "coach";
      session.participations = {{.player_id = ids.players[0], .minutes = 80, .full_contact_minutes = 60},
                                {.player_id = ids.players[2], .minutes = 20}};
      ids.sessions.push_back(Ok(storage::InsertSession(tx, session)).id);

      storage::ProtocolAssignment assignment;
      assignment.player_id = ids.players[0];
      assignment.session_label = "Wednesday rehab";
      assignment.session_kind = 2;
      assignment.session_at = kT0 + absl::Hours(20);
      assignment.assigned_at = kT0;
      assignment.assigned_by = "physio-a";
      assignment.failures = std::string("\x00\xff\x10 failure", 11);  // bytes, a NUL among them
      for (int seq = 0; seq < 2; ++seq) {
        storage::StoredPrescription p;
        p.seq = seq;
        p.timing = seq == 0 ? storage::kTimingPre : storage::kTimingPost;
        p.protocol = "hamstring";
        p.exercise = absl::StrCat("exercise ", seq);
        p.complaint_id = seq == 0 ? ids.complaints[0] : 0;
        p.plugin_name = "builtin";
        p.plugin_version = "1.0";
        p.body = std::string("\x0a\x00\x01\x02\xfe", 5);
        assignment.prescriptions.push_back(p);
      }
      const storage::ProtocolAssignment stored = Ok(storage::InsertAssignment(tx, assignment));
      ids.assignments.push_back(stored.id);
      storage::AdherenceRecord adherence;
      adherence.prescription_id = stored.prescriptions[1].id;
      adherence.adherence = 2;
      adherence.pain = 3;
      adherence.note = "stopped early";
      adherence.recorded_at = kT0 + absl::Hours(21);
      adherence.recorded_by = "player";
      EXPECT_TRUE(storage::AppendAdherence(tx, adherence).ok());

      for (int i = 0; i < 3; ++i) {
        storage::FlagChangeRow change{.squad_id = ids.squads[0], .player_id = ids.players[i],
                                      .change_type = 1 + i % 2,
                                      .key = absl::StrCat("persistent:", ids.players[i]),
                                      .detected_at = kT0 + absl::Seconds(i),
                                      .flag = std::string("\x08\x01\x00", 3) + std::to_string(i)};
        storage::AppendFlagChange(tx, change);
      }
      storage::FlagStateRow held{.key = absl::StrCat("persistent:", ids.players[0]),
                                 .player_id = ids.players[0], .squad_id = ids.squads[0], .kind = 1,
                                 .complaint_id = ids.complaints[0],
                                 .flag = std::string("\x08\x01\x00", 3)};
      held.ack = storage::FlagAck{.at = kT0 + absl::Hours(1), .by = "doctor", .note = "seen"};
      storage::UpsertFlagState(tx, held);
      held.key = absl::StrCat("recurrent:", ids.players[1]);
      held.player_id = ids.players[1];
      held.ack.reset();
      storage::UpsertFlagState(tx, held);

      for (const auto& [hash, user, role] :
           {std::tuple{std::string(64, 'a'), "local-admin", 1}, {std::string(64, 'b'), "coach.sam", 3}}) {
        EXPECT_TRUE(storage::InsertToken(tx, hash, user, role, kT0).ok());
        ids.token_hashes.push_back(hash);
      }
      storage::RevokeTokensOfUser(tx, "coach.sam", kT0 + absl::Hours(1));
      storage::InsertRequestResult(tx, {.user = "local-admin", .request_id = "r-1",
                                        .request_type = "touchline.v1.CreateSquadRequest",
                                        .fingerprint = std::string(32, '\x07'),
                                        .response = std::string("\x08\x01", 2),
                                        .recorded_at = kT0});

      domain::ReturnToPlayPlan plan;
      plan.complaint_id = ids.complaints[0];
      plan.player_id = ids.players[0];
      plan.note = "graded return";
      plan.created_at = kT0;
      plan.created_by = "physio-a";
      const Id plan_id = Ok(storage::InsertPlan(tx, plan)).id;
      ids.plans.push_back(plan_id);
      EXPECT_TRUE(storage::InsertPlannedDate(
                      tx, plan_id,
                      {.stage = domain::ReturnToPlayStage::kSport, .planned_at = kT0 + absl::Hours(200),
                       .reason = "first estimate", .recorded_at = kT0, .recorded_by = "physio-a"})
                      .ok());
      const Id criterion =
          Ok(storage::InsertCriterion(tx, plan_id,
                                      {.stage = domain::ReturnToPlayStage::kSport,
                                       .description = "Nordic asymmetry at most 10%",
                                       .check = domain::CriterionCheck::kEccentricAsymmetry,
                                       .threshold = 10.5, .recorded_at = kT0,
                                       .recorded_by = "physio-a"}))
              .id;
      EXPECT_TRUE(storage::InsertMark(tx, {.criterion_id = criterion, .met = true,
                                           .evidence = "Nordic", .assessment_id = ids.assessments[1],
                                           .finding = "asymmetry 4.2%", .recorded_at = kT0,
                                           .recorded_by = "physio-a"})
                      .ok());
      EXPECT_TRUE(storage::InsertStageReached(
                      tx, plan_id,
                      {.stage = domain::ReturnToPlayStage::kParticipation, .reached_at = kT0,
                       .note = "modified training", .recorded_at = kT0, .recorded_by = "physio-a"})
                      .ok());
    });
    InWrite(**log, [&](Transaction& tx) {
      for (int n = 40; n < 40 + kLogEvents; ++n) {
        EXPECT_TRUE(storage::AppendAuditEvent(tx, AuditEvent(n)).ok());
      }
    });
    return ids;
  }

  // Every record of `ids` as the stores read them from `club`.
  std::map<std::string, std::string> ReadRecords(ClubStores& club, const ClubIds& ids) {
    std::map<std::string, std::string> out;
    InRead(*club.record, [&](Transaction& tx) {
      for (const Id id : ids.squads) {
        const domain::Squad s = Ok(storage::FindSquad(tx, id));
        out[absl::StrCat("squad ", id)] = absl::StrCat(s.name, "|", absl::FormatTime(s.created_at),
                                                       "|", absl::FormatTime(s.updated_at));
      }
      for (const Id id : ids.players) {
        const domain::Player p = Ok(storage::FindPlayer(tx, id));
        out[absl::StrCat("player ", id)] = absl::StrCat(
            p.squad_id, "|", p.name, "|", static_cast<int>(p.position_group), "|",
            p.position_name, "|", p.external_id, "|",
            p.archived_at ? absl::FormatTime(*p.archived_at) : "-", "|",
            absl::FormatTime(p.updated_at));
      }
      for (const Id id : ids.events) {
        const domain::ContactEvent e = Ok(storage::FindContactEvent(tx, id));
        out[absl::StrCat("event ", id)] = absl::StrCat(
            e.player_id, "|", static_cast<int>(e.kind), "|", absl::FormatTime(e.occurred_at), "|",
            e.awkward, "|", e.note, "|", e.idempotency_key, "|", e.recorded_by);
      }
      for (const Id id : ids.complaints) {
        out[absl::StrCat("complaint ", id)] = Show(Ok(storage::FindComplaint(tx, id)));
        out[absl::StrCat("amendments ", id)] = Show(storage::ListAmendments(tx, id, 0, 100));
      }
      for (const Id id : ids.assessments) {
        out[absl::StrCat("assessment ", id)] = Show(Ok(storage::FindAssessment(tx, id)));
      }
      for (const Id id : ids.sessions) {
        const domain::Session s = Ok(storage::FindSession(tx, id));
        std::string text = absl::StrCat(s.title, "|", absl::FormatTime(s.starts_at), "|",
                                        s.duration_minutes, "|", s.idempotency_key);
        for (const auto& p : s.participations) {
          absl::StrAppend(&text, "|", p.player_id, ":", p.minutes, ":", p.full_contact_minutes);
        }
        out[absl::StrCat("session ", id)] = text;
      }
      for (const Id id : ids.assignments) {
        out[absl::StrCat("assignment ", id)] = Show(Ok(storage::FindAssignment(tx, id)));
      }
      for (const Id id : ids.plans) {
        out[absl::StrCat("plan ", id)] = Show(Ok(storage::FindPlan(tx, id)));
      }
      out["overrides"] = absl::StrCat(storage::ListOverrides(tx, ids.players[0], 0, 10).size());
      out["flag changes"] = Show(storage::ListFlagChanges(tx, 0, 0, 100));
      out["flag states"] = Show(storage::ListFlagStates(tx, ids.players));
      for (const std::string& hash : ids.token_hashes) {
        const auto token = storage::FindActiveToken(tx, hash);
        out["token " + hash.substr(0, 1)] = token ? absl::StrCat(token->user, token->role) : "revoked";
      }
      const auto result = storage::FindRequestResult(tx, "local-admin", "r-1");
      out["request result"] = result ? absl::CHexEscape(result->fingerprint + result->response) : "-";
    });
    InRead(*club.audit_log, [&](Transaction& tx) {
      out["audit log"] = Show(storage::ListAuditEvents(tx, {}, 0, 1'000'000));
    });
    return out;
  }

  static std::string Text(Database& db, const std::string& sql) {
    std::string text;
    InRead(db, [&](Transaction& tx) {
      storage::Statement q = tx.Prepare(sql);
      if (q.Step()) text = q.ColumnText(0);
    });
    return text;
  }

  static int64_t Count(Database& db, const std::string& sql) {
    int64_t n = -1;
    InRead(db, [&](Transaction& tx) { n = storage::QueryInt(tx, sql); });
    return n;
  }

  // Rows in every table of the target's two schemas (touchline_schema aside), by name.
  std::map<std::string, int64_t> TargetRows(ClubStores& target) {
    std::map<std::string, int64_t> rows;
    for (Database* db : {target.record.get(), target.audit_log.get()}) {
      std::vector<std::string> tables;
      InRead(*db, [&](Transaction& tx) {
        storage::Statement q = tx.Prepare(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name <> 'touchline_schema'");
        while (q.Step()) tables.push_back(q.ColumnText(0) + "." + q.ColumnText(1));
      });
      for (const std::string& table : tables) {
        rows[table] = Count(*db, "SELECT count(*) FROM " + table);
      }
    }
    return rows;
  }

  static testing::PostgresServer* server_;
  std::string dir_;
  std::string path_;
  std::string schema_;
};

testing::PostgresServer* MoveClubTest::server_ = nullptr;

const TableCheck* Find(const Verification& v, const std::string& name) {
  for (const TableCheck& t : v.tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

TEST_F(MoveClubTest, MovesEveryTableWithItsIdsAndProvesTheCopy) {
  const ClubIds ids = BuildSqliteClub();
  ClubStores source = OpenSource();
  ClubStores target = OpenTarget();
  const absl::StatusOr<Verification> moved = MoveClub(source, target);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_TRUE(moved->ok()) << FormatVerification(*moved);

  // Every table of both stores is in the proof, each as many rows as in SQLite, and none of the
  // club's tables is left out of the copy (each holds rows here).
  int64_t sqlite_tables = 0;
  for (Database* db : {source.record.get(), source.audit_log.get()}) {
    sqlite_tables += Count(*db,
                           "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                           "name NOT LIKE 'sqlite%'");
  }
  EXPECT_EQ(static_cast<int64_t>(moved->tables.size()), sqlite_tables);
  for (const TableCheck& t : moved->tables) {
    EXPECT_GT(t.source.rows, 0) << t.name << " is empty in the test's club: it proves nothing";
    EXPECT_EQ(t.source.rows, t.target.rows) << t.name;
    EXPECT_EQ(t.source.sha256, t.target.sha256) << t.name;
    EXPECT_EQ(t.source.sha256.size(), 64u) << t.name;
  }
  const std::string log_schema = schema_ + "_audit";
  ASSERT_NE(Find(*moved, log_schema + ".audit_events"), nullptr);
  EXPECT_EQ(Find(*moved, log_schema + ".audit_events")->target.rows, 40 + kLogEvents);
  EXPECT_EQ(Find(*moved, schema_ + ".audit_events")->target.rows, 40);  // the pre-v9 tables
  EXPECT_GT(Find(*moved, log_schema + ".audit_event_players")->target.rows, 2000);
  EXPECT_EQ(Find(*moved, schema_ + ".complaints")->target.rows, 3);
  EXPECT_THAT(FormatVerification(*moved),
              HasSubstr(absl::StrCat(schema_, ".complaints")));

  // The records, read through the stores on PostgreSQL, are the SQLite club's.
  const std::map<std::string, std::string> before = ReadRecords(source, ids);
  const std::map<std::string, std::string> after = ReadRecords(target, ids);
  EXPECT_EQ(before.size(), after.size());
  for (const auto& [what, text] : before) {
    ASSERT_TRUE(after.contains(what)) << what;
    EXPECT_EQ(after.at(what), text) << what;
  }
  EXPECT_THAT(before.at("audit log"), HasSubstr("OPENED"));

  // The copied identity: the server's own opening of the audit log accepts the pair (its owner is
  // the copied store_id) and finds the audit log moved.
  EXPECT_EQ(Text(*target.record, "SELECT store_id FROM store_identity"),
            Text(*source.record, "SELECT store_id FROM store_identity"));
  EXPECT_EQ(Text(*target.record, "SELECT audit_log_moved_at FROM store_identity"),
            Text(*source.record, "SELECT audit_log_moved_at FROM store_identity"));
  DatabaseOptions log_options = TargetOptions();
  auto server_log = storage::OpenAuditLog(*target.record, log_options, kT0 + absl::Hours(500));
  ASSERT_TRUE(server_log.ok()) << server_log.status();
  // The old audit tables stay closed to new events, as in SQLite.
  const absl::Status appended_old = target.record->Write([&](Transaction& tx) {
    return storage::AppendAuditEvent(tx, AuditEvent(1)).status();
  });
  EXPECT_FALSE(appended_old.ok());
  EXPECT_THAT(appended_old.message(), HasSubstr("moved"));
  // ...and its set-once trigger is back on.
  const absl::Status changed_identity = target.record->Write([&](Transaction& tx) {
    tx.Execute("UPDATE store_identity SET store_id = 'other'");
    return absl::OkStatus();
  });
  EXPECT_THAT(changed_identity.message(), HasSubstr("set once"));

  // New rows continue after the copied ids.
  const int64_t max_squad = Count(*source.record, "SELECT max(id) FROM squads");
  const int64_t max_complaint = Count(*source.record, "SELECT max(id) FROM complaints");
  const int64_t max_event = Count(*source.audit_log, "SELECT max(id) FROM audit_events");
  InWrite(*target.record, [&](Transaction& tx) {
    domain::Squad s{.name = "After the move", .created_at = kT0, .updated_at = kT0};
    EXPECT_EQ(Ok(storage::InsertSquad(tx, s)).id, max_squad + 1);
    domain::Complaint c;
    c.player_id = ids.players[0];
    c.onset_at = kT0;
    c.created_at = c.updated_at = kT0;
    EXPECT_EQ(Ok(storage::InsertComplaint(tx, c)).id, max_complaint + 1);
  });
  InWrite(**server_log, [&](Transaction& tx) {
    EXPECT_EQ(Ok(storage::AppendAuditEvent(tx, AuditEvent(9999))), max_event + 1);
  });
}

TEST_F(MoveClubTest, RefusesATargetThatAlreadyHoldsRowsAndChangesNothing) {
  BuildSqliteClub();
  {
    ClubStores source = OpenSource();
    ClubStores target = OpenTarget();
    ASSERT_TRUE(MoveClub(source, target).ok());
  }
  ClubStores source = OpenSource();
  ClubStores target = OpenTarget();
  const std::map<std::string, int64_t> rows_before = TargetRows(target);
  const absl::StatusOr<Verification> again = MoveClub(source, target);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("already hold records"));
  EXPECT_THAT(again.status().message(), HasSubstr(absl::StrCat(schema_, ".squads (2 rows)")));
  EXPECT_THAT(again.status().message(),
              HasSubstr(absl::StrCat(schema_, ".store_identity (a club was already moved")));
  EXPECT_THAT(again.status().message(), HasSubstr("Nothing was written"));
  EXPECT_EQ(TargetRows(target), rows_before);
  const absl::StatusOr<Verification> still = VerifyClub(source, target);
  ASSERT_TRUE(still.ok()) << still.status();
  EXPECT_TRUE(still->ok()) << FormatVerification(*still);

  // A schema a server started on (its own identity, an audit log claimed), with no records: a
  // live club all the same.
  schema_ += "_live";
  {
    ClubStores live = OpenTarget();
    ASSERT_TRUE(storage::OpenAuditLog(*live.record, TargetOptions(), kT0).ok());
  }
  ClubStores live = OpenTarget();
  const absl::StatusOr<Verification> into_live = MoveClub(source, live);
  ASSERT_FALSE(into_live.ok());
  EXPECT_THAT(into_live.status().message(),
              HasSubstr(absl::StrCat(schema_, "_audit.audit_log_owner (1 rows)")));
}

// An audit event the source's SQLite holds but PostgreSQL cannot (`user` of the event): the
// copy fails in the audit log, the last store copied, after every clinical table went in.
void AppendBadAuditEvent(const std::string& log_path, const std::string& user) {
  SQLite::Database raw(log_path, SQLite::OPEN_READWRITE);
  storage::SqliteTransaction tx(raw);
  storage::AuditRecord bad = AuditEvent(5000);
  bad.user = user;
  ASSERT_TRUE(storage::AppendAuditEvent(tx, bad).ok());
}

// The operator's repair of the source: the event dropped (the append-only trigger with it).
void DropBadAuditEvents(const std::string& log_path) {
  SQLite::Database raw(log_path, SQLite::OPEN_READWRITE);
  raw.exec("DROP TRIGGER IF EXISTS audit_events_no_delete");
  raw.exec("DELETE FROM audit_events WHERE user_name LIKE 'bad%'");
}

TEST_F(MoveClubTest, AFailedCopyWritesNothingAndCanBeRunAgain) {
  BuildSqliteClub();
  const std::string log_path = storage::AuditLogPathFor(path_);
  const auto expect_nothing_written = [&](ClubStores& target) {
    // Every table is as the baseline made it, in both schemas.
    const std::map<std::string, int64_t> rows = TargetRows(target);
    EXPECT_GT(rows.size(), 25u);
    for (const auto& [table, count] : rows) {
      EXPECT_EQ(count, table == schema_ + ".store_identity" ? 1 : 0) << table;
    }
  };

  // Bytes that are not UTF-8 in a text column: PostgreSQL refuses them.
  AppendBadAuditEvent(log_path, "bad\xff\xfe user");
  {
    ClubStores source = OpenSource();
    ClubStores target = OpenTarget();
    const absl::StatusOr<Verification> failed = MoveClub(source, target);
    ASSERT_FALSE(failed.ok());
    EXPECT_THAT(failed.status().message(),
                HasSubstr(absl::StrCat("copying table audit_events into ", schema_, "_audit")));
    expect_nothing_written(target);
  }
  DropBadAuditEvents(log_path);

  // A NUL byte in text, which SQLite keeps and PostgreSQL's text cannot hold: the backend refuses
  // to send it (libpq would cut the text short at it) and the copy's transaction rolls back.
  AppendBadAuditEvent(log_path, std::string("bad\0user", 8));
  {
    ClubStores source = OpenSource();
    ClubStores target = OpenTarget();
    const absl::StatusOr<Verification> failed = MoveClub(source, target);
    ASSERT_FALSE(failed.ok());
    EXPECT_THAT(failed.status().message(),
                HasSubstr(absl::StrCat("copying table audit_events into ", schema_, "_audit")));
    EXPECT_THAT(failed.status().message(), HasSubstr("NUL"));
    expect_nothing_written(target);
  }
  DropBadAuditEvents(log_path);

  ClubStores source = OpenSource();
  ClubStores target = OpenTarget();
  const absl::StatusOr<Verification> moved = MoveClub(source, target);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_TRUE(moved->ok()) << FormatVerification(*moved);
}

TEST_F(MoveClubTest, FindsATamperedRowAndNamesItsTable) {
  const ClubIds ids = BuildSqliteClub();
  ClubStores source = OpenSource();
  ClubStores target = OpenTarget();
  ASSERT_TRUE(MoveClub(source, target).ok());

  // One column of one row changed in PostgreSQL after the copy.
  InWrite(*target.record, [&](Transaction& tx) {
    storage::Statement q = tx.Prepare("UPDATE players SET position_name = ? WHERE id = ?");
    q.Bind(1, std::string_view("Hooker"));
    q.Bind(2, ids.players[3]);
    EXPECT_EQ(q.Execute(), 1);
  });
  absl::StatusOr<Verification> verified = VerifyClub(source, target);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_FALSE(verified->ok());
  std::vector<std::string> mismatched;
  for (const TableCheck& t : verified->tables) {
    if (!t.ok()) mismatched.push_back(t.name);
  }
  EXPECT_THAT(mismatched, ::testing::ElementsAre(schema_ + ".players"));
  const TableCheck* players = Find(*verified, schema_ + ".players");
  EXPECT_EQ(players->source.rows, players->target.rows);
  EXPECT_NE(players->source.sha256, players->target.sha256);
  EXPECT_THAT(players->difference,
              HasSubstr(absl::StrCat("the row id=", ids.players[3], " differs in position_name")));
  EXPECT_THAT(players->difference, ::testing::Not(HasSubstr("Hooker")));  // never a value
  const std::string report = FormatVerification(*verified);
  EXPECT_THAT(report, HasSubstr("MISMATCH " + schema_ + ".players: "));

  // A row only the target has: the counts differ, and the row is named.
  InWrite(*target.record, [&](Transaction& tx) {
    domain::CheckIn ci;
    ci.complaint_id = ids.complaints[0];
    ci.checked_at = kT0;
    ci.recorded_by = "intruder";
    EXPECT_TRUE(storage::InsertCheckIn(tx, ci).ok());
  });
  verified = VerifyClub(source, target);
  ASSERT_TRUE(verified.ok()) << verified.status();
  const TableCheck* check_ins = Find(*verified, schema_ + ".check_ins");
  ASSERT_NE(check_ins, nullptr);
  EXPECT_EQ(check_ins->target.rows, check_ins->source.rows + 1);
  EXPECT_THAT(check_ins->difference, HasSubstr("the target has a row the source lacks: id="));
}

TEST_F(MoveClubTest, DigestTellsNullIntegerFloatTextAndBlobApart) {
  // A table of SQLite's own dynamic typing (not STRICT, no type so no affinity), in a scratch
  // database: one value at a time in `v`, every digest different, and the same value the same
  // digest.
  DatabaseOptions options;
  options.path = dir_ + "scratch.db";
  auto db = Database::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  InWrite(**db, [](Transaction& tx) { tx.Execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v)"); });
  const TableSpec spec{.name = "t", .columns = {"k", "v"}, .primary_key = {"k"}};
  std::set<std::string> digests;
  for (const char* value : {"NULL", "1", "1.0", "'1'", "x'31'", "''", "x''", "0", "-0.0", "2"}) {
    InWrite(**db, [&](Transaction& tx) {
      tx.Execute("DELETE FROM t");
      tx.Execute(absl::StrCat("INSERT INTO t VALUES (1, ", value, ")"));
    });
    InRead(**db, [&](Transaction& tx) {
      const TableDigest digest = DigestTable(tx, "\"t\"", spec);
      EXPECT_EQ(digest.rows, 1);
      EXPECT_TRUE(digests.insert(digest.sha256).second) << value << " digests like another value";
      EXPECT_EQ(DigestTable(tx, "\"t\"", spec).sha256, digest.sha256);
    });
  }
  // Row boundaries count too: ('ab') is not ('a') then ('b').
  InWrite(**db, [](Transaction& tx) {
    tx.Execute("DELETE FROM t");
    tx.Execute("INSERT INTO t VALUES (1, 'ab')");
  });
  std::string one;
  InRead(**db, [&](Transaction& tx) { one = DigestTable(tx, "\"t\"", spec).sha256; });
  InWrite(**db, [](Transaction& tx) {
    tx.Execute("DELETE FROM t");
    tx.Execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  });
  InRead(**db, [&](Transaction& tx) { EXPECT_NE(DigestTable(tx, "\"t\"", spec).sha256, one); });
}

TEST_F(MoveClubTest, RefusesASourceWhoseAuditLogHasNotMovedOrIsAnotherDatabases) {
  const std::string unmoved_path = dir_ + "unmoved.db";
  {
    DatabaseOptions options;
    options.path = unmoved_path;
    ASSERT_TRUE(Database::Open(options).ok());  // created, never started by a server
  }
  const absl::StatusOr<ClubStores> unmoved = OpenSqliteClub(unmoved_path, "");
  ASSERT_FALSE(unmoved.ok());
  EXPECT_EQ(unmoved.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(unmoved.status().message(), HasSubstr("Start touchline-server on it once"));

  // Two clubs, each with its audit log; the second's log named for the first.
  BuildSqliteClub();
  const std::string other = dir_ + "other.db";
  {
    DatabaseOptions options;
    options.path = other;
    auto db = Database::Open(options);
    ASSERT_TRUE(db.ok());
    DatabaseOptions log_options;
    log_options.path = storage::AuditLogPathFor(other);
    ASSERT_TRUE(storage::OpenAuditLog(**db, log_options, kT0).ok());
  }
  const absl::StatusOr<ClubStores> mixed = OpenSqliteClub(path_, storage::AuditLogPathFor(other));
  ASSERT_FALSE(mixed.ok());
  EXPECT_THAT(mixed.status().message(), HasSubstr("is not the audit log of"));
  const absl::StatusOr<ClubStores> missing = OpenSqliteClub(path_, dir_ + "nowhere.audit");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("--from_audit_db"));
}

}  // namespace
}  // namespace touchline::move_club
