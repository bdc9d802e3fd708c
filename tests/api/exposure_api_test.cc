// ExposureService through a real channel (issue 8): sessions recorded, replayed, read and listed;
// bad input refused whole with nothing stored; injury rates checked against figures worked out by
// hand; weekly contact load against the World Rugby guidance; what each role may do and see.
#include <set>

#include "SQLiteCpp/Database.h"
#include "server/common/caller.h"
#include "server/storage/audit_log_store.h"
#include "tests/api/server_fixture.h"
#include "touchline/v1/exposure.grpc.pb.h"

namespace touchline::testing {
namespace {

using common::Role;
using ::testing::IsSupersetOf;
using ::testing::UnorderedElementsAre;

class ExposureApiTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    exposure_ = v1::ExposureService::NewStub(channel_);
    squad_ = MakeSquad();
    forward_ = MakePlayer(squad_, "Ellis Genge", v1::POSITION_GROUP_FORWARD);
    back_ = MakePlayer(squad_, "Marcus Smith", v1::POSITION_GROUP_BACK);
  }

  static v1::SessionParticipation Part(int64_t player, int minutes, int full = 0,
                                       int controlled = 0, int set_piece = 0) {
    v1::SessionParticipation p;
    p.set_player_id(player);
    p.set_minutes(minutes);
    p.set_full_contact_minutes(full);
    p.set_controlled_contact_minutes(controlled);
    p.set_live_set_piece_minutes(set_piece);
    return p;
  }

  v1::Session MakeSessionProto(v1::ExposureKind kind, absl::Time start, int duration,
                               std::vector<v1::SessionParticipation> parts,
                               int64_t squad = 0) {
    static int key = 0;
    v1::Session s;
    s.set_squad_id(squad != 0 ? squad : squad_);
    s.set_kind(kind);
    *s.mutable_start_time() = Ts(start);
    s.set_duration_minutes(duration);
    s.set_title(kind == v1::EXPOSURE_KIND_MATCH ? "v Saracens" : "Tuesday contact");
    s.set_idempotency_key(absl::StrCat("session-", ++key));
    for (auto& p : parts) *s.add_participations() = p;
    return s;
  }

  grpc::Status Record(const v1::Session& s, v1::RecordSessionResponse* resp,
                      common::Role role = common::Role::kCoach) {
    v1::RecordSessionRequest req;
    *req.mutable_session() = s;
    return exposure_->RecordSession(CtxAs("staff.sam", role).get(), req, resp);
  }

