// FlagService and ReadinessService through a real gRPC channel.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/api/server_fixture.h"

namespace touchline::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr absl::Duration kDay = absl::Hours(24);
constexpr int64_t kUnknownId = 987654;

// Helpers shared by the flag and readiness tests (kept local: the fixture is owned elsewhere).
class FlagReadinessTest : public ServerTest {
 protected:
  grpc::Status Flags(const v1::ListFlagsRequest& req, v1::ListFlagsResponse* resp) {
    return flags_->ListFlags(Ctx().get(), req, resp);
  }

  // All flags of one player at `as_of` (one page; asserts there is no more).
  std::vector<v1::Flag> PlayerFlags(int64_t player_id, absl::Time as_of) {
    v1::ListFlagsRequest req;
    req.set_player_id(player_id);
    *req.mutable_as_of() = Ts(as_of);
    v1::ListFlagsResponse resp;
    auto status = Flags(req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(resp.next_page_token().empty());
    EXPECT_EQ(service::FromProto(resp.as_of()), as_of);
    return {resp.flags().begin(), resp.flags().end()};
  }

  static std::vector<v1::FlagKind> Kinds(const std::vector<v1::Flag>& flags) {
    std::vector<v1::FlagKind> kinds;
    for (const auto& f : flags) kinds.push_back(f.kind());
    return kinds;
  }

  static std::vector<int64_t> Ids(const google::protobuf::RepeatedField<int64_t>& ids) {
    return {ids.begin(), ids.end()};
  }

  grpc::Status Readiness(int64_t squad_id, v1::GetSquadReadinessResponse* resp,
                         std::optional<absl::Time> session = std::nullopt) {
    v1::GetSquadReadinessRequest req;
    req.set_squad_id(squad_id);
    if (session) *req.mutable_session_time() = Ts(*session);
    return readiness_->GetSquadReadiness(Ctx().get(), req, resp);
  }

  // The readiness of one player in a squad at `session` (default now).
  v1::PlayerReadiness ReadinessOf(int64_t squad_id, int64_t player_id,
                                  std::optional<absl::Time> session = std::nullopt) {
    v1::GetSquadReadinessResponse resp;
    auto status = Readiness(squad_id, &resp, session);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const auto& p : resp.players()) {
      if (p.player_id() == player_id) return p;
    }
    ADD_FAILURE() << "player " << player_id << " not listed";
    return {};
  }

  static v1::ReadinessOverride Override(int64_t player_id, v1::Availability availability,
                                        absl::Time expire, const std::string& reason) {
    v1::ReadinessOverride o;
    o.set_player_id(player_id);
    o.set_availability(availability);
    o.set_reason(reason);
    *o.mutable_expire_time() = Ts(expire);
    return o;
  }

  grpc::Status CreateOverride(const v1::ReadinessOverride& o,
                              v1::CreateReadinessOverrideResponse* resp,
                              const std::string& user = "dr.cole") {
    v1::CreateReadinessOverrideRequest req;
    *req.mutable_readiness_override() = o;
    return readiness_->CreateReadinessOverride(Ctx(user).get(), req, resp);
  }

  int64_t MakeOverride(const v1::ReadinessOverride& o) {
    v1::CreateReadinessOverrideResponse resp;
    auto status = CreateOverride(o, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp.readiness_override().id();
  }

  grpc::Status Clear(int64_t id, v1::ClearReadinessOverrideResponse* resp,
                     const std::string& user = "dr.cole") {
    v1::ClearReadinessOverrideRequest req;
    req.set_id(id);
    return readiness_->ClearReadinessOverride(Ctx(user).get(), req, resp);
  }

  std::vector<v1::ReadinessOverride> ListOverrides(int64_t player_id) {
    v1::ListReadinessOverridesRequest req;
    req.set_player_id(player_id);
    v1::ListReadinessOverridesResponse resp;
    auto status = readiness_->ListReadinessOverrides(Ctx().get(), req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {resp.readiness_overrides().begin(), resp.readiness_overrides().end()};
  }
};

class FlagApiTest : public FlagReadinessTest {};
class ReadinessApiTest : public FlagReadinessTest {};

// ---------------------------------------------------------------------------------------------
// FlagService.ListFlags

TEST_F(FlagApiTest, PersistentBeyondFortyTwoDaysUntilResolved) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const absl::Time onset = Day(2026, 9, 1, 10);
  const int64_t c = MakeComplaint(player, v1::SIDE_LEFT, onset).id();

  // Up to the line only the six-week window's day-35 alert holds (no anti-spasm work recorded)...
  for (absl::Time before : {onset + 41 * kDay + absl::Hours(23), onset + 42 * kDay}) {
    const auto flags = PlayerFlags(player, before);  // strictly longer than 42 days: not yet
    ASSERT_EQ(flags.size(), 1u);
    EXPECT_EQ(flags[0].kind(), v1::FLAG_KIND_WINDOW_CLOSING);
    EXPECT_EQ(flags[0].window_alert_day(), 35);
  }

  // ...then the window has closed, and the complaint is persistent.
  const auto flags = PlayerFlags(player, onset + 42 * kDay + absl::Minutes(1));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind(), v1::FLAG_KIND_PERSISTENT);
  EXPECT_EQ(flags[0].player_id(), player);
  EXPECT_THAT(Ids(flags[0].complaint_ids()), ElementsAre(c));
  EXPECT_EQ(service::FromProto(flags[0].begin_time()), onset + 42 * kDay);
  EXPECT_FALSE(flags[0].reason().empty());
  EXPECT_EQ(flags[0].recurrence_timing(), v1::RECURRENCE_TIMING_UNSPECIFIED);

