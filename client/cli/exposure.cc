// Exposure: touchline sessions ..., rates (injury incidence and burden), load (weekly contact load).
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "client/cli/calls.h"
#include "client/cli/context.h"
#include "client/cli/enums.h"
#include "client/cli/format.h"
#include "client/cli/handlers.h"
#include "client/cli/requests.h"
#include "client/cli/table.h"
#include "client/cli/timeparse.h"
#include "touchline/v1/exposure.grpc.pb.h"

namespace touchline::cli {

namespace v1 = touchline::v1;

namespace {

// "--players=7,8:60,9:90:10:20:15": PLAYER[:MINUTES[:FULL:CONTROLLED:SET_PIECE]]; minutes default
// to the session's duration, contact minutes to 0.
absl::Status ParseParticipations(const std::vector<std::string>& specs, int duration, v1::Session* s) {
  for (const std::string& spec : specs) {
    std::vector<std::string> parts = absl::StrSplit(spec, ':');
    if (parts.size() != 1 && parts.size() != 2 && parts.size() != 5) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--players: \"", spec, "\" is not PLAYER[:MINUTES[:FULL:CONTROLLED:SET_PIECE]]"));
    }
    std::vector<int64_t> n;
    for (const auto& part : parts) {
      int64_t v = 0;
      if (!absl::SimpleAtoi(part, &v)) {
        return absl::InvalidArgumentError(absl::StrCat("--players: \"", part, "\" in \"", spec, "\" is not a number"));
      }
      n.push_back(v);
    }
    auto* p = s->add_participations();
    p->set_player_id(n[0]);
    p->set_minutes(static_cast<int32_t>(n.size() > 1 ? n[1] : duration));
    if (n.size() == 5) {
      p->set_full_contact_minutes(static_cast<int32_t>(n[2]));
      p->set_controlled_contact_minutes(static_cast<int32_t>(n[3]));
      p->set_live_set_piece_minutes(static_cast<int32_t>(n[4]));
    }
  }
  return absl::OkStatus();
}

template <typename Range>
void PrintSessions(Ctx& ctx, const Range& sessions) {
  Table t({"ID", "KIND", "START", "MIN", "PLAYERS", "PLAYER-HOURS", "FULL", "CONTROLLED", "SET-PIECE", "TITLE"});
  for (const v1::Session& s : sessions) {
    int64_t minutes = 0, full = 0, controlled = 0, set_piece = 0;
    for (const auto& p : s.participations()) {
      minutes += p.minutes();
      full += p.full_contact_minutes();
      controlled += p.controlled_contact_minutes();
      set_piece += p.live_set_piece_minutes();
    }
    t.AddRow({absl::StrCat(s.id()), Short(s.kind()), TL_TIME(s, start_time), absl::StrCat(s.duration_minutes()),
              absl::StrCat(s.participations_size()), absl::StrFormat("%.1f", static_cast<double>(minutes) / 60.0),
              absl::StrCat(full), absl::StrCat(controlled), absl::StrCat(set_piece), s.title()});
  }
  PrintTable(ctx, t, "no sessions");
}

void PrintSession(Ctx& ctx, const v1::Session& s) {
  PrintSessions(ctx, One(s));
  PlayerNames names(ctx);
  ctx.out << "\n";
  Table t({"PLAYER", "MINUTES", "FULL", "CONTROLLED", "SET-PIECE"});
  for (const auto& p : s.participations()) {
    t.AddRow({Who(names, p), absl::StrCat(p.minutes()), absl::StrCat(p.full_contact_minutes()),
              absl::StrCat(p.controlled_contact_minutes()), absl::StrCat(p.live_set_piece_minutes())});
  }
  t.Print(ctx.out);
  if (!s.recorded_by().empty()) ctx.out << "Recorded " << TL_TIME(s, record_time) << " by " << s.recorded_by() << "\n";
}

std::string Rate(const v1::InjuryRateCell& c, bool burden) {
  if (burden ? !c.has_burden_per_1000h() : !c.has_incidence_per_1000h()) return "-";
  return absl::StrFormat("%.2f", burden ? c.burden_per_1000h() : c.incidence_per_1000h());
}

}  // namespace

