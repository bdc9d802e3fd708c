// touchline assessments ...: record, correct, show and list objective assessments (issue 19).
#include <cmath>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/cli/calls.h"
#include "client/cli/context.h"
#include "client/cli/enums.h"
#include "client/cli/format.h"
#include "client/cli/handlers.h"
#include "client/cli/requests.h"
#include "client/cli/table.h"
#include "client/cli/timeparse.h"
#include "touchline/v1/assessment.grpc.pb.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

namespace {

// "85" or "85.5": numbers as people write them.
std::string Num(double x) {
  if (std::abs(x - std::round(x)) < 1e-9) return absl::StrCat(static_cast<int64_t>(std::round(x)));
  return absl::StrFormat("%.1f", x);
}

absl::StatusOr<double> ParseNumber(absl::string_view option, absl::string_view text) {
  double x = 0;
  if (!absl::SimpleAtod(text, &x) || !std::isfinite(x)) {
    return absl::InvalidArgumentError(absl::StrCat("--", option, ": expected a number, got \"", text, "\""));
  }
  return x;
}

// "--left=A[/B]": the first measure of the leg and, optionally, the second.
absl::Status ParsePair(const Args& args, absl::string_view option, std::optional<double>* first,
                       std::optional<double>* second) {
  auto value = args.Get(option);
  if (!value) return absl::OkStatus();
  std::vector<std::string> parts = absl::StrSplit(*value, '/');
  if (parts.size() > 2 || parts[0].empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--", option, ": expected A or A/B, got \"", *value, "\""));
  }
  auto a = ParseNumber(option, parts[0]);
  if (!a.ok()) return a.status();
  *first = *a;
  if (parts.size() == 2) {
    if (second == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("--", option, ": takes one value for this kind"));
    }
    auto b = ParseNumber(option, parts[1]);
    if (!b.ok()) return b.status();
    *second = *b;
  }
  return absl::OkStatus();
}

// --symptoms=left,right and the like: which legs.
absl::StatusOr<std::set<std::string>> Legs(const Args& args, absl::string_view option) {
  std::set<std::string> legs;
  for (const std::string& leg : args.GetList(option)) {
    if (leg != "left" && leg != "right") {
      return absl::InvalidArgumentError(absl::StrCat("--", option, ": expected left, right or left,right"));
    }
    legs.insert(leg);
  }
  return legs;
}

