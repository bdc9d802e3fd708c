// ExportService.ExportRecords through a real gRPC channel: every record exactly once across
// batches, resumption from a cursor taken mid-stream (also with records stored in between), the
// time range, the kinds filter, refused requests and cursors, and what each role receives.
#include <set>
#include <string>
#include <vector>

#include "server/api/touchline_server.h"
#include "server/common/caller.h"
#include "tests/api/server_fixture.h"
#include "touchline/v1/export.grpc.pb.h"
#include "touchline/v1/exposure.grpc.pb.h"

namespace touchline::testing {
namespace {

using common::Role;

// A record's identity in the expectations: "E:<idempotency key>" or "C:<complaint id>".
std::string KeyOf(const v1::ExportRecord& r) {
  if (r.has_contact_event()) return "E:" + r.contact_event().idempotency_key();
  if (r.has_complaint()) return absl::StrCat("C:", r.complaint().id());
  if (r.has_session()) return "S:" + r.session().idempotency_key();
  return "?";
}

struct Streamed {
  std::vector<v1::ExportRecordsResponse> messages;
  grpc::Status status;
  std::vector<v1::ExportRecord> Records() const {
    std::vector<v1::ExportRecord> all;
    for (const auto& m : messages) all.insert(all.end(), m.records().begin(), m.records().end());
    return all;
  }
  std::vector<std::string> Keys() const {
    std::vector<std::string> keys;
    for (const auto& r : Records()) keys.push_back(KeyOf(r));
    return keys;
  }
  std::string LastCursor() const { return messages.empty() ? "" : messages.back().cursor(); }
};

class ExportApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    exports_ = v1::ExportService::NewStub(channel_);
  }

  // Reads the stream; after `stop_after` messages the client cancels it (a dropped consumer).
  Streamed Export(const v1::ExportRecordsRequest& request, common::Role role = common::Role::kPhysio,
                  int stop_after = -1) {
    auto ctx = CtxAs(absl::StrCat(access_user_prefix_, static_cast<int>(role)), role);
    Streamed out;
    auto reader = exports_->ExportRecords(ctx.get(), request);
    v1::ExportRecordsResponse message;
    while (reader->Read(&message)) {
      out.messages.push_back(message);
      if (stop_after >= 0 && static_cast<int>(out.messages.size()) >= stop_after) {
        ctx->TryCancel();
        break;
      }
    }
    out.status = reader->Finish();
    return out;
  }

  v1::ExportRecordsRequest Request(int64_t squad, int batch_size = 0) {
    v1::ExportRecordsRequest r;
    r.set_squad_id(squad);
    r.set_batch_size(batch_size);
    return r;
  }

  // Imports `count` events for the players in turn, one every 6 hours from `first`; returns the
  // expectation keys. Events are given keys "<prefix>-<n>" so the physio's export names them.
  std::vector<std::string> ImportEvents(const std::vector<int64_t>& players, int count,
                                        absl::Time first, const std::string& prefix) {
    v1::ImportContactEventsResponse resp;
    auto ctx = Ctx();
    auto writer = events_->ImportContactEvents(ctx.get(), &resp);
    v1::ImportContactEventsRequest message;
    std::vector<std::string> keys;
    for (int i = 0; i < count; ++i) {
      auto* e = message.add_contact_events();
      e->set_player_id(players[i % players.size()]);
      e->set_kind(i % 3 == 0 ? v1::CONTACT_KIND_TACKLE_MADE : v1::CONTACT_KIND_RUCK);
      *e->mutable_occur_time() = Ts(first + absl::Hours(6) * i);
      e->set_session_label("Tuesday contact");
      e->set_note("note-free-text-XYZZY");
      e->set_idempotency_key(absl::StrCat(prefix, "-", i));
      keys.push_back(absl::StrCat("E:", prefix, "-", i));
    }
    EXPECT_TRUE(writer->Write(message));
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(resp.stored_count(), count);
    return keys;
  }