  int64_t RecordOk(const v1::Session& s) {
    v1::RecordSessionResponse resp;
    const grpc::Status status = Record(s, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp.session().id();
  }

  std::vector<v1::Session> ListAll(v1::ListSessionsRequest req, common::Role role = common::Role::kPhysio) {
    std::vector<v1::Session> all;
    for (;;) {
      v1::ListSessionsResponse resp;
      const grpc::Status status =
          exposure_->ListSessions(CtxAs("reader", role).get(), req, &resp);
      EXPECT_TRUE(status.ok()) << status.error_message();
      all.insert(all.end(), resp.sessions().begin(), resp.sessions().end());
      if (!status.ok() || resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return all;
  }

  int CountRows(const char* table) {
    return static_cast<int>(StoreInt(absl::StrCat("SELECT count(*) FROM ", table)));
  }

  grpc::Status Rates(absl::Time from, absl::Time to, v1::GetInjuryRatesResponse* resp,
                     common::Role role = common::Role::kPhysio, int64_t squad = 0) {
    v1::GetInjuryRatesRequest req;
    req.set_squad_id(squad != 0 ? squad : squad_);
    *req.mutable_start_time() = Ts(from);
    *req.mutable_end_time() = Ts(to);
    return exposure_->GetInjuryRates(CtxAs("reader", role).get(), req, resp);
  }

  grpc::Status Load(absl::Time from, absl::Time to, v1::GetWeeklyContactLoadResponse* resp,
                    common::Role role = common::Role::kCoach, int64_t player = 0) {
    v1::GetWeeklyContactLoadRequest req;
    req.set_squad_id(squad_);
    req.set_player_id(player);
    *req.mutable_start_time() = Ts(from);
    *req.mutable_end_time() = Ts(to);
    return exposure_->GetWeeklyContactLoad(CtxAs("reader", role).get(), req, resp);
  }

  std::unique_ptr<v1::ExposureService::Stub> exposure_;
  int64_t squad_ = 0, forward_ = 0, back_ = 0;
};

// ---- sessions ----

TEST_F(ExposureApiTest, RecordGetListAndReplay) {
  const v1::Session training = MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 27, 10),
                                                90, {Part(back_, 60), Part(forward_, 90, 10, 20, 30)});
  v1::RecordSessionResponse first;
  ASSERT_TRUE(Record(training, &first).ok());
  EXPECT_FALSE(first.replayed());
  EXPECT_GT(first.session().id(), 0);
  EXPECT_EQ(first.session().recorded_by(), "staff.sam");
  EXPECT_EQ(first.session().record_time().seconds(), absl::ToUnixSeconds(Start()));
  ASSERT_EQ(first.session().participations_size(), 2);

  v1::RecordSessionResponse again;
  ASSERT_TRUE(Record(training, &again).ok());
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.session().id(), first.session().id());
  v1::Session changed = training;
  changed.mutable_participations(0)->set_minutes(61);
  EXPECT_EQ(Record(changed, &again).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  const int64_t match = RecordOk(MakeSessionProto(v1::EXPOSURE_KIND_MATCH, Day(2026, 10, 31, 15),
                                                  80, {Part(forward_, 80), Part(back_, 52)}));

  v1::GetSessionRequest get;
  get.set_id(first.session().id());
  v1::GetSessionResponse got;
  ASSERT_TRUE(exposure_->GetSession(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.session().title(), "Tuesday contact");
  EXPECT_EQ(got.session().duration_minutes(), 90);
  EXPECT_EQ(got.session().kind(), v1::EXPOSURE_KIND_TRAINING);
  bool saw_forward = false;
  for (const auto& p : got.session().participations()) {
    if (p.player_id() != forward_) continue;
    saw_forward = true;
    EXPECT_EQ(p.minutes(), 90);
    EXPECT_EQ(p.full_contact_minutes(), 10);
    EXPECT_EQ(p.controlled_contact_minutes(), 20);
    EXPECT_EQ(p.live_set_piece_minutes(), 30);
  }
  EXPECT_TRUE(saw_forward);

  v1::ListSessionsRequest list;
  list.set_squad_id(squad_);
  list.set_page_size(1);  // two pages
  auto all = ListAll(list);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id(), first.session().id());  // oldest first
  EXPECT_EQ(all[1].id(), match);
  list.set_kind(v1::EXPOSURE_KIND_MATCH);
  all = ListAll(list);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id(), match);
  list.set_kind(v1::EXPOSURE_KIND_UNSPECIFIED);
  *list.mutable_start_time() = Ts(Day(2026, 10, 28));
  all = ListAll(list);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id(), match);
  EXPECT_EQ(CountRows("sessions"), 2);
}

// One player, one session at a time (issue 17): a session overlapping one a player already took
// part in is refused and stores nothing (their minutes would count twice); back to back is fine,
// and so are other players at the same time.
TEST_F(ExposureApiTest, AnOverlappingParticipationIsRefused) {
  RecordOk(MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 27, 10), 90,
                            {Part(forward_, 90)}));
  v1::RecordSessionResponse resp;
  v1::Session overlapping = MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 27, 11), 60,
                                             {Part(back_, 60), Part(forward_, 60)});
  overlapping.set_idempotency_key("overlapping");
  const grpc::Status status = Record(overlapping, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr(absl::StrCat("player ", forward_)));
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("overlaps"));
  // Nothing of it stored: the back (who was free) is not in any session of that day.
  v1::Session back_only = overlapping;
  back_only.clear_participations();
  *back_only.add_participations() = Part(back_, 60);
  back_only.set_idempotency_key("back-only");
  EXPECT_TRUE(Record(back_only, &resp).ok());
  // Back to back (starting as the first ends) is not an overlap.
  v1::Session next = MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 27, 11, 30), 30,
                                      {Part(forward_, 30)});
  next.set_idempotency_key("back-to-back");
  EXPECT_TRUE(Record(next, &resp).ok()) << "back to back refused";
}