// Fills the test of `a` from the options, for `kind`.
absl::Status ApplyTestOptions(const Args& args, v1::AssessmentKind kind, v1::Assessment* a) {
  switch (kind) {
    case v1::ASSESSMENT_KIND_SLUMP:
    case v1::ASSESSMENT_KIND_STRAIGHT_LEG_RAISE: {
      v1::NeuralTensionTest* t =
          kind == v1::ASSESSMENT_KIND_SLUMP ? a->mutable_slump() : a->mutable_straight_leg_raise();
      auto symptoms = Legs(args, "symptoms");
      auto sensitised = Legs(args, "sensitised-symptoms");
      auto changes = Legs(args, "sensitiser-changes");
      for (const auto* s : {&symptoms, &sensitised, &changes}) {
        if (!s->ok()) return s->status();
      }
      for (const char* leg : {"left", "right"}) {
        std::optional<double> angle, sens;
        if (auto s = ParsePair(args, leg, &angle, &sens); !s.ok()) return s;
        const bool any = angle || symptoms->count(leg) || sensitised->count(leg) || changes->count(leg);
        if (!any) continue;
        v1::NeuralTensionSide* side = std::string(leg) == "left" ? t->mutable_left() : t->mutable_right();
        if (angle) side->set_angle_degrees(*angle);
        if (sens) side->set_sensitised_angle_degrees(*sens);
        side->set_symptoms_reproduced(symptoms->count(leg) > 0);
        side->set_sensitised_symptoms_reproduced(sensitised->count(leg) > 0);
        side->set_sensitiser_changes_symptoms(changes->count(leg) > 0);
      }
      return absl::OkStatus();
    }
    case v1::ASSESSMENT_KIND_NORDIC:
    case v1::ASSESSMENT_KIND_ISOMETRIC_STRENGTH: {
      v1::StrengthTest* t =
          kind == v1::ASSESSMENT_KIND_NORDIC ? a->mutable_nordic() : a->mutable_isometric_strength();
      std::optional<double> left, right;
      if (auto s = ParsePair(args, "left", &left, nullptr); !s.ok()) return s;
      if (auto s = ParsePair(args, "right", &right, nullptr); !s.ok()) return s;
      if (left) t->set_left_newtons(*left);
      if (right) t->set_right_newtons(*right);
      auto knee = args.GetInt("knee-angle");
      if (!knee.ok()) return knee.status();
      if (knee->has_value()) t->set_knee_flexion_degrees(static_cast<int32_t>(**knee));
      return absl::OkStatus();
    }
    case v1::ASSESSMENT_KIND_ASKLING_H_TEST: {
      for (const char* leg : {"left", "right"}) {
        std::optional<double> range, apprehension;
        if (auto s = ParsePair(args, leg, &range, &apprehension); !s.ok()) return s;
        if (!range && !apprehension) continue;
        v1::AsklingHSide* side = std::string(leg) == "left" ? a->mutable_askling_h_test()->mutable_left()
                                                            : a->mutable_askling_h_test()->mutable_right();
        if (range) side->set_hip_flexion_degrees(*range);
        if (apprehension) side->set_apprehension_mm(static_cast<int32_t>(std::lround(*apprehension)));
      }
      a->mutable_askling_h_test();
      return absl::OkStatus();
    }
    case v1::ASSESSMENT_KIND_PELVIC_SCREEN: {
      auto* t = a->mutable_pelvic_screen();
      if (auto r = args.Get("rotation")) {
        auto rotation = ParseEnum<v1::PelvicRotation>(*r);
        if (!rotation.ok()) return absl::InvalidArgumentError(absl::StrCat("--rotation: ", rotation.status().message()));
        t->set_rotation(*rotation);
      }
      for (const char* leg : {"left", "right"}) {
        auto v = args.Get(leg);
        if (!v) continue;
        auto tone = ParseEnum<v1::MuscleTone>(*v);
        if (!tone.ok()) return absl::InvalidArgumentError(absl::StrCat("--", leg, ": ", tone.status().message()));
        if (std::string(leg) == "left") {
          t->set_left_piriformis_tone(*tone);
        } else {
          t->set_right_piriformis_tone(*tone);
        }
      }
      return absl::OkStatus();
    }
    case v1::ASSESSMENT_KIND_SPINAL_MOBILITY: {
      auto* t = a->mutable_spinal_mobility();
      std::optional<double> left, right, lumbar;
      if (auto s = ParsePair(args, "left", &left, nullptr); !s.ok()) return s;
      if (auto s = ParsePair(args, "right", &right, nullptr); !s.ok()) return s;
      if (auto s = ParsePair(args, "lumbar-cm", &lumbar, nullptr); !s.ok()) return s;
      if (left) t->set_left_thoracic_rotation_degrees(*left);
      if (right) t->set_right_thoracic_rotation_degrees(*right);
      if (lumbar) t->set_lumbar_flexion_cm(*lumbar);
      return absl::OkStatus();
    }
    default:
      break;
  }
  return absl::InvalidArgumentError("--kind: unknown kind");
}

// The assessment fields common to record and amend: time, baseline, complaint, note, the test.
absl::Status BuildAssessment(Ctx& ctx, v1::AssessmentKind kind, v1::Assessment* a) {
  auto at = ctx.args.GetTime("at", ctx.now);
  if (!at.ok()) return at.status();
  *a->mutable_assess_time() = ToTimestamp(at->value_or(ctx.now));
  auto baseline = ctx.args.GetBool("baseline");
  if (!baseline.ok()) return baseline.status();
  a->set_baseline(baseline->value_or(false));
  auto complaint = ctx.args.GetInt("complaint");
  if (!complaint.ok()) return complaint.status();
  a->set_complaint_id(complaint->value_or(0));
  a->set_note(ctx.args.Get("note").value_or(""));
  return ApplyTestOptions(ctx.args, kind, a);
}

std::string Deg(double x) { return absl::StrCat(Num(x), "°"); }

std::string NeuralLeg(const char* name, const v1::NeuralTensionSide& s) {
  std::string text = absl::StrCat(name, " ", s.has_angle_degrees() ? Deg(s.angle_degrees()) : "-");
  if (s.has_sensitised_angle_degrees()) absl::StrAppend(&text, "/", Deg(s.sensitised_angle_degrees()));
  std::vector<std::string> marks;
  if (s.symptoms_reproduced()) marks.push_back("symptoms");
  if (s.sensitised_symptoms_reproduced()) marks.push_back("symptoms sensitised");
  if (s.sensitiser_changes_symptoms()) marks.push_back("sensitiser changes them");
  if (!marks.empty()) absl::StrAppend(&text, " (", absl::StrJoin(marks, ", "), ")");
  return text;
}

