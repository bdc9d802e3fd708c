// touchline outcomes: outcomes by protocol and anti-spasm start (issue 19 item 8).
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/cli/calls.h"
#include "client/cli/context.h"
#include "client/cli/format.h"
#include "client/cli/handlers.h"
#include "client/cli/requests.h"
#include "client/cli/table.h"
#include "client/cli/timeparse.h"
#include "touchline/v1/outcome.grpc.pb.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

namespace {

std::string StartText(v1::AntiSpasmStart s) {
  switch (s) {
    case v1::ANTI_SPASM_START_BY_DAY_42:
      return "by day 42";
    case v1::ANTI_SPASM_START_AFTER_DAY_42:
      return "after day 42";
    case v1::ANTI_SPASM_START_NEVER:
      return "never";
    default:
      return "-";
  }
}

}  // namespace

int OutcomesCommand(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(absl::Time from, ctx.args.RequireTime("from", ctx.now));
  TL_ARG(auto to, ctx.args.GetTime("to", ctx.now));
  v1::GetProtocolOutcomesRequest req;
  req.set_squad_id(squad);
  *req.mutable_start_time() = ToTimestamp(from);
  *req.mutable_end_time() = ToTimestamp(to.value_or(ctx.now));
  TL_STUB(OutcomeService);
  v1::GetProtocolOutcomesResponse resp;
  auto st = Unary(ctx, TL_RPC(GetProtocolOutcomes), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  Table t({"PLUGIN", "VERSION", "ANTI-SPASM-START", "COMPLAINTS", "RESOLVED", "OPEN", "RECURRED-12M",
           "FOLLOW-UP-OPEN", "MEDIAN-DAYS-LOST"});
  for (const auto& o : resp.outcomes()) {
    const bool hidden = o.suppressed();
    auto n = [&](int32_t v) { return hidden ? std::string("*") : absl::StrCat(v); };
    std::string median = "-";
    if (hidden) {
      median = "*";
    } else if (o.has_median_days_lost()) {
      median = absl::StrFormat("%.1f", o.median_days_lost());
    }
    t.AddRow({o.plugin_name(), o.plugin_version(), StartText(o.anti_spasm_start()),
              absl::StrCat(o.complaint_count()), n(o.resolved_count()), n(o.unresolved_count()),
              n(o.recurrence_count()), n(o.follow_up_incomplete_count()), median});
  }
  t.Print(ctx.out);
  ctx.out << "Complaints with onset " << FormatDate(from) << " to " << FormatDate(to.value_or(ctx.now))
          << " by protocol and when anti-spasm work started (the six-week line); recurrences within "
             "12 months of return at the same site; as of "
          << TL_TIME(resp, as_of_time) << "\n";
  if (resp.min_cell_size() > 0) {
    ctx.out << "* withheld: fewer than " << resp.min_cell_size() << " complaints in the cell\n";
  }
  return kExitOk;
}

}  // namespace touchline::cli
