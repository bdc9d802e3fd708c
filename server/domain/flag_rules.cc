// Surveillance flags (domain.md sections 1-2): persistence beyond six weeks, recurrence (Fuller 2007
// timing), exacerbation (IOC 2020) and suspected pelvic origin after awkward contact.
#include "server/domain/flag_rules.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "server/domain/same_site_rules.h"
#include "server/domain/wording.h"

namespace touchline::domain {
namespace {

// "42 days" for whole days, otherwise Abseil's duration text ("41h30m").
std::string DurationText(absl::Duration d) {
  if (d % kDay == absl::ZeroDuration()) {
    const int64_t days = d / kDay;
    return absl::StrFormat("%d day%s", days, days == 1 ? "" : "s");
  }
  return absl::FormatDuration(d);
}

// Whole days elapsed (floor).
int64_t WholeDays(absl::Duration d) { return absl::IDivDuration(d, kDay, &d); }

std::string SideText(Side side) {
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

std::string TimingText(RecurrenceTiming timing) {
  switch (timing) {
    case RecurrenceTiming::kEarly:
      return "early";
    case RecurrenceTiming::kLate:
      return "late";
    case RecurrenceTiming::kDelayed:
      return "delayed";
    case RecurrenceTiming::kNone:
      break;
  }
  return "unclassified";
}

std::string ContactKindText(ContactKind kind) {
  switch (kind) {
    case ContactKind::kTackleMade:
      return "tackle made";
    case ContactKind::kTackleReceived:
      return "tackle received";
    case ContactKind::kCollision:
      return "collision";
    case ContactKind::kRuck:
      return "ruck";
    case ContactKind::kMaul:
      return "maul";
    case ContactKind::kScrum:
      return "scrum";
    case ContactKind::kLineoutLift:
      return "lineout lift";
    case ContactKind::kLineoutLanding:
      return "lineout landing";
    case ContactKind::kFall:
      return "fall";
    case ContactKind::kCarry:
      return "carry";
    case ContactKind::kOffFieldLifting:
      return "off-field lifting";
  }
  return "contact";
}

// The kinds the article singles out as disturbing the pelvis.
bool IsPelvicOriginKind(ContactKind kind) {
  switch (kind) {
    case ContactKind::kTackleMade:
    case ContactKind::kTackleReceived:
    case ContactKind::kScrum:
    case ContactKind::kLineoutLanding:
    case ContactKind::kFall:
      return true;
    default:
      return false;
  }
}

// Episode number of `c` at its site: 1 + earlier-onset complaints at the same site (IOC 2020:
// same side, location and tissue; same_site_rules.h). A subsequent related complaint (same side,
// another tissue) is not an earlier episode of this one.
int EpisodeNumber(const Complaint& c, const std::vector<const Complaint*>& known) {
  int episode = 1;
  for (const Complaint* other : known) {
    if (other->id != c.id && other->onset_at < c.onset_at && SameSite(*other, c)) {
      ++episode;
    }
  }
  return episode;
}

void AddPersistent(Id player_id, const Complaint& c, absl::Time as_of, const FlagThresholds& th,
                   std::vector<Flag>& out) {
  const absl::Duration open_for = as_of - c.onset_at;
  if (open_for <= th.persistence) return;
  Flag f;
  f.kind = FlagKind::kPersistent;
  f.player_id = player_id;
  f.complaint_ids = {c.id};
  f.began_at = c.onset_at + th.persistence;
  f.reason = absl::StrFormat(
      "%s hamstring symptoms for %d days since onset %s (over %s): piriformis may be fibrotic; "
      "treat the pelvic cause",
      SideText(c.side), WholeDays(open_for), DateText(c.onset_at), DurationText(th.persistence));
  out.push_back(std::move(f));
}

void AddRecurrent(Id player_id, const Complaint& c, const std::vector<const Complaint*>& known,
                  const FlagThresholds& th, std::vector<Flag>& out) {
  const Complaint* index = nullptr;
  for (const Complaint* p : known) {
    if (p->id == c.id || !p->resolved_at || *p->resolved_at > c.onset_at) continue;
    // IOC 2020: a recurrence is of the same location and tissue (same_site_rules.h).
    if (p->onset_at > c.onset_at || !SameSite(*p, c)) continue;
    // The most recent return to full participation; ties: later onset, then higher id.
    if (index == nullptr ||
        std::tie(*p->resolved_at, p->onset_at, p->id) >
            std::tie(*index->resolved_at, index->onset_at, index->id)) {
      index = p;
    }
  }
  if (index == nullptr) return;
  const absl::Duration gap = c.onset_at - *index->resolved_at;
  Flag f;
  f.kind = FlagKind::kRecurrent;
  f.player_id = player_id;
  f.complaint_ids = {c.id, index->id};
  f.began_at = c.onset_at;
  f.recurrence_timing = ClassifyRecurrence(gap, th);
  f.episode = EpisodeNumber(c, known);
  f.reason = absl::StrFormat(
      "%s hamstring complaint from %s began %d days after return to full participation on %s "
      "(complaint %d): %s recurrence, episode %d at this site; a returning hamstring problem points "
      "at an untreated pelvic cause",
      SideText(c.side), DateText(c.onset_at), WholeDays(gap), DateText(*index->resolved_at),
      index->id, TimingText(f.recurrence_timing), f.episode);
  out.push_back(std::move(f));
}

void AddExacerbations(Id player_id, const Complaint& c, const std::vector<const Complaint*>& known,
                      absl::Time as_of, const FlagThresholds& th, std::vector<Flag>& out) {
  // (a) New onset while an earlier complaint on an overlapping side had not healed.
  const Complaint* unhealed = nullptr;
  for (const Complaint* p : known) {
    if (p->id == c.id || !(p->onset_at < c.onset_at) || !p->OpenAt(c.onset_at)) continue;
    if (!SameSite(*p, c)) continue;  // IOC 2020: same location and tissue
    // The most recent earlier onset; ties: higher id.
    if (unhealed == nullptr ||
        std::tie(p->onset_at, p->id) > std::tie(unhealed->onset_at, unhealed->id)) {
      unhealed = p;
    }
  }
  if (unhealed != nullptr) {
    Flag f;
    f.kind = FlagKind::kExacerbation;
    f.player_id = player_id;
    f.complaint_ids = {c.id, unhealed->id};
    f.began_at = c.onset_at;
    f.episode = EpisodeNumber(c, known);
    f.reason = absl::StrFormat(
        "%s hamstring complaint from %s began while complaint %d (onset %s) had not healed: "
        "exacerbation, episode %d at this site",
        SideText(c.side), DateText(c.onset_at), unhealed->id, DateText(unhealed->onset_at),
        f.episode);
    out.push_back(std::move(f));
  }

  // (b) Worsening: the latest check-in known at as_of against the assessment before it.
  std::vector<const CheckIn*> check_ins;
  for (const CheckIn& ci : c.check_ins) {
    if (ci.checked_at <= as_of) check_ins.push_back(&ci);
  }
  if (check_ins.empty()) return;
  std::stable_sort(check_ins.begin(), check_ins.end(), [](const CheckIn* a, const CheckIn* b) {
    return std::tie(a->checked_at, a->id) < std::tie(b->checked_at, b->id);
  });
  const CheckIn& latest = *check_ins.back();
  const bool first = check_ins.size() == 1;
  const int previous_pain = first ? c.symptoms.pain : check_ins[check_ins.size() - 2]->symptoms.pain;
  if (latest.symptoms.pain < previous_pain + th.worsening_pain_increase) return;
  Flag f;
  f.kind = FlagKind::kExacerbation;
  f.player_id = player_id;
  f.complaint_ids = {c.id};
  f.began_at = latest.checked_at;
  f.episode = EpisodeNumber(c, known);
  f.reason = absl::StrFormat(
      "%s hamstring pain worsened to %d/10 at check-in %s, from %d/10 at %s: exacerbation",
      SideText(c.side), latest.symptoms.pain, DateTimeText(latest.checked_at), previous_pain,
      first ? std::string("onset") : "the previous check-in");
  out.push_back(std::move(f));
}

void AddPelvicOrigin(Id player_id, const Complaint& c, std::span<const ContactEvent> events,
                     const FlagThresholds& th, std::vector<Flag>& out) {
  std::vector<Id> ids = PelvicOriginEvents(c, events, th);
  if (ids.empty()) return;
  std::vector<std::string> cited;
  for (Id id : ids) {
    for (const ContactEvent& e : events) {
      if (e.id == id) {
        cited.push_back(absl::StrFormat("%s %s", ContactKindText(e.kind), DateText(e.occurred_at)));
        break;
      }
    }
  }
  Flag f;
  f.kind = FlagKind::kSuspectedPelvicOrigin;
  f.player_id = player_id;
  f.complaint_ids = {c.id};
  f.began_at = c.onset_at;
  f.reason = absl::StrFormat(
      "%s hamstring complaint began %s within %s of %d awkward contact event%s (%s): suspected "
      "pelvic origin; assess pelvis and piriformis before treating the hamstring",
      SideText(c.side), DateText(c.onset_at), DurationText(th.pelvic_origin_window), ids.size(),
      ids.size() == 1 ? "" : "s", absl::StrJoin(cited, ", "));
  f.contact_event_ids = std::move(ids);
  out.push_back(std::move(f));
}

}  // namespace

bool IsPelvicRiskContact(ContactKind kind) { return IsPelvicOriginKind(kind); }

bool SidesOverlap(Side a, Side b) { return a == b || a == Side::kBoth || b == Side::kBoth; }

RecurrenceTiming ClassifyRecurrence(absl::Duration since_return, const FlagThresholds& thresholds) {
  if (since_return < absl::ZeroDuration()) return RecurrenceTiming::kNone;
  if (since_return < thresholds.early_recurrence_limit) return RecurrenceTiming::kEarly;
  if (since_return <= thresholds.late_recurrence_limit) return RecurrenceTiming::kLate;
  return RecurrenceTiming::kDelayed;
}

std::vector<Id> PelvicOriginEvents(const Complaint& complaint, std::span<const ContactEvent> events,
                                   const FlagThresholds& thresholds) {
  const absl::Time from = complaint.onset_at - thresholds.pelvic_origin_window;
  std::vector<const ContactEvent*> chosen;
  for (const ContactEvent& e : events) {
    if (!e.awkward || !IsPelvicOriginKind(e.kind)) continue;
    if (e.occurred_at < from || e.occurred_at > complaint.onset_at) continue;
    chosen.push_back(&e);
  }
  std::sort(chosen.begin(), chosen.end(), [](const ContactEvent* a, const ContactEvent* b) {
    return std::tie(a->occurred_at, a->id) < std::tie(b->occurred_at, b->id);
  });
  std::vector<Id> ids;
  ids.reserve(chosen.size());
  for (const ContactEvent* e : chosen) ids.push_back(e->id);
  return ids;
}

std::vector<Flag> EvaluateFlags(Id player_id, std::span<const Complaint> complaints,
                                std::span<const ContactEvent> events, absl::Time as_of,
                                const FlagThresholds& thresholds) {
  // Only what had begun by as_of exists at as_of.
  std::vector<const Complaint*> known;
  for (const Complaint& c : complaints) {
    if (c.onset_at <= as_of) known.push_back(&c);
  }

  std::vector<Flag> flags;
  for (const Complaint* c : known) {
    if (!c->OpenAt(as_of)) continue;
    AddPersistent(player_id, *c, as_of, thresholds, flags);
    AddRecurrent(player_id, *c, known, thresholds, flags);
    AddExacerbations(player_id, *c, known, as_of, thresholds, flags);
    AddPelvicOrigin(player_id, *c, events, thresholds, flags);
  }

  // By kind, then by the complaint the flag is about; an onset exacerbation before a worsening.
  std::stable_sort(flags.begin(), flags.end(), [](const Flag& a, const Flag& b) {
    return std::tie(a.kind, a.complaint_ids.front(), a.began_at) <
           std::tie(b.kind, b.complaint_ids.front(), b.began_at);
  });
  return flags;
}

std::string FlagKey(const Flag& flag) {
  const char* kind = "flag";
  switch (flag.kind) {
    case FlagKind::kPersistent:
      kind = "persistent";
      break;
    case FlagKind::kRecurrent:
      kind = "recurrent";
      break;
    case FlagKind::kExacerbation:
      kind = "exacerbation";
      break;
    case FlagKind::kSuspectedPelvicOrigin:
      kind = "pelvic";
      break;
    case FlagKind::kWindowClosing:
      kind = "window";
      break;
  }
  const Id complaint = flag.complaint_ids.empty() ? 0 : flag.complaint_ids.front();
  const bool worsening = flag.kind == FlagKind::kExacerbation && flag.complaint_ids.size() == 1;
  std::string suffix = worsening ? "-worsening" : "";
  if (flag.kind == FlagKind::kWindowClosing) suffix = absl::StrFormat("-d%d", flag.alert_day);
  return absl::StrFormat("p%d-%s-c%d%s", flag.player_id, kind, complaint, suffix);
}

std::optional<absl::Time> NextFlagChange(std::span<const Complaint> complaints, absl::Time now,
                                         const FlagThresholds& thresholds) {
  std::optional<absl::Time> next;
  auto consider = [&](absl::Time t) {
    if (t > now && (!next || t < *next)) next = t;
  };
  for (const Complaint& c : complaints) {
    consider(c.onset_at);  // a future-dated complaint begins (recurrence, exacerbation, pelvic)
    // PERSISTENT holds once strictly more than the threshold has passed: the first microsecond after.
    const absl::Time persistent_at = c.onset_at + thresholds.persistence + absl::Microseconds(1);
    if (!c.resolved_at || *c.resolved_at > persistent_at) consider(persistent_at);
    if (c.resolved_at) consider(*c.resolved_at);  // a future-dated resolution clears flags
    for (const CheckIn& ci : c.check_ins) consider(ci.checked_at);  // a worsening
  }
  return next;
}

}  // namespace touchline::domain
