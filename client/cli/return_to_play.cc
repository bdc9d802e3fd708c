// touchline rtp ...: a complaint's return-to-play plan (issue 19 item 5): make it, set planned
// dates, add, correct and withdraw criteria, mark them met with evidence, record stages reached.
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/cli/calls.h"
#include "client/cli/context.h"
#include "client/cli/enums.h"
#include "client/cli/format.h"
#include "client/cli/handlers.h"
#include "client/cli/requests.h"
#include "client/cli/table.h"
#include "touchline/v1/return_to_play.grpc.pb.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

namespace {

absl::StatusOr<v1::ReturnToPlayStage> StageOption(const Args& args) {
  auto text = args.Require("stage");
  if (!text.ok()) return text.status();
  auto stage = ParseEnum<v1::ReturnToPlayStage>(*text);
  if (!stage.ok()) return absl::InvalidArgumentError(absl::StrCat("--stage: ", stage.status().message()));
  return *stage;
}

// --text, --stage, [--check], [--threshold] as a criterion.
absl::StatusOr<v1::CriterionSpec> CriterionOptions(const Args& args) {
  v1::CriterionSpec c;
  auto stage = StageOption(args);
  if (!stage.ok()) return stage.status();
  c.set_stage(*stage);
  auto text = args.Require("text");
  if (!text.ok()) return text.status();
  c.set_description(*text);
  if (auto check = args.Get("check")) {
    auto parsed = ParseEnum<v1::CriterionCheck>(*check);
    if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat("--check: ", parsed.status().message()));
    c.set_check(*parsed);
  }
  if (auto threshold = args.Get("threshold")) {
    double x = 0;
    if (!absl::SimpleAtod(*threshold, &x) || !std::isfinite(x)) {
      return absl::InvalidArgumentError(absl::StrCat("--threshold: expected a number, got \"", *threshold, "\""));
    }
    c.set_threshold(x);
  }
  return c;
}

std::string CheckText(const v1::ReturnCriterion& c) {
  switch (c.check()) {
    case v1::CRITERION_CHECK_ECCENTRIC_ASYMMETRY:
      return absl::StrFormat("Nordic asymmetry <= %g%%", c.threshold());
    case v1::CRITERION_CHECK_H_TEST_APPREHENSION:
      return absl::StrFormat("H-test apprehension <= %g mm", c.threshold());
    default:
      return "";
  }
}

void PrintPlan(Ctx& ctx, const v1::ReturnToPlayPlan& plan) {
  PrintFields(ctx.out, {
      {"Plan", absl::StrCat(plan.id())},
      {"Complaint", absl::StrCat(plan.complaint_id())},
      {"Player", plan.player_id() ? absl::StrCat(plan.player_id()) : plan.player_pseudonym()},
      {"Stage", plan.current_stage() == v1::RETURN_TO_PLAY_STAGE_UNSPECIFIED
                    ? "none reached yet"
                    : Short(plan.current_stage())},
      {"Note", plan.note()},
      {"Created", absl::StrCat(TL_TIME(plan, create_time), plan.created_by().empty() ? "" : " by ",
                               plan.created_by())},
  });
  Table stages({"STAGE", "PLANNED", "REACHED", "UNMET"});
  for (const auto& s : plan.stages()) {
    stages.AddRow({Short(s.stage()), TL_TIME(s, planned_time),
                   s.has_reached() ? TL_TIME(s.reached(), reach_time) : "",
                   absl::StrJoin(s.unmet_criterion_ids(), ",")});
  }
  ctx.out << "\n";
  PrintTable(ctx, stages, "no stages");
  Table criteria({"ID", "STAGE", "CRITERION", "CHECK", "MET", "EVIDENCE"});
  for (const auto& s : plan.stages()) {
    for (const auto& c : s.criteria()) {
      std::string evidence = c.latest_mark().evidence();
      if (!c.latest_mark().finding().empty()) absl::StrAppend(&evidence, " [", c.latest_mark().finding(), "]");
      if (c.latest_mark().assessment_id()) absl::StrAppend(&evidence, " (assessment ", c.latest_mark().assessment_id(), ")");
      criteria.AddRow({absl::StrCat(c.id()), Short(c.stage()), c.description(), CheckText(c),
                       c.met() ? "yes" : "no", evidence});
    }
  }
  ctx.out << "\n";
  PrintTable(ctx, criteria, "no criteria");
}

template <typename Response>
int Show(Ctx& ctx, const Response& resp) {
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
  } else {
    PrintPlan(ctx, resp.plan());
  }
  return kExitOk;
}

}  // namespace

