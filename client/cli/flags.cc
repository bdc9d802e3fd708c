// touchline flags list / flags ack (flags watch: flag_watch.cc).
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/cli/calls.h"
#include "client/cli/context.h"
#include "client/cli/enums.h"
#include "client/cli/format.h"
#include "client/cli/handlers.h"
#include "client/cli/requests.h"
#include "client/cli/table.h"
#include "client/cli/timeparse.h"
#include "touchline/v1/flag.grpc.pb.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

int FlagsList(Ctx& ctx) {
  int64_t player = 0, squad = 0;
  if (auto s = PlayerOrSquad(ctx.args, &player, &squad); !s.ok()) return ctx.Usage(s);
  TL_ARG(auto as_of, ctx.args.GetTime("as-of", ctx.now));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListFlagsRequest req;
  req.set_player_id(player);
  req.set_squad_id(squad);
  if (as_of) *req.mutable_as_of() = ToTimestamp(*as_of);
  for (const auto& k : ctx.args.GetList("kind")) {
    auto kind = ParseEnum<v1::FlagKind>(k);
    if (!kind.ok()) return ctx.Usage(absl::StrCat("--kind: ", kind.status().message()));
    req.add_kinds(*kind);
  }
  TL_STUB(FlagService);
  v1::ListFlagsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListFlags), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  PlayerNames names(ctx);
  if (squad) names.LoadSquad(squad);
  // ACK: who acknowledged the flag and when ("-" while nobody has).
  Table t({"PLAYER", "KIND", "SINCE", "ACK", "REASON", "COMPLAINTS", "EVENTS"});
  for (const auto& f : resp.flags()) {
    const std::string ack =
        f.has_acknowledgement()
            ? std::string(absl::StripLeadingAsciiWhitespace(absl::StrCat(
                  f.acknowledgement().acknowledged_by(), " ", TL_TIME(f.acknowledgement(), acknowledge_time))))
            : "-";
    t.AddRow({Who(names, f), FlagKindText(f), TL_TIME(f, begin_time), ack, Brief(ctx, f.reason()),
              IdBrief(ctx, f.complaint_ids()), IdBrief(ctx, f.contact_event_ids())});
  }
  if (t.empty()) {
    ctx.out << "no flags as of " << TL_TIME(resp, as_of) << "\n";
  } else {
    t.Print(ctx.out);
  }
  PrintNextPage(ctx, resp);
  return kExitOk;
}

int FlagsAck(Ctx& ctx) {
  TL_ARG(auto player, ctx.args.RequireInt("player"));
  TL_ARG(auto kind_text, ctx.args.Require("kind"));
  TL_ARG(auto complaint, ctx.args.RequireInt("complaint"));
  auto kind = ParseEnum<v1::FlagKind>(kind_text);
  if (!kind.ok()) return ctx.Usage(absl::StrCat("--kind: ", kind.status().message()));
  v1::AcknowledgeFlagRequest req;
  req.set_player_id(player);
  req.set_kind(*kind);
  req.set_complaint_id(complaint);
  req.set_note(ctx.args.Get("note").value_or(""));
  TL_STUB(FlagService);
  v1::AcknowledgeFlagResponse resp;
  const grpc::Status status = Unary(ctx, TL_RPC(AcknowledgeFlag), req, &resp);
  if (!status.ok()) return ctx.RpcError(status);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  for (const auto& f : resp.flags()) {
    ctx.out << "acknowledged " << Short(f.kind()) << " flag " << f.key() << AckText(f) << "\n";
  }
  return kExitOk;
}

int FlagsWindows(Ctx& ctx) {
  int64_t player = 0, squad = 0;
  if (auto s = PlayerOrSquad(ctx.args, &player, &squad); !s.ok()) return ctx.Usage(s);
  TL_ARG(auto as_of, ctx.args.GetTime("as-of", ctx.now));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListClosingWindowsRequest req;
  req.set_player_id(player);
  req.set_squad_id(squad);
  if (as_of) *req.mutable_as_of() = ToTimestamp(*as_of);
  TL_STUB(FlagService);
  v1::ListClosingWindowsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListClosingWindows), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  PlayerNames names(ctx);
  if (squad) names.LoadSquad(squad);
  // DAYS LEFT to day 42; FLAG: the WINDOW_CLOSING alert crossed ("-" before day 28).
  Table t({"DAYS LEFT", "PLAYER", "COMPLAINT", "SIDE", "ONSET", "DAY", "CLOSES", "FLAG"});
  for (const auto& w : resp.windows()) {
    t.AddRow({absl::StrCat(w.days_left()), Who(names, w), w.complaint_id() ? absl::StrCat(w.complaint_id()) : "",
              w.side() != v1::SIDE_UNSPECIFIED ? Short(w.side()) : "", TL_TIME(w, onset_time),
              absl::StrCat(w.days_open()), TL_TIME(w, close_time),
              w.alert_day() > 0 ? absl::StrCat("window-closing (day ", w.alert_day(), ")") : "-"});
  }
  if (t.empty()) {
    ctx.out << "no open gradual-onset complaint without anti-spasm work inside its six weeks as of "
            << TL_TIME(resp, as_of) << "\n";
  } else {
    t.Print(ctx.out);
  }
  PrintNextPage(ctx, resp);
  return kExitOk;
}

}  // namespace touchline::cli