TEST_F(ExposureApiTest, BadSessionIsRefusedWithEveryViolationAndNothingStored) {
  v1::Session s = MakeSessionProto(v1::EXPOSURE_KIND_MATCH, Start() + absl::Hours(48), 80,
                                   {Part(forward_, 81), Part(forward_, 10), Part(back_, 0),
                                    Part(0, 10), Part(777, 40, 5)});
  s.set_idempotency_key("");
  v1::RecordSessionResponse resp;
  grpc::Status status = Record(s, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status),
              UnorderedElementsAre("session.start_time", "session.idempotency_key",
                                   "session.participations[0].minutes",
                                   "session.participations[1].player_id",
                                   "session.participations[2].minutes",
                                   "session.participations[3].player_id",
                                   "session.participations[4].full_contact_minutes"));

  v1::Session training = MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 27), 0,
                                          {Part(back_, 30, 31, -1), Part(forward_, 30, 10, 10, 11)});
  training.set_kind(static_cast<v1::ExposureKind>(7));
  training.set_squad_id(-1);
  status = Record(training, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status),
              IsSupersetOf({"session.squad_id", "session.kind", "session.duration_minutes",
                            "session.participations[0].full_contact_minutes",
                            "session.participations[0].controlled_contact_minutes"}));

  v1::Session crowded = MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 27), 60,
                                         {Part(forward_, 30, 10, 10, 11)});
  status = Record(crowded, &resp);  // 31 contact minutes in 30
  EXPECT_THAT(ViolatedFields(status), UnorderedElementsAre("session.participations[0].minutes"));
  crowded.clear_participations();
  EXPECT_THAT(ViolatedFields(Record(crowded, &resp)),
              UnorderedElementsAre("session.participations"));
  EXPECT_EQ(CountRows("sessions"), 0);
  EXPECT_EQ(CountRows("session_participations"), 0);
}

