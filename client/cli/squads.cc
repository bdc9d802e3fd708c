// touchline squads ... and players ...: create, get, list, update, archive.
#include "absl/strings/str_cat.h"
#include "client/cli/calls.h"
#include "client/cli/context.h"
#include "client/cli/enums.h"
#include "client/cli/format.h"
#include "client/cli/handlers.h"
#include "client/cli/requests.h"
#include "client/cli/table.h"
#include "client/cli/timeparse.h"
#include "touchline/v1/squad.grpc.pb.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

namespace {

template <typename Range>
void PrintSquads(Ctx& ctx, const Range& squads) {
  Table t({"ID", "NAME", "CREATED", "UPDATED"});
  for (const auto& s : squads) {
    t.AddRow({absl::StrCat(s.id()), s.name(), TL_TIME(s, create_time), TL_TIME(s, update_time)});
  }
  PrintTable(ctx, t, "no squads");
}

template <typename Range>
void PrintPlayers(Ctx& ctx, const Range& players) {
  Table t({"ID", "SQUAD", "NAME", "GROUP", "POSITION", "EXTERNAL ID", "STATUS"});
  for (const auto& p : players) {
    t.AddRow({absl::StrCat(p.id()), absl::StrCat(p.squad_id()), p.name(), Short(p.position_group()), p.position_name(),
              p.external_id(), p.archived() ? absl::StrCat("archived ", TL_TIME(p, archive_time)) : "active"});
  }
  PrintTable(ctx, t, "no players");
}

}  // namespace

int SquadsCreate(Ctx& ctx) {
  TL_ARG(std::string name, ctx.args.Require("name"));
  TL_STUB(SquadService);
  v1::CreateSquadRequest req;
  req.mutable_squad()->set_name(name);
  v1::CreateSquadResponse resp;
  auto st = Unary(ctx, TL_RPC(CreateSquad), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintSquads(ctx, One(resp.squad()));
  return kExitOk;
}

int SquadsGet(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  TL_STUB(SquadService);
  v1::GetSquadRequest req;
  req.set_id(id);
  v1::GetSquadResponse resp;
  auto st = Unary(ctx, TL_RPC(GetSquad), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintSquads(ctx, One(resp.squad()));
  return kExitOk;
}

int SquadsList(Ctx& ctx) {
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  TL_STUB(SquadService);
  v1::ListSquadsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListSquads), v1::ListSquadsRequest(), &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintSquads(ctx, resp.squads());
  PrintNextPage(ctx, resp);
  return kExitOk;
}

int SquadsUpdate(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  TL_ARG(std::string name, ctx.args.Require("name"));
  TL_STUB(SquadService);
  v1::UpdateSquadRequest req;
  req.mutable_squad()->set_id(id);
  req.mutable_squad()->set_name(name);
  req.mutable_update_mask()->add_paths("name");
  v1::UpdateSquadResponse resp;
  auto st = Unary(ctx, TL_RPC(UpdateSquad), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintSquads(ctx, One(resp.squad()));
  return kExitOk;
}

int PlayersCreate(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(std::string name, ctx.args.Require("name"));
  TL_ARG(std::string group, ctx.args.Require("group"));
  (void)name;
  (void)group;
  v1::CreatePlayerRequest req;
  req.mutable_player()->set_squad_id(squad);
  std::vector<std::string> mask;
  if (auto s = ApplyPlayerOptions(ctx.args, req.mutable_player(), &mask); !s.ok()) return ctx.Usage(s);
  TL_STUB(PlayerService);
  v1::CreatePlayerResponse resp;
  auto st = Unary(ctx, TL_RPC(CreatePlayer), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintPlayers(ctx, One(resp.player()));
  return kExitOk;
}

int PlayersGet(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  TL_STUB(PlayerService);
  v1::GetPlayerRequest req;
  req.set_id(id);
  v1::GetPlayerResponse resp;
  auto st = Unary(ctx, TL_RPC(GetPlayer), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintPlayers(ctx, One(resp.player()));
  return kExitOk;
}

int PlayersList(Ctx& ctx) {
  TL_ARG(auto squad, ctx.args.GetInt("squad"));
  TL_ARG(auto archived, ctx.args.GetBool("include-archived"));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListPlayersRequest req;
  req.set_squad_id(squad.value_or(0));
  req.set_include_archived(archived.value_or(false));
  TL_STUB(PlayerService);
  v1::ListPlayersResponse resp;
  auto st = Paged(ctx, TL_RPC(ListPlayers), req, &resp, page_size.value_or(0));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintPlayers(ctx, resp.players());
  PrintNextPage(ctx, resp);
  return kExitOk;
}

int PlayersUpdate(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  v1::UpdatePlayerRequest req;
  req.mutable_player()->set_id(id);
  std::vector<std::string> mask;
  if (auto s = ApplyPlayerOptions(ctx.args, req.mutable_player(), &mask); !s.ok()) return ctx.Usage(s);
  if (mask.empty()) return ctx.Usage("nothing to update: give --name, --group, --position or --external-id");
  for (const auto& m : mask) req.mutable_update_mask()->add_paths(m);
  TL_STUB(PlayerService);
  v1::UpdatePlayerResponse resp;
  auto st = Unary(ctx, TL_RPC(UpdatePlayer), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintPlayers(ctx, One(resp.player()));
  return kExitOk;
}

int PlayersArchive(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  TL_STUB(PlayerService);
  v1::ArchivePlayerRequest req;
  req.set_id(id);
  v1::ArchivePlayerResponse resp;
  auto st = Unary(ctx, TL_RPC(ArchivePlayer), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintPlayers(ctx, One(resp.player()));
  return kExitOk;
}

}  // namespace touchline::cli
