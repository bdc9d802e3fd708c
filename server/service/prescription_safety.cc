#include "server/service/prescription_safety.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/domain/nerve_rules.h"

namespace touchline::service {
namespace {

namespace pv1 = touchline::plugin::v1;

bool MayReach(pv1::Side prescribed, domain::Side complaint) {
  if (prescribed == pv1::SIDE_UNSPECIFIED || prescribed == pv1::SIDE_BOTH) return true;
  if (complaint == domain::Side::kBoth) return true;
  return static_cast<int>(prescribed) == static_cast<int>(complaint);
}

}  // namespace

int WithholdUnsafePrescriptions(std::span<const domain::Complaint> complaints,
                                std::span<const domain::Assessment> assessments, absl::Time as_of,
                                pv1::AssignResult& result) {
  // Every complaint known at as_of, classified once.
  std::map<domain::Id, std::pair<const domain::Complaint*, domain::NerveInvolvement>> known;
  for (const domain::Complaint& c : complaints) {
    if (c.onset_at > as_of) continue;
    known.emplace(c.id, std::make_pair(&c, domain::ClassifyNerveInvolvement(c, assessments, as_of)));
  }
  auto why_withheld = [&](const pv1::Prescription& p) -> std::string {
    const auto category = static_cast<domain::ExerciseCategory>(p.category());
    for (const auto& [id, entry] : known) {
      const auto& [complaint, involvement] = entry;
      const bool named = id == p.complaint_id();
      if (!named && (!complaint->OpenAt(as_of) || !MayReach(p.side(), complaint->side))) continue;
      std::string why = domain::WhyUnsafeForComplaint(category, p.exercise(), involvement);
      if (!why.empty()) return absl::StrCat("complaint ", id, ": ", why);
    }
    return "";
  };
  int withheld = 0;
  auto sift = [&](google::protobuf::RepeatedPtrField<pv1::Prescription>& list) {
    google::protobuf::RepeatedPtrField<pv1::Prescription> kept;
    for (pv1::Prescription& p : list) {
      if (std::string why = why_withheld(p); !why.empty()) {
        pv1::WithheldPrescription* w = result.add_withheld();
        w->set_reason(std::move(why));
        *w->mutable_prescription() = std::move(p);
        ++withheld;
      } else {
        *kept.Add() = std::move(p);
      }
    }
    list.Swap(&kept);
  };
  sift(*result.mutable_pre());
  sift(*result.mutable_post());
  return withheld;
}

}  // namespace touchline::service