  // Still persistent now (61 days, default as_of).
  v1::ListFlagsRequest now_req;
  now_req.set_player_id(player);
  v1::ListFlagsResponse now_resp;
  ASSERT_TRUE(Flags(now_req, &now_resp).ok());
  EXPECT_EQ(service::FromProto(now_resp.as_of()), Start());
  ASSERT_EQ(now_resp.flags_size(), 1);
  EXPECT_EQ(now_resp.flags(0).kind(), v1::FLAG_KIND_PERSISTENT);

  // Resolving clears it from the resolution on; the past is unchanged.
  const absl::Time resolved = onset + 50 * kDay;
  ASSERT_TRUE(Resolve(c, resolved).ok());
  EXPECT_THAT(PlayerFlags(player, resolved), IsEmpty());
  EXPECT_THAT(PlayerFlags(player, resolved + absl::Hours(1)), IsEmpty());
  EXPECT_THAT(Kinds(PlayerFlags(player, onset + 45 * kDay)), ElementsAre(v1::FLAG_KIND_PERSISTENT));
  ASSERT_TRUE(Flags(now_req, &now_resp).ok());
  EXPECT_EQ(now_resp.flags_size(), 0);
}

TEST_F(FlagApiTest, RecurrenceTimingEarlyAndLateAndOtherSideIsNotRecurrent) {
  const int64_t squad = MakeSquad();
  const absl::Time first_onset = Day(2026, 5, 1, 10);
  const absl::Time returned = Day(2026, 5, 20, 10);

  struct Case {
    std::string name;
    v1::Side new_side;
    int days_after_return;
    v1::RecurrenceTiming timing;  // UNSPECIFIED: no RECURRENT flag
  };
  const std::vector<Case> cases = {
      {"early 59 days", v1::SIDE_LEFT, 59, v1::RECURRENCE_TIMING_EARLY},
      {"late 60 days", v1::SIDE_LEFT, 60, v1::RECURRENCE_TIMING_LATE},
      {"late 61 days", v1::SIDE_LEFT, 61, v1::RECURRENCE_TIMING_LATE},
      {"right after left", v1::SIDE_RIGHT, 20, v1::RECURRENCE_TIMING_UNSPECIFIED},
      {"both after left", v1::SIDE_BOTH, 20, v1::RECURRENCE_TIMING_EARLY},
  };
  int n = 0;
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    const int64_t player = MakePlayer(squad, absl::StrCat("Player ", ++n));
    const int64_t old_id = MakeComplaint(player, v1::SIDE_LEFT, first_onset).id();
    ASSERT_TRUE(Resolve(old_id, returned).ok());
    const absl::Time new_onset = returned + tc.days_after_return * kDay;
    const int64_t new_id = MakeComplaint(player, tc.new_side, new_onset).id();

    const auto flags = PlayerFlags(player, new_onset + absl::Hours(1));
    if (tc.timing == v1::RECURRENCE_TIMING_UNSPECIFIED) {
      EXPECT_THAT(flags, IsEmpty());
      continue;
    }
    ASSERT_EQ(flags.size(), 1u);
    const v1::Flag& f = flags[0];
    EXPECT_EQ(f.kind(), v1::FLAG_KIND_RECURRENT);
    EXPECT_EQ(f.player_id(), player);
    EXPECT_EQ(f.recurrence_timing(), tc.timing);
    EXPECT_EQ(f.episode(), 2);
    EXPECT_THAT(Ids(f.complaint_ids()), ElementsAre(new_id, old_id));
    EXPECT_EQ(service::FromProto(f.begin_time()), new_onset);
    EXPECT_FALSE(f.reason().empty());

    // Before the new onset there is nothing to flag.
    EXPECT_THAT(PlayerFlags(player, new_onset - absl::Minutes(1)), IsEmpty());
  }
}

TEST_F(FlagApiTest, ThirdEpisodeCountsBothEarlierComplaints) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const int64_t c1 = MakeComplaint(player, v1::SIDE_RIGHT, Day(2026, 3, 1)).id();
  ASSERT_TRUE(Resolve(c1, Day(2026, 3, 20)).ok());
  const int64_t c2 = MakeComplaint(player, v1::SIDE_RIGHT, Day(2026, 6, 1)).id();
  ASSERT_TRUE(Resolve(c2, Day(2026, 6, 15)).ok());
  const int64_t c3 = MakeComplaint(player, v1::SIDE_RIGHT, Day(2026, 7, 1)).id();
  const auto flags = PlayerFlags(player, Day(2026, 7, 2));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind(), v1::FLAG_KIND_RECURRENT);
  EXPECT_EQ(flags[0].episode(), 3);
  EXPECT_THAT(Ids(flags[0].complaint_ids()), ElementsAre(c3, c2));  // the latest return
  EXPECT_EQ(flags[0].recurrence_timing(), v1::RECURRENCE_TIMING_EARLY);
}

TEST_F(FlagApiTest, ExacerbationWhenASecondComplaintStartsWhileTheFirstIsOpen) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const int64_t first = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 1)).id();
  const int64_t second = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 10)).id();

  EXPECT_THAT(PlayerFlags(player, Day(2026, 10, 9)), IsEmpty());
  const auto flags = PlayerFlags(player, Day(2026, 10, 11));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind(), v1::FLAG_KIND_EXACERBATION);
  EXPECT_EQ(flags[0].player_id(), player);
  EXPECT_THAT(Ids(flags[0].complaint_ids()), ElementsAre(second, first));
  EXPECT_EQ(flags[0].episode(), 2);
  EXPECT_EQ(service::FromProto(flags[0].begin_time()), Day(2026, 10, 10));
  EXPECT_EQ(flags[0].recurrence_timing(), v1::RECURRENCE_TIMING_UNSPECIFIED);

  // Resolving the second complaint clears the flag about it.
  ASSERT_TRUE(Resolve(second, Day(2026, 10, 20)).ok());
  EXPECT_THAT(PlayerFlags(player, Day(2026, 10, 21)), IsEmpty());
  EXPECT_THAT(Kinds(PlayerFlags(player, Day(2026, 10, 15))),
              ElementsAre(v1::FLAG_KIND_EXACERBATION));
}