  // A complaint with free text in its history and findings and one check-in with a note.
  std::string MakeDetailedComplaint(int64_t player, absl::Time onset) {
    v1::CreateComplaintRequest req;
    auto* c = req.mutable_complaint();
    c->set_player_id(player);
    c->set_side(v1::SIDE_LEFT);
    *c->mutable_onset_time() = Ts(onset);
    c->set_onset_kind(v1::ONSET_KIND_GRADUAL);
    c->mutable_symptoms()->set_pain(4);
    c->mutable_history()->set_notes("history-free-text-XYZZY");
    c->mutable_findings()->set_notes("findings-free-text-XYZZY");
    v1::CreateComplaintResponse resp;
    EXPECT_TRUE(complaints_->CreateComplaint(Ctx().get(), req, &resp).ok());
    v1::CreateCheckInRequest check;
    check.set_complaint_id(resp.complaint().id());
    *check.mutable_check_in()->mutable_check_time() = Ts(onset + absl::Hours(30));
    check.mutable_check_in()->mutable_symptoms()->set_pain(2);
    check.mutable_check_in()->set_note("check-in-free-text-XYZZY");
    v1::CreateCheckInResponse checked;
    EXPECT_TRUE(complaints_->CreateCheckIn(Ctx().get(), check, &checked).ok());
    return absl::StrCat("C:", resp.complaint().id());
  }

  // Two squads; the first with four players, 300 events and 8 complaints (from 2026-08-01), the
  // second with one player and records that must never appear in the first squad's export.
  void MakeSeason() {
    squad_ = MakeSquad("First XV");
    other_squad_ = MakeSquad("Academy");
    for (int i = 0; i < 4; ++i) players_in_squad_.push_back(MakePlayer(squad_, absl::StrCat("P", i)));
    const int64_t outsider = MakePlayer(other_squad_, "Outsider");
    event_keys_ = ImportEvents(players_in_squad_, 300, Day(2026, 8, 1), "season");
    ImportEvents({outsider}, 20, Day(2026, 8, 1), "academy");
    for (int i = 0; i < 8; ++i) {
      complaint_keys_.push_back(
          MakeDetailedComplaint(players_in_squad_[i % 4], Day(2026, 8, 3) + absl::Hours(100) * i));
    }
    MakeComplaint(outsider, v1::SIDE_RIGHT, Day(2026, 8, 5));
  }

  std::vector<std::string> AllKeys() const {
    std::vector<std::string> all = event_keys_;
    all.insert(all.end(), complaint_keys_.begin(), complaint_keys_.end());
    return all;
  }

  std::unique_ptr<v1::ExportService::Stub> exports_;
  std::string access_user_prefix_ = "exporter.";
  int64_t squad_ = 0, other_squad_ = 0;
  std::vector<int64_t> players_in_squad_;
  std::vector<std::string> event_keys_, complaint_keys_;
};

// Kinds in stream order (events, complaints, sessions) and ids strictly increasing within each.
void ExpectStreamOrder(const std::vector<v1::ExportRecord>& records) {
  int kind = 0;  // 1 events, 2 complaints, 3 sessions
  int64_t last_id = 0;
  for (const auto& r : records) {
    const int this_kind = r.has_contact_event() ? 1 : r.has_complaint() ? 2 : 3;
    const int64_t id = r.has_contact_event() ? r.contact_event().id()
                       : r.has_complaint()   ? r.complaint().id()
                                             : r.session().id();
    ASSERT_TRUE(this_kind != 3 || r.has_session()) << "a record of no kind";
    EXPECT_GE(this_kind, kind) << "out of kind order: " << KeyOf(r);
    if (this_kind != kind) last_id = 0;
    EXPECT_GT(id, last_id) << KeyOf(r);
    kind = this_kind;
    last_id = id;
  }
}