int SessionsRecord(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(std::string kind_text, ctx.args.Require("kind"));
  TL_ARG(auto at, ctx.args.GetTime("at", ctx.now));
  TL_ARG(auto duration, ctx.args.GetInt("duration"));
  v1::RecordSessionRequest req;
  v1::Session* s = req.mutable_session();
  s->set_squad_id(squad);
  auto kind = ParseEnum<v1::ExposureKind>(kind_text);
  if (!kind.ok()) return ctx.Usage(absl::StrCat("--kind: ", kind.status().message()));
  s->set_kind(*kind);
  *s->mutable_start_time() = ToTimestamp(at.value_or(ctx.now));
  const int minutes = static_cast<int>(duration.value_or(*kind == v1::EXPOSURE_KIND_MATCH ? 80 : 90));
  s->set_duration_minutes(minutes);
  s->set_title(ctx.args.Get("title").value_or(""));
  s->set_idempotency_key(ctx.args.Get("key").value_or(RandomKey()));
  const auto specs = ctx.args.GetList("players");
  if (specs.empty()) return ctx.Usage("--players is required (PLAYER[:MINUTES[:FULL:CONTROLLED:SET_PIECE]],...)");
  if (auto st = ParseParticipations(specs, minutes, s); !st.ok()) return ctx.Usage(st);
  TL_STUB(ExposureService);
  v1::RecordSessionResponse resp;
  auto st = Unary(ctx, TL_RPC(RecordSession), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
  } else {
    PrintSession(ctx, resp.session());
    if (resp.replayed()) ctx.out << "(already recorded under key " << resp.session().idempotency_key() << ")\n";
  }
  return kExitOk;
}

int SessionsGet(Ctx& ctx) {
  TL_ARG(int64_t id, ctx.args.RequireInt("id"));
  v1::GetSessionRequest req;
  req.set_id(id);
  TL_STUB(ExposureService);
  v1::GetSessionResponse resp;
  auto st = Unary(ctx, TL_RPC(GetSession), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) ctx.PrintMessage(resp); else PrintSession(ctx, resp.session());
  return kExitOk;
}

int SessionsList(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(auto from, ctx.args.GetTime("from", ctx.now));
  TL_ARG(auto to, ctx.args.GetTime("to", ctx.now));
  TL_ARG(auto page_size, ctx.args.GetInt("page-size"));
  v1::ListSessionsRequest req;
  req.set_squad_id(squad);
  if (from) *req.mutable_start_time() = ToTimestamp(*from);
  if (to) *req.mutable_end_time() = ToTimestamp(*to);
  if (auto kind = ctx.args.Get("kind")) {
    auto k = ParseEnum<v1::ExposureKind>(*kind);
    if (!k.ok()) return ctx.Usage(absl::StrCat("--kind: ", k.status().message()));
    req.set_kind(*k);
  }
  TL_STUB(ExposureService);
  v1::ListSessionsResponse resp;
  auto st = Paged(ctx, TL_RPC(ListSessions), req, &resp, page_size.value_or(1000));
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
  } else {
    PrintSessions(ctx, resp.sessions());
    PrintNextPage(ctx, resp);
  }
  return kExitOk;
}

