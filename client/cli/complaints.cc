// touchline complaints ...: record, amend, check in, resolve, reopen, list, history.
#include "absl/strings/str_join.h"
#include "absl/strings/str_cat.h"
#include "client/cli/calls.h"
#include "client/cli/context.h"
#include "client/cli/enums.h"
#include "client/cli/format.h"
#include "client/cli/handlers.h"
#include "client/cli/requests.h"
#include "client/cli/table.h"
#include "client/cli/timeparse.h"
#include "touchline/v1/complaint.grpc.pb.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

namespace {

std::string SymptomsText(const v1::Symptoms& s) {
  std::vector<std::string> parts;
  parts.push_back(absl::StrCat("pain ", s.pain(), "/10"));
  if (s.ache()) parts.push_back("ache");
  if (s.tightness()) parts.push_back("tightness");
  if (s.spasm()) parts.push_back("spasm");
  if (s.sleep_disturbance()) parts.push_back("sleep disturbance");
  if (s.inflexibility()) parts.push_back("inflexibility");
  if (s.weakness_against_quadriceps()) parts.push_back("weakness");
  return absl::StrJoin(parts, ", ");
}

std::string FindingsText(const v1::Findings& f) {
  std::vector<std::string> parts;
  if (f.pelvic_rotation()) parts.push_back("pelvic rotation");
  if (f.piriformis_spasm()) parts.push_back("piriformis spasm");
  if (f.lumbar_stiffness()) parts.push_back("lumbar stiffness");
  if (f.thoracic_stiffness()) parts.push_back("thoracic stiffness");
  if (f.sciatic_nerve_tension()) parts.push_back("sciatic nerve tension");
  std::string text = absl::StrJoin(parts, ", ");
  if (!f.notes().empty()) text = text.empty() ? f.notes() : absl::StrCat(text, "; ", f.notes());
  return text;
}

std::string HistoryText(const v1::History& h) {
  std::string text = h.lumbar_disc_herniation() ? "lumbar disc herniation" : "";
  if (!h.notes().empty()) text = text.empty() ? h.notes() : absl::StrCat(text, "; ", h.notes());
  return text;
}

std::string ComplaintStatus(const v1::Complaint& c) {
  if (c.open()) return "open";
  return absl::StrCat("resolved ", TL_TIME(c, resolve_time));
}

void PrintComplaint(Ctx& ctx, const v1::Complaint& c) {
  PlayerNames names(ctx);
  std::vector<std::pair<std::string, std::string>> f = {
      {"Complaint", absl::StrCat(c.id())},
      {"Player", Who(names, c)},
      {"Status", ComplaintStatus(c)},
      {"Side", Short(c.side())},
      {"Onset", absl::StrCat(TL_TIME(c, onset_time), " (", Short(c.onset_kind()), ", ", Short(c.mechanism()), ")")},
      {"OSIICS", c.osiics_code()},
      {"BAMIC", c.has_bamic() ? absl::StrCat(c.bamic().grade(), std::string(1, static_cast<char>('a' + c.bamic().site() - 1)))
                              : ""},
      {"Subsequent", c.subsequent_reason()},
      {"Symptoms", SymptomsText(c.symptoms())},
      {"History", HistoryText(c.history())},
      {"Findings", FindingsText(c.findings())},
      {"Pelvic origin", c.suspected_pelvic_origin()
                            ? absl::StrCat("suspected (contact events ", IdList(c.pelvic_origin_event_ids()), ")")
                            : ""},
      {"Nerve involved", c.nerve_involvement().involved()
                             ? absl::StrCat("yes: ", absl::StrJoin(c.nerve_involvement().details(), "; "),
                                            " (no static hamstring stretching)")
                             : ""},
      {"Recorded", absl::StrCat(TL_TIME(c, create_time), " by ", c.created_by())},
  };
  if (c.has_update_time()) f.push_back({"Amended", absl::StrCat(TL_TIME(c, update_time), " by ", c.updated_by())});
  PrintFields(ctx.out, f);
  if (c.check_ins_size() > 0) {
    ctx.out << "\nCheck-ins:\n";
    Table t({"ID", "TIME", "SYMPTOMS", "BY", "NOTE"});
    for (const auto& ci : c.check_ins()) {
      t.AddRow({absl::StrCat(ci.id()), TL_TIME(ci, check_time), SymptomsText(ci.symptoms()), ci.recorded_by(),
                ci.note()});
    }
    t.Print(ctx.out);
  }
}

int PrintComplaintResponse(Ctx& ctx, const google::protobuf::Message& resp, const v1::Complaint& c) {
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintComplaint(ctx, c);
  return kExitOk;
}

absl::StatusOr<int64_t> ComplaintId(const Args& args) {
  if (args.Has("complaint")) return args.RequireInt("complaint");
  if (args.Has("id")) return args.RequireInt("id");
  return absl::InvalidArgumentError("missing required option --complaint (or --id)");
}

}  // namespace

