// Readiness rules: override, then acute complaint, then any complaint or flag. Explicit instants.
#include "server/domain/readiness_rules.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/domain/flag_rules.h"

namespace touchline::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr Id kPlayer = 11;

absl::Time At(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}
absl::Duration Days(int d) { return absl::Hours(24 * d); }

const absl::Time kOnset = At(2026, 11, 20);
const absl::Time kSession = At(2026, 11, 25, 10, 0);

Complaint MakeComplaint(Id id, Side side, OnsetKind kind, absl::Time onset,
                        std::optional<absl::Time> resolved = std::nullopt) {
  Complaint c;
  c.id = id;
  c.player_id = kPlayer;
  c.side = side;
  c.onset_kind = kind;
  c.onset_at = onset;
  c.resolved_at = resolved;
  c.symptoms.pain = 7;
  c.symptoms.sleep_disturbance = true;
  return c;
}

ReadinessOverride MakeOverride(Id id, Availability a, absl::Time starts, absl::Time expires,
                               std::optional<absl::Time> cleared = std::nullopt) {
  ReadinessOverride o;
  o.id = id;
  o.player_id = kPlayer;
  o.availability = a;
  o.reason = "sciatic pain at night, physio decision";
  o.starts_at = starts;
  o.expires_at = expires;
  o.set_by = "dr.jones";
  o.created_at = starts;
  o.cleared_at = cleared;
  return o;
}

Flag MakeFlag(FlagKind kind, Id complaint_id, absl::Time began_at) {
  Flag f;
  f.kind = kind;
  f.player_id = kPlayer;
  f.complaint_ids = {complaint_id};
  f.began_at = began_at;
  f.reason = "pain 7/10, sleep disturbed";
  return f;
}

PlayerReadiness Evaluate(const std::vector<Complaint>& complaints, const std::vector<Flag>& flags,
                         const std::vector<ReadinessOverride>& overrides,
                         absl::Time session = kSession,
                         const std::vector<StageReached>& stages = {}) {
  return EvaluateReadiness(kPlayer, complaints, flags, overrides, stages, session);
}

TEST(Readiness, NothingOpenIsAvailable) {
  const auto r = Evaluate({}, {}, {});
  EXPECT_EQ(r.player_id, kPlayer);
  EXPECT_EQ(r.availability, Availability::kAvailable);
  EXPECT_THAT(r.reasons, IsEmpty());
  EXPECT_FALSE(r.override.has_value());
}

TEST(Readiness, OpenAcuteComplaintIsUnavailable) {
  const auto r = Evaluate({MakeComplaint(1, Side::kRight, OnsetKind::kAcute, kOnset)}, {}, {});
  EXPECT_EQ(r.availability, Availability::kUnavailable);
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0].code, ReadinessReasonCode::kOpenAcuteComplaint);
  EXPECT_EQ(r.reasons[0].complaint_id, 1);
  EXPECT_EQ(r.reasons[0].text, "Open acute hamstring complaint (right) since 2026-11-20");
}

TEST(Readiness, OpenGradualComplaintIsModified) {
  const auto r = Evaluate({MakeComplaint(1, Side::kLeft, OnsetKind::kGradual, kOnset)}, {}, {});
  EXPECT_EQ(r.availability, Availability::kModified);
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0].code, ReadinessReasonCode::kOpenComplaint);
  EXPECT_EQ(r.reasons[0].text, "Open hamstring complaint (left) since 2026-11-20");
}

TEST(Readiness, OnlyAFlagIsModified) {
  // The complaint is not passed; only its flag is known to be active.
  const auto r = Evaluate({}, {MakeFlag(FlagKind::kSuspectedPelvicOrigin, 4, kOnset)}, {});
  EXPECT_EQ(r.availability, Availability::kModified);
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0].code, ReadinessReasonCode::kActiveFlag);
  EXPECT_EQ(r.reasons[0].flag_kind, FlagKind::kSuspectedPelvicOrigin);
  EXPECT_EQ(r.reasons[0].complaint_id, 4);
  EXPECT_THAT(r.reasons[0].text, HasSubstr("suspected pelvic origin"));
}

TEST(Readiness, ResolvedComplaintIsAvailable) {
  const auto before =
      Evaluate({MakeComplaint(1, Side::kRight, OnsetKind::kAcute, kOnset, kSession)}, {}, {},
               kSession - absl::Minutes(1));
  EXPECT_EQ(before.availability, Availability::kUnavailable);
  const auto r =
      Evaluate({MakeComplaint(1, Side::kRight, OnsetKind::kAcute, kOnset, kSession)}, {}, {});
  EXPECT_EQ(r.availability, Availability::kAvailable);
  EXPECT_THAT(r.reasons, IsEmpty());
}

