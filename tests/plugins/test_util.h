#pragma once

#include <string>

#include "plugins/runtime/protocol_planner.h"
#include "touchline/plugin/v1/plugin.pb.h"

namespace touchline::plugins::testing {

namespace pv1 = touchline::plugin::v1;

inline constexpr int64_t kDay = 86400;
inline constexpr int64_t kSessionStart = 1'760'000'000;  // a fixed instant

inline std::string Fixture(const std::string& rel) {
  return std::string(TOUCHLINE_FIXTURE_DIR) + "/" + rel;
}
inline std::string Builtin(const std::string& name) {
  return std::string(TOUCHLINE_BUILTIN_DIR) + "/" + name + ".so";
}

inline PlannerOptions Options(std::vector<std::string> paths) {
  PlannerOptions o;
  o.plugin_paths = std::move(paths);
  o.host_executable = TOUCHLINE_HOST_PATH;
  o.deadline = absl::Milliseconds(300);
  o.on_refused = [](const pv1::RefusedPlugin&) {};
  return o;
}

inline pv1::AssignRequest Request(int64_t player_id, const std::string& name = "Player") {
  pv1::AssignRequest r;
  r.mutable_player()->set_id(player_id);
  r.mutable_player()->set_name(name);
  r.mutable_session()->set_label("Tuesday training");
  r.mutable_session()->mutable_start_time()->set_seconds(kSessionStart);
  r.mutable_as_of_time()->set_seconds(kSessionStart - 3600);
  return r;
}

// An unresolved complaint with onset `days_ago` days before the session.
inline pv1::Complaint* AddComplaint(pv1::AssignRequest& r, int64_t id, int64_t days_ago,
                                    pv1::Side side = pv1::SIDE_LEFT) {
  pv1::Complaint* c = r.add_complaints();
  c->set_id(id);
  c->set_side(side);
  c->mutable_onset_time()->set_seconds(kSessionStart - days_ago * kDay);
  c->set_onset_kind(pv1::ONSET_KIND_GRADUAL);
  c->set_mechanism(pv1::MECHANISM_UNKNOWN);
  return c;
}

inline void AddFlag(pv1::AssignRequest& r, pv1::FlagKind kind, int64_t complaint_id) {
  pv1::Flag* f = r.add_active_flags();
  f->set_kind(kind);
  f->add_complaint_ids(complaint_id);
}

inline void AddCheckIn(pv1::Complaint* c, int64_t days_ago, int pain, bool spasm = false) {
  pv1::CheckIn* ci = c->add_check_ins();
  ci->set_id(c->check_ins_size());
  ci->mutable_check_time()->set_seconds(kSessionStart - days_ago * kDay);
  ci->mutable_symptoms()->set_pain(pain);
  ci->mutable_symptoms()->set_spasm(spasm);
}

}  // namespace touchline::plugins::testing