int InjuryRatesCommand(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(absl::Time from, ctx.args.RequireTime("from", ctx.now));
  TL_ARG(auto to, ctx.args.GetTime("to", ctx.now));
  v1::GetInjuryRatesRequest req;
  req.set_squad_id(squad);
  *req.mutable_start_time() = ToTimestamp(from);
  *req.mutable_end_time() = ToTimestamp(to.value_or(ctx.now));
  TL_STUB(ExposureService);
  v1::GetInjuryRatesResponse resp;
  auto st = Unary(ctx, TL_RPC(GetInjuryRates), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  Table t({"EXPOSURE", "GROUP", "HOURS", "COMPLAINTS", "DAYS-LOST", "PER-1000H", "BURDEN-PER-1000H"});
  for (const auto& [exposure, row] : {std::pair{"match", &resp.match()}, std::pair{"training", &resp.training()},
                                      std::pair{"total", &resp.total()}}) {
    for (const auto& [group, cell] : {std::pair{"forwards", &row->forwards()}, std::pair{"backs", &row->backs()},
                                      std::pair{"all", &row->total()}}) {
      t.AddRow({exposure, group, absl::StrFormat("%.1f", cell->exposure_hours()), absl::StrCat(cell->complaint_count()),
                absl::StrCat(cell->days_lost()), Rate(*cell, false), Rate(*cell, true)});
    }
  }
  t.Print(ctx.out);
  ctx.out << "Hamstring complaints with onset " << FormatDate(from) << " to " << FormatDate(to.value_or(ctx.now))
          << " per 1000 player-hours (IOC 2020); " << resp.open_complaint_count()
          << " still open (days lost counted to " << TL_TIME(resp, as_of_time) << ")\n";
  return kExitOk;
}

int ContactLoadCommand(Ctx& ctx) {
  TL_ARG(int64_t squad, ctx.args.RequireInt("squad"));
  TL_ARG(auto player, ctx.args.GetInt("player"));
  TL_ARG(auto from, ctx.args.GetTime("from", ctx.now));
  TL_ARG(auto to, ctx.args.GetTime("to", ctx.now));
  v1::GetWeeklyContactLoadRequest req;
  req.set_squad_id(squad);
  req.set_player_id(player.value_or(0));
  *req.mutable_start_time() = ToTimestamp(from.value_or(ctx.now - absl::Hours(24 * 28)));
  *req.mutable_end_time() = ToTimestamp(to.value_or(ctx.now));
  TL_STUB(ExposureService);
  v1::GetWeeklyContactLoadResponse resp;
  auto st = Unary(ctx, TL_RPC(GetWeeklyContactLoad), req, &resp);
  if (!st.ok()) return ctx.RpcError(st);
  if (ctx.structured()) {
    ctx.PrintMessage(resp);
    return kExitOk;
  }
  PlayerNames names(ctx);
  names.LoadSquad(squad);
  // A value with "!" when over its limit, so a coach sees why a week is flagged.
  auto cell = [](const v1::WeeklyContactLoad& w, v1::GuidanceLimit limit) {
    for (const auto& c : w.checks()) {
      if (c.limit() == limit) {
        return absl::StrCat(c.actual(), c.status() == v1::GUIDANCE_STATUS_OVER ? "!" : "");
      }
    }
    return std::string("?");
  };
  Table t({"WEEK", "PLAYER", "MATCH-MIN", "TRAINING-MIN", "FULL<=15", "FULL-DAYS<=2", "CONTROLLED<=40",
           "SET-PIECE<=30", "GUIDANCE", "CONTACT-EVENTS"});
  int over = 0;
  for (const v1::WeeklyContactLoad& w : resp.weeks()) {
    std::vector<std::string> counts;
    for (const auto& c : w.contact_counts()) counts.push_back(absl::StrCat(Short(c.kind()), " ", c.count()));
    if (w.status() == v1::GUIDANCE_STATUS_OVER) ++over;
    t.AddRow({FormatDate(FromTimestamp(w.week_start_time())), Who(names, w), absl::StrCat(w.match_minutes()),
              absl::StrCat(w.training_minutes()), cell(w, v1::GUIDANCE_LIMIT_FULL_CONTACT_MINUTES),
              cell(w, v1::GUIDANCE_LIMIT_FULL_CONTACT_DAYS), cell(w, v1::GUIDANCE_LIMIT_CONTROLLED_CONTACT_MINUTES),
              cell(w, v1::GUIDANCE_LIMIT_LIVE_SET_PIECE_MINUTES), Short(w.status()),
              absl::StrCat(w.contact_event_count(), counts.empty() ? "" : " (" + absl::StrJoin(counts, ", ") + ")")});
  }
  if (t.empty()) {
    ctx.out << "no sessions or contact events\n";
    return kExitOk;
  }
  t.Print(ctx.out);
  ctx.out << resp.weeks_size() << " player-weeks from " << FormatDate(FromTimestamp(resp.start_time())) << " to "
          << FormatDate(FromTimestamp(resp.end_time())) << " (ISO weeks, Monday 00:00 UTC); " << over
          << " over the World Rugby training guidance (\"!\" marks the limit exceeded)\n";
  return kExitOk;
}

}  // namespace touchline::cli