TEST_F(ExportApiTest, EveryRecordOfTheSquadExactlyOnceAcrossBatchesInOrder) {
  MakeSeason();
  const Streamed s = Export(Request(squad_, 64));
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  // 300 events in batches of 64 (5 messages), then the 8 complaints.
  ASSERT_EQ(s.messages.size(), 6u);
  for (const auto& m : s.messages) {
    EXPECT_LE(m.records_size(), 64);
    EXPECT_GT(m.records_size(), 0);
    EXPECT_FALSE(m.cursor().empty());
  }
  EXPECT_EQ(s.Keys(), AllKeys());  // exactly these, once each, events then complaints by id
  ExpectStreamOrder(s.Records());
  for (const auto& r : s.Records()) {
    EXPECT_EQ(r.squad_id(), squad_);
    if (r.has_contact_event()) {
      EXPECT_EQ(r.revision(), 1);
      EXPECT_EQ(r.contact_event().note(), "note-free-text-XYZZY");  // physios see everything
    }
  }
}

TEST_F(ExportApiTest, ComplaintsCarryCheckInsResolutionAndRevision) {
  const int64_t squad = MakeSquad();
  const int64_t ann = MakePlayer(squad, "Ann");
  MakeDetailedComplaint(ann, Day(2026, 10, 1));
  const v1::Complaint open = MakeComplaint(ann, v1::SIDE_RIGHT, Day(2026, 10, 5));
  const std::string resolved_key = MakeDetailedComplaint(ann, Day(2026, 10, 10));
  const int64_t resolved = std::stoll(resolved_key.substr(2));
  ASSERT_TRUE(Resolve(resolved, Day(2026, 10, 20)).ok());

  const Streamed s = Export(Request(squad));
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  const auto records = s.Records();
  ASSERT_EQ(records.size(), 3u);
  // Created, then one check-in: revision 2. Only created: 1. Created, checked in, resolved: 3.
  EXPECT_EQ(records[0].revision(), 2);
  ASSERT_EQ(records[0].complaint().check_ins_size(), 1);
  EXPECT_EQ(records[0].complaint().check_ins(0).note(), "check-in-free-text-XYZZY");
  EXPECT_TRUE(records[0].complaint().open());
  EXPECT_EQ(records[1].complaint().id(), open.id());
  EXPECT_EQ(records[1].revision(), 1);
  EXPECT_EQ(records[2].revision(), 3);
  EXPECT_FALSE(records[2].complaint().open());
  EXPECT_EQ(service::FromProto(records[2].complaint().resolve_time()), Day(2026, 10, 20));
}

TEST_F(ExportApiTest, ResumingFromACursorTakenMidStreamMissesAndRepeatsNothing) {
  MakeSeason();
  v1::ExportRecordsRequest request = Request(squad_, 50);
  *request.mutable_start_time() = Ts(Day(2026, 8, 1));
  *request.mutable_end_time() = Ts(Day(2026, 12, 1));
  const Streamed first = Export(request, common::Role::kPhysio, /*stop_after=*/3);
  ASSERT_EQ(first.messages.size(), 3u);
  EXPECT_EQ(first.status.error_code(), grpc::StatusCode::CANCELLED);

  // Stored after the cursor, before the resumption: a backfilled event dated before everything
  // already exported, a new complaint, and an event outside the range (never exported).
  std::vector<std::string> late =
      ImportEvents({players_in_squad_[1]}, 1, Day(2026, 8, 1) + absl::Minutes(1), "backfill");
  ImportEvents({players_in_squad_[1]}, 1, Day(2026, 7, 31), "outside");
  late.push_back(MakeDetailedComplaint(players_in_squad_[2], Day(2026, 10, 30)));

  request.set_cursor(first.LastCursor());
  const Streamed rest = Export(request);
  ASSERT_TRUE(rest.status.ok()) << rest.status.error_message();

  std::vector<std::string> keys = first.Keys();
  const auto more = rest.Keys();
  keys.insert(keys.end(), more.begin(), more.end());
  std::multiset<std::string> got(keys.begin(), keys.end());
  std::vector<std::string> expected = AllKeys();
  expected.insert(expected.end(), late.begin(), late.end());
  EXPECT_EQ(got, std::multiset<std::string>(expected.begin(), expected.end()));
  EXPECT_EQ(keys.size(), expected.size());  // no duplicate
  EXPECT_EQ(first.Records().size(), 150u);
  ExpectStreamOrder(rest.Records());
}

