// Outcomes by protocol (issue 19 item 8): does starting anti-spasm work by the six-week line (the
// article, seeds/hamstring-biomechanics.txt: left more than 6 weeks the piriformis becomes
// fibrotic) go with fewer recurrences and fewer days lost, on the club's own records?
//
// Definitions (the report, the proto and the tests use exactly these):
// - A complaint counts for a protocol (plugin name + version) when at least one prescription of
//   that plugin and version was assigned for that complaint (the prescription's complaint_id). A
//   complaint treated under two protocols counts once under each.
// - In scope: complaints with onset in [from, to) and not after as_of.
// - Anti-spasm work started: the first adherence report DONE or PARTLY on an anti-spasm
//   prescription for the complaint (phase 1, biomechanics, not a nerve glide:
//   service/anti_spasm_work.h), of any plugin, recorded at or after the onset and at or before the
//   return to full participation (or as_of while open). Its day from onset decides the bucket: by
//   day 42 (at most 42 days after the onset: FlagThresholds::persistence, the line the PERSISTENT
//   flag crosses when strictly more has passed), after day 42, or never started.
// - Recurrence within 12 months: of a resolved complaint, a later complaint of the same player at
//   the same site (same_site_rules.h: side, location and tissue) whose onset is at or after the
//   return to full participation and classifies as an early or late recurrence
//   (ClassifyRecurrence: at most late_recurrence_limit, 365 days, after the return), known by
//   as_of. A resolved complaint without such a recurrence whose 12 months after return have not
//   all passed by as_of is counted as follow-up incomplete (it may still recur).
// - Days lost: whole days (floor) from onset to return to full participation. The median is over
//   resolved complaints only; unresolved ones are counted separately.
#pragma once

#include <compare>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/domain/flag_rules.h"
#include "server/domain/model.h"

namespace touchline::domain {

struct ProtocolKey {
  std::string plugin_name;
  std::string plugin_version;
  auto operator<=>(const ProtocolKey&) const = default;
};

// What the treatment records say of one complaint.
struct ComplaintTreatment {
  Id complaint_id = 0;
  std::vector<ProtocolKey> protocols;          // assigned for it (duplicates are ignored)
  std::vector<absl::Time> anti_spasm_reports;  // DONE/PARTLY on anti-spasm prescriptions for it
};

// Values match touchline.v1.AntiSpasmStart.
enum class AntiSpasmStart { kByDay42 = 1, kAfterDay42 = 2, kNeverStarted = 3 };

struct ProtocolOutcome {
  ProtocolKey protocol;
  AntiSpasmStart start = AntiSpasmStart::kNeverStarted;
  int complaints = 0;
  int resolved = 0;
  int unresolved = 0;
  int recurred_within_12_months = 0;  // of the resolved
  int follow_up_incomplete = 0;       // resolved, not recurred, 12 months not yet over at as_of
  std::optional<double> median_days_lost;  // of the resolved; nullopt when none is
  std::vector<Id> complaint_ids;           // ascending
};

// The anti-spasm start of one complaint by the rule above, or nullopt.
std::optional<absl::Time> AntiSpasmStartedAt(const Complaint& c,
                                             std::span<const absl::Time> reports, absl::Time as_of);
AntiSpasmStart ClassifyAntiSpasmStart(const Complaint& c, std::optional<absl::Time> started_at,
                                      const FlagThresholds& thresholds);
// Whether resolved complaint `c` recurred within 12 months (rule above) among `player_complaints`
// (the same player's, any order, may include c).
bool RecurredWithin12Months(const Complaint& c, std::span<const Complaint> player_complaints,
                            absl::Time as_of, const FlagThresholds& thresholds);
// Median of values (the mean of the two middle ones for an even count); nullopt when empty.
std::optional<double> Median(std::vector<int64_t> values);

// Every protocol met among the in-scope complaints, each with its three buckets (by day 42, after
// day 42, never started; empty ones included so the comparison is always visible), ordered by
// plugin name, version, bucket. `complaints` are every complaint of the players concerned (for
// recurrences after the period too); `treatments` by complaint (any order).
std::vector<ProtocolOutcome> ComputeProtocolOutcomes(std::span<const Complaint> complaints,
                                                     std::span<const ComplaintTreatment> treatments,
                                                     absl::Time from, absl::Time to,
                                                     absl::Time as_of,
                                                     const FlagThresholds& thresholds);

}  // namespace touchline::domain
