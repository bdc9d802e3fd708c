// Pelvic screening tasks after awkward contact (issue 19 item 3).
#include "server/domain/screening_rules.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/flag_rules.h"

namespace touchline::domain {

bool OpensScreeningTask(const ContactEvent& event) {
  return event.awkward && IsPelvicRiskContact(event.kind);
}

bool OpensScreeningTask(const Complaint& complaint) {
  return complaint.onset_kind == OnsetKind::kAcute;
}

std::vector<ScreeningTask> ScreeningTasks(std::span<const ContactEvent> events,
                                          std::span<const Complaint> complaints,
                                          std::span<const Assessment> screens, absl::Time as_of,
                                          const ScreeningThresholds& thresholds) {
  std::vector<const Assessment*> known;  // current pelvic screens done by as_of, earliest first
  for (const Assessment& a : screens) {
    if (a.kind == AssessmentKind::kPelvicScreen && a.current() && a.assessed_at <= as_of) {
      known.push_back(&a);
    }
  }
  std::sort(known.begin(), known.end(), [](const Assessment* a, const Assessment* b) {
    return std::tie(a->assessed_at, a->id) < std::tie(b->assessed_at, b->id);
  });
  std::vector<ScreeningTask> tasks;
  auto close_or_age = [&](ScreeningTask& t) {
    t.due_at = t.opened_at + thresholds.due_within;
    auto closing = std::lower_bound(known.begin(), known.end(), t.opened_at,
                                    [](const Assessment* a, absl::Time t) { return a->assessed_at < t; });
    if (closing != known.end()) {
      t.state = ScreeningState::kClosed;
      t.closed_by = (*closing)->id;
      t.closed_at = (*closing)->assessed_at;
    } else {
      t.state = as_of > t.due_at ? ScreeningState::kOverdue : ScreeningState::kOpen;
    }
    tasks.push_back(std::move(t));
  };
  for (const ContactEvent& e : events) {
    if (!OpensScreeningTask(e) || e.occurred_at > as_of) continue;
    ScreeningTask t;
    t.contact_event_id = e.id;
    t.player_id = e.player_id;
    t.contact_kind = e.kind;
    t.session_label = e.session_label;
    t.opened_at = e.occurred_at;
    close_or_age(t);
  }
  for (const Complaint& c : complaints) {
    if (!OpensScreeningTask(c) || c.onset_at > as_of) continue;
    ScreeningTask t;
    t.complaint_id = c.id;
    t.player_id = c.player_id;
    t.opened_at = c.onset_at;
    close_or_age(t);
  }
  std::sort(tasks.begin(), tasks.end(), [](const ScreeningTask& a, const ScreeningTask& b) {
    return std::tie(a.due_at, a.contact_event_id, a.complaint_id) <
           std::tie(b.due_at, b.contact_event_id, b.complaint_id);
  });
  return tasks;
}

std::optional<PelvicScreenFindings> LatestPelvicScreenFindings(
    const Complaint& complaint, std::span<const Assessment> screens, absl::Time at) {
  const Assessment* latest = nullptr;
  for (const Assessment& a : screens) {
    if (a.kind != AssessmentKind::kPelvicScreen || !a.current()) continue;
    if (a.player_id != complaint.player_id) continue;
    if (a.assessed_at < complaint.onset_at || a.assessed_at > at) continue;
    if (latest == nullptr || std::tie(a.assessed_at, a.id) > std::tie(latest->assessed_at, latest->id)) {
      latest = &a;
    }
  }
  if (latest == nullptr) return std::nullopt;
  PelvicScreenFindings out;
  out.assessment_id = latest->id;
  out.assessed_at = latest->assessed_at;
  std::vector<std::string> found;
  if (latest->pelvic_rotation && *latest->pelvic_rotation != PelvicRotation::kNone) {
    out.pelvic_rotation = true;
    found.push_back(*latest->pelvic_rotation == PelvicRotation::kLeft ? "pelvis rotated left"
                                                                      : "pelvis rotated right");
  }
  for (const auto* side : {&latest->left, &latest->right}) {
    if (!side->has_value() || !(*side)->piriformis_tone) continue;
    const MuscleTone tone = *(*side)->piriformis_tone;
    if (tone == MuscleTone::kNormal) continue;
    out.piriformis_not_normal = true;
    found.push_back(absl::StrCat(side == &latest->left ? "left" : "right", " piriformis ",
                                 tone == MuscleTone::kSpasm ? "in spasm" : "of raised tone"));
  }
  out.detail = absl::StrCat("pelvic screen of ",
                            absl::FormatTime("%Y-%m-%d", latest->assessed_at, absl::UTCTimeZone()),
                            " (assessment ", latest->id, "): ",
                            found.empty() ? "nothing found" : absl::StrJoin(found, ", "));
  return out;
}

}  // namespace touchline::domain