TEST_F(FlagApiTest, ExacerbationWhenACheckInShowsWorsening) {
  const int64_t player = MakePlayer(MakeSquad(), "Tom Hartley");
  const int64_t c = MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20), v1::ONSET_KIND_GRADUAL,
                                  3)
                        .id();
  v1::CreateCheckInRequest req;
  req.set_complaint_id(c);
  *req.mutable_check_in()->mutable_check_time() = Ts(Day(2026, 10, 24, 9));
  req.mutable_check_in()->mutable_symptoms()->set_pain(5);  // +2 over onset
  v1::CreateCheckInResponse resp;
  ASSERT_TRUE(complaints_->CreateCheckIn(Ctx().get(), req, &resp).ok());

  EXPECT_THAT(PlayerFlags(player, Day(2026, 10, 24, 8)), IsEmpty());  // check-in not yet known
  const auto flags = PlayerFlags(player, Day(2026, 10, 25));
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind(), v1::FLAG_KIND_EXACERBATION);
  EXPECT_THAT(Ids(flags[0].complaint_ids()), ElementsAre(c));
  EXPECT_EQ(service::FromProto(flags[0].begin_time()), Day(2026, 10, 24, 9));
  EXPECT_EQ(flags[0].episode(), 1);

  // A later, better check-in ends it.
  *req.mutable_check_in()->mutable_check_time() = Ts(Day(2026, 10, 27));
  req.mutable_check_in()->mutable_symptoms()->set_pain(2);
  ASSERT_TRUE(complaints_->CreateCheckIn(Ctx().get(), req, &resp).ok());
  EXPECT_THAT(PlayerFlags(player, Day(2026, 10, 28)), IsEmpty());
}

TEST_F(FlagApiTest, SuspectedPelvicOriginCitesTheContactEvents) {
  const int64_t player = MakePlayer(MakeSquad(), "Big Lock", v1::POSITION_GROUP_FORWARD);
  const absl::Time onset = Day(2026, 10, 25);
  const int64_t tackle = MakeEvent(player, v1::CONTACT_KIND_TACKLE_RECEIVED, onset - 3 * kDay, true);
  MakeEvent(player, v1::CONTACT_KIND_TACKLE_RECEIVED, onset - 2 * kDay, false);
  const int64_t c = MakeComplaint(player, v1::SIDE_LEFT, onset).id();
  const auto flags = PlayerFlags(player, onset + kDay);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].kind(), v1::FLAG_KIND_SUSPECTED_PELVIC_ORIGIN);
  EXPECT_THAT(Ids(flags[0].complaint_ids()), ElementsAre(c));
  EXPECT_THAT(Ids(flags[0].contact_event_ids()), ElementsAre(tackle));
  EXPECT_EQ(service::FromProto(flags[0].begin_time()), onset);
}

TEST_F(FlagApiTest, SquadAndPlayerScopeAndKindsFilter) {
  const int64_t squad = MakeSquad("First XV");
  const int64_t other_squad = MakeSquad("A League");
  const int64_t ava = MakePlayer(squad, "Ava");
  const int64_t ben = MakePlayer(squad, "Ben");
  const int64_t cal = MakePlayer(squad, "Cal");
  const int64_t gone = MakePlayer(squad, "Gone");
  const int64_t elsewhere = MakePlayer(other_squad, "Elsewhere");
  // Ava: persistent (61 days open at now). Ben: exacerbation. Cal: nothing.
  MakeComplaint(ava, v1::SIDE_LEFT, Day(2026, 9, 1));
  MakeComplaint(ben, v1::SIDE_RIGHT, Day(2026, 10, 1));
  MakeComplaint(ben, v1::SIDE_RIGHT, Day(2026, 10, 10));
  // Cal's complaint was resolved: no flag now.
  ASSERT_TRUE(Resolve(MakeComplaint(cal, v1::SIDE_RIGHT, Day(2026, 10, 10)).id(),
                      Day(2026, 10, 12))
                  .ok());
  MakeComplaint(gone, v1::SIDE_LEFT, Day(2026, 9, 1));
  MakeComplaint(elsewhere, v1::SIDE_LEFT, Day(2026, 9, 1));
  ASSERT_TRUE(Archive(gone).ok());

  v1::ListFlagsRequest req;
  req.set_squad_id(squad);
  v1::ListFlagsResponse resp;
  auto status = Flags(req, &resp);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(service::FromProto(resp.as_of()), Start());
  ASSERT_EQ(resp.flags_size(), 3);  // archived and other-squad players are not listed
  EXPECT_EQ(resp.flags(0).player_id(), ava);
  EXPECT_EQ(resp.flags(0).kind(), v1::FLAG_KIND_PERSISTENT);
  EXPECT_EQ(resp.flags(1).player_id(), ben);
  EXPECT_EQ(resp.flags(1).kind(), v1::FLAG_KIND_EXACERBATION);
  // Ben's first complaint is 31 days old with no anti-spasm work: the six-week window's alert.
  EXPECT_EQ(resp.flags(2).player_id(), ben);
  EXPECT_EQ(resp.flags(2).kind(), v1::FLAG_KIND_WINDOW_CLOSING);

  req.add_kinds(v1::FLAG_KIND_PERSISTENT);
  ASSERT_TRUE(Flags(req, &resp).ok());
  ASSERT_EQ(resp.flags_size(), 1);
  EXPECT_EQ(resp.flags(0).player_id(), ava);

  req.add_kinds(v1::FLAG_KIND_EXACERBATION);
  ASSERT_TRUE(Flags(req, &resp).ok());
  EXPECT_EQ(resp.flags_size(), 2);

  req.clear_kinds();
  req.add_kinds(v1::FLAG_KIND_RECURRENT);
  ASSERT_TRUE(Flags(req, &resp).ok());
  EXPECT_EQ(resp.flags_size(), 0);

  v1::ListFlagsRequest by_player;
  by_player.set_player_id(ben);
  ASSERT_TRUE(Flags(by_player, &resp).ok());
  ASSERT_EQ(resp.flags_size(), 2);
  EXPECT_EQ(resp.flags(0).kind(), v1::FLAG_KIND_EXACERBATION);
  EXPECT_EQ(resp.flags(1).kind(), v1::FLAG_KIND_WINDOW_CLOSING);
  by_player.add_kinds(v1::FLAG_KIND_PERSISTENT);
  ASSERT_TRUE(Flags(by_player, &resp).ok());
  EXPECT_EQ(resp.flags_size(), 0);

  v1::ListFlagsRequest other;
  other.set_squad_id(other_squad);
  ASSERT_TRUE(Flags(other, &resp).ok());
  ASSERT_EQ(resp.flags_size(), 1);
  EXPECT_EQ(resp.flags(0).player_id(), elsewhere);
}

