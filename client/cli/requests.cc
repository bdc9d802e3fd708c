#include "client/cli/requests.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/cli/enums.h"
#include "google/protobuf/util/time_util.h"

namespace touchline::cli {

namespace v1 = touchline::v1;
using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

const std::vector<std::string>& SymptomOptionNames() {
  static const auto* names = new std::vector<std::string>{
      "pain", "ache", "tightness", "spasm", "sleep-disturbance", "inflexibility", "weakness"};
  return *names;
}

const std::vector<std::string>& ComplaintOptionNames() {
  static const auto* names = [] {
    auto* v = new std::vector<std::string>{"side", "onset", "onset-kind", "mechanism", "osiics", "bamic",
                                           "disc-herniation", "history", "pelvic-rotation", "piriformis-spasm",
                                           "lumbar-stiffness", "thoracic-stiffness", "nerve-tension", "findings"};
    v->insert(v->end(), SymptomOptionNames().begin(), SymptomOptionNames().end());
    return v;
  }();
  return *names;
}

namespace {

// Applies a boolean option to a setter; returns whether it was given.
template <typename Setter>
absl::StatusOr<bool> ApplyBool(const Args& args, absl::string_view key, Setter set) {
  auto b = args.GetBool(key);
  if (!b.ok()) return b.status();
  if (!b->has_value()) return false;
  set(**b);
  return true;
}

}  // namespace

absl::StatusOr<bool> ApplySymptomOptions(const Args& args, v1::Symptoms* s) {
  bool any = false;
  auto pain = args.GetInt("pain");
  if (!pain.ok()) return pain.status();
  if (pain->has_value()) {
    if (**pain < 0 || **pain > 10) return absl::InvalidArgumentError("--pain: expected 0 to 10");
    s->set_pain(static_cast<int32_t>(**pain));
    any = true;
  }
  struct B {
    const char* key;
    void (v1::Symptoms::*set)(bool);
  };
  const B bools[] = {
      {"ache", &v1::Symptoms::set_ache},
      {"tightness", &v1::Symptoms::set_tightness},
      {"spasm", &v1::Symptoms::set_spasm},
      {"sleep-disturbance", &v1::Symptoms::set_sleep_disturbance},
      {"inflexibility", &v1::Symptoms::set_inflexibility},
      {"weakness", &v1::Symptoms::set_weakness_against_quadriceps},
  };
  for (const B& b : bools) {
    auto given = ApplyBool(args, b.key, [&](bool v) { (s->*b.set)(v); });
    if (!given.ok()) return given.status();
    any = any || *given;
  }
  return any;
}

absl::Status ApplyComplaintOptions(const Args& args, absl::Time now, v1::Complaint* c,
                                   std::vector<std::string>* mask) {
  auto fail = [](absl::string_view key, const absl::Status& s) {
    return absl::InvalidArgumentError(absl::StrCat("--", key, ": ", s.message()));
  };
  if (auto v = args.Get("side")) {
    auto e = ParseEnum<v1::Side>(*v);
    if (!e.ok()) return fail("side", e.status());
    c->set_side(*e);
    mask->push_back("side");
  }
  auto onset = args.GetTime("onset", now);
  if (!onset.ok()) return onset.status();
  if (onset->has_value()) {
    *c->mutable_onset_time() = ToTimestamp(**onset);
    mask->push_back("onset_time");
  }
  if (auto v = args.Get("onset-kind")) {
    auto e = ParseEnum<v1::OnsetKind>(*v);
    if (!e.ok()) return fail("onset-kind", e.status());
    c->set_onset_kind(*e);
    mask->push_back("onset_kind");
  }
  if (auto v = args.Get("mechanism")) {
    auto e = ParseEnum<v1::Mechanism>(*v);
    if (!e.ok()) return fail("mechanism", e.status());
    c->set_mechanism(*e);
    mask->push_back("mechanism");
  }
  auto sym = ApplySymptomOptions(args, c->mutable_symptoms());
  if (!sym.ok()) return sym.status();
  if (*sym) mask->push_back("symptoms");
  if (auto v = args.Get("osiics")) {
    c->set_osiics_code(*v);
    mask->push_back("osiics_code");
  }
  if (auto v = args.Get("bamic")) {  // "2b": BAMIC grade 0-4 and site a/b/c; "none" clears it
    if (*v != "none") {
      const bool ok = v->size() == 2 && (*v)[0] >= '0' && (*v)[0] <= '4' && (*v)[1] >= 'a' && (*v)[1] <= 'c';
      if (!ok) {
        return absl::InvalidArgumentError(
            absl::StrCat("--bamic: expected a grade 0-4 and a site a, b or c (e.g. 2b), or none; got \"", *v, "\""));
      }
      c->mutable_bamic()->set_grade((*v)[0] - '0');
      c->mutable_bamic()->set_site(static_cast<v1::BamicSite>((*v)[1] - 'a' + 1));
    }
    mask->push_back("bamic");
  }
  bool history = false;
  auto disc = ApplyBool(args, "disc-herniation", [&](bool v) { c->mutable_history()->set_lumbar_disc_herniation(v); });
  if (!disc.ok()) return disc.status();
  history = *disc;
  if (auto v = args.Get("history")) {
    c->mutable_history()->set_notes(*v);
    history = true;
  }
  if (history) mask->push_back("history");
  struct F {
    const char* key;
    void (v1::Findings::*set)(bool);
  };
  const F findings[] = {
      {"pelvic-rotation", &v1::Findings::set_pelvic_rotation},
      {"piriformis-spasm", &v1::Findings::set_piriformis_spasm},
      {"lumbar-stiffness", &v1::Findings::set_lumbar_stiffness},
      {"thoracic-stiffness", &v1::Findings::set_thoracic_stiffness},
      {"nerve-tension", &v1::Findings::set_sciatic_nerve_tension},
  };
  bool any_finding = false;
  for (const F& f : findings) {
    auto given = ApplyBool(args, f.key, [&](bool v) { (c->mutable_findings()->*f.set)(v); });
    if (!given.ok()) return given.status();
    any_finding = any_finding || *given;
  }
  if (auto v = args.Get("findings")) {
    c->mutable_findings()->set_notes(*v);
    any_finding = true;
  }
  if (any_finding) mask->push_back("findings");
  return absl::OkStatus();
}

absl::Status ApplyPlayerOptions(const Args& args, v1::Player* p, std::vector<std::string>* mask) {
  if (auto v = args.Get("name")) {
    p->set_name(*v);
    mask->push_back("name");
  }
  if (auto v = args.Get("group")) {
    auto e = ParseEnum<v1::PositionGroup>(*v);
    if (!e.ok()) return absl::InvalidArgumentError(absl::StrCat("--group: ", e.status().message()));
    p->set_position_group(*e);
    mask->push_back("position_group");
  }
  if (auto v = args.Get("position")) {
    p->set_position_name(*v);
    mask->push_back("position_name");
  }
  if (auto v = args.Get("external-id")) {
    p->set_external_id(*v);
    mask->push_back("external_id");
  }
  return absl::OkStatus();
}

absl::Status PlayerOrSquad(const Args& args, int64_t* player, int64_t* squad) {
  auto p = args.GetInt("player");
  if (!p.ok()) return p.status();
  auto s = args.GetInt("squad");
  if (!s.ok()) return s.status();
  if (p->has_value() == s->has_value()) return absl::InvalidArgumentError("give exactly one of --player or --squad");
  *player = p->value_or(0);
  *squad = s->value_or(0);
  return absl::OkStatus();
}

std::string RandomKey() {
  std::random_device rd;
  return absl::StrFormat("cli-%08x%08x%08x%08x", rd(), rd(), rd(), rd());
}

}  // namespace touchline::cli
