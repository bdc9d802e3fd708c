#include "server/domain/exposure_rules.h"

#include <algorithm>
#include <set>
#include <utility>

namespace touchline::domain {
namespace {

const absl::TimeZone& Utc() {
  static const absl::TimeZone* const utc = new absl::TimeZone(absl::UTCTimeZone());
  return *utc;
}

absl::CivilDay UtcDay(absl::Time t) { return absl::ToCivilDay(t, Utc()); }

void Add(RateCell& into, const RateCell& x) {
  into.exposure_minutes += x.exposure_minutes;
  into.complaints += x.complaints;
  into.days_lost += x.days_lost;
}

RateCell& CellOf(InjuryRates& rates, ExposureKind kind, PositionGroup group) {
  RateRow& row = kind == ExposureKind::kMatch ? rates.match : rates.training;
  return group == PositionGroup::kForward ? row.forwards : row.backs;
}

bool InPeriod(absl::Time t, absl::Time from, absl::Time to) { return from <= t && t < to; }

}  // namespace

std::optional<double> RateCell::incidence_per_1000h() const {
  if (exposure_minutes <= 0) return std::nullopt;
  return static_cast<double>(complaints) * 60000.0 / static_cast<double>(exposure_minutes);
}

std::optional<double> RateCell::burden_per_1000h() const {
  if (exposure_minutes <= 0) return std::nullopt;
  return static_cast<double>(days_lost) * 60000.0 / static_cast<double>(exposure_minutes);
}

int64_t DaysLost(const Complaint& complaint, absl::Time as_of) {
  absl::Time end = as_of;
  if (complaint.resolved_at && *complaint.resolved_at <= as_of) end = *complaint.resolved_at;
  return std::max<int64_t>(0, UtcDay(end) - UtcDay(complaint.onset_at));
}

ExposureKind AttributeOnset(const Complaint& complaint, std::span<const Session> sessions) {
  for (const Session& s : sessions) {
    if (s.kind != ExposureKind::kMatch) continue;
    if (complaint.onset_at < s.starts_at || complaint.onset_at > s.ends_at()) continue;
    for (const SessionParticipation& p : s.participations) {
      if (p.player_id == complaint.player_id) return ExposureKind::kMatch;
    }
  }
  return ExposureKind::kTraining;
}

InjuryRates ComputeInjuryRates(const std::map<Id, PositionGroup>& players,
                               std::span<const Session> sessions,
                               std::span<const Complaint> complaints, absl::Time from,
                               absl::Time to, absl::Time as_of) {
  InjuryRates rates;
  for (const Session& s : sessions) {
    if (!InPeriod(s.starts_at, from, to)) continue;  // earlier ones only attribute onsets
    for (const SessionParticipation& p : s.participations) {
      auto player = players.find(p.player_id);
      if (player == players.end()) continue;
      CellOf(rates, s.kind, player->second).exposure_minutes += p.minutes;
    }
  }
  for (const Complaint& c : complaints) {
    if (!InPeriod(c.onset_at, from, to)) continue;
    auto player = players.find(c.player_id);
    if (player == players.end()) continue;
    RateCell& cell = CellOf(rates, AttributeOnset(c, sessions), player->second);
    ++cell.complaints;
    cell.days_lost += DaysLost(c, as_of);
    if (!c.resolved_at || *c.resolved_at > as_of) ++rates.open_complaints;
  }
  for (RateRow* row : {&rates.match, &rates.training}) {
    Add(row->total, row->forwards);
    Add(row->total, row->backs);
    Add(rates.total.forwards, row->forwards);
    Add(rates.total.backs, row->backs);
    Add(rates.total.total, row->total);
  }
  return rates;
}

absl::Time WeekStart(absl::Time t) {
  absl::CivilDay day = UtcDay(t);
  if (absl::GetWeekday(day) != absl::Weekday::monday) {
    day = absl::PrevWeekday(day, absl::Weekday::monday);
  }
  return absl::FromCivil(day, Utc());
}

absl::Time WeekEndCeil(absl::Time t) {
  const absl::Time start = WeekStart(t);
  return start == t ? t : start + absl::Hours(24 * 7);
}

bool WeekLoad::over() const {
  return std::any_of(checks.begin(), checks.end(), [](const GuidanceCheck& c) { return c.over; });
}

std::vector<GuidanceCheck> CheckGuidance(int full_contact_minutes, int full_contact_days,
                                         int controlled_contact_minutes,
                                         int live_set_piece_minutes) {
  std::vector<GuidanceCheck> checks;
  for (const GuidanceMaximum& g : kWorldRugbyGuidance) {
    GuidanceCheck c{g.limit, g.maximum, 0, false};
    switch (g.limit) {
      case GuidanceLimit::kFullContactMinutes: c.actual = full_contact_minutes; break;
      case GuidanceLimit::kFullContactDays: c.actual = full_contact_days; break;
      case GuidanceLimit::kControlledContactMinutes: c.actual = controlled_contact_minutes; break;
      case GuidanceLimit::kLiveSetPieceMinutes: c.actual = live_set_piece_minutes; break;
    }
    c.over = c.actual > c.maximum;
    checks.push_back(c);
  }
  return checks;
}

std::vector<WeekLoad> ComputeWeeklyLoad(std::span<const Session> sessions,
                                        std::span<const ContactEvent> events,
                                        const std::vector<Id>& player_ids, absl::Time from,
                                        absl::Time to) {
  const std::set<Id> wanted(player_ids.begin(), player_ids.end());
  auto counts = [&](Id player) { return wanted.empty() || wanted.count(player) > 0; };
  using Key = std::pair<absl::Time, Id>;
  std::map<Key, WeekLoad> weeks;
  std::map<Key, std::set<absl::CivilDay>> full_contact_days;
  auto week_of = [&](absl::Time t, Id player) -> WeekLoad& {
    const Key key{WeekStart(t), player};
    WeekLoad& w = weeks[key];
    w.player_id = player;
    w.week_start = key.first;
    return w;
  };
  for (const Session& s : sessions) {
    if (!InPeriod(s.starts_at, from, to)) continue;
    for (const SessionParticipation& p : s.participations) {
      if (!counts(p.player_id)) continue;
      WeekLoad& w = week_of(s.starts_at, p.player_id);
      if (s.kind == ExposureKind::kMatch) {
        w.match_minutes += p.minutes;
        continue;  // the guidance is about training; match contact is not a drill
      }
      w.training_minutes += p.minutes;
      w.full_contact_minutes += p.full_contact_minutes;
      w.controlled_contact_minutes += p.controlled_contact_minutes;
      w.live_set_piece_minutes += p.live_set_piece_minutes;
      if (p.full_contact_minutes > 0) {
        full_contact_days[{w.week_start, p.player_id}].insert(UtcDay(s.starts_at));
      }
    }
  }
  for (const ContactEvent& e : events) {
    if (!InPeriod(e.occurred_at, from, to) || !counts(e.player_id)) continue;
    WeekLoad& w = week_of(e.occurred_at, e.player_id);
    ++w.contact_counts[e.kind];
    ++w.contact_events;
  }
  std::vector<WeekLoad> out;
  out.reserve(weeks.size());
  for (auto& [key, w] : weeks) {
    auto days = full_contact_days.find(key);
    w.full_contact_days = days == full_contact_days.end() ? 0 : static_cast<int>(days->second.size());
    w.checks = CheckGuidance(w.full_contact_minutes, w.full_contact_days,
                             w.controlled_contact_minutes, w.live_set_piece_minutes);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace touchline::domain
