// Same site (IOC 2020) and the BAMIC grade: table tests over the OSIICS codes of the domain notes,
// and the recurrence windows at the minute with the same-site rule in force.
#include "server/domain/same_site_rules.h"

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

absl::Time At(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}
absl::Duration Days(int d) { return absl::Hours(24 * d); }

Complaint Make(Id id, Side side, absl::Time onset, std::optional<absl::Time> resolved,
               std::string code) {
  Complaint c;
  c.id = id;
  c.player_id = 7;
  c.side = side;
  c.onset_at = onset;
  c.resolved_at = resolved;
  c.osiics_code = std::move(code);
  c.symptoms.pain = 3;
  return c;
}

int CountKind(const std::vector<Flag>& flags, FlagKind kind) {
  int n = 0;
  for (const Flag& f : flags) n += f.kind == kind ? 1 : 0;
  return n;
}

struct SiteCase {
  std::string earlier;
  std::string later;
  Side earlier_side;
  Side later_side;
  SiteMatch expected;
};

// The property the issue names: same OSIICS tissue -> recurrence; same side, other tissue ->
// subsequent related; one code missing -> side+region fallback.
TEST(SameSiteTest, TableOfCodesAndSides) {
  const std::vector<SiteCase> cases = {
      {"TM1", "TM1", Side::kLeft, Side::kLeft, SiteMatch::kSameSite},
      {"TM1", "TMW", Side::kLeft, Side::kLeft, SiteMatch::kSameSite},   // thigh muscle both
      {"TMH", "TM1", Side::kRight, Side::kBoth, SiteMatch::kSameSite},  // BOTH overlaps
      {"TM1", "TT1", Side::kLeft, Side::kLeft, SiteMatch::kRelated},    // muscle then tendon
      {"TT1", "TRH", Side::kLeft, Side::kLeft, SiteMatch::kRelated},    // tendinopathy vs rupture
      {"TM1", "LNP", Side::kLeft, Side::kLeft, SiteMatch::kRelated},    // thigh vs lumbar nerve
      {"LMP", "LNP", Side::kRight, Side::kRight, SiteMatch::kRelated},  // piriformis strain vs nerve
      {"tm1", "TM1", Side::kLeft, Side::kLeft, SiteMatch::kSameSite},   // case-insensitive
      {"TM1", "TM1", Side::kLeft, Side::kRight, SiteMatch::kDifferentSide},
      {"TM1", "TT1", Side::kLeft, Side::kRight, SiteMatch::kDifferentSide},
      // One or both codes missing: side and region (an uncoded complaint is of the thigh).
      {"", "", Side::kLeft, Side::kLeft, SiteMatch::kSameSite},
      {"", "TT1", Side::kLeft, Side::kLeft, SiteMatch::kSameSite},  // thigh region both
      {"TM1", "", Side::kLeft, Side::kLeft, SiteMatch::kSameSite},
      {"LNP", "", Side::kLeft, Side::kLeft, SiteMatch::kRelated},   // lumbar vs thigh
      {"", "LMP", Side::kRight, Side::kRight, SiteMatch::kRelated},
      {"", "", Side::kLeft, Side::kRight, SiteMatch::kDifferentSide},
  };
  const absl::Time t0 = At(2026, 1, 5);
  for (const SiteCase& tc : cases) {
    SCOPED_TRACE(tc.earlier + " -> " + tc.later);
    const Complaint a = Make(1, tc.earlier_side, t0, t0 + Days(20), tc.earlier);
    const Complaint b = Make(2, tc.later_side, t0 + Days(40), std::nullopt, tc.later);
    EXPECT_EQ(CompareSites(a, b), tc.expected);
    // The classification and the flags follow the site match.
    const std::vector<Complaint> both = {a, b};
    const SubsequentClassification sub = ClassifySubsequent(b, both);
    const auto flags = EvaluateFlags(7, both, {}, t0 + Days(41), FlagThresholds{});
    switch (tc.expected) {
      case SiteMatch::kSameSite:
        EXPECT_EQ(sub.kind, SubsequentKind::kRecurrence);
        EXPECT_EQ(sub.index_complaint_id, 1);
        EXPECT_EQ(CountKind(flags, FlagKind::kRecurrent), 1);
        break;
      case SiteMatch::kRelated:
        EXPECT_EQ(sub.kind, SubsequentKind::kRelated);
        EXPECT_EQ(sub.index_complaint_id, 1);
        EXPECT_THAT(sub.reason, HasSubstr("subsequent related"));
        EXPECT_EQ(CountKind(flags, FlagKind::kRecurrent), 0);
        EXPECT_EQ(CountKind(flags, FlagKind::kExacerbation), 0);
        break;
      case SiteMatch::kDifferentSide:
        EXPECT_EQ(sub.kind, SubsequentKind::kNew);
        EXPECT_EQ(sub.index_complaint_id, 0);
        EXPECT_EQ(CountKind(flags, FlagKind::kRecurrent), 0);
        break;
    }
  }
}