TEST_F(ExportApiTest, TheLastCursorOfACompleteExportFetchesOnlyWhatWasStoredSince) {
  MakeSeason();
  v1::ExportRecordsRequest request = Request(squad_);
  const Streamed all = Export(request);
  ASSERT_TRUE(all.status.ok());
  ASSERT_EQ(all.Keys().size(), AllKeys().size());

  request.set_cursor(all.LastCursor());
  const Streamed nothing = Export(request);
  ASSERT_TRUE(nothing.status.ok()) << nothing.status.error_message();
  EXPECT_TRUE(nothing.messages.empty());

  std::vector<std::string> added =
      ImportEvents({players_in_squad_[0]}, 2, Day(2026, 7, 1), "added");
  added.push_back(MakeDetailedComplaint(players_in_squad_[3], Day(2026, 10, 2)));
  const Streamed since = Export(request);
  ASSERT_TRUE(since.status.ok());
  EXPECT_EQ(since.Keys(), added);
}

TEST_F(ExportApiTest, TheRangeIncludesItsStartAndExcludesItsEnd) {
  const int64_t squad = MakeSquad();
  const int64_t ann = MakePlayer(squad, "Ann");
  const absl::Time from = Day(2026, 10, 1), to = Day(2026, 10, 8);
  const int64_t before = MakeEvent(ann, v1::CONTACT_KIND_SCRUM, from - absl::Microseconds(1), false);
  const int64_t at_start = MakeEvent(ann, v1::CONTACT_KIND_SCRUM, from, false);
  const int64_t last_in = MakeEvent(ann, v1::CONTACT_KIND_SCRUM, to - absl::Microseconds(1), false);
  const int64_t at_end = MakeEvent(ann, v1::CONTACT_KIND_SCRUM, to, false);
  const v1::Complaint starts_at_from = MakeComplaint(ann, v1::SIDE_LEFT, from);
  MakeComplaint(ann, v1::SIDE_RIGHT, to);

  v1::ExportRecordsRequest request = Request(squad);
  *request.mutable_start_time() = Ts(from);
  *request.mutable_end_time() = Ts(to);
  const Streamed s = Export(request);
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  std::vector<int64_t> events, complaints;
  for (const auto& r : s.Records()) {
    if (r.has_contact_event()) events.push_back(r.contact_event().id());
    if (r.has_complaint()) complaints.push_back(r.complaint().id());
  }
  EXPECT_EQ(events, (std::vector<int64_t>{at_start, last_in}));
  EXPECT_EQ(complaints, (std::vector<int64_t>{starts_at_from.id()}));
  (void)before;
  (void)at_end;
}

TEST_F(ExportApiTest, KindsSelectWhatIsExported) {
  MakeSeason();
  v1::ExportRecordsRequest request = Request(squad_);
  request.add_kinds(v1::RECORD_KIND_COMPLAINT);
  Streamed s = Export(request);
  ASSERT_TRUE(s.status.ok());
  EXPECT_EQ(s.Keys(), complaint_keys_);

  request.clear_kinds();
  request.add_kinds(v1::RECORD_KIND_CONTACT_EVENT);
  s = Export(request);
  ASSERT_TRUE(s.status.ok());
  EXPECT_EQ(s.Keys(), event_keys_);

  // Both, in any order and repeated, is every kind in stream order.
  request.add_kinds(v1::RECORD_KIND_COMPLAINT);
  request.add_kinds(v1::RECORD_KIND_CONTACT_EVENT);
  s = Export(request);
  ASSERT_TRUE(s.status.ok());
  EXPECT_EQ(s.Keys(), AllKeys());
}

