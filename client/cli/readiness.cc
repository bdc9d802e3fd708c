// touchline readiness ...: the squad board, overrides.
#include <algorithm>
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
#include "touchline/v1/readiness.grpc.pb.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

namespace {

std::string OverrideStatus(const v1::ReadinessOverride& o, absl::Time now) {
  if (o.has_clear_time()) return absl::StrCat("cleared ", TL_TIME(o, clear_time), " by ", o.cleared_by());
  if (o.has_expire_time() && FromTimestamp(o.expire_time()) <= now) return "expired";
  if (o.has_start_time() && FromTimestamp(o.start_time()) > now) return "scheduled";
  return "active";
}

template <typename Range>
void PrintOverrides(Ctx& ctx, const Range& list) {
  Table t({"ID", "PLAYER", "AVAILABILITY", "FROM", "UNTIL", "STATUS", "SET BY", "REASON"});
  for (const auto& o : list) {
    t.AddRow({absl::StrCat(o.id()), Who(nullptr, o), Short(o.availability()), TL_TIME(o, start_time),
              TL_TIME(o, expire_time), OverrideStatus(o, ctx.now), o.set_by(), Brief(ctx, o.reason())});
  }
  PrintTable(ctx, t, "no overrides");
}

// The board as a table (or the message, for -o json/yaml), then its counts.
void PrintBoard(Ctx& ctx, const v1::GetSquadReadinessResponse& resp) {
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return;
  }
  // The PROTOCOLS column (each player's PRE/POST summary) appears once any player has one: the
  // full one for the medical staff, the coach-safe labels for a coach (who receives only those).
  auto protocols = [](const v1::PlayerReadiness& p) {
    return p.protocol_summary().empty() ? p.coach_protocol_summary() : p.protocol_summary();
  };
  const bool with_protocols = std::any_of(resp.players().begin(), resp.players().end(),
                                          [&](const auto& p) { return !protocols(p).empty(); });
  // ID: the player's id (empty for an analyst, who reads the pseudonym under NAME).
  Table t(with_protocols ? std::vector<std::string>{"ID", "NAME", "GROUP", "AVAILABILITY", "REASONS", "PROTOCOLS"}
                         : std::vector<std::string>{"ID", "NAME", "GROUP", "AVAILABILITY", "REASONS"});
  for (const auto& p : resp.players()) {
    std::vector<std::string> reasons;
    for (const auto& r : p.reasons()) {
      std::string text = r.text().empty() ? Short(r.code()) : r.text();
      if (r.code() == v1::READINESS_REASON_CODE_ACTIVE_FLAG && r.text().empty()) {
        text = absl::StrCat("flag ", Short(r.flag_kind()));
      }
      reasons.push_back(Brief(ctx, text, kSummaryWidth / 2));
    }
    t.AddRow({p.player_id() != 0 ? absl::StrCat(p.player_id()) : "",
              p.player_name().empty() ? p.player_pseudonym() : p.player_name(), p.position_group(),
              Short(p.availability()), absl::StrJoin(reasons, "; "), protocols(p)});
  }
  PrintTable(ctx, t, "no players");
  ctx.out << "\n"
          << resp.available_count() << " available, " << resp.modified_count() << " modified, "
          << resp.unavailable_count() << " unavailable (session " << TL_TIME(resp, session_time) << " UTC)\n";
}

}  // namespace

int ReadinessGet(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(auto at, ctx.args.GetTime("at", ctx.now));
  v1::GetSquadReadinessRequest req;
  req.set_squad_id(squad);
  if (at) *req.mutable_session_time() = ToTimestamp(*at);
  TL_STUB(ReadinessService);
  v1::GetSquadReadinessResponse resp;
  auto st = Unary(ctx, TL_RPC(GetSquadReadiness), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  PrintBoard(ctx, resp);
  return kExitOk;
}

// touchline readiness watch: the live board (WatchSquadReadiness), printed whole each time it
// changes, until stopped or --max-boards boards.
int ReadinessWatch(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(auto at, ctx.args.GetTime("at", ctx.now));
  TL_ARG(auto max_boards, ctx.args.GetInt("max-boards"));
  if (max_boards && *max_boards < 1) return ctx.Usage("--max-boards must be at least 1");
  v1::WatchSquadReadinessRequest req;
  req.set_squad_id(squad);
  if (at) *req.mutable_session_time() = ToTimestamp(*at);
  TL_STUB(ReadinessService);
  grpc::ClientContext call;  // no deadline: a watch runs until stopped
  if (!ctx.Token().empty()) call.AddMetadata("authorization", "Bearer " + ctx.Token());
  auto reader = stub->WatchSquadReadiness(&call, req);
  v1::WatchSquadReadinessResponse message;
  int64_t boards = 0;
  while (reader->Read(&message)) {
    if (ctx.yaml()) ctx.out << "---\n";
    PrintBoard(ctx, message.board());
    if (!ctx.structured()) ctx.out << "\n";
    ctx.out.flush();
    if (max_boards && ++boards >= *max_boards) {
      call.TryCancel();
      reader->Finish();
      return kExitOk;
    }
  }
  return ctx.RpcError(reader->Finish());
}

int ReadinessOverride(Ctx& ctx) {
  TL_ARG(int64_t player, ctx.args.RequireInt("player"));
  TL_ARG(std::string availability, ctx.args.Require("availability"));
  TL_ARG(std::string reason, ctx.args.Require("reason"));
  TL_ARG(absl::Time until, ctx.args.RequireTime("until", ctx.now));
  TL_ARG(auto from, ctx.args.GetTime("from", ctx.now));
  v1::CreateReadinessOverrideRequest req;
  auto* o = req.mutable_readiness_override();
  o->set_player_id(player);
  auto a = ParseEnum<v1::Availability>(availability);
  if (!a.ok()) return ctx.Usage(absl::StrCat("--availability: ", a.status().message()));
  o->set_availability(*a);
  o->set_reason(reason);
  *o->mutable_expire_time() = ToTimestamp(until);
  if (from) *o->mutable_start_time() = ToTimestamp(*from);
  TL_STUB(ReadinessService);
  v1::CreateReadinessOverrideResponse resp;
  auto st = Unary(ctx, TL_RPC(CreateReadinessOverride), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintOverrides(ctx, One(resp.readiness_override()));
  return kExitOk;
}

int ReadinessOverrides(Ctx& ctx) {
  TL_ARG(int64_t player, ctx.args.RequireInt("player"));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListReadinessOverridesRequest req;
  req.set_player_id(player);
  TL_STUB(ReadinessService);
  v1::ListReadinessOverridesResponse resp;
  auto st = Paged(ctx, TL_RPC(ListReadinessOverrides), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintOverrides(ctx, resp.readiness_overrides());
  PrintNextPage(ctx, resp);
  return kExitOk;
}

int ReadinessClear(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  v1::ClearReadinessOverrideRequest req;
  req.set_id(id);
  TL_STUB(ReadinessService);
  v1::ClearReadinessOverrideResponse resp;
  auto st = Unary(ctx, TL_RPC(ClearReadinessOverride), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintOverrides(ctx, One(resp.readiness_override()));
  return kExitOk;
}

}  // namespace touchline::cli
