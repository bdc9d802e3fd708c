// Exposure and epidemiology (issue 8): sessions and minutes, hamstring complaint incidence and
// burden per 1000 player-hours (IOC 2020, domain.md section 2), and weekly contact load against the
// World Rugby training guidance (domain.md section 3). Plain arithmetic: no storage, no protobuf.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/domain/model.h"

namespace touchline::domain {

// Values match touchline.v1.ExposureKind.
enum class ExposureKind { kMatch = 1, kTraining = 2 };

// One player's part in a session. Contact minutes are training drills (0 in matches).
struct SessionParticipation {
  Id session_id = 0;
  Id player_id = 0;
  int minutes = 0;
  int full_contact_minutes = 0;
  int controlled_contact_minutes = 0;
  int live_set_piece_minutes = 0;
  bool operator==(const SessionParticipation&) const = default;
};

// A match or training session. A record: created once, never changed.
struct Session {
  Id id = 0;
  Id squad_id = 0;
  ExposureKind kind = ExposureKind::kTraining;
  absl::Time starts_at;
  int duration_minutes = 0;
  std::string title;
  std::string idempotency_key;
  absl::Time recorded_at;
  std::string recorded_by;
  std::vector<SessionParticipation> participations;  // by player id

  absl::Time ends_at() const { return starts_at + absl::Minutes(duration_minutes); }
};

// Whether two sessions share any time ([starts_at, ends_at) each). One player cannot take part in
// both: their minutes would be counted twice (exposure, weekly load).
inline bool Overlap(const Session& a, const Session& b) {
  return a.starts_at < b.ends_at() && b.starts_at < a.ends_at();
}

// ---- injury rates (IOC 2020) ----

struct RateCell {
  int64_t exposure_minutes = 0;
  int complaints = 0;
  int64_t days_lost = 0;

  double exposure_hours() const { return static_cast<double>(exposure_minutes) / 60.0; }
  // Per 1000 player-hours; nullopt without exposure (a rate over nothing is not zero, it is unknown).
  std::optional<double> incidence_per_1000h() const;
  std::optional<double> burden_per_1000h() const;
};

struct RateRow {
  RateCell forwards;
  RateCell backs;
  RateCell total;
};

struct InjuryRates {
  RateRow match;
  RateRow training;
  RateRow total;
  int open_complaints = 0;  // complaints counted that are still open at as_of
};

// Whole UTC calendar days from onset to return to full participation, or to `as_of` while the
// complaint is open at as_of (Fuller 2007 severity counts days; returning the same day is 0).
int64_t DaysLost(const Complaint& complaint, absl::Time as_of);

// Match when the onset lies within [start, end] of a match the player took part in; otherwise
// training. The complaint record has no "activity at onset" field, so the session timetable
// decides; a complaint away from any match counts as training (the exposure it most likely came
// from in a week of 4-5 training days).
ExposureKind AttributeOnset(const Complaint& complaint, std::span<const Session> sessions);

// The squad's rates over [from, to): exposure from sessions starting in the period, complaints of
// `players` (id -> group) with onset in the period. Participations and complaints of players not in
// `players` are ignored.
InjuryRates ComputeInjuryRates(const std::map<Id, PositionGroup>& players,
                               std::span<const Session> sessions,
                               std::span<const Complaint> complaints, absl::Time from,
                               absl::Time to, absl::Time as_of);

// ---- weekly contact load (World Rugby guidance) ----

// Monday 00:00 UTC of the ISO week holding `t`.
absl::Time WeekStart(absl::Time t);
// The Monday 00:00 UTC at or after `t`.
absl::Time WeekEndCeil(absl::Time t);

enum class GuidanceLimit {
  kFullContactMinutes = 1,
  kFullContactDays = 2,
  kControlledContactMinutes = 3,
  kLiveSetPieceMinutes = 4,
};

struct GuidanceMaximum {
  GuidanceLimit limit;
  int maximum;
};

// World Rugby / International Rugby Players guidance for elite training, per week.
inline constexpr std::array<GuidanceMaximum, 4> kWorldRugbyGuidance = {{
    {GuidanceLimit::kFullContactMinutes, 15},
    {GuidanceLimit::kFullContactDays, 2},
    {GuidanceLimit::kControlledContactMinutes, 40},
    {GuidanceLimit::kLiveSetPieceMinutes, 30},
}};

struct GuidanceCheck {
  GuidanceLimit limit;
  int maximum = 0;
  int actual = 0;
  bool over = false;  // actual > maximum: the limit itself is allowed
};

struct WeekLoad {
  Id player_id = 0;
  absl::Time week_start;
  std::map<ContactKind, int> contact_counts;  // kinds with none are absent
  int contact_events = 0;
  int match_minutes = 0;
  int training_minutes = 0;
  int full_contact_minutes = 0;
  int controlled_contact_minutes = 0;
  int live_set_piece_minutes = 0;
  int full_contact_days = 0;  // UTC calendar days with full contact minutes
  std::vector<GuidanceCheck> checks;  // in kWorldRugbyGuidance order
  bool over() const;
};

// The guidance checks of one week's totals.
std::vector<GuidanceCheck> CheckGuidance(int full_contact_minutes, int full_contact_days,
                                         int controlled_contact_minutes, int live_set_piece_minutes);

// One entry per player and week with any session minutes or contact events in [from, to), by
// week then player id. Only participations of players in `player_ids` count (empty = all).
// A session belongs to the week (and day) it starts in.
std::vector<WeekLoad> ComputeWeeklyLoad(std::span<const Session> sessions,
                                        std::span<const ContactEvent> events,
                                        const std::vector<Id>& player_ids, absl::Time from,
                                        absl::Time to);

}  // namespace touchline::domain