TEST_F(ExposureApiTest, UnknownArchivedAndForeignPlayersStoreNothing) {
  const int64_t other_squad = MakeSquad("A team");
  const int64_t stranger = MakePlayer(other_squad, "Other Player");
  const int64_t leaver = MakePlayer(squad_, "Left Club");
  ASSERT_TRUE(Archive(leaver).ok());
  v1::RecordSessionResponse resp;
  auto with = [&](int64_t player, int64_t squad = 0) {
    return Record(MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 27), 60,
                                   {Part(forward_, 60), Part(player, 60)}, squad),
                  &resp)
        .error_code();
  };
  EXPECT_EQ(with(9999), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(with(back_, 9999), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(with(leaver), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(with(stranger), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(CountRows("sessions"), 0);
  EXPECT_EQ(CountRows("session_participations"), 0);

  v1::GetSessionRequest get;
  get.set_id(12345);
  v1::GetSessionResponse got;
  EXPECT_EQ(exposure_->GetSession(Ctx().get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  get.set_id(0);
  EXPECT_EQ(exposure_->GetSession(Ctx().get(), get, &got).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListSessionsRequest list;
  list.set_squad_id(9999);
  v1::ListSessionsResponse listed;
  EXPECT_EQ(exposure_->ListSessions(Ctx().get(), list, &listed).error_code(),
            grpc::StatusCode::NOT_FOUND);
  list.set_squad_id(0);
  list.set_kind(static_cast<v1::ExposureKind>(9));
  EXPECT_THAT(ViolatedFields(exposure_->ListSessions(Ctx().get(), list, &listed)),
              UnorderedElementsAre("squad_id", "kind"));
}

// ---- injury rates ----

TEST_F(ExposureApiTest, InjuryRatesMatchFiguresWorkedOutByHand) {
  // Five forwards and five backs (the fixture's two plus four each) train 24 times for 100
  // minutes in October: 5 x 24 x 100 min = 200 h per group, 400 h in all. Three forwards play
  // 60 minutes and three backs 80 minutes of four matches: 12 h and 16 h of match exposure.
  std::vector<int64_t> forwards = {forward_}, backs = {back_};
  for (int i = 0; i < 4; ++i) {
    forwards.push_back(MakePlayer(squad_, absl::StrCat("Forward ", i), v1::POSITION_GROUP_FORWARD));
    backs.push_back(MakePlayer(squad_, absl::StrCat("Back ", i), v1::POSITION_GROUP_BACK));
  }
  for (int day = 1; day <= 24; ++day) {
    std::vector<v1::SessionParticipation> parts;
    for (int64_t p : forwards) parts.push_back(Part(p, 100));
    for (int64_t p : backs) parts.push_back(Part(p, 100));
    RecordOk(MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, day, 9), 100, parts));
  }
  for (int day : {3, 10, 17, 24}) {
    std::vector<v1::SessionParticipation> parts;
    for (int i = 0; i < 3; ++i) {
      parts.push_back(Part(forwards[i], 60));
      parts.push_back(Part(backs[i], 80));
    }
    RecordOk(MakeSessionProto(v1::EXPOSURE_KIND_MATCH, Day(2026, 10, day, 15), 80, parts));
  }
  // A session outside the period adds no exposure.
  RecordOk(MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 9, 30, 9), 100,
                            {Part(back_, 100)}));

  // During match 2 (back_ played): match, backs; 10 days lost.
  const auto in_match = MakeComplaint(back_, v1::SIDE_LEFT, Day(2026, 10, 10, 15, 40));
  ASSERT_TRUE(Resolve(in_match.id(), Day(2026, 10, 20, 9)).ok());
  // A training day: training, forwards; 3 days lost.
  const auto training_f = MakeComplaint(forward_, v1::SIDE_RIGHT, Day(2026, 10, 6, 11));
  ASSERT_TRUE(Resolve(training_f.id(), Day(2026, 10, 9, 8)).ok());
  // Still open: training, backs; 17 days lost up to now (1 November).
  MakeComplaint(backs[1], v1::SIDE_RIGHT, Day(2026, 10, 15, 12));
  // Before the period, and in another squad: not counted.
  const auto before = MakeComplaint(backs[2], v1::SIDE_LEFT, Day(2026, 9, 20));
  ASSERT_TRUE(Resolve(before.id(), Day(2026, 9, 25)).ok());
  const int64_t other_squad = MakeSquad("A team");
  MakeComplaint(MakePlayer(other_squad, "Elsewhere"), v1::SIDE_LEFT, Day(2026, 10, 12));

  v1::GetInjuryRatesResponse r;
  const grpc::Status status = Rates(Day(2026, 10, 1), Day(2026, 11, 1), &r);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(r.as_of_time().seconds(), absl::ToUnixSeconds(Start()));
  EXPECT_EQ(r.open_complaint_count(), 1);

  EXPECT_DOUBLE_EQ(r.training().forwards().exposure_hours(), 200.0);
  EXPECT_EQ(r.training().forwards().complaint_count(), 1);
  EXPECT_EQ(r.training().forwards().days_lost(), 3);
  EXPECT_DOUBLE_EQ(r.training().forwards().incidence_per_1000h(), 5.0);
  EXPECT_DOUBLE_EQ(r.training().forwards().burden_per_1000h(), 15.0);
  EXPECT_EQ(r.training().backs().days_lost(), 17);
  EXPECT_DOUBLE_EQ(r.training().backs().burden_per_1000h(), 85.0);
  // 2 complaints over 400 player-hours: 5.0 per 1000 h; 20 days: 50 per 1000 h.
  EXPECT_DOUBLE_EQ(r.training().total().exposure_hours(), 400.0);
  EXPECT_EQ(r.training().total().complaint_count(), 2);
  EXPECT_DOUBLE_EQ(r.training().total().incidence_per_1000h(), 5.0);
  EXPECT_DOUBLE_EQ(r.training().total().burden_per_1000h(), 50.0);

  EXPECT_DOUBLE_EQ(r.match().forwards().exposure_hours(), 12.0);
  EXPECT_TRUE(r.match().forwards().has_incidence_per_1000h());
  EXPECT_DOUBLE_EQ(r.match().forwards().incidence_per_1000h(), 0.0);
  EXPECT_DOUBLE_EQ(r.match().backs().exposure_hours(), 16.0);
  EXPECT_DOUBLE_EQ(r.match().backs().incidence_per_1000h(), 62.5);   // 1 / 16 h
  EXPECT_DOUBLE_EQ(r.match().backs().burden_per_1000h(), 625.0);     // 10 d / 16 h
  EXPECT_DOUBLE_EQ(r.match().total().incidence_per_1000h(), 1000.0 / 28.0);

  EXPECT_DOUBLE_EQ(r.total().total().exposure_hours(), 428.0);
  EXPECT_EQ(r.total().total().complaint_count(), 3);
  EXPECT_EQ(r.total().total().days_lost(), 30);
  EXPECT_DOUBLE_EQ(r.total().total().incidence_per_1000h(), 3000.0 / 428.0);
  EXPECT_DOUBLE_EQ(r.total().backs().exposure_hours(), 216.0);

  // Aggregates only: coaches and analysts get the same figures.
  for (common::Role role : {common::Role::kCoach, common::Role::kAnalyst}) {
    v1::GetInjuryRatesResponse as_role;
    ASSERT_TRUE(Rates(Day(2026, 10, 1), Day(2026, 11, 1), &as_role, role).ok());
    EXPECT_DOUBLE_EQ(as_role.training().total().incidence_per_1000h(), 5.0);
  }
}

TEST_F(ExposureApiTest, InjuryRatesWithoutExposureLeaveRatesUnset) {
  MakeComplaint(back_, v1::SIDE_LEFT, Day(2026, 10, 10));
  v1::GetInjuryRatesResponse r;
  ASSERT_TRUE(Rates(Day(2026, 10, 1), Day(2026, 11, 1), &r).ok());
  EXPECT_EQ(r.total().total().complaint_count(), 1);
  EXPECT_DOUBLE_EQ(r.total().total().exposure_hours(), 0.0);
  EXPECT_FALSE(r.total().total().has_incidence_per_1000h());
  EXPECT_FALSE(r.total().total().has_burden_per_1000h());
  EXPECT_FALSE(r.match().backs().has_incidence_per_1000h());
}

TEST_F(ExposureApiTest, InjuryRatesRefuseBadPeriodsAndUnknownSquads) {
  v1::GetInjuryRatesRequest req;
  v1::GetInjuryRatesResponse resp;
  grpc::Status status = exposure_->GetInjuryRates(Ctx().get(), req, &resp);
  EXPECT_THAT(ViolatedFields(status), UnorderedElementsAre("squad_id", "start_time", "end_time"));
  EXPECT_THAT(ViolatedFields(Rates(Day(2026, 10, 1), Day(2026, 10, 1), &resp)),
              UnorderedElementsAre("end_time"));
  EXPECT_THAT(ViolatedFields(Rates(Day(2025, 1, 1), Day(2026, 10, 1), &resp)),
              UnorderedElementsAre("end_time"));  // longer than 400 days
  EXPECT_EQ(Rates(Day(2026, 10, 1), Day(2026, 11, 1), &resp, common::Role::kPhysio, 9999).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// ---- weekly contact load ----

TEST_F(ExposureApiTest, WeeklyLoadAgainstTheGuidanceWithIsoWeeks) {
  // Week of Monday 12 October: full contact Tue 10 + Thu 6 = 16 minutes (over 15) on 2 days
  // (within); controlled 40 (the limit: within); live set piece 30 (within).
  RecordOk(MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 13, 10), 90,
                            {Part(forward_, 90, 10, 20, 15), Part(back_, 60, 0, 10)}));
  RecordOk(MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 15, 10), 90,
                            {Part(forward_, 80, 6, 20, 15)}));
  RecordOk(MakeSessionProto(v1::EXPOSURE_KIND_MATCH, Day(2026, 10, 17, 15), 80,
                            {Part(forward_, 80), Part(back_, 80)}));
  MakeEvent(forward_, v1::CONTACT_KIND_SCRUM, Day(2026, 10, 17, 15, 10), false);
  MakeEvent(forward_, v1::CONTACT_KIND_SCRUM, Day(2026, 10, 17, 15, 30), true);
  MakeEvent(forward_, v1::CONTACT_KIND_TACKLE_MADE, Day(2026, 10, 18, 23, 59), false);  // Sunday
  MakeEvent(forward_, v1::CONTACT_KIND_CARRY, Day(2026, 10, 19, 0, 0), false);  // next Monday

  v1::GetWeeklyContactLoadResponse resp;
  // Mid-week bounds widen to whole weeks: 12 October to 26 October.
  const grpc::Status status = Load(Day(2026, 10, 14), Day(2026, 10, 20), &resp);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resp.start_time().seconds(), absl::ToUnixSeconds(Day(2026, 10, 12)));
  EXPECT_EQ(resp.end_time().seconds(), absl::ToUnixSeconds(Day(2026, 10, 26)));
  ASSERT_EQ(resp.weeks_size(), 3);  // forward wk 12, back wk 12, forward wk 19

  const v1::WeeklyContactLoad& f = resp.weeks(0);
  EXPECT_EQ(f.player_id(), forward_);
  EXPECT_EQ(f.week_start_time().seconds(), absl::ToUnixSeconds(Day(2026, 10, 12)));
  EXPECT_EQ(f.match_minutes(), 80);
  EXPECT_EQ(f.training_minutes(), 170);
  EXPECT_EQ(f.full_contact_minutes(), 16);
  EXPECT_EQ(f.full_contact_days(), 2);
  EXPECT_EQ(f.controlled_contact_minutes(), 40);
  EXPECT_EQ(f.live_set_piece_minutes(), 30);
  EXPECT_EQ(f.contact_event_count(), 3);
  ASSERT_EQ(f.contact_counts_size(), 2);
  EXPECT_EQ(f.contact_counts(0).kind(), v1::CONTACT_KIND_TACKLE_MADE);
  EXPECT_EQ(f.contact_counts(0).count(), 1);
  EXPECT_EQ(f.contact_counts(1).kind(), v1::CONTACT_KIND_SCRUM);
  EXPECT_EQ(f.contact_counts(1).count(), 2);
  ASSERT_EQ(f.checks_size(), 4);
  EXPECT_EQ(f.checks(0).limit(), v1::GUIDANCE_LIMIT_FULL_CONTACT_MINUTES);
  EXPECT_EQ(f.checks(0).maximum(), 15);
  EXPECT_EQ(f.checks(0).actual(), 16);
  EXPECT_EQ(f.checks(0).status(), v1::GUIDANCE_STATUS_OVER);
  EXPECT_EQ(f.checks(1).limit(), v1::GUIDANCE_LIMIT_FULL_CONTACT_DAYS);
  EXPECT_EQ(f.checks(1).status(), v1::GUIDANCE_STATUS_WITHIN);
  EXPECT_EQ(f.checks(2).actual(), 40);
  EXPECT_EQ(f.checks(2).status(), v1::GUIDANCE_STATUS_WITHIN);
  EXPECT_EQ(f.checks(3).actual(), 30);
  EXPECT_EQ(f.checks(3).status(), v1::GUIDANCE_STATUS_WITHIN);
  EXPECT_EQ(f.status(), v1::GUIDANCE_STATUS_OVER);

  const v1::WeeklyContactLoad& b = resp.weeks(1);
  EXPECT_EQ(b.player_id(), back_);
  EXPECT_EQ(b.controlled_contact_minutes(), 10);
  EXPECT_EQ(b.status(), v1::GUIDANCE_STATUS_WITHIN);

  const v1::WeeklyContactLoad& next = resp.weeks(2);
  EXPECT_EQ(next.player_id(), forward_);
  EXPECT_EQ(next.week_start_time().seconds(), absl::ToUnixSeconds(Day(2026, 10, 19)));
  EXPECT_EQ(next.contact_event_count(), 1);
  EXPECT_EQ(next.contact_counts(0).kind(), v1::CONTACT_KIND_CARRY);

  // One player only.
  ASSERT_TRUE(Load(Day(2026, 10, 12), Day(2026, 10, 19), &resp, common::Role::kPhysio, back_).ok());
  ASSERT_EQ(resp.weeks_size(), 1);
  EXPECT_EQ(resp.weeks(0).player_id(), back_);
}