TEST_F(ExportApiTest, EveryoneSquadZeroExportsEverySquadWithItsSquadId) {
  MakeSeason();
  const Streamed s = Export(Request(0));
  ASSERT_TRUE(s.status.ok());
  EXPECT_EQ(s.Records().size(), AllKeys().size() + 20 + 1);
  std::set<int64_t> squads;
  for (const auto& r : s.Records()) {
    squads.insert(r.squad_id());
    if (r.has_contact_event() && r.contact_event().idempotency_key().starts_with("academy")) {
      EXPECT_EQ(r.squad_id(), other_squad_);
    }
  }
  EXPECT_EQ(squads, (std::set<int64_t>{squad_, other_squad_}));
}

TEST_F(ExportApiTest, SessionsComeLastWithTheirMinutesAndCoachesAndAnalystsMayExportThem) {
  MakeSeason();
  auto exposure = v1::ExposureService::NewStub(channel_);
  auto record = [&](const std::string& key, absl::Time start, int64_t player, int minutes) {
    v1::RecordSessionRequest req;
    auto* s = req.mutable_session();
    s->set_squad_id(squad_);
    s->set_kind(v1::EXPOSURE_KIND_TRAINING);
    *s->mutable_start_time() = Ts(start);
    s->set_duration_minutes(90);
    s->set_title("title-free-text-QWERTY");
    s->set_idempotency_key(key);
    auto* p = s->add_participations();
    p->set_player_id(player);
    p->set_minutes(minutes);
    p->set_full_contact_minutes(10);
    v1::RecordSessionResponse resp;
    const grpc::Status status =
        exposure->RecordSession(CtxAs("coach.cat", common::Role::kCoach).get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
  };
  // Stored in this order; the second starts earlier: the export follows storage order.
  record("tue", Start() - absl::Hours(48), players_in_squad_[0], 90);
  record("mon", Start() - absl::Hours(72), players_in_squad_[1], 60);

  v1::ExportRecordsRequest request = Request(squad_, 7);
  Streamed s = Export(request);
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  std::vector<std::string> expected = AllKeys();
  expected.push_back("S:tue");
  expected.push_back("S:mon");
  EXPECT_EQ(s.Keys(), expected);
  ExpectStreamOrder(s.Records());
  const v1::ExportRecord tue = s.Records()[expected.size() - 2];
  EXPECT_EQ(tue.squad_id(), squad_);
  EXPECT_EQ(tue.revision(), 1);
  ASSERT_EQ(tue.session().participations_size(), 1);
  EXPECT_EQ(tue.session().participations(0).player_id(), players_in_squad_[0]);
  EXPECT_EQ(tue.session().participations(0).minutes(), 90);
  EXPECT_EQ(tue.session().participations(0).full_contact_minutes(), 10);

  // Only sessions; and a cursor after the first resumes with the second.
  request.add_kinds(v1::RECORD_KIND_SESSION);
  request.set_batch_size(1);
  const Streamed first = Export(request, common::Role::kPhysio, 1);
  ASSERT_EQ(first.Keys(), std::vector<std::string>{"S:tue"});
  request.set_cursor(first.LastCursor());
  EXPECT_EQ(Export(request).Keys(), std::vector<std::string>{"S:mon"});

  // Coaches export sessions (not clinical) with their titles (staff text); analysts get pseudonyms
  // and no title.
  v1::ExportRecordsRequest sessions = Request(squad_);
  sessions.add_kinds(v1::RECORD_KIND_SESSION);
  const Streamed coach = Export(sessions, common::Role::kCoach);
  ASSERT_TRUE(coach.status.ok()) << coach.status.error_message();
  ASSERT_EQ(coach.Records().size(), 2u);
  EXPECT_FALSE(coach.Records()[0].session().title().empty());
  const Streamed analyst = Export(sessions, common::Role::kAnalyst);
  ASSERT_TRUE(analyst.status.ok()) << analyst.status.error_message();
  ASSERT_EQ(analyst.Records().size(), 2u);
  const v1::SessionParticipation part = analyst.Records()[0].session().participations(0);
  EXPECT_EQ(part.player_id(), 0);
  EXPECT_FALSE(part.player_pseudonym().empty());
  EXPECT_TRUE(analyst.Records()[0].session().title().empty());
}

TEST_F(ExportApiTest, BadRequestsAreRefusedWithTheirFields) {
  MakeSeason();
  auto refused = [&](const v1::ExportRecordsRequest& r) {
    const Streamed s = Export(r);
    EXPECT_TRUE(s.messages.empty());
    EXPECT_EQ(s.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << s.status.error_message();
    return ViolatedFields(s.status);
  };
  v1::ExportRecordsRequest r = Request(squad_);
  *r.mutable_start_time() = Ts(Day(2026, 10, 1));
  *r.mutable_end_time() = Ts(Day(2026, 10, 1));
  EXPECT_EQ(refused(r), std::vector<std::string>{"end_time"});
  *r.mutable_end_time() = Ts(Day(2026, 9, 1));
  EXPECT_EQ(refused(r), std::vector<std::string>{"end_time"});

  r = Request(squad_);
  r.add_kinds(v1::RECORD_KIND_UNSPECIFIED);
  r.add_kinds(static_cast<v1::RecordKind>(99));
  EXPECT_EQ(refused(r), (std::vector<std::string>{"kinds[0]", "kinds[1]"}));
  r = Request(-1, -5);
  EXPECT_EQ(refused(r), (std::vector<std::string>{"squad_id", "batch_size"}));

  // Cursors: garbage, a real one altered, one from another squad or range.
  v1::ExportRecordsRequest good = Request(squad_, 100);
  *good.mutable_start_time() = Ts(Day(2026, 8, 1));
  const Streamed first = Export(good, common::Role::kPhysio, 1);
  const std::string cursor = first.LastCursor();
  ASSERT_FALSE(cursor.empty());
  for (const std::string& bad : {std::string("not a cursor"), std::string("eDE7MT0x"),
                                 std::string(5000, 'A')}) {
    r = good;
    r.set_cursor(bad);
    EXPECT_EQ(refused(r), std::vector<std::string>{"cursor"}) << bad;
  }
  // Every single-character change of the cursor is detected.
  for (size_t i = 0; i < cursor.size(); ++i) {
    r = good;
    std::string altered = cursor;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    r.set_cursor(altered);
    EXPECT_EQ(refused(r), std::vector<std::string>{"cursor"}) << "position " << i;
  }
  r = good;
  r.set_cursor(cursor);
  r.set_squad_id(other_squad_);
  EXPECT_EQ(refused(r), std::vector<std::string>{"cursor"});
  r = good;
  r.set_cursor(cursor);
  *r.mutable_start_time() = Ts(Day(2026, 8, 2));
  EXPECT_EQ(refused(r), std::vector<std::string>{"cursor"});
  r = good;
  r.set_cursor(cursor);
  r.add_kinds(v1::RECORD_KIND_CONTACT_EVENT);
  EXPECT_EQ(refused(r), std::vector<std::string>{"cursor"});
  // A different batch size is the same export: the cursor resumes it.
  r = good;
  r.set_cursor(cursor);
  r.set_batch_size(7);
  const Streamed resumed = Export(r);
  ASSERT_TRUE(resumed.status.ok()) << resumed.status.error_message();
  EXPECT_EQ(first.Records().size() + resumed.Records().size(), AllKeys().size());
}

TEST_F(ExportApiTest, ACursorIsRefusedOnceTheServerKeyHasChanged) {
  MakeSeason();
  const v1::ExportRecordsRequest request = Request(squad_, 100);
  const Streamed first = Export(request, common::Role::kPhysio, 1);
  ASSERT_FALSE(first.LastCursor().empty());
  RestartServer();  // the tests' servers draw a new pseudonym key at every start
  exports_ = v1::ExportService::NewStub(channel_);
  v1::ExportRecordsRequest resume = request;
  resume.set_cursor(first.LastCursor());
  const Streamed s = Export(resume);
  EXPECT_EQ(s.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s.status), std::vector<std::string>{"cursor"});
}

// A server whose pseudonym key lives in a file, so it survives a restart (as in production).
class ExportKeyFileTest : public ExportApiTest {
 protected:
  void ConfigureServer(api::ServerOptions& options) override {
    options.pseudonym_key_file = db_path_ + ".pseudonym-key";
  }
  void TearDown() override {
    ExportApiTest::TearDown();
    std::remove((db_path_ + ".pseudonym-key").c_str());
  }
};

TEST_F(ExportKeyFileTest, ACursorSurvivesARestartButNotAReplacedDatabase) {
  MakeSeason();
  v1::ExportRecordsRequest request = Request(squad_, 100);
  const Streamed first = Export(request, common::Role::kPhysio, 1);
  request.set_cursor(first.LastCursor());
  RestartServer();
  exports_ = v1::ExportService::NewStub(channel_);
  const Streamed rest = Export(request);
  ASSERT_TRUE(rest.status.ok()) << rest.status.error_message();
  EXPECT_EQ(first.Records().size() + rest.Records().size(), AllKeys().size());

  // The same key and squad id over an empty database: the cursor points past everything stored.
  server_.reset();
  for (const char* file : {"", ".audit"}) {  // a new database needs a new audit log
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove((db_path_ + file + suffix).c_str());
    }
  }
  RemoveTestStore(db_path_);  // PostgreSQL: the same, its schemas
  tokens_.clear();
  StartServer();
  exports_ = v1::ExportService::NewStub(channel_);
  ASSERT_EQ(MakeSquad("First XV"), squad_);
  const Streamed replaced = Export(request);
  EXPECT_EQ(replaced.status.error_code(), grpc::StatusCode::OUT_OF_RANGE)
      << replaced.status.error_message();
  EXPECT_TRUE(replaced.messages.empty());
}