int ComplaintsCreate(Ctx& ctx) {
  TL_ARG(int64_t player, ctx.args.RequireInt("player"));
  for (const char* required : {"side", "onset", "onset-kind"}) {
    if (!ctx.args.Has(required)) return ctx.Usage(absl::StrCat("missing required option --", required));
  }
  v1::CreateComplaintRequest req;
  req.mutable_complaint()->set_player_id(player);
  std::vector<std::string> mask;
  if (auto s = ApplyComplaintOptions(ctx.args, ctx.now, req.mutable_complaint(), &mask); !s.ok()) return ctx.Usage(s);
  TL_ARG(auto resolved, ctx.args.GetTime("resolved", ctx.now));
  if (resolved) *req.mutable_complaint()->mutable_resolve_time() = ToTimestamp(*resolved);
  TL_STUB(ComplaintService);
  v1::CreateComplaintResponse resp;
  auto st = Unary(ctx, TL_RPC(CreateComplaint), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return PrintComplaintResponse(ctx, resp, resp.complaint());
}

int ComplaintsGet(Ctx& ctx) {
  TL_ARG(int64_t id, ComplaintId(ctx.args));
  TL_STUB(ComplaintService);
  v1::GetComplaintRequest req;
  req.set_id(id);
  v1::GetComplaintResponse resp;
  auto st = Unary(ctx, TL_RPC(GetComplaint), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return PrintComplaintResponse(ctx, resp, resp.complaint());
}

int ComplaintsList(Ctx& ctx) {
  int64_t player = 0, squad = 0;
  if (auto s = PlayerOrSquad(ctx.args, &player, &squad); !s.ok()) return ctx.Usage(s);
  TL_ARG(auto open_only, ctx.args.GetBool("open-only"));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListComplaintsRequest req;
  req.set_player_id(player);
  req.set_squad_id(squad);
  req.set_open_only(open_only.value_or(false));
  TL_STUB(ComplaintService);
  v1::ListComplaintsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListComplaints), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  PlayerNames names(ctx);
  if (squad) names.LoadSquad(squad);
  Table t({"ID", "PLAYER", "SIDE", "ONSET", "KIND", "MECHANISM", "PAIN", "OSIICS", "STATUS", "NOTES"});
  for (const auto& c : resp.complaints()) {
    int pain = c.check_ins_size() > 0 ? c.check_ins(c.check_ins_size() - 1).symptoms().pain() : c.symptoms().pain();
    t.AddRow({absl::StrCat(c.id()), Who(names, c), Short(c.side()), TL_TIME(c, onset_time),
              Short(c.onset_kind()), Short(c.mechanism()), absl::StrCat(pain), c.osiics_code(), ComplaintStatus(c),
              c.suspected_pelvic_origin() ? "suspected pelvic origin" : ""});
  }
  PrintTable(ctx, t, "no complaints");
  PrintNextPage(ctx, resp);
  return kExitOk;
}

int ComplaintsUpdate(Ctx& ctx) {
  TL_ARG(int64_t id, ComplaintId(ctx.args));
  TL_STUB(ComplaintService);
  // Read-modify-write so that e.g. --pain=2 keeps the other symptoms.
  v1::GetComplaintRequest get;
  get.set_id(id);
  v1::GetComplaintResponse current;
  auto st = Unary(ctx, TL_RPC(GetComplaint), get, &current);
  if (!st.ok()) return ctx.RpcError(st);
  v1::UpdateComplaintRequest req;
  *req.mutable_complaint() = current.complaint();
  std::vector<std::string> mask;
  if (auto s = ApplyComplaintOptions(ctx.args, ctx.now, req.mutable_complaint(), &mask); !s.ok()) return ctx.Usage(s);
  if (mask.empty()) return ctx.Usage("nothing to update: give the fields to amend (see --help)");
  for (const auto& m : mask) req.mutable_update_mask()->add_paths(m);
  req.set_reason(ctx.args.Get("reason").value_or(""));
  v1::UpdateComplaintResponse resp;
  st = Unary(ctx, TL_RPC(UpdateComplaint), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return PrintComplaintResponse(ctx, resp, resp.complaint());
}

int ComplaintsCheckIn(Ctx& ctx) {
  TL_ARG(int64_t id, ComplaintId(ctx.args));
  TL_ARG(auto at, ctx.args.GetTime("at", ctx.now));
  v1::CreateCheckInRequest req;
  req.set_complaint_id(id);
  *req.mutable_check_in()->mutable_check_time() = ToTimestamp(at.value_or(ctx.now));
  req.mutable_check_in()->set_note(ctx.args.Get("note").value_or(""));
  auto sym = ApplySymptomOptions(ctx.args, req.mutable_check_in()->mutable_symptoms());
  if (!sym.ok()) return ctx.Usage(sym.status());
  if (!ctx.args.Has("pain")) return ctx.Usage("missing required option --pain");
  TL_STUB(ComplaintService);
  v1::CreateCheckInResponse resp;
  auto st = Unary(ctx, TL_RPC(CreateCheckIn), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return PrintComplaintResponse(ctx, resp, resp.complaint());
}

int ComplaintsResolve(Ctx& ctx) {
  TL_ARG(int64_t id, ComplaintId(ctx.args));
  TL_ARG(auto at, ctx.args.GetTime("at", ctx.now));
  v1::ResolveComplaintRequest req;
  req.set_complaint_id(id);
  *req.mutable_resolve_time() = ToTimestamp(at.value_or(ctx.now));
  req.set_reason(ctx.args.Get("reason").value_or(""));
  TL_STUB(ComplaintService);
  v1::ResolveComplaintResponse resp;
  auto st = Unary(ctx, TL_RPC(ResolveComplaint), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return PrintComplaintResponse(ctx, resp, resp.complaint());
}

int ComplaintsReopen(Ctx& ctx) {
  TL_ARG(int64_t id, ComplaintId(ctx.args));
  TL_ARG(std::string reason, ctx.args.Require("reason"));
  v1::ReopenComplaintRequest req;
  req.set_complaint_id(id);
  req.set_reason(reason);
  TL_STUB(ComplaintService);
  v1::ReopenComplaintResponse resp;
  auto st = Unary(ctx, TL_RPC(ReopenComplaint), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  return PrintComplaintResponse(ctx, resp, resp.complaint());
}

int ComplaintsHistory(Ctx& ctx) {
  TL_ARG(int64_t id, ComplaintId(ctx.args));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListAmendmentsRequest req;
  req.set_complaint_id(id);
  TL_STUB(ComplaintService);
  v1::ListAmendmentsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListAmendments), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  Table t({"ID", "TIME", "BY", "ACTION", "CHANGES", "REASON"});
  for (const auto& a : resp.amendments()) {
    std::vector<std::string> changes;
    for (const auto& ch : a.changes()) {
      changes.push_back(absl::StrCat(ch.field(), ": ", ch.old_value().empty() ? "(unset)" : ch.old_value(), " -> ",
                                     ch.new_value()));
    }
    t.AddRow({absl::StrCat(a.id()), TL_TIME(a, amend_time), a.amended_by(), Short(a.action()),
              Brief(ctx, absl::StrJoin(changes, "; ")), Brief(ctx, a.reason())});
  }
  PrintTable(ctx, t, "no amendments");
  PrintNextPage(ctx, resp);
  return kExitOk;
}

}  // namespace touchline::cli