TEST_F(ExposureApiTest, WeeklyLoadRefusesBadRequests) {
  v1::GetWeeklyContactLoadResponse resp;
  v1::GetWeeklyContactLoadRequest empty;
  EXPECT_THAT(ViolatedFields(exposure_->GetWeeklyContactLoad(Ctx().get(), empty, &resp)),
              UnorderedElementsAre("squad_id", "start_time", "end_time"));
  EXPECT_THAT(ViolatedFields(Load(Day(2025, 1, 1), Day(2026, 10, 1), &resp)),
              UnorderedElementsAre("end_time"));  // more than 53 weeks
  const int64_t stranger = MakePlayer(MakeSquad("A team"), "Other Player");
  EXPECT_EQ(Load(Day(2026, 10, 1), Day(2026, 10, 8), &resp, common::Role::kPhysio, stranger).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Load(Day(2026, 10, 1), Day(2026, 10, 8), &resp, common::Role::kPhysio, 9999).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// ---- roles ----

TEST_F(ExposureApiTest, AnalystsReadPseudonymsAndMayNotRecordOrSelectAPlayer) {
  const int64_t id = RecordOk(MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 13, 10),
                                               60, {Part(forward_, 60, 5), Part(back_, 60)}));
  v1::RecordSessionResponse recorded;
  EXPECT_EQ(Record(MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 14), 60,
                                    {Part(back_, 60)}),
                   &recorded, common::Role::kAnalyst)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::ListSessionsRequest list;
  list.set_squad_id(squad_);
  const auto sessions = ListAll(list, common::Role::kAnalyst);
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].id(), id);
  EXPECT_TRUE(sessions[0].title().empty());            // free text
  EXPECT_TRUE(sessions[0].idempotency_key().empty());  // free text
  EXPECT_TRUE(sessions[0].recorded_by().empty());      // identifying
  std::set<std::string> session_pseudonyms;
  for (const auto& p : sessions[0].participations()) {
    EXPECT_EQ(p.player_id(), 0);
    EXPECT_EQ(p.player_pseudonym().size(), 25u) << p.player_pseudonym();
    session_pseudonyms.insert(p.player_pseudonym());
  }
  EXPECT_EQ(session_pseudonyms.size(), 2u);

  v1::GetWeeklyContactLoadResponse load;
  ASSERT_TRUE(Load(Day(2026, 10, 12), Day(2026, 10, 19), &load, common::Role::kAnalyst).ok());
  ASSERT_EQ(load.weeks_size(), 2);
  for (const auto& w : load.weeks()) {
    EXPECT_EQ(w.player_id(), 0);
    EXPECT_TRUE(session_pseudonyms.count(w.player_pseudonym())) << "the same pseudonym everywhere";
  }
  EXPECT_EQ(Load(Day(2026, 10, 12), Day(2026, 10, 19), &load, common::Role::kAnalyst, forward_)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Coaches read the sessions they record with their own titles (PRIVACY_STAFF_TEXT: a title is the
// staff's label, "Tuesday contact"; blank for them before issue 17), never an analyst.
TEST_F(ExposureApiTest, CoachesRecordAndReadTheirOwnTitles) {
  const int64_t id = RecordOk(MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 13, 10),
                                               60, {Part(forward_, 60, 5)}));
  v1::GetSessionRequest get;
  get.set_id(id);
  v1::GetSessionResponse got;
  ASSERT_TRUE(exposure_->GetSession(CtxAs("coach.sam", common::Role::kCoach).get(), get, &got).ok());
  EXPECT_EQ(got.session().participations(0).player_id(), forward_);  // coaches know their players
  EXPECT_TRUE(got.session().participations(0).player_pseudonym().empty());
  EXPECT_EQ(got.session().title(), "Tuesday contact");
  EXPECT_FALSE(got.session().idempotency_key().empty());
  EXPECT_EQ(got.session().recorded_by(), "staff.sam");
  ASSERT_TRUE(exposure_->GetSession(CtxAs("analyst.ada", common::Role::kAnalyst).get(), get, &got).ok());
  EXPECT_EQ(got.session().title(), "");
  EXPECT_EQ(got.session().idempotency_key(), "");

  v1::GetWeeklyContactLoadResponse load;
  ASSERT_TRUE(Load(Day(2026, 10, 12), Day(2026, 10, 19), &load, common::Role::kCoach).ok());
  ASSERT_EQ(load.weeks_size(), 1);
  EXPECT_EQ(load.weeks(0).player_id(), forward_);
}

TEST_F(ExposureApiTest, CallsAreAudited) {
  RecordOk(MakeSessionProto(v1::EXPOSURE_KIND_TRAINING, Day(2026, 10, 13, 10), 60,
                            {Part(forward_, 60)}));
  v1::GetWeeklyContactLoadResponse load;
  ASSERT_TRUE(Load(Day(2026, 10, 12), Day(2026, 10, 19), &load, common::Role::kCoach).ok());
  const std::vector<std::string> rows =
      StoreRows("SELECT e.method, e.user_name, e.outcome, p.player_id FROM audit_events e "
                "JOIN audit_event_players p ON p.event_id = e.id "
                "WHERE e.method LIKE '%ExposureService%' ORDER BY e.id",
                storage::StoreKind::kAuditLog);
  EXPECT_THAT(rows, ::testing::ElementsAre(
                        absl::StrCat("/touchline.v1.ExposureService/RecordSession staff.sam OK ",
                                     forward_),
                        absl::StrCat("/touchline.v1.ExposureService/GetWeeklyContactLoad reader OK ",
                                     forward_)));
}

}  // namespace
}  // namespace touchline::testing
