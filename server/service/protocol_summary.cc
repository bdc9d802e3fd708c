#include "server/service/protocol_summary.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/coach_wording.h"

namespace touchline::service {

namespace pv1 = touchline::plugin::v1;

std::string SummarizePrescription(const pv1::Prescription& p) {
  std::vector<std::string> dose;
  switch (p.side()) {
    case pv1::SIDE_LEFT: dose.push_back("left"); break;
    case pv1::SIDE_RIGHT: dose.push_back("right"); break;
    case pv1::SIDE_BOTH: dose.push_back(p.each_side() ? "each leg" : "both"); break;
    default: break;
  }
  if (p.sets() > 0) {
    std::string s = absl::StrCat(p.sets(), "x");
    if (p.reps() > 0) absl::StrAppend(&s, p.reps());
    if (p.hold_seconds() > 0) absl::StrAppend(&s, p.reps() > 0 ? " " : "", p.hold_seconds(), "s");
    dose.push_back(s);
  }
  if (p.effort_percent() > 0) dose.push_back(absl::StrCat("@", p.effort_percent(), "%"));
  std::string out = p.exercise();
  if (!dose.empty()) absl::StrAppend(&out, " (", absl::StrJoin(dose, ", "), ")");
  return out;
}

std::string SummarizeProtocolsForCoach(const pv1::AssignResult& result) {
  auto list = [](const auto& ps) {
    std::vector<std::string> labels;
    for (const auto& p : ps) {
      std::string label = domain::CoachLabel(p.coach_label());
      if (std::find(labels.begin(), labels.end(), label) == labels.end()) {
        labels.push_back(std::move(label));
      }
    }
    return absl::StrJoin(labels, "; ");
  };
  std::vector<std::string> parts;
  if (result.pre_size() > 0) parts.push_back("PRE: " + list(result.pre()));
  if (result.post_size() > 0) parts.push_back("POST: " + list(result.post()));
  return absl::StrJoin(parts, " | ");
}

std::string SummarizeProtocols(const pv1::AssignResult& result) {
  std::vector<std::string> parts;
  auto list = [](const auto& ps) {
    std::vector<std::string> s;
    for (const auto& p : ps) s.push_back(SummarizePrescription(p));
    return absl::StrJoin(s, "; ");
  };
  if (result.pre_size() > 0) parts.push_back("PRE: " + list(result.pre()));
  if (result.post_size() > 0) parts.push_back("POST: " + list(result.post()));
  return absl::StrJoin(parts, " | ");
}

}  // namespace touchline::service
