// touchline audit list: who read or wrote medical data (admins only).
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
#include "touchline/v1/audit.grpc.pb.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

int AuditList(Ctx& ctx) {
  TL_ARG(auto player, ctx.args.GetInt("player"));
  TL_ARG(auto from, ctx.args.GetTime("from", ctx.now));
  TL_ARG(auto to, ctx.args.GetTime("to", ctx.now));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListAuditEventsRequest req;
  req.set_player_id(player.value_or(0));
  req.set_user(ctx.args.Get("by").value_or(""));
  req.set_method(ctx.args.Get("method").value_or(""));
  req.set_outcome(ctx.args.Get("outcome").value_or(""));
  if (from) *req.mutable_start_time() = ToTimestamp(*from);
  if (to) *req.mutable_end_time() = ToTimestamp(*to);
  TL_STUB(AuditService);
  v1::ListAuditEventsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListAuditEvents), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  Table t({"ID", "TIME", "USER", "ROLE", "METHOD", "PLAYERS", "SQUAD", "OUTCOME"});
  for (const auto& e : resp.audit_events()) {
    std::string role = v1::Role_Name(e.role());
    if (role.rfind("ROLE_", 0) == 0) role = absl::AsciiStrToLower(role.substr(5));
    t.AddRow({absl::StrCat(e.id()), TL_TIME(e, event_time), e.user(), role, e.method(),
              IdList(e.player_ids()), e.squad_id() ? absl::StrCat(e.squad_id()) : "", e.outcome()});
  }
  if (t.empty()) {
    ctx.out << "no audit events\n";
    return kExitOk;
  }
  t.Print(ctx.out);
  return kExitOk;
}

}  // namespace touchline::cli