// The results in a line: "L 400 N, R 340 N", "L 85°/70°, R 60°/45° (symptoms sensitised)".
std::string ResultText(const v1::Assessment& a) {
  std::vector<std::string> parts;
  switch (a.test_case()) {
    case v1::Assessment::kSlump:
    case v1::Assessment::kStraightLegRaise: {
      const auto& t = a.has_slump() ? a.slump() : a.straight_leg_raise();
      if (t.has_left()) parts.push_back(NeuralLeg("L", t.left()));
      if (t.has_right()) parts.push_back(NeuralLeg("R", t.right()));
      break;
    }
    case v1::Assessment::kNordic:
    case v1::Assessment::kIsometricStrength: {
      const auto& t = a.has_nordic() ? a.nordic() : a.isometric_strength();
      if (t.has_left_newtons()) parts.push_back(absl::StrCat("L ", Num(t.left_newtons()), " N"));
      if (t.has_right_newtons()) parts.push_back(absl::StrCat("R ", Num(t.right_newtons()), " N"));
      if (t.knee_flexion_degrees() != 0) parts.push_back(absl::StrCat("knee ", Deg(t.knee_flexion_degrees())));
      break;
    }
    case v1::Assessment::kAsklingHTest:
      for (const auto& [name, has, s] : {std::tuple{"L", a.askling_h_test().has_left(), a.askling_h_test().left()},
                                         std::tuple{"R", a.askling_h_test().has_right(), a.askling_h_test().right()}}) {
        if (!has) continue;
        std::string text = absl::StrCat(name, " ", s.has_hip_flexion_degrees() ? Deg(s.hip_flexion_degrees()) : "-");
        if (s.has_apprehension_mm()) absl::StrAppend(&text, " apprehension ", s.apprehension_mm(), " mm");
        parts.push_back(text);
      }
      break;
    case v1::Assessment::kPelvicScreen: {
      const auto& t = a.pelvic_screen();
      parts.push_back(absl::StrCat("rotation ", Short(t.rotation())));
      if (t.left_piriformis_tone() != v1::MUSCLE_TONE_UNSPECIFIED) {
        parts.push_back(absl::StrCat("L piriformis ", Short(t.left_piriformis_tone())));
      }
      if (t.right_piriformis_tone() != v1::MUSCLE_TONE_UNSPECIFIED) {
        parts.push_back(absl::StrCat("R piriformis ", Short(t.right_piriformis_tone())));
      }
      break;
    }
    case v1::Assessment::kSpinalMobility: {
      const auto& t = a.spinal_mobility();
      if (t.has_lumbar_flexion_cm()) parts.push_back(absl::StrCat("lumbar ", Num(t.lumbar_flexion_cm()), " cm"));
      if (t.has_left_thoracic_rotation_degrees()) {
        parts.push_back(absl::StrCat("thoracic L ", Deg(t.left_thoracic_rotation_degrees())));
      }
      if (t.has_right_thoracic_rotation_degrees()) {
        parts.push_back(absl::StrCat("thoracic R ", Deg(t.right_thoracic_rotation_degrees())));
      }
      break;
    }
    case v1::Assessment::TEST_NOT_SET:
      break;
  }
  return absl::StrJoin(parts, ", ");
}

std::string SideLetter(v1::Side side) {
  return side == v1::SIDE_LEFT ? "L" : side == v1::SIDE_RIGHT ? "R" : "";
}

std::string AsymmetryText(const v1::AssessmentAnalysis& an) {
  std::vector<std::string> parts;
  for (const auto& c : an.asymmetries()) {
    std::string text = absl::StrFormat("%s %.1f%%", c.measure(), c.asymmetry_percent());
    if (c.lower_side() != v1::SIDE_UNSPECIFIED) absl::StrAppend(&text, " ", SideLetter(c.lower_side()), " lower");
    parts.push_back(text);
  }
  return absl::StrJoin(parts, "; ");
}

std::string BaselineText(const v1::AssessmentAnalysis& an) {
  if (an.baseline_id() == 0) return "";
  std::vector<std::string> parts;
  for (const auto& c : an.changes()) {
    parts.push_back(absl::StrFormat("%s%s %+.1f%%", c.side() == v1::SIDE_UNSPECIFIED ? "" : SideLetter(c.side()) + " ",
                                    c.measure(), c.change_percent()));
  }
  return absl::StrCat("#", an.baseline_id(), parts.empty() ? "" : ": ", absl::StrJoin(parts, ", "));
}

