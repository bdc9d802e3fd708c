// The six-week window (issue 19 item 2): WINDOW_CLOSING at day 28 and day 35, the queue by time
// left to day 42.
#include "server/domain/window_rules.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_format.h"
#include "server/domain/wording.h"

namespace touchline::domain {
namespace {

int64_t WholeDays(absl::Duration d) { return absl::IDivDuration(d, kDay, &d); }

const char* SideText(Side side) {
  switch (side) {
    case Side::kLeft:
      return "Left";
    case Side::kRight:
      return "Right";
    case Side::kBoth:
      return "Bilateral";
  }
  return "Unknown-side";
}

// The alerts, earliest first.
std::vector<absl::Duration> Alerts(const FlagThresholds& th) {
  std::vector<absl::Duration> alerts = th.window_closing_alerts;
  std::sort(alerts.begin(), alerts.end());
  return alerts;
}

}  // namespace

bool AntiSpasmWorkDone(const Complaint& complaint, std::span<const AntiSpasmReport> reports,
                       absl::Time as_of) {
  // The newest report at or before as_of of each prescription (later in `reports` wins a tie).
  std::map<Id, const AntiSpasmReport*> newest;
  for (const AntiSpasmReport& r : reports) {
    if (r.reported_at > as_of) continue;
    const AntiSpasmReport*& n = newest[r.prescription_id];
    if (n == nullptr || r.reported_at >= n->reported_at) n = &r;
  }
  for (const auto& [prescription, r] : newest) {
    if (r->done && r->reported_at >= complaint.onset_at) return true;
  }
  return false;
}

std::vector<WindowEntry> ClosingWindows(std::span<const Complaint> complaints,
                                        std::span<const AntiSpasmReport> reports, absl::Time as_of,
                                        const FlagThresholds& th) {
  const std::vector<absl::Duration> alerts = Alerts(th);
  std::vector<WindowEntry> out;
  for (const Complaint& c : complaints) {
    if (c.onset_kind != OnsetKind::kGradual || !c.OpenAt(as_of)) continue;
    const absl::Duration open_for = as_of - c.onset_at;
    if (open_for > th.persistence) continue;  // closed: PERSISTENT now
    if (AntiSpasmWorkDone(c, reports, as_of)) continue;
    WindowEntry e;
    e.complaint_id = c.id;
    e.player_id = c.player_id;
    e.side = c.side;
    e.onset_at = c.onset_at;
    e.closes_at = c.onset_at + th.persistence;
    e.open_for = open_for;
    e.left = e.closes_at - as_of;
    for (absl::Duration a : alerts) {
      if (open_for >= a) e.alert_day = static_cast<int>(WholeDays(a));
    }
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const WindowEntry& a, const WindowEntry& b) {
    return std::tie(a.closes_at, a.complaint_id) < std::tie(b.closes_at, b.complaint_id);
  });
  return out;
}

std::vector<Flag> WindowClosingFlags(Id player_id, std::span<const Complaint> complaints,
                                     std::span<const AntiSpasmReport> reports, absl::Time as_of,
                                     const FlagThresholds& th) {
  const std::vector<absl::Duration> alerts = Alerts(th);
  std::vector<Flag> flags;
  for (const WindowEntry& e : ClosingWindows(complaints, reports, as_of, th)) {
    if (e.alert_day == 0) continue;
    absl::Duration alert = absl::ZeroDuration();
    for (absl::Duration a : alerts) {
      if (e.open_for >= a) alert = a;
    }
    Flag f;
    f.kind = FlagKind::kWindowClosing;
    f.player_id = player_id;
    f.complaint_ids = {e.complaint_id};
    f.began_at = e.onset_at + alert;
    f.alert_day = e.alert_day;
    // Said from the alert, not from as_of, so the flag reads the same while it holds.
    f.reason = absl::StrFormat(
        "%s gradual-onset hamstring complaint open %d days since onset %s with no anti-spasm work "
        "recorded: %d days left before the six-week line (%s), after which the piriformis may be "
        "fibrotic; start the piriformis anti-spasm work now",
        SideText(e.side), e.alert_day, DateText(e.onset_at), WholeDays(e.closes_at - f.began_at),
        DateText(e.closes_at));
    flags.push_back(std::move(f));
  }
  std::sort(flags.begin(), flags.end(), [](const Flag& a, const Flag& b) {
    return a.complaint_ids.front() < b.complaint_ids.front();
  });
  return flags;
}

std::optional<absl::Time> NextWindowChange(std::span<const Complaint> complaints, absl::Time now,
                                           const FlagThresholds& th) {
  std::optional<absl::Time> next;
  auto consider = [&](absl::Time t, const Complaint& c) {
    if (c.resolved_at && *c.resolved_at <= t) return;  // resolved by then: nothing to change
    if (t > now && (!next || t < *next)) next = t;
  };
  for (const Complaint& c : complaints) {
    if (c.onset_kind != OnsetKind::kGradual) continue;
    consider(c.onset_at, c);
    for (absl::Duration a : th.window_closing_alerts) consider(c.onset_at + a, c);
    // The window closes once strictly more than the threshold has passed: the microsecond after.
    consider(c.onset_at + th.persistence + absl::Microseconds(1), c);
  }
  return next;
}

std::vector<Flag> EvaluateSurveillanceFlags(Id player_id, std::span<const Complaint> complaints,
                                            std::span<const ContactEvent> events,
                                            std::span<const AntiSpasmReport> reports,
                                            absl::Time as_of, const FlagThresholds& thresholds) {
  std::vector<Flag> flags = EvaluateFlags(player_id, complaints, events, as_of, thresholds);
  // Only what had begun by as_of exists at as_of (ClosingWindows looks at open complaints only).
  for (Flag& f : WindowClosingFlags(player_id, complaints, reports, as_of, thresholds)) {
    flags.push_back(std::move(f));
  }
  std::stable_sort(flags.begin(), flags.end(), [](const Flag& a, const Flag& b) {
    return std::tie(a.kind, a.complaint_ids.front(), a.began_at) <
           std::tie(b.kind, b.complaint_ids.front(), b.began_at);
  });
  return flags;
}

std::optional<absl::Time> NextSurveillanceFlagChange(std::span<const Complaint> complaints,
                                                     absl::Time now,
                                                     const FlagThresholds& thresholds) {
  const std::optional<absl::Time> a = NextFlagChange(complaints, now, thresholds);
  const std::optional<absl::Time> b = NextWindowChange(complaints, now, thresholds);
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

}  // namespace touchline::domain
