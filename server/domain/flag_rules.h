// Surveillance flags computed from a player's record at any instant (domain.md section 2).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/domain/model.h"

namespace touchline::domain {

enum class FlagKind {
  kPersistent = 1,
  kRecurrent = 2,
  kExacerbation = 3,
  kSuspectedPelvicOrigin = 4,
  kWindowClosing = 5,  // server/domain/window_rules.h
};

// Fuller et al. 2007: time from return to full participation to the new onset.
enum class RecurrenceTiming { kNone = 0, kEarly = 1, kLate = 2, kDelayed = 3 };

struct FlagThresholds {
  // PERSISTENT once an open complaint has lasted strictly longer than this from onset.
  absl::Duration persistence = absl::Hours(24 * 42);
  // A complaint within this window after an awkward/high-impact tackle, scrum, lineout landing or
  // fall (event time in [onset - window, onset]) is of suspected pelvic origin.
  absl::Duration pelvic_origin_window = absl::Hours(24 * 14);
  // Recurrence timing bounds: gap < early_limit is early; early_limit..late_limit (inclusive) is
  // late; beyond late_limit is delayed. 2 months = 60 days, 12 months = 365 days.
  absl::Duration early_recurrence_limit = absl::Hours(24 * 60);
  absl::Duration late_recurrence_limit = absl::Hours(24 * 365);
  // A check-in whose pain exceeds the previous assessment's by at least this much is a worsening.
  int worsening_pain_increase = 2;
  // WINDOW_CLOSING (window_rules.h): an open gradual-onset complaint without anti-spasm work is
  // flagged once it has been open this long, and flagged again at each later alert, before the
  // six-week line (`persistence`, 42 days: the article, seeds/hamstring-biomechanics.txt, "left
  // for more than 6 weeks, the muscle will ... become fibrotic"). Days 28 and 35, two weeks and one
  // week before the line, are issue 19's; no published source sets them (none was found).
  std::vector<absl::Duration> window_closing_alerts = {absl::Hours(24 * 28), absl::Hours(24 * 35)};
};

struct Flag {
  FlagKind kind = FlagKind::kPersistent;
  Id player_id = 0;
  std::vector<Id> complaint_ids;  // the current complaint first
  absl::Time began_at;
  std::string reason;             // readable by a physio
  RecurrenceTiming recurrence_timing = RecurrenceTiming::kNone;
  int episode = 0;  // RECURRENT / EXACERBATION: episode number at this site (same_site_rules.h; 2 = first repeat)
  std::vector<Id> contact_event_ids;  // SUSPECTED_PELVIC_ORIGIN: the events cited
  int alert_day = 0;                  // WINDOW_CLOSING: the alert crossed (28, 35)
};

// The contact the article names as disturbing the pelvis: a tackle (made or received), a scrum, a
// lineout landing or a fall. Awkward or high-impact ones cite a pelvic origin (and, issue 19, call
// for a pelvic screen: screening_rules.h).
bool IsPelvicRiskContact(ContactKind kind);

// Sides overlap when equal or when either is BOTH; LEFT after RIGHT is a different site.
bool SidesOverlap(Side a, Side b);

// Classifies a gap from return-to-play to a new onset.
RecurrenceTiming ClassifyRecurrence(absl::Duration since_return, const FlagThresholds& thresholds);

// The awkward/high-impact tackles, scrums, lineout landings and falls that make a complaint of
// suspected pelvic origin, oldest first. `events` may be any of the player's events, in any order.
std::vector<Id> PelvicOriginEvents(const Complaint& complaint, std::span<const ContactEvent> events,
                                   const FlagThresholds& thresholds);

// Every flag active at `as_of` for one player, ordered by kind then complaint. `complaints` are all
// the player's complaints (any order); events are the player's contact events (at least those
// within the pelvic-origin window before each open complaint). Complaints with onset after as_of
// and check-ins after as_of are ignored, so any past instant can be evaluated. A flag is active
// while the complaint it is about is open at as_of; resolution clears it.
std::vector<Flag> EvaluateFlags(Id player_id, std::span<const Complaint> complaints,
                                std::span<const ContactEvent> events, absl::Time as_of,
                                const FlagThresholds& thresholds);

// The first instant after `now` at which EvaluateFlags over these complaints can answer
// differently by time alone, or nullopt if none can (every complaint resolved in the past, nothing
// future-dated): a complaint begins or is resolved, the persistence line is crossed, a check-in
// becomes known. What wakes the flag monitor and bounds a kept readiness board.
std::optional<absl::Time> NextFlagChange(std::span<const Complaint> complaints, absl::Time now,
                                         const FlagThresholds& thresholds);

// A flag's stable identity while it holds: player, kind and the complaint it is about (the first
// of complaint_ids), plus "-worsening" for an exacerbation by worsening pain, which can hold beside
// an onset exacerbation of the same complaint, and "-d<alert day>" for WINDOW_CLOSING, whose day-35
// alert is a new flag. E.g. "p12-persistent-c34", "p12-window-c34-d28".
std::string FlagKey(const Flag& flag);

}  // namespace touchline::domain