TEST(Readiness, ComplaintStartingAfterSessionIsIgnored) {
  const auto r = Evaluate(
      {MakeComplaint(1, Side::kRight, OnsetKind::kAcute, kSession + absl::Minutes(1))}, {}, {});
  EXPECT_EQ(r.availability, Availability::kAvailable);
}

TEST(Readiness, ReasonsMostImportantFirst) {
  // Input order deliberately reversed: flags, then a gradual complaint with a lower id and an
  // earlier onset than the acute one.
  const std::vector<Complaint> complaints = {
      MakeComplaint(1, Side::kLeft, OnsetKind::kGradual, kOnset - Days(50)),
      MakeComplaint(2, Side::kRight, OnsetKind::kAcute, kOnset),
      MakeComplaint(3, Side::kLeft, OnsetKind::kGradual, kOnset - Days(60), kOnset),  // resolved
  };
  const std::vector<Flag> flags = {MakeFlag(FlagKind::kPersistent, 1, kOnset - Days(8))};
  const auto r = Evaluate(complaints, flags, {});
  EXPECT_EQ(r.availability, Availability::kUnavailable);
  ASSERT_EQ(r.reasons.size(), 3u);
  EXPECT_EQ(r.reasons[0].code, ReadinessReasonCode::kOpenAcuteComplaint);
  EXPECT_EQ(r.reasons[0].complaint_id, 2);
  EXPECT_EQ(r.reasons[1].code, ReadinessReasonCode::kOpenComplaint);
  EXPECT_EQ(r.reasons[1].complaint_id, 1);
  EXPECT_EQ(r.reasons[2].code, ReadinessReasonCode::kActiveFlag);
  EXPECT_EQ(r.reasons[2].complaint_id, 1);
  EXPECT_EQ(r.reasons[2].text, "Flag: persistent beyond 42 days (left)");
}

TEST(Readiness, ReasonTextsCarryNoSymptomDetail) {
  const std::vector<Complaint> complaints = {
      MakeComplaint(1, Side::kBoth, OnsetKind::kAcute, kOnset)};
  const std::vector<Flag> flags = {MakeFlag(FlagKind::kExacerbation, 1, kOnset),
                                   MakeFlag(FlagKind::kRecurrent, 1, kOnset)};
  const std::vector<ReadinessOverride> overrides = {
      MakeOverride(1, Availability::kModified, kOnset, kSession + Days(1))};
  const auto r = Evaluate(complaints, flags, overrides);
  ASSERT_EQ(r.reasons.size(), 4u);
  for (const ReadinessReason& reason : r.reasons) {
    SCOPED_TRACE(reason.text);
    EXPECT_THAT(reason.text, Not(HasSubstr("pain")));
    EXPECT_THAT(reason.text, Not(HasSubstr("sleep")));
    EXPECT_THAT(reason.text, Not(HasSubstr("sciatic")));
    EXPECT_THAT(reason.text, Not(HasSubstr("/10")));
  }
  // The override's own reason stays available on the override itself.
  ASSERT_TRUE(r.override.has_value());
  EXPECT_EQ(r.override->reason, "sciatic pain at night, physio decision");
}

// --- overrides ---------------------------------------------------------------------------------

TEST(ReadinessOverrideRule, AvailableOverrideWinsOverAcuteComplaint) {
  const std::vector<Complaint> complaints = {
      MakeComplaint(1, Side::kRight, OnsetKind::kAcute, kOnset)};
  const std::vector<ReadinessOverride> overrides = {
      MakeOverride(8, Availability::kAvailable, kSession - Days(1), kSession + Days(1))};
  const auto r = Evaluate(complaints, {}, overrides);
  EXPECT_EQ(r.availability, Availability::kAvailable);
  ASSERT_TRUE(r.override.has_value());
  EXPECT_EQ(r.override->id, 8);
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[0].code, ReadinessReasonCode::kOverride);
  EXPECT_THAT(r.reasons[0].text, HasSubstr("AVAILABLE"));
  EXPECT_THAT(r.reasons[0].text, HasSubstr("dr.jones"));
  EXPECT_EQ(r.reasons[1].code, ReadinessReasonCode::kOpenAcuteComplaint);  // still listed
}