int RtpCreate(Ctx& ctx) {
  TL_ARG(int64_t complaint, ctx.args.RequireInt("complaint"));
  v1::CreateReturnToPlayPlanRequest req;
  req.set_complaint_id(complaint);
  req.set_note(ctx.args.Get("note").value_or(""));
  for (auto [option, stage] : {std::pair{"participation", v1::RETURN_TO_PLAY_STAGE_PARTICIPATION},
                               std::pair{"sport", v1::RETURN_TO_PLAY_STAGE_SPORT},
                               std::pair{"performance", v1::RETURN_TO_PLAY_STAGE_PERFORMANCE}}) {
    TL_ARG(auto at, ctx.args.GetTime(option, ctx.now));
    if (!at) continue;
    auto* d = req.add_planned_dates();
    d->set_stage(stage);
    *d->mutable_planned_time() = ToTimestamp(*at);
  }
  TL_STUB(ReturnToPlayService);
  v1::CreateReturnToPlayPlanResponse resp;
  auto st = Unary(ctx, TL_RPC(CreateReturnToPlayPlan), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return Show(ctx, resp);
}

int RtpGet(Ctx& ctx) {
  TL_ARG(auto plan, ctx.args.GetInt("plan"));
  TL_ARG(auto complaint, ctx.args.GetInt("complaint"));
  if (plan.has_value() == complaint.has_value()) return ctx.Usage("give --plan=ID or --complaint=ID");
  v1::GetReturnToPlayPlanRequest req;
  req.set_plan_id(plan.value_or(0));
  req.set_complaint_id(complaint.value_or(0));
  TL_STUB(ReturnToPlayService);
  v1::GetReturnToPlayPlanResponse resp;
  auto st = Unary(ctx, TL_RPC(GetReturnToPlayPlan), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return Show(ctx, resp);
}

int RtpDate(Ctx& ctx) {
  TL_ARG(int64_t plan, ctx.args.RequireInt("plan"));
  TL_ARG(v1::ReturnToPlayStage stage, StageOption(ctx.args));
  TL_ARG(absl::Time at, ctx.args.RequireTime("at", ctx.now));
  v1::SetPlannedDateRequest req;
  req.set_plan_id(plan);
  req.mutable_planned_date()->set_stage(stage);
  *req.mutable_planned_date()->mutable_planned_time() = ToTimestamp(at);
  req.set_reason(ctx.args.Get("reason").value_or(""));
  TL_STUB(ReturnToPlayService);
  v1::SetPlannedDateResponse resp;
  auto st = Unary(ctx, TL_RPC(SetPlannedDate), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return Show(ctx, resp);
}

int RtpAddCriterion(Ctx& ctx) {
  TL_ARG(int64_t plan, ctx.args.RequireInt("plan"));
  TL_ARG(v1::CriterionSpec criterion, CriterionOptions(ctx.args));
  v1::AddCriterionRequest req;
  req.set_plan_id(plan);
  *req.mutable_criterion() = criterion;
  TL_STUB(ReturnToPlayService);
  v1::AddCriterionResponse resp;
  auto st = Unary(ctx, TL_RPC(AddCriterion), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return Show(ctx, resp);
}

int RtpAmendCriterion(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  TL_ARG(std::string reason, ctx.args.Require("reason"));
  TL_ARG(auto withdraw, ctx.args.GetBool("withdraw"));
  v1::AmendCriterionRequest req;
  req.set_criterion_id(id);
  req.set_reason(reason);
  req.set_withdraw(withdraw.value_or(false));
  if (!req.withdraw()) {
    TL_ARG(*req.mutable_criterion(), CriterionOptions(ctx.args));
  }
  TL_STUB(ReturnToPlayService);
  v1::AmendCriterionResponse resp;
  auto st = Unary(ctx, TL_RPC(AmendCriterion), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return Show(ctx, resp);
}

int RtpMark(Ctx& ctx) {
  TL_ARG(int64_t criterion, ctx.args.RequireInt("criterion"));
  TL_ARG(std::string evidence, ctx.args.Require("evidence"));
  TL_ARG(auto assessment, ctx.args.GetInt("assessment"));
  TL_ARG(auto retract, ctx.args.GetBool("retract"));
  v1::MarkCriterionRequest req;
  req.set_criterion_id(criterion);
  req.set_met(!retract.value_or(false));
  req.set_evidence(evidence);
  req.set_assessment_id(assessment.value_or(0));
  TL_STUB(ReturnToPlayService);
  v1::MarkCriterionResponse resp;
  auto st = Unary(ctx, TL_RPC(MarkCriterion), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return Show(ctx, resp);
}

int RtpReach(Ctx& ctx) {
  TL_ARG(int64_t plan, ctx.args.RequireInt("plan"));
  TL_ARG(v1::ReturnToPlayStage stage, StageOption(ctx.args));
  TL_ARG(auto at, ctx.args.GetTime("at", ctx.now));
  v1::ReachStageRequest req;
  req.set_plan_id(plan);
  req.set_stage(stage);
  if (at) *req.mutable_reach_time() = ToTimestamp(*at);
  req.set_note(ctx.args.Get("note").value_or(""));
  TL_STUB(ReturnToPlayService);
  v1::ReachStageResponse resp;
  auto st = Unary(ctx, TL_RPC(ReachStage), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return Show(ctx, resp);
}

}  // namespace touchline::cli