TEST_F(FlagApiTest, BadRequests) {
  const int64_t squad = MakeSquad();
  const int64_t player = MakePlayer(squad, "Ava");
  v1::ListFlagsResponse resp;

  v1::ListFlagsRequest neither;
  auto status = Flags(neither, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), Not(IsEmpty()));

  v1::ListFlagsRequest both;
  both.set_squad_id(squad);
  both.set_player_id(player);
  status = Flags(both, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), Not(IsEmpty()));

  v1::ListFlagsRequest unknown_squad;
  unknown_squad.set_squad_id(kUnknownId);
  EXPECT_EQ(Flags(unknown_squad, &resp).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::ListFlagsRequest unknown_player;
  unknown_player.set_player_id(kUnknownId);
  EXPECT_EQ(Flags(unknown_player, &resp).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::ListFlagsRequest bad_kind;
  bad_kind.set_squad_id(squad);
  bad_kind.add_kinds(v1::FLAG_KIND_PERSISTENT);
  bad_kind.add_kinds(v1::FLAG_KIND_UNSPECIFIED);
  status = Flags(bad_kind, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("kinds[1]"));

  v1::ListFlagsRequest bad_as_of;
  bad_as_of.set_squad_id(squad);
  bad_as_of.mutable_as_of()->set_nanos(-5);
  status = Flags(bad_as_of, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("as_of"));

  v1::ListFlagsRequest bad_token;
  bad_token.set_squad_id(squad);
  bad_token.set_page_token("not a token");
  status = Flags(bad_token, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("page_token"));
}

TEST_F(FlagApiTest, PagingKeepsTheFirstPagesAsOfWhileTheClockMoves) {
  const int64_t squad = MakeSquad();
  const int64_t a = MakePlayer(squad, "A");
  const int64_t b = MakePlayer(squad, "B");
  const int64_t c = MakePlayer(squad, "C");
  MakeComplaint(a, v1::SIDE_LEFT, Start() - 43 * kDay);
  MakeComplaint(b, v1::SIDE_LEFT, Start() - 44 * kDay);
  // Becomes persistent only once the clock has moved two days (acute: no WINDOW_CLOSING before).
  MakeComplaint(c, v1::SIDE_LEFT, Start() - 41 * kDay, v1::ONSET_KIND_ACUTE);

  v1::ListFlagsRequest req;
  req.set_squad_id(squad);
  req.set_page_size(1);
  v1::ListFlagsResponse page1;
  ASSERT_TRUE(Flags(req, &page1).ok());
  EXPECT_EQ(service::FromProto(page1.as_of()), Start());
  ASSERT_EQ(page1.flags_size(), 1);
  EXPECT_EQ(page1.flags(0).player_id(), a);
  ASSERT_FALSE(page1.next_page_token().empty());

  clock_.Advance(2 * kDay);
  req.set_page_token(page1.next_page_token());
  v1::ListFlagsResponse page2;
  auto status = Flags(req, &page2);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(service::FromProto(page2.as_of()), service::FromProto(page1.as_of()));
  ASSERT_EQ(page2.flags_size(), 1);
  EXPECT_EQ(page2.flags(0).player_id(), b);
  EXPECT_TRUE(page2.next_page_token().empty());  // C is not persistent as of page 1

  // A fresh listing evaluates the new now: all three.
  v1::ListFlagsRequest fresh;
  fresh.set_squad_id(squad);
  v1::ListFlagsResponse all;
  ASSERT_TRUE(Flags(fresh, &all).ok());
  EXPECT_EQ(service::FromProto(all.as_of()), Start() + 2 * kDay);
  EXPECT_EQ(all.flags_size(), 3);

  // With an explicit as_of the pages carry it too.
  v1::ListFlagsRequest explicit_req;
  explicit_req.set_squad_id(squad);
  explicit_req.set_page_size(2);
  *explicit_req.mutable_as_of() = Ts(Start() + 10 * kDay);
  v1::ListFlagsResponse e1, e2;
  ASSERT_TRUE(Flags(explicit_req, &e1).ok());
  ASSERT_EQ(e1.flags_size(), 2);
  ASSERT_FALSE(e1.next_page_token().empty());
  explicit_req.set_page_token(e1.next_page_token());
  ASSERT_TRUE(Flags(explicit_req, &e2).ok());
  ASSERT_EQ(e2.flags_size(), 1);
  EXPECT_EQ(e2.flags(0).player_id(), c);
  EXPECT_EQ(service::FromProto(e2.as_of()), Start() + 10 * kDay);
  EXPECT_TRUE(e2.next_page_token().empty());
}

// ---------------------------------------------------------------------------------------------
// ReadinessService.GetSquadReadiness

TEST_F(ReadinessApiTest, ClinicalAvailabilityCountsAndReasons) {
  const int64_t squad = MakeSquad("First XV");
  const int64_t other_squad = MakeSquad("A League");
  // Created out of name order: the response is by name.
  const int64_t cal = MakePlayer(squad, "Cal Clear");
  const int64_t ben = MakePlayer(squad, "Ben Gradual", v1::POSITION_GROUP_FORWARD);
  const int64_t ava = MakePlayer(squad, "Ava Acute");
  const int64_t dan = MakePlayer(squad, "Dan Done");
  const int64_t eve = MakePlayer(squad, "Eve Gone");
  const int64_t fay = MakePlayer(squad, "Fay Flagged");
  MakePlayer(other_squad, "Abe Elsewhere");

  const int64_t ava_c = MakeComplaint(ava, v1::SIDE_LEFT, Day(2026, 10, 28), v1::ONSET_KIND_ACUTE).id();
  const int64_t ben_c = MakeComplaint(ben, v1::SIDE_RIGHT, Day(2026, 10, 28)).id();
  const int64_t dan_c = MakeComplaint(dan, v1::SIDE_LEFT, Day(2026, 10, 1), v1::ONSET_KIND_ACUTE).id();
  ASSERT_TRUE(Resolve(dan_c, Day(2026, 10, 10)).ok());
  MakeComplaint(eve, v1::SIDE_LEFT, Day(2026, 10, 28), v1::ONSET_KIND_ACUTE);
  ASSERT_TRUE(Archive(eve).ok());
  const int64_t fay_c = MakeComplaint(fay, v1::SIDE_BOTH, Day(2026, 9, 1)).id();

  v1::GetSquadReadinessResponse resp;
  auto status = Readiness(squad, &resp);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resp.squad_id(), squad);
  EXPECT_EQ(service::FromProto(resp.session_time()), Start());

  std::vector<std::string> names;
  for (const auto& p : resp.players()) names.push_back(p.player_name());
  EXPECT_THAT(names, ElementsAre("Ava Acute", "Ben Gradual", "Cal Clear", "Dan Done",
                                 "Fay Flagged"));
  EXPECT_EQ(resp.available_count(), 2);
  EXPECT_EQ(resp.modified_count(), 2);
  EXPECT_EQ(resp.unavailable_count(), 1);
  EXPECT_EQ(resp.available_count() + resp.modified_count() + resp.unavailable_count(),
            resp.players_size());
  ASSERT_EQ(resp.players_size(), 5);

  const auto& a = resp.players(0);
  EXPECT_EQ(a.player_id(), ava);
  EXPECT_EQ(a.position_group(), "back");
  EXPECT_EQ(a.availability(), v1::AVAILABILITY_UNAVAILABLE);
  ASSERT_EQ(a.reasons_size(), 1);
  EXPECT_EQ(a.reasons(0).code(), v1::READINESS_REASON_CODE_OPEN_ACUTE_COMPLAINT);
  EXPECT_EQ(a.reasons(0).complaint_id(), ava_c);
  EXPECT_FALSE(a.reasons(0).text().empty());
  EXPECT_FALSE(a.has_override());

  const auto& b = resp.players(1);
  EXPECT_EQ(b.player_id(), ben);
  EXPECT_EQ(b.position_group(), "forward");
  EXPECT_EQ(b.availability(), v1::AVAILABILITY_MODIFIED);
  ASSERT_EQ(b.reasons_size(), 1);
  EXPECT_EQ(b.reasons(0).code(), v1::READINESS_REASON_CODE_OPEN_COMPLAINT);
  EXPECT_EQ(b.reasons(0).complaint_id(), ben_c);

  const auto& c = resp.players(2);
  EXPECT_EQ(c.player_id(), cal);
  EXPECT_EQ(c.availability(), v1::AVAILABILITY_AVAILABLE);
  EXPECT_THAT(c.reasons(), IsEmpty());

  const auto& d = resp.players(3);
  EXPECT_EQ(d.player_id(), dan);
  EXPECT_EQ(d.availability(), v1::AVAILABILITY_AVAILABLE);
  EXPECT_THAT(d.reasons(), IsEmpty());

  const auto& f = resp.players(4);
  EXPECT_EQ(f.player_id(), fay);
  EXPECT_EQ(f.availability(), v1::AVAILABILITY_MODIFIED);
  ASSERT_EQ(f.reasons_size(), 2);
  EXPECT_EQ(f.reasons(0).code(), v1::READINESS_REASON_CODE_OPEN_COMPLAINT);
  EXPECT_EQ(f.reasons(1).code(), v1::READINESS_REASON_CODE_ACTIVE_FLAG);
  EXPECT_EQ(f.reasons(1).flag_kind(), v1::FLAG_KIND_PERSISTENT);
  EXPECT_EQ(f.reasons(1).complaint_id(), fay_c);
  EXPECT_FALSE(f.reasons(1).text().empty());
}