TEST(ReadinessOverrideRule, UnavailableOverrideWinsOverHealthyPlayer) {
  const std::vector<ReadinessOverride> overrides = {
      MakeOverride(8, Availability::kUnavailable, kSession - Days(1), kSession + Days(1))};
  const auto r = Evaluate({}, {}, overrides);
  EXPECT_EQ(r.availability, Availability::kUnavailable);
  ASSERT_TRUE(r.override.has_value());
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_EQ(r.reasons[0].code, ReadinessReasonCode::kOverride);
}

TEST(ReadinessOverrideRule, ExpiresAtIsExclusive) {
  const std::vector<Complaint> complaints = {
      MakeComplaint(1, Side::kRight, OnsetKind::kAcute, kOnset)};
  const std::vector<ReadinessOverride> overrides = {
      MakeOverride(8, Availability::kAvailable, kSession - Days(1), kSession)};
  auto r = Evaluate(complaints, {}, overrides, kSession);
  EXPECT_EQ(r.availability, Availability::kUnavailable);
  EXPECT_FALSE(r.override.has_value());
  EXPECT_EQ(r.reasons.front().code, ReadinessReasonCode::kOpenAcuteComplaint);

  r = Evaluate(complaints, {}, overrides, kSession - absl::Minutes(1));
  EXPECT_EQ(r.availability, Availability::kAvailable);
  EXPECT_TRUE(r.override.has_value());
}

TEST(ReadinessOverrideRule, ClearedOverrideDoesNotApply) {
  const std::vector<ReadinessOverride> cleared_at_session = {MakeOverride(
      8, Availability::kUnavailable, kSession - Days(1), kSession + Days(1), kSession)};
  auto r = Evaluate({}, {}, cleared_at_session);
  EXPECT_EQ(r.availability, Availability::kAvailable);
  EXPECT_FALSE(r.override.has_value());
  EXPECT_THAT(r.reasons, IsEmpty());

  // Cleared after the session: it was in force for that session.
  const std::vector<ReadinessOverride> cleared_later = {
      MakeOverride(8, Availability::kUnavailable, kSession - Days(1), kSession + Days(1),
                   kSession + absl::Minutes(1))};
  r = Evaluate({}, {}, cleared_later);
  EXPECT_EQ(r.availability, Availability::kUnavailable);
}

TEST(ReadinessOverrideRule, FutureStartDoesNotApply) {
  const std::vector<ReadinessOverride> overrides = {
      MakeOverride(8, Availability::kUnavailable, kSession + absl::Minutes(1), kSession + Days(1))};
  auto r = Evaluate({}, {}, overrides);
  EXPECT_EQ(r.availability, Availability::kAvailable);
  EXPECT_FALSE(r.override.has_value());

  // Starting exactly at the session time applies.
  r = Evaluate({}, {}, overrides, kSession + absl::Minutes(1));
  EXPECT_EQ(r.availability, Availability::kUnavailable);
}

TEST(ReadinessOverrideRule, LatestStartedOverrideWinsWhenSeveralInForce) {
  const std::vector<ReadinessOverride> overrides = {
      MakeOverride(9, Availability::kModified, kSession - Days(1), kSession + Days(3)),
      MakeOverride(8, Availability::kUnavailable, kSession - Days(5), kSession + Days(5)),
  };
  const auto r = Evaluate({}, {}, overrides);
  EXPECT_EQ(r.availability, Availability::kModified);
  ASSERT_TRUE(r.override.has_value());
  EXPECT_EQ(r.override->id, 9);
}

// --- with EvaluateFlags ------------------------------------------------------------------------

TEST(ReadinessWithFlags, PersistentFlagKeepsGradualComplaintModifiedUntilResolved) {
  const Complaint c =
      MakeComplaint(1, Side::kRight, OnsetKind::kGradual, kOnset, kOnset + Days(50));
  const std::vector<Complaint> complaints = {c};
  const FlagThresholds th;

  const absl::Time day45 = kOnset + Days(45);
  const auto flags = EvaluateFlags(kPlayer, complaints, {}, day45, th);
  auto r = Evaluate(complaints, flags, {}, day45);
  EXPECT_EQ(r.availability, Availability::kModified);
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[1].text, "Flag: persistent beyond 42 days (right)");

  const absl::Time day50 = kOnset + Days(50);
  r = Evaluate(complaints, EvaluateFlags(kPlayer, complaints, {}, day50, th), {}, day50);
  EXPECT_EQ(r.availability, Availability::kAvailable);
  EXPECT_THAT(r.reasons, IsEmpty());
}

}  // namespace
}  // namespace touchline::domain
