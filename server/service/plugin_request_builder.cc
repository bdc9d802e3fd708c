#include "server/service/plugin_request_builder.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/proto_time.h"
#include "server/domain/screening_rules.h"

namespace touchline::service {
namespace {

namespace pv1 = touchline::plugin::v1;

void SetSymptoms(const domain::Symptoms& s, pv1::Symptoms* out) {
  out->set_ache(s.ache);
  out->set_tightness(s.tightness);
  out->set_spasm(s.spasm);
  out->set_pain(s.pain);
  out->set_sleep_disturbance(s.sleep_disturbance);
  out->set_inflexibility(s.inflexibility);
  out->set_weakness_against_quadriceps(s.weakness_against_quadriceps);
}

}  // namespace

void ToProto(const domain::NerveInvolvement& in, pv1::NerveInvolvement* out) {
  out->set_involved(in.involved());
  for (const domain::NerveReasonDetail& r : in.reasons) {
    out->add_reasons(static_cast<pv1::NerveReason>(r.reason));
    out->add_details(r.detail);
  }
}

pv1::AssignRequest BuildAssignRequest(const domain::Player& player,
                                      std::span<const domain::Complaint> complaints,
                                      std::span<const domain::Assessment> assessments,
                                      std::span<const domain::Flag> active_flags,
                                      std::span<const domain::ContactEvent> contact_events,
                                      const pv1::Session& session,
                                      std::span<const pv1::PastAssignment> past_assignments,
                                      absl::Time as_of, absl::Duration contact_lookback) {
  pv1::AssignRequest req;
  pv1::Player* p = req.mutable_player();
  p->set_id(player.id);
  p->set_name(player.name);
  p->set_position_group(static_cast<pv1::PositionGroup>(player.position_group));
  p->set_position_name(player.position_name);

  std::vector<const domain::Complaint*> cs;
  for (const auto& c : complaints) {
    if (c.onset_at <= as_of) cs.push_back(&c);
  }
  std::stable_sort(cs.begin(), cs.end(),
                   [](const auto* a, const auto* b) { return a->onset_at < b->onset_at; });
  for (const domain::Complaint* c : cs) {
    pv1::Complaint* o = req.add_complaints();
    o->set_id(c->id);
    o->set_side(static_cast<pv1::Side>(c->side));
    common::ToProto(c->onset_at, o->mutable_onset_time());
    o->set_onset_kind(static_cast<pv1::OnsetKind>(c->onset_kind));
    o->set_mechanism(static_cast<pv1::Mechanism>(c->mechanism));
    SetSymptoms(c->symptoms, o->mutable_symptoms());
    o->set_osiics_code(c->osiics_code);
    o->mutable_history()->set_lumbar_disc_herniation(c->history.lumbar_disc_herniation);
    o->mutable_history()->set_notes(c->history.notes);
    pv1::Findings* f = o->mutable_findings();
    f->set_pelvic_rotation(c->findings.pelvic_rotation);
    f->set_piriformis_spasm(c->findings.piriformis_spasm);
    f->set_lumbar_stiffness(c->findings.lumbar_stiffness);
    f->set_thoracic_stiffness(c->findings.thoracic_stiffness);
    f->set_sciatic_nerve_tension(c->findings.sciatic_nerve_tension);
    f->set_notes(c->findings.notes);
    // A pelvic screen since onset is an examination too: what it found is a finding of the
    // complaint for the plugins (an acute tear's anti-spasm work follows its screen, item 6).
    if (auto screen = domain::LatestPelvicScreenFindings(*c, assessments, as_of)) {
      if (screen->pelvic_rotation) f->set_pelvic_rotation(true);
      if (screen->piriformis_not_normal) f->set_piriformis_spasm(true);
      f->set_notes(f->notes().empty() ? screen->detail
                                      : absl::StrCat(f->notes(), "\n", screen->detail));
    }
    for (const domain::CheckIn& ci : c->check_ins) {
      if (ci.checked_at > as_of) continue;
      pv1::CheckIn* oc = o->add_check_ins();
      oc->set_id(ci.id);
      common::ToProto(ci.checked_at, oc->mutable_check_time());
      SetSymptoms(ci.symptoms, oc->mutable_symptoms());
      oc->set_note(ci.note);
    }
    if (c->resolved_at && *c->resolved_at <= as_of) common::ToProto(*c->resolved_at, o->mutable_resolve_time());
    ToProto(domain::ClassifyNerveInvolvement(*c, assessments, as_of), o->mutable_nerve_involvement());
  }

  for (const domain::Flag& fl : active_flags) {
    pv1::Flag* o = req.add_active_flags();
    o->set_kind(static_cast<pv1::FlagKind>(fl.kind));
    for (domain::Id id : fl.complaint_ids) o->add_complaint_ids(id);
    common::ToProto(fl.began_at, o->mutable_begin_time());
    o->set_reason(fl.reason);
    o->set_episode(fl.episode);
  }

  std::vector<const domain::ContactEvent*> es;
  for (const auto& e : contact_events) {
    if (e.occurred_at <= as_of && e.occurred_at >= as_of - contact_lookback) es.push_back(&e);
  }
  std::stable_sort(es.begin(), es.end(),
                   [](const auto* a, const auto* b) { return a->occurred_at < b->occurred_at; });
  for (const domain::ContactEvent* e : es) {
    pv1::ContactEvent* o = req.add_recent_contact_events();
    o->set_id(e->id);
    o->set_kind(static_cast<pv1::ContactKind>(e->kind));
    common::ToProto(e->occurred_at, o->mutable_occur_time());
    o->set_awkward(e->awkward);
    o->set_session_label(e->session_label);
  }

  *req.mutable_session() = session;
  for (const auto& pa : past_assignments) *req.add_past_assignments() = pa;
  common::ToProto(as_of, req.mutable_as_of_time());
  return req;
}

}  // namespace touchline::service
