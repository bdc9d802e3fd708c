#include "server/service/proto_mapping.h"

#include "absl/strings/str_cat.h"
#include "server/domain/return_to_play_rules.h"

namespace touchline::service {

void ToProto(const domain::Squad& in, v1::Squad* out) {
  out->set_id(in.id);
  out->set_name(in.name);
  ToProto(in.created_at, out->mutable_create_time());
  ToProto(in.updated_at, out->mutable_update_time());
}

void ToProto(const domain::Player& in, v1::Player* out) {
  out->set_id(in.id);
  out->set_squad_id(in.squad_id);
  out->set_name(in.name);
  out->set_position_group(static_cast<v1::PositionGroup>(in.position_group));
  out->set_position_name(in.position_name);
  out->set_external_id(in.external_id);
  out->set_archived(in.archived_at.has_value());
  if (in.archived_at) ToProto(*in.archived_at, out->mutable_archive_time());
  ToProto(in.created_at, out->mutable_create_time());
  ToProto(in.updated_at, out->mutable_update_time());
}

void ToProto(const domain::ContactEvent& in, v1::ContactEvent* out) {
  out->set_id(in.id);
  out->set_player_id(in.player_id);
  out->set_kind(static_cast<v1::ContactKind>(in.kind));
  ToProto(in.occurred_at, out->mutable_occur_time());
  out->set_session_label(in.session_label);
  out->set_awkward(in.awkward);
  out->set_source(static_cast<v1::ContactSource>(in.source));
  out->set_note(in.note);
  out->set_idempotency_key(in.idempotency_key);
  ToProto(in.recorded_at, out->mutable_record_time());
  out->set_recorded_by(in.recorded_by);
}

void ToProto(const domain::Symptoms& in, v1::Symptoms* out) {
  out->set_ache(in.ache);
  out->set_tightness(in.tightness);
  out->set_spasm(in.spasm);
  out->set_pain(in.pain);
  out->set_sleep_disturbance(in.sleep_disturbance);
  out->set_inflexibility(in.inflexibility);
  out->set_weakness_against_quadriceps(in.weakness_against_quadriceps);
}

void ToProto(const domain::CheckIn& in, v1::CheckIn* out) {
  out->set_id(in.id);
  ToProto(in.checked_at, out->mutable_check_time());
  ToProto(in.symptoms, out->mutable_symptoms());
  out->set_note(in.note);
  out->set_recorded_by(in.recorded_by);
}

void ToProto(const domain::Complaint& in, v1::Complaint* out) {
  out->set_id(in.id);
  out->set_player_id(in.player_id);
  out->set_side(static_cast<v1::Side>(in.side));
  ToProto(in.onset_at, out->mutable_onset_time());
  out->set_onset_kind(static_cast<v1::OnsetKind>(in.onset_kind));
  out->set_mechanism(static_cast<v1::Mechanism>(in.mechanism));
  ToProto(in.symptoms, out->mutable_symptoms());
  out->set_osiics_code(in.osiics_code);
  if (in.bamic) {
    out->mutable_bamic()->set_grade(in.bamic->grade);
    out->mutable_bamic()->set_site(static_cast<v1::BamicSite>(in.bamic->site));
  }
  out->mutable_history()->set_lumbar_disc_herniation(in.history.lumbar_disc_herniation);
  out->mutable_history()->set_notes(in.history.notes);
  auto* f = out->mutable_findings();
  f->set_pelvic_rotation(in.findings.pelvic_rotation);
  f->set_piriformis_spasm(in.findings.piriformis_spasm);
  f->set_lumbar_stiffness(in.findings.lumbar_stiffness);
  f->set_thoracic_stiffness(in.findings.thoracic_stiffness);
  f->set_sciatic_nerve_tension(in.findings.sciatic_nerve_tension);
  f->set_notes(in.findings.notes);
  for (const auto& c : in.check_ins) ToProto(c, out->add_check_ins());
  out->set_open(!in.resolved_at.has_value());
  if (in.resolved_at) {
    ToProto(*in.resolved_at, out->mutable_resolve_time());
    // IOC 2020 severity of the time loss, onset to return to full participation.
    const int days = domain::TimeLossDays(in.onset_at, *in.resolved_at);
    out->set_time_loss_days(days);
    out->set_severity_class(static_cast<v1::SeverityClass>(domain::ClassifySeverity(days)));
  }
  ToProto(in.created_at, out->mutable_create_time());
  out->set_created_by(in.created_by);
  ToProto(in.updated_at, out->mutable_update_time());
  out->set_updated_by(in.updated_by);
}

void ToProto(const domain::Amendment& in, v1::Amendment* out) {
  out->set_id(in.id);
  out->set_complaint_id(in.complaint_id);
  out->set_action(static_cast<v1::AmendmentAction>(in.action));
  out->set_amended_by(in.amended_by);
  ToProto(in.amended_at, out->mutable_amend_time());
  for (const auto& c : in.changes) {
    auto* fc = out->add_changes();
    fc->set_field(c.field);
    fc->set_old_value(c.old_value);
    fc->set_new_value(c.new_value);
  }
  out->set_reason(in.reason);
}

void ToProto(const domain::Flag& in, v1::Flag* out) {
  out->set_key(domain::FlagKey(in));
  out->set_kind(static_cast<v1::FlagKind>(in.kind));
  out->set_player_id(in.player_id);
  for (auto id : in.complaint_ids) out->add_complaint_ids(id);
  ToProto(in.began_at, out->mutable_begin_time());
  out->set_reason(in.reason);
  out->set_recurrence_timing(static_cast<v1::RecurrenceTiming>(in.recurrence_timing));
  out->set_episode(in.episode);
  for (auto id : in.contact_event_ids) out->add_contact_event_ids(id);
  out->set_window_alert_day(in.alert_day);
}

void ToProto(const domain::ReadinessOverride& in, v1::ReadinessOverride* out) {
  out->set_id(in.id);
  out->set_player_id(in.player_id);
  out->set_availability(static_cast<v1::Availability>(in.availability));
  out->set_reason(in.reason);
  ToProto(in.starts_at, out->mutable_start_time());
  ToProto(in.expires_at, out->mutable_expire_time());
  out->set_set_by(in.set_by);
  ToProto(in.created_at, out->mutable_create_time());
  if (in.cleared_at) ToProto(*in.cleared_at, out->mutable_clear_time());
  out->set_cleared_by(in.cleared_by);
}

void ToProto(const domain::ReadinessReason& in, v1::ReadinessReason* out) {
  out->set_code(static_cast<v1::ReadinessReasonCode>(in.code));
  out->set_complaint_id(in.complaint_id);
  if (in.flag_kind) out->set_flag_kind(static_cast<v1::FlagKind>(*in.flag_kind));
  if (in.stage) out->set_return_to_play_stage(static_cast<v1::ReturnToPlayStage>(*in.stage));
  out->set_text(in.text);
}

domain::Symptoms FromProto(const v1::Symptoms& in) {
  domain::Symptoms s;
  s.ache = in.ache();
  s.tightness = in.tightness();
  s.spasm = in.spasm();
  s.pain = in.pain();
  s.sleep_disturbance = in.sleep_disturbance();
  s.inflexibility = in.inflexibility();
  s.weakness_against_quadriceps = in.weakness_against_quadriceps();
  return s;
}

domain::History FromProto(const v1::History& in) {
  return domain::History{in.lumbar_disc_herniation(), in.notes()};
}

domain::Findings FromProto(const v1::Findings& in) {
  domain::Findings f;
  f.pelvic_rotation = in.pelvic_rotation();
  f.piriformis_spasm = in.piriformis_spasm();
  f.lumbar_stiffness = in.lumbar_stiffness();
  f.thoracic_stiffness = in.thoracic_stiffness();
  f.sciatic_nerve_tension = in.sciatic_nerve_tension();
  f.notes = in.notes();
  return f;
}

std::string SideName(domain::Side side) {
  switch (side) {
    case domain::Side::kLeft: return "left";
    case domain::Side::kRight: return "right";
    case domain::Side::kBoth: return "both";
  }
  return "unknown";
}

std::string OnsetKindName(domain::OnsetKind kind) {
  return kind == domain::OnsetKind::kAcute ? "acute" : "gradual";
}

std::string MechanismName(domain::Mechanism mechanism) {
  switch (mechanism) {
    case domain::Mechanism::kSprinting: return "sprinting";
    case domain::Mechanism::kKicking: return "kicking";
    case domain::Mechanism::kContact: return "contact";
    case domain::Mechanism::kLifting: return "lifting";
    case domain::Mechanism::kUnknown: return "unknown";
  }
  return "unknown";
}

std::string FormatInstant(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace touchline::service
