// The rules that say when an answer next changes (NextFlagChange, NextReadinessChange) against the
// rules themselves: at random records and instants, flags and readiness evaluated anywhere strictly
// before the announced instant equal those at the start. This is what lets the flag monitor sleep
// and a readiness board be kept: a missed instant would show a stale board.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/domain/flag_rules.h"
#include "server/domain/readiness_rules.h"

namespace touchline::domain {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'790'000'000);
constexpr Id kPlayer = 7;

// Everything a caller can see of the answer at `at`: flags (with their texts) and readiness.
std::string Answer(const std::vector<Complaint>& complaints,
                   const std::vector<ContactEvent>& events,
                   const std::vector<ReadinessOverride>& overrides,
                   const std::vector<StageReached>& stages, absl::Time at,
                   const FlagThresholds& th) {
  const std::vector<Flag> flags = EvaluateFlags(kPlayer, complaints, events, at, th);
  const PlayerReadiness r = EvaluateReadiness(kPlayer, complaints, flags, overrides, stages, at);
  std::string out = absl::StrCat("availability ", static_cast<int>(r.availability), "\n");
  for (const Flag& f : flags) absl::StrAppend(&out, "flag ", FlagKey(f), "\n");
  for (const ReadinessReason& reason : r.reasons) {
    absl::StrAppend(&out, "reason ", static_cast<int>(reason.code), " ", reason.complaint_id, " ",
                    reason.text, "\n");
  }
  if (r.override) absl::StrAppend(&out, "override ", r.override->id, "\n");
  return out;
}

TEST(StabilityRulesTest, NothingChangesBeforeTheAnnouncedInstant) {
  std::mt19937_64 rng(20261207);
  auto minutes = [&](int lo, int hi) {
    return absl::Minutes(std::uniform_int_distribution<int>(lo, hi)(rng));
  };
  auto coin = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  const FlagThresholds th;
  int checked = 0, changes_seen = 0;
  for (int record = 0; record < 300; ++record) {
    std::vector<Complaint> complaints;
    const int n = std::uniform_int_distribution<int>(0, 3)(rng);
    for (int i = 0; i < n; ++i) {
      Complaint c;
      c.id = i + 1;
      c.player_id = kPlayer;
      c.side = coin(0.5) ? Side::kLeft : Side::kRight;
      c.onset_kind = coin(0.3) ? OnsetKind::kAcute : OnsetKind::kGradual;
      c.onset_at = kT0 + minutes(-90 * 24 * 60, 30 * 24 * 60);
      c.symptoms.pain = std::uniform_int_distribution<int>(0, 8)(rng);
      if (coin(0.5)) c.resolved_at = c.onset_at + minutes(60, 70 * 24 * 60);
      for (int k = std::uniform_int_distribution<int>(0, 3)(rng); k > 0; --k) {
        CheckIn ci;
        ci.id = 100 * c.id + k;
        ci.complaint_id = c.id;
        ci.checked_at = c.onset_at + minutes(1, 50 * 24 * 60);
        ci.symptoms.pain = std::uniform_int_distribution<int>(0, 10)(rng);
        c.check_ins.push_back(ci);
      }
      std::sort(c.check_ins.begin(), c.check_ins.end(),
                [](const CheckIn& a, const CheckIn& b) { return a.checked_at < b.checked_at; });
      complaints.push_back(c);
    }
    std::vector<ContactEvent> events;
    for (int k = std::uniform_int_distribution<int>(0, 3)(rng); k > 0; --k) {
      ContactEvent e;
      e.id = 500 + k;
      e.player_id = kPlayer;
      e.kind = ContactKind::kTackleReceived;
      e.occurred_at = kT0 + minutes(-100 * 24 * 60, 20 * 24 * 60);
      e.awkward = coin(0.6);
      events.push_back(e);
    }
    std::vector<ReadinessOverride> overrides;
    if (coin(0.4)) {
      ReadinessOverride o;
      o.id = 900;
      o.player_id = kPlayer;
      o.availability = coin(0.5) ? Availability::kAvailable : Availability::kUnavailable;
      o.starts_at = kT0 + minutes(-10 * 24 * 60, 10 * 24 * 60);
      o.expires_at = o.starts_at + minutes(60, 5 * 24 * 60);
      if (coin(0.3)) o.cleared_at = o.starts_at + minutes(1, 3 * 24 * 60);
      overrides.push_back(o);
    }
    // Return-to-play stages reached, in order, some of them after a probe's instant.
    std::vector<StageReached> stages;
    for (const Complaint& c : complaints) {
      absl::Time t = c.onset_at;
      for (int stage = 1; stage <= 3 && coin(0.5); ++stage) {
        t += minutes(1, 20 * 24 * 60);
        stages.push_back(StageReached{.id = static_cast<Id>(stages.size() + 1),
                                      .complaint_id = c.id,
                                      .stage = static_cast<ReturnToPlayStage>(stage),
                                      .reached_at = t});
      }
    }
    for (int probe = 0; probe < 5; ++probe) {
      const absl::Time at = kT0 + minutes(-30 * 24 * 60, 60 * 24 * 60);
      const std::optional<absl::Time> next = NextReadinessChange(complaints, overrides, stages, at, th);
      const std::optional<absl::Time> next_flag = NextFlagChange(complaints, at, th);
      if (next_flag) {
        ASSERT_LE(*next, *next_flag);  // readiness changes at least when flags do
      }
      const absl::Time end = next ? *next : at + absl::Hours(24 * 400);
      ASSERT_GT(end, at);
      const std::string expected = Answer(complaints, events, overrides, stages, at, th);
      std::vector<absl::Time> instants = {end - absl::Microseconds(1), at + (end - at) / 2};
      for (int k = 0; k < 8; ++k) {
        instants.push_back(at + absl::Microseconds(std::uniform_int_distribution<int64_t>(
                                    1, absl::ToInt64Microseconds(end - at) - 1)(rng)));
      }
      for (absl::Time t : instants) {
        if (t <= at) continue;
        ASSERT_EQ(Answer(complaints, events, overrides, stages, t, th), expected)
            << "record " << record << ": the answer changed at " << absl::FormatTime(t)
            << " before the announced " << (next ? absl::FormatTime(*next) : "never");
        ++checked;
      }
      if (next && Answer(complaints, events, overrides, stages, *next, th) != expected) ++changes_seen;
    }
  }
  EXPECT_GT(checked, 10000);
  EXPECT_GT(changes_seen, 100);  // the announced instants are real changes, not all spurious
}

}  // namespace
}  // namespace touchline::domain