// "strength deficit, neural tension (R)".
std::string FindingsShort(const v1::AssessmentAnalysis& an) {
  std::vector<std::string> parts;
  if (an.strength_deficit()) parts.push_back("strength deficit");
  if (an.neural_tension()) {
    std::vector<std::string> sides;
    for (int s : an.neural_tension_sides()) sides.push_back(SideLetter(static_cast<v1::Side>(s)));
    parts.push_back(absl::StrCat("neural tension (", absl::StrJoin(sides, ","), ")"));
  }
  return absl::StrJoin(parts, ", ");
}

std::string KindText(const v1::Assessment& a) {
  return absl::StrCat(Short(a.kind()), a.baseline() ? " (baseline)" : "");
}

void PrintAssessment(Ctx& ctx, const v1::Assessment& a) {
  PlayerNames names(ctx);
  const auto& an = a.analysis();
  std::vector<std::pair<std::string, std::string>> f = {
      {"Assessment", absl::StrCat(a.id(), a.superseded_by_id() ? absl::StrCat(" (superseded by ", a.superseded_by_id(), ")")
                                                               : "")},
      {"Player", Who(names, a)},
      {"Time", TL_TIME(a, assess_time)},
      {"Test", KindText(a)},
      {"Result", ResultText(a)},
      {"Complaint", a.complaint_id() ? absl::StrCat(a.complaint_id()) : ""},
      {"Asymmetry", AsymmetryText(an)},
      {"Vs baseline", BaselineText(an)},
      {"Findings", absl::StrJoin(an.findings(), "; ")},
      {"Note", a.note()},
      {"Corrects", a.amends_id() ? absl::StrCat(a.amends_id(), " (", a.amend_reason(), ")") : ""},
      {"Recorded", absl::StrCat(TL_TIME(a, record_time), a.recorded_by().empty() ? "" : " by ", a.recorded_by())},
  };
  PrintFields(ctx.out, f);
}

absl::StatusOr<v1::AssessmentKind> KindOption(const Args& args) {
  auto text = args.Require("kind");
  if (!text.ok()) return text.status();
  auto kind = ParseEnum<v1::AssessmentKind>(*text);
  if (!kind.ok()) return absl::InvalidArgumentError(absl::StrCat("--kind: ", kind.status().message()));
  return *kind;
}

}  // namespace

const std::vector<std::string>& AssessmentOptionNames() {
  static const auto* names = new std::vector<std::string>{
      "at",       "baseline", "complaint",  "note",      "left",      "right",       "symptoms",
      "sensitised-symptoms", "sensitiser-changes", "knee-angle", "rotation", "lumbar-cm"};
  return *names;
}

int AssessmentsRecord(Ctx& ctx) {
  TL_ARG(int64_t player, ctx.args.RequireInt("player"));
  TL_ARG(v1::AssessmentKind kind, KindOption(ctx.args));
  v1::CreateAssessmentRequest req;
  req.mutable_assessment()->set_player_id(player);
  if (auto s = BuildAssessment(ctx, kind, req.mutable_assessment()); !s.ok()) return ctx.Usage(s);
  TL_STUB(AssessmentService);
  v1::CreateAssessmentResponse resp;
  auto st = Unary(ctx, TL_RPC(CreateAssessment), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
  } else {
    PrintAssessment(ctx, resp.assessment());
  }
  return kExitOk;
}

int AssessmentsAmend(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  TL_ARG(std::string reason, ctx.args.Require("reason"));
  TL_STUB(AssessmentService);
  v1::AssessmentKind kind = v1::ASSESSMENT_KIND_UNSPECIFIED;
  if (ctx.args.Has("kind")) {
    TL_ARG(kind, KindOption(ctx.args));
  } else {  // the kind stays: learn it from the assessment corrected
    v1::GetAssessmentRequest get;
    get.set_id(id);
    v1::GetAssessmentResponse got;
    auto st = Unary(ctx, TL_RPC(GetAssessment), get, &got);
    if (!st.ok()) return ctx.RpcError(st);
    kind = got.assessment().kind();
  }
  v1::AmendAssessmentRequest req;
  req.set_assessment_id(id);
  req.set_reason(reason);
  if (auto s = BuildAssessment(ctx, kind, req.mutable_assessment()); !s.ok()) return ctx.Usage(s);
  v1::AmendAssessmentResponse resp;
  auto st = Unary(ctx, TL_RPC(AmendAssessment), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
  } else {
    PrintAssessment(ctx, resp.assessment());
  }
  return kExitOk;
}

