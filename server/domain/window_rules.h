// The six-week window, before it closes (issue 19 item 2, domain.md section 1). Left more than six
// weeks (42 days), the piriformis becomes fibrotic and treatment helps only short term; so an open
// gradual-onset complaint with no anti-spasm work done yet is flagged WINDOW_CLOSING at day 28 and
// again at day 35 (configurable), and the complaints still inside their window without anti-spasm
// work form a queue ordered by the time left to day 42.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "absl/time/time.h"
#include "server/domain/flag_rules.h"
#include "server/domain/model.h"

namespace touchline::domain {

// One adherence report on a prescription of anti-spasm work: phase 1 of the article ("anti-spasm
// work until the pelvis sits normally", the piriformis 4-sign), not a nerve glide. Reports are
// never changed: the newest one known at an instant is the prescription's state then.
struct AntiSpasmReport {
  Id prescription_id = 0;
  absl::Time reported_at;
  bool done = false;  // DONE or PARTLY; false for NOT_DONE
};

// Whether anti-spasm work was done for `complaint` by `as_of`: some anti-spasm prescription of the
// player whose newest report at or before as_of says DONE or PARTLY and was made at or after the
// complaint's onset. The work treats the player's pelvis, not one complaint, so any of the
// player's anti-spasm prescriptions counts.
bool AntiSpasmWorkDone(const Complaint& complaint, std::span<const AntiSpasmReport> reports,
                       absl::Time as_of);

// A complaint in the six-week queue at an instant.
struct WindowEntry {
  Id complaint_id = 0;
  Id player_id = 0;
  Side side = Side::kLeft;
  absl::Time onset_at;
  absl::Time closes_at;      // onset + the persistence threshold (day 42)
  absl::Duration open_for;   // as_of - onset
  absl::Duration left;       // closes_at - as_of (never negative: a closed window is not queued)
  int alert_day = 0;         // the latest WINDOW_CLOSING alert crossed (28, 35), 0 before the first
};

// The open gradual-onset complaints (begun by as_of) without anti-spasm work whose window has not
// closed (open for at most the persistence threshold), by closes_at then complaint id.
std::vector<WindowEntry> ClosingWindows(std::span<const Complaint> complaints,
                                        std::span<const AntiSpasmReport> reports, absl::Time as_of,
                                        const FlagThresholds& thresholds);

// The WINDOW_CLOSING flags at as_of: one per queued complaint past its first alert (open for at
// least thresholds.window_closing_alerts[0]), beginning at the latest alert crossed (onset + 28
// days, then onset + 35 days, a new flag each time). Cleared by anti-spasm work, resolution, or the
// window closing (strictly more than 42 days: PERSISTENT from then on).
std::vector<Flag> WindowClosingFlags(Id player_id, std::span<const Complaint> complaints,
                                     std::span<const AntiSpasmReport> reports, absl::Time as_of,
                                     const FlagThresholds& thresholds);

// The first instant after `now` at which WindowClosingFlags can answer differently by time alone:
// an alert day reached or a window closing of a complaint not resolved before it. nullopt if none.
std::optional<absl::Time> NextWindowChange(std::span<const Complaint> complaints, absl::Time now,
                                           const FlagThresholds& thresholds);

// Every surveillance flag the flag monitor keeps and ListFlags shows: EvaluateFlags and
// WindowClosingFlags, by kind then complaint.
std::vector<Flag> EvaluateSurveillanceFlags(Id player_id, std::span<const Complaint> complaints,
                                            std::span<const ContactEvent> events,
                                            std::span<const AntiSpasmReport> reports,
                                            absl::Time as_of, const FlagThresholds& thresholds);

// The earlier of NextFlagChange and NextWindowChange.
std::optional<absl::Time> NextSurveillanceFlagChange(std::span<const Complaint> complaints,
                                                     absl::Time now,
                                                     const FlagThresholds& thresholds);

}  // namespace touchline::domain
