// A pelvic screen after every awkward contact (issue 19 item 3, domain.md section 1: a tackle, an
// awkward fall, scrummaging or an awkward lineout landing can rotate the pelvis, and a rotation "can
// go unnoticed for many years"). Each awkward or high-impact tackle, scrum, lineout landing or fall
// opens a screening task for the player, due within a configurable number of days; a pelvic screen
// recorded at or after the contact closes it (and every other task of the player opened by then).
// An acute tear opens one too (issue 19 item 6): the biomechanics screen belongs to its path, since
// rehabilitation alone is unlikely to last if the pelvis sits rotated (the article).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/domain/model.h"

namespace touchline::domain {

struct ScreeningThresholds {
  // A task is due this long after its contact; overdue strictly after. 7 days is issue 19's
  // default: no published interval for a pelvic screen after contact was found (searched for
  // pelvic and sacroiliac screening after rugby contact); it keeps the screen well inside the
  // six weeks before the piriformis becomes fibrotic (the article). --pelvic_screen_due_days.
  absl::Duration due_within = absl::Hours(24 * 7);
};

enum class ScreeningState { kOpen = 1, kOverdue = 2, kClosed = 3 };

struct ScreeningTask {
  Id contact_event_id = 0;  // the contact that opened it (its identity); 0 for an acute tear's
  Id complaint_id = 0;      // the acute tear that opened it; 0 for a contact's
  Id player_id = 0;
  ContactKind contact_kind = ContactKind::kTackleMade;  // a contact's only
  std::string session_label;                           // a contact's only
  absl::Time opened_at;  // the contact's time, or the tear's onset
  absl::Time due_at;     // opened_at + due_within
  ScreeningState state = ScreeningState::kOpen;
  Id closed_by = 0;  // the pelvic screen (assessment) that closed it
  std::optional<absl::Time> closed_at;
};

// Whether a contact event opens a screening task: awkward or high-impact, and a tackle, scrum,
// lineout landing or fall (IsPelvicRiskContact).
bool OpensScreeningTask(const ContactEvent& event);

// Whether a complaint opens a screening task: an acute onset (a tear).
bool OpensScreeningTask(const Complaint& complaint);

// The tasks of one player at `as_of`: one per contact that opens a task (occurred by as_of) and
// one per complaint that does (onset by as_of), closed by the first current pelvic screen among
// `screens` assessed at or after the contact or onset and by as_of, overdue when still open
// strictly after its due instant. Other assessments in `screens` are ignored. By due_at, then
// contact event id, then complaint id.
std::vector<ScreeningTask> ScreeningTasks(std::span<const ContactEvent> events,
                                          std::span<const Complaint> complaints,
                                          std::span<const Assessment> screens, absl::Time as_of,
                                          const ScreeningThresholds& thresholds);

// What the latest current pelvic screen among `screens` assessed in [complaint onset, at] found
// that calls for anti-spasm work: the pelvis sits rotated, or a piriformis is not of normal tone
// (raised or in spasm; the 4-sign goes on "until the piriformis is back to normal tone").
struct PelvicScreenFindings {
  Id assessment_id = 0;
  absl::Time assessed_at;
  bool pelvic_rotation = false;
  bool piriformis_not_normal = false;
  std::string detail;  // e.g. "pelvic screen of 2026-03-02 (assessment 4): pelvis rotated left"
};
std::optional<PelvicScreenFindings> LatestPelvicScreenFindings(
    const Complaint& complaint, std::span<const Assessment> screens, absl::Time at);

}  // namespace touchline::domain
