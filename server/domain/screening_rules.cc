// Pelvic screening tasks after awkward contact (issue 19 item 3).
#include "server/domain/screening_rules.h"

#include <algorithm>
#include <tuple>

#include "server/domain/flag_rules.h"

namespace touchline::domain {

bool OpensScreeningTask(const ContactEvent& event) {
  return event.awkward && IsPelvicRiskContact(event.kind);
}

std::vector<ScreeningTask> ScreeningTasks(std::span<const ContactEvent> events,
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
  for (const ContactEvent& e : events) {
    if (!OpensScreeningTask(e) || e.occurred_at > as_of) continue;
    ScreeningTask t;
    t.contact_event_id = e.id;
    t.player_id = e.player_id;
    t.contact_kind = e.kind;
    t.session_label = e.session_label;
    t.opened_at = e.occurred_at;
    t.due_at = e.occurred_at + thresholds.due_within;
    auto closing = std::lower_bound(known.begin(), known.end(), e.occurred_at,
                                    [](const Assessment* a, absl::Time t) { return a->assessed_at < t; });
    if (closing != known.end()) {
      t.state = ScreeningState::kClosed;
      t.closed_by = (*closing)->id;
      t.closed_at = (*closing)->assessed_at;
    } else {
      t.state = as_of > t.due_at ? ScreeningState::kOverdue : ScreeningState::kOpen;
    }
    tasks.push_back(std::move(t));
  }
  std::sort(tasks.begin(), tasks.end(), [](const ScreeningTask& a, const ScreeningTask& b) {
    return std::tie(a.due_at, a.contact_event_id) < std::tie(b.due_at, b.contact_event_id);
  });
  return tasks;
}

}  // namespace touchline::domain
