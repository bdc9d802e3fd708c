// The seed plan: deterministic, realistic, and holding the demo's scenarios.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "client/cli/requests.h"
#include "client/cli/seed.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace touchline::cli {
namespace {

namespace v1 = touchline::v1;

SeedOptions Opts() {
  SeedOptions o;
  absl::Time now;
  std::string err;
  absl::ParseTime(absl::RFC3339_full, "2026-11-25T13:45:00Z", &now, &err);
  o.now = now;
  return o;
}

double DaysBefore(absl::Time now, const google::protobuf::Timestamp& ts) {
  return absl::ToDoubleHours(now - FromTimestamp(ts)) / 24;
}

TEST(SeedPlan, Deterministic) {
  SeedPlan a = BuildSeedPlan(Opts());
  SeedPlan b = BuildSeedPlan(Opts());
  ASSERT_EQ(a.players.size(), b.players.size());
  for (size_t i = 0; i < a.players.size(); ++i) EXPECT_EQ(a.players[i].name, b.players[i].name);
  ASSERT_EQ(a.events.size(), b.events.size());
  for (size_t i = 0; i < a.events.size(); i += 97) {
    EXPECT_EQ(a.events[i].event.SerializeAsString(), b.events[i].event.SerializeAsString());
  }
  ASSERT_EQ(a.complaints.size(), b.complaints.size());
  SeedOptions other = Opts();
  other.seed = 7;
  EXPECT_NE(BuildSeedPlan(other).players[0].external_id, a.players[0].external_id);
}

TEST(SeedPlan, ExposureSessionsAreRealisticAndValid) {
  SeedOptions o = Opts();
  SeedPlan p = BuildSeedPlan(o);
  int matches = 0;
  std::map<absl::Time, int> training_days_per_week;  // Monday 00:00 UTC -> training days
  std::set<std::string> keys;
  int over_full_contact_weeks = 0;
  std::map<std::pair<absl::Time, int>, int> full_contact;  // (week, player) -> minutes
  for (const SeedSession& ss : p.sessions) {
    const v1::Session& s = ss.session;
    EXPECT_TRUE(keys.insert(s.idempotency_key()).second) << s.idempotency_key();
    const absl::Time start = FromTimestamp(s.start_time());
    EXPECT_LE(start + absl::Minutes(s.duration_minutes()), o.now);
    ASSERT_EQ(static_cast<int>(ss.players.size()), s.participations_size());
    std::set<int> players(ss.players.begin(), ss.players.end());
    EXPECT_EQ(players.size(), ss.players.size()) << "a player twice in " << s.title();
    const absl::CivilDay day = absl::ToCivilDay(start, absl::UTCTimeZone());
    absl::CivilDay monday = day;
    while (absl::GetWeekday(monday) != absl::Weekday::monday) --monday;
    const absl::Time week = absl::FromCivil(monday, absl::UTCTimeZone());
    if (s.kind() == v1::EXPOSURE_KIND_MATCH) {
      ++matches;
      EXPECT_EQ(s.duration_minutes(), 80);
      EXPECT_LE(s.participations_size(), 23);
    } else {
      ASSERT_EQ(s.kind(), v1::EXPOSURE_KIND_TRAINING);
      ++training_days_per_week[week];
    }
    for (int i = 0; i < s.participations_size(); ++i) {
      const auto& part = s.participations(i);
      EXPECT_GT(part.minutes(), 0);
      EXPECT_LE(part.minutes(), s.duration_minutes());
      EXPECT_LE(part.full_contact_minutes() + part.controlled_contact_minutes() + part.live_set_piece_minutes(),
                part.minutes());
      if (s.kind() == v1::EXPOSURE_KIND_MATCH) {
        EXPECT_EQ(part.full_contact_minutes(), 0);
      }
      full_contact[{week, ss.players[i]}] += part.full_contact_minutes();
    }
  }
  EXPECT_EQ(matches, p.matches);
  // Every old acute strain happened in a match the player was playing (so the demo has match
  // incidence), and they went off at that minute.
  int in_match = 0;
  for (const SeedComplaint& c : p.complaints) {
    if (c.scenario != "resolved (acute strain)") continue;
    const absl::Time onset = FromTimestamp(c.complaint.onset_time());
    for (const SeedSession& ss : p.sessions) {
      const absl::Time start = FromTimestamp(ss.session.start_time());
      if (ss.session.kind() != v1::EXPOSURE_KIND_MATCH || onset < start ||
          onset > start + absl::Minutes(ss.session.duration_minutes())) {
        continue;
      }
      for (size_t i = 0; i < ss.players.size(); ++i) {
        if (ss.players[i] != c.player) continue;
        ++in_match;
        EXPECT_EQ(ss.session.participations(static_cast<int>(i)).minutes(), absl::ToInt64Minutes(onset - start));
      }
    }
  }
  EXPECT_GE(in_match, 1);
  // Whole weeks (not the first or last, which are cut by the season's ends) have 5 training days.
  int full_weeks = 0;
  for (auto it = std::next(training_days_per_week.begin()); it != std::prev(training_days_per_week.end()); ++it) {
    EXPECT_GE(it->second, 4);
    EXPECT_LE(it->second, 5);
    ++full_weeks;
  }
  EXPECT_GE(full_weeks, 30);
  for (const auto& [key, minutes] : full_contact) over_full_contact_weeks += minutes > 15;
  // Some weeks exceed the 15-minute guidance, as observed practice does; most do not.
  EXPECT_GT(over_full_contact_weeks, 0);
  EXPECT_LT(over_full_contact_weeks, static_cast<int>(full_contact.size()));
}

TEST(SeedPlan, SquadIsRealistic) {
  SeedPlan p = BuildSeedPlan(Opts());
  ASSERT_EQ(p.players.size(), 50u);
  int forwards = 0;
  std::set<std::string> names, positions, ext;
  for (const auto& pl : p.players) {
    forwards += pl.group == v1::POSITION_GROUP_FORWARD;
    names.insert(pl.name);
    positions.insert(pl.position);
    ext.insert(pl.external_id);
  }
  EXPECT_EQ(forwards, 25);
  EXPECT_EQ(names.size(), 50u);
  EXPECT_EQ(ext.size(), 50u);
  for (const char* pos : {"loosehead prop", "tighthead prop", "hooker", "lock", "blindside flanker", "openside flanker",
                          "number eight", "scrum-half", "fly-half", "inside centre", "outside centre", "left wing",
                          "right wing", "full-back"}) {
    EXPECT_TRUE(positions.count(pos)) << pos;
  }
}

TEST(SeedPlan, SeasonOfEvents) {
  SeedOptions o = Opts();
  SeedPlan p = BuildSeedPlan(o);
  EXPECT_GE(p.matches, 28);
  EXPECT_LE(p.matches, 40);
  EXPECT_GE(p.training_sessions, 60);
  EXPECT_GT(p.events.size(), 15000u);
  EXPECT_LT(p.events.size(), 60000u);
  std::set<std::string> keys;
  int awkward = 0;
  std::map<std::string, std::map<int, int>> per_match_player;
  int64_t prev = 0;
  for (const auto& e : p.events) {
    EXPECT_TRUE(keys.insert(e.event.idempotency_key()).second) << e.event.idempotency_key();
    EXPECT_LE(e.event.idempotency_key().size(), 128u);
    absl::Time t = FromTimestamp(e.event.occur_time());
    EXPECT_LT(t, o.now);
    EXPECT_GT(t, o.now - absl::Hours(24 * 280));
    EXPECT_GE(e.event.occur_time().seconds(), prev);  // chronological
    prev = e.event.occur_time().seconds();
    EXPECT_NE(e.event.kind(), v1::CONTACT_KIND_UNSPECIFIED);
    awkward += e.event.awkward();
    if (absl::StrContains(e.event.session_label(), " v ")) ++per_match_player[e.event.session_label()][e.player];
  }
  EXPECT_GT(awkward, 100);
  EXPECT_LT(awkward, static_cast<int>(p.events.size() / 10));
  EXPECT_EQ(static_cast<int>(per_match_player.size()), p.matches);
  for (const auto& [label, by_player] : per_match_player) {
    EXPECT_LE(by_player.size(), 23u) << label;
    for (const auto& [player, n] : by_player) {
      EXPECT_GE(n, 4);
      EXPECT_LE(n, 30);
    }
  }
}

TEST(SeedPlan, Scenarios) {
  SeedOptions o = Opts();
  SeedPlan p = BuildSeedPlan(o);
  int persistent = 0, resolved_old = 0;
  const SeedComplaint *acute = nullptr, *pelvic = nullptr, *disc = nullptr, *recur = nullptr,
                      *index = nullptr, *exacerbation = nullptr;
  std::map<int, int> complaints_per_player;
  for (const auto& c : p.complaints) {
    const auto& cp = c.complaint;
    double onset_days = DaysBefore(o.now, cp.onset_time());
    ++complaints_per_player[c.player];
    for (const auto& ci : c.check_ins) {
      EXPECT_GE(FromTimestamp(ci.check_time()), FromTimestamp(cp.onset_time()));
      EXPECT_LE(FromTimestamp(ci.check_time()), o.now);
    }
    if (c.resolve_time) {
      EXPECT_GT(*c.resolve_time, FromTimestamp(cp.onset_time()));
    }
    if (c.scenario == "persistent") {
      ++persistent;
      EXPECT_GE(onset_days, 50);
      EXPECT_LE(onset_days, 70);
      EXPECT_EQ(cp.onset_kind(), v1::ONSET_KIND_GRADUAL);
      EXPECT_FALSE(c.resolve_time.has_value());
    } else if (absl::StartsWith(c.scenario, "resolved")) {
      ++resolved_old;
      EXPECT_TRUE(c.resolve_time.has_value());
      EXPECT_GT(onset_days, 90);
    } else if (c.scenario == "acute tear") {
      acute = &c;
    } else if (c.scenario == "suspected pelvic origin") {
      pelvic = &c;
    } else if (c.scenario == "disc herniation history") {
      disc = &c;
    } else if (c.scenario == "early recurrence") {
      recur = &c;
    } else if (c.scenario == "early recurrence (index episode)") {
      index = &c;
    } else if (c.scenario == "exacerbation (pain worsened)") {
      exacerbation = &c;
    }
  }
  EXPECT_EQ(persistent, 2);
  EXPECT_GE(resolved_old, 3);
  ASSERT_TRUE(acute && pelvic && disc && recur && index && exacerbation);
  // The exacerbation: open, its latest check-in at least 2 points worse than the one before.
  EXPECT_FALSE(exacerbation->resolve_time.has_value());
  ASSERT_GE(exacerbation->check_ins.size(), 2u);
  const auto& ci = exacerbation->check_ins;
  EXPECT_GE(ci.back().symptoms().pain(), ci[ci.size() - 2].symptoms().pain() + 2);
  EXPECT_EQ(acute->complaint.onset_kind(), v1::ONSET_KIND_ACUTE);
  EXPECT_EQ(acute->complaint.mechanism(), v1::MECHANISM_SPRINTING);
  EXPECT_NEAR(DaysBefore(o.now, acute->complaint.onset_time()), 3, 1);
  EXPECT_FALSE(acute->resolve_time.has_value());

  EXPECT_EQ(index->player, recur->player);
  EXPECT_EQ(index->complaint.side(), v1::SIDE_LEFT);
  EXPECT_EQ(recur->complaint.side(), v1::SIDE_LEFT);
  ASSERT_TRUE(index->resolve_time.has_value());
  EXPECT_NEAR(absl::ToDoubleHours(o.now - *index->resolve_time) / 24, 30, 1);
  EXPECT_NEAR(DaysBefore(o.now, recur->complaint.onset_time()), 5, 1);
  EXPECT_LT(&*index, &*recur);  // the index episode is created first

  EXPECT_TRUE(disc->complaint.history().lumbar_disc_herniation());
  EXPECT_TRUE(disc->complaint.findings().sciatic_nerve_tension());

  ASSERT_EQ(p.explicit_events.size(), 1u);
  const auto& landing = p.explicit_events[0];
  EXPECT_EQ(landing.player, pelvic->player);
  EXPECT_EQ(landing.event.kind(), v1::CONTACT_KIND_LINEOUT_LANDING);
  EXPECT_TRUE(landing.event.awkward());
  EXPECT_EQ(FromTimestamp(pelvic->complaint.onset_time()) - FromTimestamp(landing.event.occur_time()),
            absl::Hours(24 * 4));
  EXPECT_LT(FromTimestamp(pelvic->complaint.onset_time()), o.now);

  // Only the recurrence player has two complaints.
  for (const auto& [player, n] : complaints_per_player) EXPECT_EQ(n, player == recur->player ? 2 : 1);

  // No random awkward event in the three weeks before a complaint's onset (the landing is explicit).
  for (const auto& e : p.events) {
    if (!e.event.awkward()) continue;
    for (const auto& c : p.complaints) {
      if (c.player != e.player) continue;
      absl::Duration before = FromTimestamp(c.complaint.onset_time()) - FromTimestamp(e.event.occur_time());
      EXPECT_FALSE(before >= absl::ZeroDuration() && before <= absl::Hours(24 * 21)) << c.scenario;
    }
  }
  // The acute-tear player takes no contact after the tear.
  for (const auto& e : p.events) {
    if (e.player == acute->player) {
      EXPECT_LT(FromTimestamp(e.event.occur_time()), FromTimestamp(acute->complaint.onset_time()));
    }
  }
}

// Match incidence well above training incidence (domain.md: Brooks 2006, 5.6 vs 0.27 per 1000 h):
// most of the season's acute strains begin during a match the player played in.
TEST(SeedPlan, HamstringsGoInMatchesMoreThanInTraining) {
  SeedOptions o = Opts();
  SeedPlan p = BuildSeedPlan(o);
  double match_hours = 0, training_hours = 0;
  int in_match = 0;
  for (const auto& ss : p.sessions) {
    const bool match = ss.session.kind() == v1::EXPOSURE_KIND_MATCH;
    for (const auto& part : ss.session.participations()) {
      (match ? match_hours : training_hours) += part.minutes() / 60.0;
    }
  }
  for (const auto& c : p.complaints) {
    const absl::Time onset = FromTimestamp(c.complaint.onset_time());
    for (size_t s = 0; s < p.sessions.size(); ++s) {
      const auto& ss = p.sessions[s];
      if (ss.session.kind() != v1::EXPOSURE_KIND_MATCH) continue;
      const absl::Time start = FromTimestamp(ss.session.start_time());
      if (onset < start || onset > start + absl::Minutes(ss.session.duration_minutes())) continue;
      if (std::find(ss.players.begin(), ss.players.end(), c.player) != ss.players.end()) ++in_match;
    }
  }
  const int in_training = static_cast<int>(p.complaints.size()) - in_match;
  ASSERT_GT(match_hours, 0);
  const double match_rate = in_match / match_hours, training_rate = in_training / training_hours;
  EXPECT_GT(match_rate, 4 * training_rate) << in_match << " in matches over " << match_hours
                                           << " h; " << in_training << " over " << training_hours;
}

// A big squad (1,000 players) trains in groups: no session over the server's 200 players; and
// another squad size or name makes players of its own (external ids never collide).
TEST(SeedPlan, ThousandPlayersFitTheServersLimitsAndOwnTheirIds) {
  SeedOptions o = Opts();
  o.players = 1000;
  SeedPlan big = BuildSeedPlan(o);
  EXPECT_EQ(big.players.size(), 1000u);
  std::set<std::string> keys;
  for (const auto& ss : big.sessions) {
    EXPECT_LE(ss.session.participations_size(), 200) << ss.session.title();
    EXPECT_EQ(static_cast<size_t>(ss.session.participations_size()), ss.players.size());
    EXPECT_TRUE(keys.insert(ss.session.idempotency_key()).second) << ss.session.idempotency_key();
  }
  SeedPlan small = BuildSeedPlan(Opts());
  SeedOptions renamed = Opts();
  renamed.squad_name = "Academy";
  EXPECT_NE(big.external_id_prefix, small.external_id_prefix);
  EXPECT_NE(BuildSeedPlan(renamed).external_id_prefix, small.external_id_prefix);
  EXPECT_EQ(BuildSeedPlan(Opts()).external_id_prefix, small.external_id_prefix);
}

TEST(SeedPlan, AssessmentsAreAPreSeasonBaselineForEveryoneAndTheScenariosTests) {
  SeedOptions o = Opts();
  SeedPlan p = BuildSeedPlan(o);
  std::map<int, int> baselines;  // player -> Nordic baselines
  std::set<std::string> scenarios;
  absl::Time previous = absl::InfinitePast();
  for (const SeedAssessment& sa : p.assessments) {
    const absl::Time at = FromTimestamp(sa.assessment.assess_time());
    EXPECT_LE(at, o.now) << sa.scenario;
    EXPECT_GE(at, previous) << "oldest first";
    previous = at;
    ASSERT_GE(sa.player, 0);
    ASSERT_LT(sa.player, static_cast<int>(p.players.size()));
    EXPECT_EQ(sa.assessment.player_id(), 0);
    if (sa.complaint >= 0) {
      EXPECT_EQ(p.complaints[sa.complaint].player, sa.player) << sa.scenario;
    }
    scenarios.insert(sa.scenario);
    if (sa.assessment.has_nordic() && sa.assessment.baseline()) {
      ++baselines[sa.player];
      const double l = sa.assessment.nordic().left_newtons(), r = sa.assessment.nordic().right_newtons();
      EXPECT_GE(std::min(l, r), 300) << "realistic NordBord force";
      EXPECT_LE(std::max(l, r), 460);
      EXPECT_LE((std::max(l, r) - std::min(l, r)) / std::max(l, r), 0.081) << "baselines are balanced";
      EXPECT_NEAR(DaysBefore(o.now, sa.assessment.assess_time()), 120, 1) << "pre-season";
    }
  }
  EXPECT_EQ(baselines.size(), p.players.size());
  for (const auto& [player, count] : baselines) EXPECT_EQ(count, 1) << player;
  for (const char* want : {"pelvic screen: left rotation, piriformis spasm", "positive slump (left)",
                           "Nordic: left eccentric deficit", "sensitised straight-leg raise (right)",
                           "stiff lumbar and thoracic spine", "Askling H-test at return to play",
                           "isometric strength at return to play"}) {
    EXPECT_TRUE(scenarios.count(want)) << want;
  }
}

// Issue 19 items 5-7: the acute tear carries its BAMIC grade; its biomechanics screen, done the day
// after within the screening task's 7 days, finds a piriformis off normal tone; it has a plan.
TEST(SeedPlan, TheAcuteTearIsGradedAndScreenedTheDayAfter) {
  SeedOptions o = Opts();
  SeedPlan p = BuildSeedPlan(o);
  int tear = -1;
  for (size_t i = 0; i < p.complaints.size(); ++i) {
    if (p.complaints[i].scenario == "acute tear") tear = static_cast<int>(i);
  }
  ASSERT_GE(tear, 0);
  const v1::Complaint& c = p.complaints[tear].complaint;
  EXPECT_EQ(c.onset_kind(), v1::ONSET_KIND_ACUTE);
  EXPECT_EQ(c.bamic().grade(), 2);
  EXPECT_EQ(c.bamic().site(), v1::BAMIC_SITE_B);
  int screens = 0;
  for (const SeedAssessment& sa : p.assessments) {
    if (sa.complaint != tear || !sa.assessment.has_pelvic_screen()) continue;
    ++screens;
    const absl::Duration after = FromTimestamp(sa.assessment.assess_time()) - FromTimestamp(c.onset_time());
    EXPECT_GT(after, absl::ZeroDuration());
    EXPECT_LE(after, absl::Hours(24 * 7)) << "within the task's due time";
    EXPECT_EQ(sa.assessment.pelvic_screen().right_piriformis_tone(), v1::MUSCLE_TONE_RAISED);
  }
  EXPECT_EQ(screens, 1);
  // Its return-to-play plan: every stage planned after onset, in order, and criteria of each kind.
  ASSERT_EQ(p.return_to_play.size(), 1u);
  const auto& rtp = p.return_to_play[0];
  EXPECT_EQ(rtp.complaint, tear);
  ASSERT_EQ(rtp.request.planned_dates_size(), 3);
  absl::Time previous = FromTimestamp(c.onset_time());
  for (const auto& d : rtp.request.planned_dates()) {
    EXPECT_GT(FromTimestamp(d.planned_time()), previous);
    previous = FromTimestamp(d.planned_time());
  }
  std::set<v1::CriterionCheck> checks;
  for (const auto& k : rtp.request.criteria()) checks.insert(k.check());
  EXPECT_EQ(checks, (std::set<v1::CriterionCheck>{v1::CRITERION_CHECK_UNSPECIFIED,
                                                  v1::CRITERION_CHECK_ECCENTRIC_ASYMMETRY,
                                                  v1::CRITERION_CHECK_H_TEST_APPREHENSION}));
}

TEST(SeedPlan, AMonthlyPelvicScreenForEveryoneAndOneAwkwardTackleOwedSince) {
  SeedOptions o = Opts();
  SeedPlan p = BuildSeedPlan(o);
  std::map<int, int> screens;
  for (const SeedAssessment& sa : p.assessments) {
    if (!sa.assessment.has_pelvic_screen() || sa.scenario != "monthly pelvic screen") continue;
    ++screens[sa.player];
    EXPECT_NEAR(DaysBefore(o.now, sa.assessment.assess_time()), 21, 1);
    EXPECT_EQ(sa.assessment.pelvic_screen().rotation(), v1::PELVIC_ROTATION_NONE);
  }
  EXPECT_EQ(screens.size(), p.players.size());
  ASSERT_EQ(p.late_events.size(), 1u);
  const SeedEvent& tackle = p.late_events[0];
  EXPECT_TRUE(tackle.event.awkward());
  EXPECT_EQ(tackle.event.kind(), v1::CONTACT_KIND_TACKLE_RECEIVED);
  const double days = DaysBefore(o.now, tackle.event.occur_time());
  EXPECT_GT(days, 7.5) << "overdue: more than the 7 days a screen is due within";
  EXPECT_LT(days, 12.5);
  for (const SeedComplaint& c : p.complaints) EXPECT_NE(c.player, tackle.player) << c.scenario;
  EXPECT_GT(tackle.player, 6) << "player 7 stays without a complaint or scenario";
}

TEST(SeedPlan, SmallSquad) {
  SeedOptions o = Opts();
  o.players = 12;
  SeedPlan p = BuildSeedPlan(o);
  EXPECT_EQ(p.players.size(), 12u);
  std::set<int> players;
  for (const auto& c : p.complaints) players.insert(c.player);
  EXPECT_EQ(players.size(), p.complaints.size() - 1);
}

}  // namespace
}  // namespace touchline::cli