TEST_F(ReadinessApiTest, EmptySquadAndBadRequests) {
  const int64_t squad = MakeSquad();
  v1::GetSquadReadinessResponse resp;
  ASSERT_TRUE(Readiness(squad, &resp).ok());
  EXPECT_EQ(resp.players_size(), 0);
  EXPECT_EQ(resp.available_count() + resp.modified_count() + resp.unavailable_count(), 0);

  EXPECT_EQ(Readiness(kUnknownId, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  auto status = Readiness(0, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("squad_id"));

  v1::GetSquadReadinessRequest bad_time;
  bad_time.set_squad_id(squad);
  bad_time.mutable_session_time()->set_nanos(1000000000);
  status = readiness_->GetSquadReadiness(Ctx().get(), bad_time, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("session_time"));
}

TEST_F(ReadinessApiTest, PastSessionTimeEvaluatesThePast) {
  const int64_t squad = MakeSquad();
  const int64_t player = MakePlayer(squad, "Tom Hartley");
  const int64_t acute =
      MakeComplaint(player, v1::SIDE_LEFT, Day(2026, 10, 20), v1::ONSET_KIND_ACUTE).id();
  ASSERT_TRUE(Resolve(acute, Day(2026, 10, 28)).ok());
  const int64_t gradual = MakeComplaint(player, v1::SIDE_RIGHT, Day(2026, 7, 1)).id();
  ASSERT_TRUE(Resolve(gradual, Day(2026, 9, 1)).ok());

  v1::GetSquadReadinessResponse resp;
  ASSERT_TRUE(Readiness(squad, &resp, Day(2026, 10, 25)).ok());
  EXPECT_EQ(service::FromProto(resp.session_time()), Day(2026, 10, 25));
  ASSERT_EQ(resp.players_size(), 1);
  EXPECT_EQ(resp.players(0).availability(), v1::AVAILABILITY_UNAVAILABLE);
  EXPECT_EQ(resp.unavailable_count(), 1);
  EXPECT_EQ(resp.available_count(), 0);

  // Before the acute onset, after the gradual one resolved.
  EXPECT_EQ(ReadinessOf(squad, player, Day(2026, 10, 15)).availability(),
            v1::AVAILABILITY_AVAILABLE);
  // While the gradual one was open and past 42 days: modified, with the persistent flag.
  const auto past = ReadinessOf(squad, player, Day(2026, 8, 20));
  EXPECT_EQ(past.availability(), v1::AVAILABILITY_MODIFIED);
  ASSERT_EQ(past.reasons_size(), 2);
  EXPECT_EQ(past.reasons(0).complaint_id(), gradual);
  EXPECT_EQ(past.reasons(1).code(), v1::READINESS_REASON_CODE_ACTIVE_FLAG);
  EXPECT_EQ(past.reasons(1).flag_kind(), v1::FLAG_KIND_PERSISTENT);
  // Now: both resolved.
  EXPECT_EQ(ReadinessOf(squad, player).availability(), v1::AVAILABILITY_AVAILABLE);
  // The exact resolution instant is already back to full participation.
  EXPECT_EQ(ReadinessOf(squad, player, Day(2026, 10, 28)).availability(),
            v1::AVAILABILITY_AVAILABLE);
}

// ---------------------------------------------------------------------------------------------
// Overrides

TEST_F(ReadinessApiTest, OverrideWinsUntilItExpires) {
  const int64_t squad = MakeSquad();
  const int64_t ben = MakePlayer(squad, "Ben Gradual");
  const int64_t ava = MakePlayer(squad, "Ava Acute");
  const int64_t ben_c = MakeComplaint(ben, v1::SIDE_RIGHT, Day(2026, 10, 28)).id();
  MakeComplaint(ava, v1::SIDE_LEFT, Day(2026, 10, 28), v1::ONSET_KIND_ACUTE);
  const absl::Time expire = Start() + 2 * kDay;

  v1::CreateReadinessOverrideResponse created;
  v1::ReadinessOverride o =
      Override(ben, v1::AVAILABILITY_UNAVAILABLE, expire, "Awaiting MRI on the right hamstring");
  o.set_id(777);             // server-set
  o.set_set_by("mallory");   // server-set
  auto status = CreateOverride(o, &created, "dr.cole");
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::ReadinessOverride& stored = created.readiness_override();
  EXPECT_GT(stored.id(), 0);
  EXPECT_NE(stored.id(), 777);
  EXPECT_EQ(stored.player_id(), ben);
  EXPECT_EQ(stored.availability(), v1::AVAILABILITY_UNAVAILABLE);
  EXPECT_EQ(stored.reason(), "Awaiting MRI on the right hamstring");
  EXPECT_EQ(service::FromProto(stored.start_time()), Start());  // default: when set
  EXPECT_EQ(service::FromProto(stored.expire_time()), expire);
  EXPECT_EQ(stored.set_by(), "dr.cole");
  EXPECT_EQ(service::FromProto(stored.create_time()), Start());
  EXPECT_FALSE(stored.has_clear_time());
  EXPECT_EQ(stored.cleared_by(), "");

  // An override lifting an acute player to AVAILABLE wins as well.
  MakeOverride(Override(ava, v1::AVAILABILITY_AVAILABLE, expire, "Cleared by specialist"));

  v1::GetSquadReadinessResponse resp;
  ASSERT_TRUE(Readiness(squad, &resp).ok());
  ASSERT_EQ(resp.players_size(), 2);
  EXPECT_EQ(resp.available_count(), 1);
  EXPECT_EQ(resp.unavailable_count(), 1);
  EXPECT_EQ(resp.modified_count(), 0);
  const auto& a = resp.players(0);
  EXPECT_EQ(a.player_id(), ava);
  EXPECT_EQ(a.availability(), v1::AVAILABILITY_AVAILABLE);
  const auto& b = resp.players(1);
  EXPECT_EQ(b.player_id(), ben);
  EXPECT_EQ(b.availability(), v1::AVAILABILITY_UNAVAILABLE);
  ASSERT_TRUE(b.has_override());
  EXPECT_EQ(b.override().id(), stored.id());
  EXPECT_EQ(b.override().reason(), "Awaiting MRI on the right hamstring");
  ASSERT_EQ(b.reasons_size(), 2);
  EXPECT_EQ(b.reasons(0).code(), v1::READINESS_REASON_CODE_OVERRIDE);
  EXPECT_THAT(b.reasons(0).text(), Not(HasSubstr("MRI")));  // clinical text stays on override
  EXPECT_EQ(b.reasons(1).code(), v1::READINESS_REASON_CODE_OPEN_COMPLAINT);
  EXPECT_EQ(b.reasons(1).complaint_id(), ben_c);

  // A session before the override started is not affected by it.
  const auto before = ReadinessOf(squad, ben, Start() - absl::Hours(1));
  EXPECT_EQ(before.availability(), v1::AVAILABILITY_MODIFIED);
  EXPECT_FALSE(before.has_override());

  // Just before expiry it still applies; at expire_time (exclusive) and after, the clinical
  // answer returns.
  clock_.Set(expire - absl::Minutes(1));
  EXPECT_EQ(ReadinessOf(squad, ben).availability(), v1::AVAILABILITY_UNAVAILABLE);
  clock_.Set(expire);
  auto after = ReadinessOf(squad, ben);
  EXPECT_EQ(after.availability(), v1::AVAILABILITY_MODIFIED);
  EXPECT_FALSE(after.has_override());
  clock_.Advance(absl::Hours(1));
  after = ReadinessOf(squad, ben);
  EXPECT_EQ(after.availability(), v1::AVAILABILITY_MODIFIED);
  EXPECT_FALSE(after.has_override());
  ASSERT_EQ(after.reasons_size(), 1);
  EXPECT_EQ(after.reasons(0).code(), v1::READINESS_REASON_CODE_OPEN_COMPLAINT);
  EXPECT_EQ(ReadinessOf(squad, ava).availability(), v1::AVAILABILITY_UNAVAILABLE);

  // The past, evaluated later, still shows the override in force.
  const auto past = ReadinessOf(squad, ben, Start() + kDay);
  EXPECT_EQ(past.availability(), v1::AVAILABILITY_UNAVAILABLE);
  EXPECT_TRUE(past.has_override());
}

TEST_F(ReadinessApiTest, OverrideWithALaterStartAppliesFromThen) {
  const int64_t squad = MakeSquad();
  const int64_t cal = MakePlayer(squad, "Cal Clear");
  v1::ReadinessOverride o =
      Override(cal, v1::AVAILABILITY_MODIFIED, Start() + 3 * kDay, "Managed load week");
  *o.mutable_start_time() = Ts(Start() + kDay);
  const int64_t id = MakeOverride(o);
  ASSERT_GT(id, 0);
  EXPECT_EQ(ReadinessOf(squad, cal).availability(), v1::AVAILABILITY_AVAILABLE);
  const auto later = ReadinessOf(squad, cal, Start() + kDay);
  EXPECT_EQ(later.availability(), v1::AVAILABILITY_MODIFIED);
  EXPECT_EQ(later.override().id(), id);
  ASSERT_EQ(later.reasons_size(), 1);
  EXPECT_EQ(later.reasons(0).code(), v1::READINESS_REASON_CODE_OVERRIDE);
}

TEST_F(ReadinessApiTest, OverrideValidation) {
  const int64_t squad = MakeSquad();
  const int64_t player = MakePlayer(squad, "Tom Hartley");
  v1::CreateReadinessOverrideResponse resp;

  // Everything missing at once.
  v1::ReadinessOverride empty;
  auto status = CreateOverride(empty, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status),
              UnorderedElementsAre("readiness_override.player_id",
                                   "readiness_override.availability",
                                   "readiness_override.reason",
                                   "readiness_override.expire_time"));

  struct Case {
    std::string name;
    std::function<void(v1::ReadinessOverride&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"missing reason", [](v1::ReadinessOverride& o) { o.clear_reason(); },
       "readiness_override.reason"},
      {"blank reason", [](v1::ReadinessOverride& o) { o.set_reason("   "); },
       "readiness_override.reason"},
      {"reason too long", [](v1::ReadinessOverride& o) { o.set_reason(std::string(2001, 'r')); },
       "readiness_override.reason"},
      {"missing expire_time", [](v1::ReadinessOverride& o) { o.clear_expire_time(); },
       "readiness_override.expire_time"},
      {"expire before start",
       [](v1::ReadinessOverride& o) {
         *o.mutable_start_time() = Ts(Start() + 2 * kDay);
         *o.mutable_expire_time() = Ts(Start() + kDay);
       },
       "readiness_override.expire_time"},
      {"expire equals start",
       [](v1::ReadinessOverride& o) {
         *o.mutable_start_time() = Ts(Start() + kDay);
         *o.mutable_expire_time() = Ts(Start() + kDay);
       },
       "readiness_override.expire_time"},
      {"expire already past",
       [](v1::ReadinessOverride& o) {
         *o.mutable_start_time() = Ts(Start() - 3 * kDay);
         *o.mutable_expire_time() = Ts(Start() - kDay);
       },
       "readiness_override.expire_time"},
      {"availability unspecified",
       [](v1::ReadinessOverride& o) { o.set_availability(v1::AVAILABILITY_UNSPECIFIED); },
       "readiness_override.availability"},
      {"availability out of range",
       [](v1::ReadinessOverride& o) { o.set_availability(static_cast<v1::Availability>(42)); },
       "readiness_override.availability"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    v1::ReadinessOverride o =
        Override(player, v1::AVAILABILITY_UNAVAILABLE, Start() + kDay, "Awaiting scan");
    tc.mutate(o);
    status = CreateOverride(o, &resp);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_THAT(ViolatedFields(status), ElementsAre(tc.field));
  }

  status = CreateOverride(
      Override(kUnknownId, v1::AVAILABILITY_UNAVAILABLE, Start() + kDay, "Awaiting scan"), &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  EXPECT_THAT(ListOverrides(player), IsEmpty());
  EXPECT_EQ(ReadinessOf(squad, player).availability(), v1::AVAILABILITY_AVAILABLE);

  // An archived player gets no overrides.
  const int64_t gone = MakePlayer(squad, "Gone");
  ASSERT_TRUE(Archive(gone).ok());
  status = CreateOverride(
      Override(gone, v1::AVAILABILITY_UNAVAILABLE, Start() + kDay, "Awaiting scan"), &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ReadinessApiTest, ListOverridesNewestFirstWithPaging) {
  const int64_t squad = MakeSquad();
  const int64_t player = MakePlayer(squad, "Tom Hartley");
  const int64_t other = MakePlayer(squad, "Other");
  const int64_t o1 =
      MakeOverride(Override(player, v1::AVAILABILITY_MODIFIED, Start() + kDay, "first"));
  clock_.Advance(absl::Hours(2));
  const int64_t o2 =
      MakeOverride(Override(player, v1::AVAILABILITY_UNAVAILABLE, Start() + 2 * kDay, "second"));
  MakeOverride(Override(other, v1::AVAILABILITY_UNAVAILABLE, Start() + 2 * kDay, "not theirs"));
  clock_.Advance(absl::Hours(2));
  const int64_t o3 =
      MakeOverride(Override(player, v1::AVAILABILITY_AVAILABLE, Start() + 3 * kDay, "third"));

  const auto all = ListOverrides(player);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id(), o3);
  EXPECT_EQ(all[1].id(), o2);
  EXPECT_EQ(all[2].id(), o1);
  EXPECT_EQ(all[0].reason(), "third");
  EXPECT_EQ(service::FromProto(all[0].create_time()), Start() + absl::Hours(4));
  EXPECT_EQ(service::FromProto(all[2].create_time()), Start());

  v1::ListReadinessOverridesRequest req;
  req.set_player_id(player);
  req.set_page_size(2);
  v1::ListReadinessOverridesResponse p1, p2;
  ASSERT_TRUE(readiness_->ListReadinessOverrides(Ctx().get(), req, &p1).ok());
  ASSERT_EQ(p1.readiness_overrides_size(), 2);
  EXPECT_EQ(p1.readiness_overrides(0).id(), o3);
  EXPECT_EQ(p1.readiness_overrides(1).id(), o2);
  ASSERT_FALSE(p1.next_page_token().empty());
  req.set_page_token(p1.next_page_token());
  ASSERT_TRUE(readiness_->ListReadinessOverrides(Ctx().get(), req, &p2).ok());
  ASSERT_EQ(p2.readiness_overrides_size(), 1);
  EXPECT_EQ(p2.readiness_overrides(0).id(), o1);
  EXPECT_TRUE(p2.next_page_token().empty());

  // Expired overrides are still listed.
  clock_.Advance(5 * kDay);
  EXPECT_EQ(ListOverrides(player).size(), 3u);

  v1::ListReadinessOverridesResponse resp;
  v1::ListReadinessOverridesRequest bad;
  auto status = readiness_->ListReadinessOverrides(Ctx().get(), bad, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("player_id"));
  bad.set_player_id(kUnknownId);
  EXPECT_EQ(readiness_->ListReadinessOverrides(Ctx().get(), bad, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  bad.set_player_id(player);
  bad.set_page_token("***");
  status = readiness_->ListReadinessOverrides(Ctx().get(), bad, &resp);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("page_token"));
}

TEST_F(ReadinessApiTest, ClearEndsAnOverrideOnce) {
  const int64_t squad = MakeSquad();
  const int64_t ben = MakePlayer(squad, "Ben Gradual");
  MakeComplaint(ben, v1::SIDE_RIGHT, Day(2026, 10, 28));
  const int64_t id =
      MakeOverride(Override(ben, v1::AVAILABILITY_UNAVAILABLE, Start() + 3 * kDay, "Awaiting MRI"));
  EXPECT_EQ(ReadinessOf(squad, ben).availability(), v1::AVAILABILITY_UNAVAILABLE);

  clock_.Advance(absl::Hours(1));
  v1::ClearReadinessOverrideResponse cleared;
  auto status = Clear(id, &cleared, "physio.ben");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(cleared.readiness_override().id(), id);
  EXPECT_EQ(service::FromProto(cleared.readiness_override().clear_time()),
            Start() + absl::Hours(1));
  EXPECT_EQ(cleared.readiness_override().cleared_by(), "physio.ben");
  EXPECT_EQ(cleared.readiness_override().set_by(), "dr.cole");
  EXPECT_EQ(cleared.readiness_override().reason(), "Awaiting MRI");

  // Readiness reverts to the clinical answer from the clear on; earlier sessions keep it.
  const auto now = ReadinessOf(squad, ben);
  EXPECT_EQ(now.availability(), v1::AVAILABILITY_MODIFIED);
  EXPECT_FALSE(now.has_override());
  const auto earlier = ReadinessOf(squad, ben, Start() + absl::Minutes(30));
  EXPECT_EQ(earlier.availability(), v1::AVAILABILITY_UNAVAILABLE);
  EXPECT_TRUE(earlier.has_override());
  EXPECT_EQ(ReadinessOf(squad, ben, Start() + 2 * kDay).availability(),
            v1::AVAILABILITY_MODIFIED);

  // Kept, marked cleared.
  const auto listed = ListOverrides(ben);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed[0].has_clear_time());
  EXPECT_EQ(listed[0].cleared_by(), "physio.ben");

  EXPECT_EQ(Clear(id, &cleared).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Clear(kUnknownId, &cleared).error_code(), grpc::StatusCode::NOT_FOUND);
  status = Clear(0, &cleared);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("id"));

  // An expired override cannot be cleared either.
  const int64_t short_one =
      MakeOverride(Override(ben, v1::AVAILABILITY_AVAILABLE, Start() + 2 * absl::Hours(1), "x"));
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(Clear(short_one, &cleared).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace touchline::testing
