#include "plugins/runtime/plugin_answer.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace touchline::plugins {
namespace {

namespace pv1 = touchline::plugin::v1;

bool ValidEnum(int v, int max) { return v >= 1 && v <= max; }

}  // namespace

std::string InvalidPrescription(const pv1::Prescription& p) {
  if (p.exercise().empty()) return "has no exercise";
  if (!ValidEnum(p.timing(), 2)) return "has no PRE/POST timing";
  if (p.side() != 0 && !ValidEnum(p.side(), 3)) return "has an unknown side";
  if (p.phase() != 0 && !ValidEnum(p.phase(), 3)) return "has an unknown phase";
  if (p.sets() < 0 || p.reps() < 0 || p.hold_seconds() < 0) return "has a negative dosage";
  if (p.effort_percent() < 0 || p.effort_percent() > 100) return "has effort outside 0-100%";
  if (p.pain_ceiling() < 0 || p.pain_ceiling() > 10) return "has a pain ceiling outside 0-10";
  // Enum values unknown to this host would reach clients as bare numbers (proto3 keeps them); a
  // plugin built for a newer ABI minor, the only one that could know more values, is refused.
  if (!pv1::Contraction_IsValid(p.contraction())) return "has an unknown contraction";
  if (!pv1::ExerciseCategory_IsValid(p.category())) return "has an unknown exercise category";
  if (p.frequency().times_per_day() < 0 || p.frequency().times_per_week() < 0) {
    return "has a negative frequency";
  }
  for (int d : p.frequency().day_parts()) {
    if (d == pv1::DAY_PART_UNSPECIFIED || !pv1::DayPart_IsValid(d)) return "has an unknown day part";
  }
  return "";
}

pv1::AssignResult ComposeAnswers(int64_t player_id, std::span<const PluginAnswer> answers,
                                 std::vector<size_t>* undecodable) {
  pv1::AssignResult result;
  result.set_player_id(player_id);
  struct Item {
    int phase_rank;
    size_t plugin;
    int index;
    pv1::Prescription p;
  };
  std::vector<Item> items;
  for (size_t i = 0; i < answers.size(); ++i) {
    const pv1::LoadedPlugin& info = *answers[i].plugin;
    const CallOutcome& out = *answers[i].outcome;
    auto fail = [&](pv1::FailureKind kind, const std::string& message) {
      pv1::PluginFailure* f = result.add_failures();
      f->set_plugin_name(info.name());
      f->set_plugin_version(info.version());
      f->set_kind(kind);
      f->set_message(message);
      f->set_player_id(player_id);
    };
    if (!out.ok()) {
      fail(out.kind, out.message);
      continue;
    }
    pv1::AssignResponse response;
    if (!response.ParseFromString(out.output)) {
      fail(pv1::FAILURE_KIND_GARBAGE,
           absl::StrCat("the answer (", out.output.size(),
                        " bytes) is not a valid touchline.plugin.v1.AssignResponse"));
      if (undecodable != nullptr) undecodable->push_back(i);
      continue;
    }
    std::string why;
    for (int k = 0; k < response.prescriptions_size() && why.empty(); ++k) {
      if (std::string e = InvalidPrescription(response.prescriptions(k)); !e.empty()) {
        why = absl::StrCat("prescription ", k + 1, " ", e);
      }
    }
    if (!why.empty()) {
      fail(pv1::FAILURE_KIND_GARBAGE, absl::StrCat("the answer breaks the contract: ", why));
      continue;
    }
    for (int k = 0; k < response.prescriptions_size(); ++k) {
      pv1::Prescription p = std::move(*response.mutable_prescriptions(k));
      p.set_plugin_name(info.name());
      p.set_plugin_version(info.version());
      int rank = p.phase() == pv1::PHASE_UNSPECIFIED ? 99 : static_cast<int>(p.phase());
      items.push_back(Item{rank, i, k, std::move(p)});
    }
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.phase_rank, a.plugin, a.index) < std::tie(b.phase_rank, b.plugin, b.index);
  });
  std::set<std::tuple<std::string, int, int, int64_t>> seen;
  for (Item& item : items) {
    auto key = std::make_tuple(absl::AsciiStrToLower(item.p.exercise()),
                               static_cast<int>(item.p.side()), static_cast<int>(item.p.timing()),
                               item.p.complaint_id());
    if (!seen.insert(key).second) continue;
    if (item.p.timing() == pv1::TIMING_PRE) {
      *result.add_pre() = std::move(item.p);
    } else {
      *result.add_post() = std::move(item.p);
    }
  }
  return result;
}

}  // namespace touchline::plugins