TEST(SameSiteTest, OtherTissueWhileIndexOpenIsRelatedNotExacerbation) {
  const absl::Time t0 = At(2026, 3, 2);
  const std::vector<Complaint> cs = {Make(1, Side::kLeft, t0, std::nullopt, "TM1"),
                                     Make(2, Side::kLeft, t0 + Days(5), std::nullopt, "TT1")};
  EXPECT_EQ(ClassifySubsequent(cs[1], cs).kind, SubsequentKind::kRelated);
  const auto flags = EvaluateFlags(7, cs, {}, t0 + Days(6), FlagThresholds{});
  EXPECT_EQ(CountKind(flags, FlagKind::kExacerbation), 0);
  // Same tissue while open: exacerbation, as before.
  const std::vector<Complaint> same = {Make(1, Side::kLeft, t0, std::nullopt, "TM1"),
                                       Make(2, Side::kLeft, t0 + Days(5), std::nullopt, "TMW")};
  EXPECT_EQ(ClassifySubsequent(same[1], same).kind, SubsequentKind::kExacerbation);
  EXPECT_EQ(CountKind(EvaluateFlags(7, same, {}, t0 + Days(6), FlagThresholds{}),
                      FlagKind::kExacerbation),
            1);
}

TEST(SameSiteTest, SameSiteWinsOverALaterRelatedComplaint) {
  // TM1 (resolved), then TT1 (resolved), then TM1 again: a recurrence of the first, and the
  // episode counts only same-site complaints.
  const absl::Time t0 = At(2026, 1, 5);
  const std::vector<Complaint> cs = {
      Make(1, Side::kRight, t0, t0 + Days(10), "TM1"),
      Make(2, Side::kRight, t0 + Days(20), t0 + Days(30), "TT1"),
      Make(3, Side::kRight, t0 + Days(50), std::nullopt, "TM1")};
  const SubsequentClassification sub = ClassifySubsequent(cs[2], cs);
  EXPECT_EQ(sub.kind, SubsequentKind::kRecurrence);
  EXPECT_EQ(sub.index_complaint_id, 1);
  const auto flags = EvaluateFlags(7, cs, {}, t0 + Days(51), FlagThresholds{});
  ASSERT_EQ(CountKind(flags, FlagKind::kRecurrent), 1);
  for (const Flag& f : flags) {
    if (f.kind != FlagKind::kRecurrent) continue;
    EXPECT_EQ(f.complaint_ids, (std::vector<Id>{3, 1}));
    EXPECT_EQ(f.episode, 2);
    EXPECT_EQ(f.recurrence_timing, RecurrenceTiming::kEarly);  // 40 days after return
  }
}

// The recurrence windows at the minute, with coded complaints of the same tissue.
TEST(SameSiteTest, RecurrenceWindowsAtTheMinuteWithCodes) {
  const absl::Time returned = At(2026, 2, 1, 10, 30);
  struct Case {
    absl::Duration gap;
    RecurrenceTiming timing;
  };
  for (const Case& tc : {Case{Days(60) - absl::Minutes(1), RecurrenceTiming::kEarly},
                         Case{Days(60), RecurrenceTiming::kLate},
                         Case{Days(365), RecurrenceTiming::kLate},
                         Case{Days(365) + absl::Minutes(1), RecurrenceTiming::kDelayed}}) {
    const std::vector<Complaint> cs = {
        Make(1, Side::kLeft, returned - Days(18), returned, "TM1"),
        Make(2, Side::kLeft, returned + tc.gap, std::nullopt, "TMH")};
    const auto flags = EvaluateFlags(7, cs, {}, returned + tc.gap, FlagThresholds{});
    ASSERT_EQ(CountKind(flags, FlagKind::kRecurrent), 1);
    for (const Flag& f : flags) {
      if (f.kind == FlagKind::kRecurrent) {
        EXPECT_EQ(f.recurrence_timing, tc.timing);
      }
    }
    // One minute before the new onset nothing about complaint 2 exists yet.
    EXPECT_EQ(CountKind(EvaluateFlags(7, cs, {}, returned + tc.gap - absl::Minutes(1),
                                      FlagThresholds{}),
                        FlagKind::kRecurrent),
              0);
  }
}

TEST(BamicTest, GradesSitesAndOnsetKind) {
  EXPECT_EQ(BamicProblem(OnsetKind::kAcute, {2, BamicSite::kB}), "");
  EXPECT_EQ(BamicProblem(OnsetKind::kAcute, {0, BamicSite::kA}), "");
  EXPECT_EQ(BamicProblem(OnsetKind::kAcute, {0, BamicSite::kB}), "");
  EXPECT_EQ(BamicProblem(OnsetKind::kAcute, {4, BamicSite::kC}), "");
  EXPECT_THAT(BamicProblem(OnsetKind::kAcute, {0, BamicSite::kC}), HasSubstr("a and b only"));
  EXPECT_THAT(BamicProblem(OnsetKind::kAcute, {5, BamicSite::kA}), HasSubstr("0-4"));
  EXPECT_THAT(BamicProblem(OnsetKind::kAcute, {-1, BamicSite::kA}), HasSubstr("0-4"));
  EXPECT_THAT(BamicProblem(OnsetKind::kAcute, {1, static_cast<BamicSite>(4)}), HasSubstr("site"));
  EXPECT_THAT(BamicProblem(OnsetKind::kGradual, {1, BamicSite::kA}), HasSubstr("acute"));
  EXPECT_EQ(BamicText({3, BamicSite::kC}), "3c");
  EXPECT_EQ(BamicText({0, BamicSite::kA}), "0a");
}

}  // namespace
}  // namespace touchline::domain