int AssessmentsGet(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  TL_STUB(AssessmentService);
  v1::GetAssessmentRequest req;
  req.set_id(id);
  v1::GetAssessmentResponse resp;
  auto st = Unary(ctx, TL_RPC(GetAssessment), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
  } else {
    PrintAssessment(ctx, resp.assessment());
  }
  return kExitOk;
}

int AssessmentsList(Ctx& ctx) {
  int64_t player = 0, squad = 0;
  if (auto s = PlayerOrSquad(ctx.args, &player, &squad); !s.ok()) return ctx.Usage(s);
  TL_ARG(auto include, ctx.args.GetBool("include-superseded"));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListAssessmentsRequest req;
  req.set_player_id(player);
  req.set_squad_id(squad);
  req.set_include_superseded(include.value_or(false));
  for (const auto& k : ctx.args.GetList("kind")) {
    auto kind = ParseEnum<v1::AssessmentKind>(k);
    if (!kind.ok()) return ctx.Usage(absl::StrCat("--kind: ", kind.status().message()));
    req.add_kinds(*kind);
  }
  TL_STUB(AssessmentService);
  v1::ListAssessmentsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListAssessments), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  PlayerNames names(ctx);
  if (squad) names.LoadSquad(squad);
  Table t({"ID", "PLAYER", "TIME", "KIND", "RESULT", "ASYMMETRY", "VS BASELINE", "FINDINGS"});
  for (const auto& a : resp.assessments()) {
    t.AddRow({absl::StrCat(a.id(), a.superseded_by_id() ? absl::StrCat(" (superseded by ", a.superseded_by_id(), ")") : ""),
              Who(names, a), TL_TIME(a, assess_time), KindText(a), Brief(ctx, ResultText(a)),
              AsymmetryText(a.analysis()), BaselineText(a.analysis()), FindingsShort(a.analysis())});
  }
  PrintTable(ctx, t, "no assessments");
  PrintNextPage(ctx, resp);
  return kExitOk;
}

int ScreeningList(Ctx& ctx) {
  int64_t player = 0, squad = 0;
  if (auto s = PlayerOrSquad(ctx.args, &player, &squad); !s.ok()) return ctx.Usage(s);
  TL_ARG(auto as_of, ctx.args.GetTime("as-of", ctx.now));
  TL_ARG(auto from, ctx.args.GetTime("from", ctx.now));
  TL_ARG(auto overdue, ctx.args.GetBool("overdue"));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListScreeningTasksRequest req;
  req.set_player_id(player);
  req.set_squad_id(squad);
  if (as_of) *req.mutable_as_of() = ToTimestamp(*as_of);
  if (from) *req.mutable_start_time() = ToTimestamp(*from);
  req.set_overdue_only(overdue.value_or(false));
  TL_STUB(AssessmentService);
  v1::ListScreeningTasksResponse resp;
  auto st = Paged(ctx, TL_RPC(ListScreeningTasks), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  PlayerNames names(ctx);
  if (squad) names.LoadSquad(squad);
  const absl::Time at = resp.has_as_of() ? FromTimestamp(resp.as_of()) : ctx.now;
  Table t({"STATE", "PLAYER", "OPENED BY", "ID", "AT", "DUE", "SCREEN", "SESSION"});
  for (const auto& task : resp.tasks()) {
    std::string state = Short(task.state());
    if (task.state() == v1::SCREENING_TASK_STATE_OVERDUE) {
      absl::StrAppend(&state, " ", absl::ToInt64Hours(at - FromTimestamp(task.due_time())) / 24, "d");
    }
    const bool tear = task.contact_event_id() == 0 && task.complaint_id() != 0;
    t.AddRow({state, Who(names, task), tear ? "acute tear" : Short(task.contact_kind()),
              tear ? absl::StrCat("complaint ", task.complaint_id()) : absl::StrCat(task.contact_event_id()),
              TL_TIME(task, open_time), TL_TIME(task, due_time),
              task.closed_by_assessment_id() ? absl::StrCat("#", task.closed_by_assessment_id(), " ", TL_TIME(task, close_time))
                                             : "-",
              Brief(ctx, task.session_label(), 40)});
  }
  if (t.empty()) {
    ctx.out << "no pelvic screens owed as of " << TL_TIME(resp, as_of) << "\n";
  } else {
    t.Print(ctx.out);
  }
  PrintNextPage(ctx, resp);
  return kExitOk;
}

}  // namespace touchline::cli