TEST_F(ExportApiTest, AnUnknownSquadIsNotFound) {
  MakeSeason();
  const Streamed s = Export(Request(other_squad_ + 100));
  EXPECT_EQ(s.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(s.messages.empty());
}

TEST_F(ExportApiTest, AnalystsGetPseudonymsAndNoFreeTextAndResumeTheirOwnExports) {
  MakeSeason();
  const Streamed s = Export(Request(squad_, 100), common::Role::kAnalyst);
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  const auto records = s.Records();
  ASSERT_EQ(records.size(), AllKeys().size());
  std::set<std::string> pseudonyms;
  for (const auto& r : records) {
    if (r.has_contact_event()) {
      const auto& e = r.contact_event();
      EXPECT_EQ(e.player_id(), 0);
      EXPECT_TRUE(e.player_pseudonym().starts_with("P")) << e.player_pseudonym();
      pseudonyms.insert(e.player_pseudonym());
      EXPECT_EQ(e.note(), "");
      EXPECT_EQ(e.session_label(), "");
      EXPECT_EQ(e.idempotency_key(), "");
      EXPECT_EQ(e.recorded_by(), "");
      EXPECT_NE(e.kind(), v1::CONTACT_KIND_UNSPECIFIED);  // the data analysts need stays
    } else {
      const auto& c = r.complaint();
      EXPECT_EQ(c.player_id(), 0);
      EXPECT_TRUE(pseudonyms.count(c.player_pseudonym())) << c.player_pseudonym();
      EXPECT_EQ(c.history().notes(), "");
      EXPECT_EQ(c.findings().notes(), "");
      EXPECT_EQ(c.created_by(), "");
      EXPECT_EQ(c.updated_by(), "");
      ASSERT_EQ(c.check_ins_size(), 1);
      EXPECT_EQ(c.check_ins(0).note(), "");
      EXPECT_EQ(c.check_ins(0).recorded_by(), "");
      EXPECT_EQ(c.check_ins(0).symptoms().pain(), 2);
      EXPECT_EQ(c.side(), v1::SIDE_LEFT);
    }
  }
  EXPECT_EQ(pseudonyms.size(), players_in_squad_.size());
  // The same pseudonyms as the analysts' other reads.
  v1::ListContactEventsRequest list;
  list.set_squad_id(squad_);
  list.set_page_size(1);
  v1::ListContactEventsResponse listed;
  ASSERT_TRUE(events_->ListContactEvents(
      CtxAs(absl::StrCat(access_user_prefix_, 4), common::Role::kAnalyst).get(), list, &listed).ok());
  ASSERT_EQ(listed.contact_events_size(), 1);
  EXPECT_TRUE(pseudonyms.count(listed.contact_events(0).player_pseudonym()));
  // Nothing that identifies a player is anywhere on the wire.
  for (const auto& m : s.messages) {
    const std::string wire = m.SerializeAsString();
    EXPECT_EQ(wire.find("XYZZY"), std::string::npos);
    EXPECT_EQ(wire.find("physio.anna"), std::string::npos);
  }

  v1::ExportRecordsRequest resume = Request(squad_, 100);
  const Streamed part = Export(resume, common::Role::kAnalyst, 2);
  resume.set_cursor(part.LastCursor());
  const Streamed rest = Export(resume, common::Role::kAnalyst);
  ASSERT_TRUE(rest.status.ok()) << rest.status.error_message();
  EXPECT_EQ(part.Records().size() + rest.Records().size(), AllKeys().size());
}

TEST_F(ExportApiTest, CoachesExportContactEventsOnlyAndWithoutFreeText) {
  MakeSeason();
  const Streamed s = Export(Request(squad_), common::Role::kCoach);
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  ASSERT_EQ(s.Records().size(), event_keys_.size());
  for (const auto& r : s.Records()) {
    ASSERT_TRUE(r.has_contact_event());
    EXPECT_NE(r.contact_event().player_id(), 0);  // coaches know their players
    EXPECT_EQ(r.contact_event().note(), "");
    EXPECT_FALSE(r.contact_event().session_label().empty());  // their own label (staff text)
  }
  v1::ExportRecordsRequest complaints = Request(squad_);
  complaints.add_kinds(v1::RECORD_KIND_COMPLAINT);
  const Streamed refused = Export(complaints, common::Role::kCoach);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(refused.messages.empty());
}

TEST_F(ExportApiTest, WithoutATokenNothingIsExported) {
  MakeSeason();
  grpc::ClientContext ctx;
  auto reader = exports_->ExportRecords(&ctx, Request(squad_));
  v1::ExportRecordsResponse message;
  EXPECT_FALSE(reader->Read(&message));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// Audited when it opens, before any record leaves (so a crash mid-stream still leaves a trace),
// and when it ends, with how many records were sent and every player they named.
TEST_F(ExportApiTest, AnExportIsAuditedWhenItOpensAndWhenItEndsWithItsCountAndPlayers) {
  MakeSeason();
  const Streamed streamed = Export(Request(squad_, 20), common::Role::kAnalyst);
  ASSERT_TRUE(streamed.status.ok());
  v1::ListAuditEventsRequest req;
  req.set_method("/touchline.v1.ExportService/ExportRecords");
  v1::ListAuditEventsResponse resp;
  ASSERT_TRUE(audit_->ListAuditEvents(CtxAs("admin.root", common::Role::kAdmin).get(), req, &resp).ok());
  ASSERT_EQ(resp.audit_events_size(), 2);  // newest first: the end, then the opening
  const auto& opened = resp.audit_events(1);
  EXPECT_EQ(opened.outcome(), "OPENED");
  EXPECT_EQ(opened.squad_id(), squad_);
  EXPECT_EQ(opened.records_sent(), 0);
  const auto& ended = resp.audit_events(0);
  EXPECT_EQ(ended.squad_id(), squad_);
  EXPECT_EQ(ended.outcome(), "OK");
  EXPECT_GT(streamed.messages.size(), 1u);
  EXPECT_EQ(ended.records_sent(), static_cast<int64_t>(streamed.Records().size()));
  EXPECT_EQ(std::set<int64_t>(ended.player_ids().begin(), ended.player_ids().end()),
            std::set<int64_t>(players_in_squad_.begin(), players_in_squad_.end()));
}

}  // namespace
}  // namespace touchline::testing
