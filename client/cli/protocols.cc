// The `touchline protocols ...` commands: assign, list, adherence, plugins.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/context.h"
#include "client/cli/calls.h"
#include "client/cli/handlers.h"
#include "client/cli/enums.h"
#include "client/cli/requests.h"
#include "client/cli/table.h"
#include "client/cli/timeparse.h"
#include "touchline/v1/protocol.grpc.pb.h"

namespace touchline::cli {
namespace {

namespace v1 = touchline::v1;
namespace pv1 = touchline::plugin::v1;

std::string When(const google::protobuf::Timestamp& ts) { return FormatTimeShort(FromTimestamp(ts)); }

// "each leg, 4x20s @20%, 2/day AM+PM" for a prescription.
std::string Dose(const pv1::Prescription& p) {
  std::vector<std::string> parts;
  if (p.side() == pv1::SIDE_BOTH) {
    parts.push_back(p.each_side() ? "each leg" : "both");
  } else if (p.side() != pv1::SIDE_UNSPECIFIED) {
    parts.push_back(Short(p.side()));
  }
  if (p.sets() > 0) {
    std::string s = absl::StrCat(p.sets(), "x");
    if (p.reps() > 0) absl::StrAppend(&s, p.reps());
    if (p.hold_seconds() > 0) absl::StrAppend(&s, p.reps() > 0 ? " " : "", p.hold_seconds(), "s");
    if (p.effort_percent() > 0) absl::StrAppend(&s, " @", p.effort_percent(), "%");
    parts.push_back(s);
  }
  const auto& f = p.frequency();
  std::vector<std::string> day_parts;
  for (int d : f.day_parts()) day_parts.push_back(d == pv1::DAY_PART_AM ? "AM" : "PM");
  if (f.times_per_day() > 0) {
    parts.push_back(absl::StrCat(f.times_per_day(), "/day",
                                 day_parts.empty() ? "" : " " + absl::StrJoin(day_parts, "+")));
  } else if (f.times_per_week() > 0) {
    parts.push_back(absl::StrCat(f.times_per_week(), "/week"));
  }
  return absl::StrJoin(parts, ", ");
}

std::string Latest(const v1::AssignedPrescription& p) {
  if (p.adherence_records().empty()) return "";
  const auto& last = *p.adherence_records().rbegin();
  std::string s = Short(last.adherence());
  if (last.pain() > 0) absl::StrAppend(&s, ", pain ", last.pain());
  if (p.adherence_records_size() > 1) absl::StrAppend(&s, " (", p.adherence_records_size(), " reports)");
  return s;
}

// One row per prescription (a "-" row for an assignment that prescribed nothing), then the
// plugin failures, one line each.
template <typename Range>
void PrintAssignments(Ctx& ctx, const Range& assignments, bool with_session) {
  std::vector<std::string> headers = {"ASSIGNMENT", "PLAYER", "ID", "TIMING", "EXERCISE", "DOSE", "PHASE", "PLUGIN"};
  if (with_session) {
    headers.insert(headers.begin() + 2, "SESSION");
    headers.push_back("ADHERENCE");
  }
  Table t(headers);
  std::vector<std::string> failures;
  for (const v1::ProtocolAssignment& a : assignments) {
    const std::string player = absl::StrCat(a.player_name(), " (", a.player_id(), ")");
    const std::string session =
        absl::StrCat(a.session_label().empty() ? "" : a.session_label() + ", ", When(a.session_time()));
    auto row = [&](std::vector<std::string> cells) {
      if (with_session) cells.insert(cells.begin() + 2, session);
      t.AddRow(std::move(cells));
    };
    if (a.pre().empty() && a.post().empty()) row({absl::StrCat(a.id()), player, "-", "-", "(no protocol)"});
    for (const auto* list : {&a.pre(), &a.post()}) {
      for (const v1::AssignedPrescription& ap : *list) {
        const pv1::Prescription& p = ap.prescription();
        std::vector<std::string> cells = {absl::StrCat(a.id()), player, absl::StrCat(ap.id()), Short(p.timing()),
                                          p.exercise(), Dose(p), Short(p.phase()),
                                          absl::StrCat(p.plugin_name(), " ", p.plugin_version())};
        if (with_session) cells.push_back(Latest(ap));
        row(std::move(cells));
      }
    }
    for (const auto& f : a.failures()) {
      failures.push_back(absl::StrCat("plugin ", f.plugin_name(), " ", f.plugin_version(), " failed for ", player, ": ",
                                      Short(f.kind()), ": ", f.message()));
    }
    for (const auto& w : a.withheld()) {
      failures.push_back(absl::StrCat("withheld from ", player, ": ", w.prescription().exercise(), " (plugin ",
                                      w.prescription().plugin_name(), " ", w.prescription().plugin_version(),
                                      "): ", w.reason()));
    }
  }
  t.Print(ctx.out);
  for (const auto& f : failures) ctx.out << f << "\n";
}

}  // namespace

int ProtocolsAssign(Ctx& ctx) {
  TL_ARG(auto player, ctx.args.GetInt("player"));
  TL_ARG(auto squad, ctx.args.GetInt("squad"));
  TL_ARG(auto at, ctx.args.GetTime("at", ctx.now));
  if (player.has_value() == squad.has_value()) return ctx.Usage("give exactly one of --player and --squad");
  v1::AssignProtocolsRequest req;
  req.set_player_id(player.value_or(0));
  req.set_squad_id(squad.value_or(0));
  req.set_session_label(ctx.args.Get("session").value_or(""));
  if (auto kind = ctx.args.Get("kind")) {
    auto k = ParseEnum<v1::SessionKind>(*kind);
    if (!k.ok()) return ctx.Usage(absl::StrCat("--kind: ", k.status().message()));
    req.set_session_kind(*k);
  }
  if (at) *req.mutable_session_time() = ToTimestamp(*at);
  TL_STUB(ProtocolService);
  v1::AssignProtocolsResponse resp;
  auto st = Unary(ctx, TL_RPC(AssignProtocols), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  PrintAssignments(ctx, resp.assignments(), false);
  ctx.out << "\n"
          << resp.assignments_size() << " assigned, " << resp.without_protocol_count() << " without protocol, "
          << resp.failure_count() << " plugin failures";
  if (resp.withheld_count() > 0) ctx.out << ", " << resp.withheld_count() << " withheld as unsafe";
  ctx.out << "\n";
  return kExitOk;
}

int ProtocolsList(Ctx& ctx) {
  TL_ARG(int64_t player, ctx.args.RequireInt("player"));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListAssignmentsRequest req;
  req.set_player_id(player);
  TL_STUB(ProtocolService);
  v1::ListAssignmentsResponse all;
  auto st = Paged(ctx, TL_RPC(ListAssignments), req, &all, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(all);
    return kExitOk;
  }
  if (all.assignments().empty()) {
    ctx.out << "no assignments\n";
  } else {
    PrintAssignments(ctx, all.assignments(), true);
  }
  PrintNextPage(ctx, all);
  return kExitOk;
}

int ProtocolsAdherence(Ctx& ctx) {
  TL_ARG(auto assignment, ctx.args.GetInt("assignment"));
  TL_ARG(auto prescription, ctx.args.GetInt("prescription"));
  TL_ARG(std::string status, ctx.args.Require("status"));
  TL_ARG(auto pain, ctx.args.GetInt("pain"));
  if (!assignment && !prescription) return ctx.Usage("give --assignment, --prescription or both");
  v1::RecordAdherenceRequest req;
  req.set_assignment_id(assignment.value_or(0));
  req.set_prescription_id(prescription.value_or(0));
  auto a = ParseEnum<pv1::Adherence>(status);
  if (!a.ok()) return ctx.Usage(absl::StrCat("--status: ", a.status().message()));
  req.set_adherence(*a);
  req.set_pain(static_cast<int32_t>(pain.value_or(0)));
  req.set_note(ctx.args.Get("note").value_or(""));
  TL_STUB(ProtocolService);
  v1::RecordAdherenceResponse resp;
  auto st = Unary(ctx, TL_RPC(RecordAdherence), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  Table t({"ID", "ASSIGNMENT", "PRESCRIPTION", "STATUS", "PAIN", "BY", "TIME", "NOTE"});
  for (const auto& r : resp.adherence_records()) {
    t.AddRow({absl::StrCat(r.id()), absl::StrCat(r.assignment_id()), absl::StrCat(r.prescription_id()),
              Short(r.adherence()), absl::StrCat(r.pain()), r.recorded_by(), When(r.record_time()), r.note()});
  }
  t.Print(ctx.out);
  return kExitOk;
}

int ProtocolsPlugins(Ctx& ctx) {
  TL_STUB(ProtocolService);
  v1::ListPluginsResponse resp;
  auto st = Unary(ctx, TL_RPC(ListPlugins), v1::ListPluginsRequest(), &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  Table t({"NAME", "VERSION", "ABI", "RUNS", "HANDLES", "FILE"});
  for (const auto& p : resp.loaded()) {
    t.AddRow({p.name(), p.version(), absl::StrCat(p.abi_major(), ".", p.abi_minor()), Short(p.isolation()),
              p.handles(), p.path()});
  }
  if (t.empty()) {
    ctx.out << "no plugins loaded\n";
  } else {
    t.Print(ctx.out);
  }
  if (!resp.refused().empty()) {
    ctx.out << "\nRefused:\n";
    Table r({"FILE", "REASON"});
    for (const auto& p : resp.refused()) r.AddRow({p.path(), p.reason()});
    r.Print(ctx.out);
  }
  ctx.out << "\nserver plugin ABI " << resp.host_abi_major() << "." << resp.host_abi_minor() << "\n";
  return kExitOk;
}

}  // namespace touchline::cli
