// Outcomes by protocol: see outcome_rules.h for every definition.
#include "server/domain/outcome_rules.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "server/domain/same_site_rules.h"

namespace touchline::domain {

std::optional<absl::Time> AntiSpasmStartedAt(const Complaint& c,
                                             std::span<const absl::Time> reports, absl::Time as_of) {
  const absl::Time end = c.resolved_at ? std::min(*c.resolved_at, as_of) : as_of;
  std::optional<absl::Time> first;
  for (absl::Time t : reports) {
    if (t < c.onset_at || t > end) continue;
    if (!first || t < *first) first = t;
  }
  return first;
}

AntiSpasmStart ClassifyAntiSpasmStart(const Complaint& c, std::optional<absl::Time> started_at,
                                      const FlagThresholds& thresholds) {
  if (!started_at) return AntiSpasmStart::kNeverStarted;
  return *started_at - c.onset_at <= thresholds.persistence ? AntiSpasmStart::kByDay42
                                                            : AntiSpasmStart::kAfterDay42;
}

bool RecurredWithin12Months(const Complaint& c, std::span<const Complaint> player_complaints,
                            absl::Time as_of, const FlagThresholds& thresholds) {
  if (!c.resolved_at) return false;
  for (const Complaint& later : player_complaints) {
    if (later.id == c.id || later.player_id != c.player_id || later.onset_at > as_of) continue;
    if (later.onset_at < *c.resolved_at || !SameSite(c, later)) continue;
    const RecurrenceTiming timing = ClassifyRecurrence(later.onset_at - *c.resolved_at, thresholds);
    if (timing == RecurrenceTiming::kEarly || timing == RecurrenceTiming::kLate) return true;
  }
  return false;
}

std::optional<double> Median(std::vector<int64_t> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  if (n % 2 == 1) return static_cast<double>(values[n / 2]);
  return (static_cast<double>(values[n / 2 - 1]) + static_cast<double>(values[n / 2])) / 2.0;
}

std::vector<ProtocolOutcome> ComputeProtocolOutcomes(std::span<const Complaint> complaints,
                                                     std::span<const ComplaintTreatment> treatments,
                                                     absl::Time from, absl::Time to,
                                                     absl::Time as_of,
                                                     const FlagThresholds& thresholds) {
  std::unordered_map<Id, const Complaint*> by_id;
  std::unordered_map<Id, std::vector<Complaint>> by_player;
  for (const Complaint& c : complaints) {
    by_id[c.id] = &c;
    by_player[c.player_id].push_back(c);
  }
  struct Acc {
    std::set<Id> ids;
    int resolved = 0;
    int recurred = 0;
    int incomplete = 0;
    std::vector<int64_t> days;
  };
  std::map<std::tuple<ProtocolKey, AntiSpasmStart>, Acc> cells;
  std::set<ProtocolKey> protocols;
  for (const ComplaintTreatment& t : treatments) {
    auto it = by_id.find(t.complaint_id);
    if (it == by_id.end()) continue;
    const Complaint& c = *it->second;
    if (c.onset_at < from || c.onset_at >= to || c.onset_at > as_of) continue;
    const AntiSpasmStart start =
        ClassifyAntiSpasmStart(c, AntiSpasmStartedAt(c, t.anti_spasm_reports, as_of), thresholds);
    // Resolution as known at as_of (a future-dated return has not happened yet).
    const bool resolved = c.resolved_at && *c.resolved_at <= as_of;
    for (const ProtocolKey& key : std::set<ProtocolKey>(t.protocols.begin(), t.protocols.end())) {
      protocols.insert(key);
      Acc& acc = cells[{key, start}];
      if (!acc.ids.insert(c.id).second) continue;
      if (!resolved) continue;
      ++acc.resolved;
      acc.days.push_back((*c.resolved_at - c.onset_at) / absl::Hours(24));
      if (RecurredWithin12Months(c, by_player[c.player_id], as_of, thresholds)) {
        ++acc.recurred;
      } else if (as_of < *c.resolved_at + thresholds.late_recurrence_limit) {
        ++acc.incomplete;
      }
    }
  }
  std::vector<ProtocolOutcome> out;
  for (const ProtocolKey& key : protocols) {
    for (AntiSpasmStart start : {AntiSpasmStart::kByDay42, AntiSpasmStart::kAfterDay42,
                                 AntiSpasmStart::kNeverStarted}) {
      ProtocolOutcome o;
      o.protocol = key;
      o.start = start;
      auto it = cells.find({key, start});
      if (it != cells.end()) {
        const Acc& acc = it->second;
        o.complaints = static_cast<int>(acc.ids.size());
        o.resolved = acc.resolved;
        o.unresolved = o.complaints - acc.resolved;
        o.recurred_within_12_months = acc.recurred;
        o.follow_up_incomplete = acc.incomplete;
        o.median_days_lost = Median(acc.days);
        o.complaint_ids.assign(acc.ids.begin(), acc.ids.end());
      }
      out.push_back(std::move(o));
    }
  }
  return out;
}

}  // namespace touchline::domain
