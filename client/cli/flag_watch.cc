// touchline flags watch: follow flag changes live, resuming after a dropped connection from the
// last sequence seen.
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/context.h"
#include "client/cli/enums.h"
#include "client/cli/errors.h"
#include "client/cli/format.h"
#include "client/cli/handlers.h"
#include "client/cli/requests.h"
#include "client/cli/timeparse.h"
#include "touchline/v1/flag.grpc.pb.h"

namespace touchline::cli {
namespace {

namespace v1 = touchline::v1;

// First wait before reconnecting, and the longest.
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(500);
constexpr absl::Duration kMaxBackoff = absl::Seconds(30);
// How often to try again while the server cannot be reached at all.
constexpr absl::Duration kConnectRetry = absl::Seconds(1);

// One line per change: "#12 2026-11-01 10:00 RAISED persistent player 3 complaints 5: reason".
std::string ChangeLine(const v1::FlagChange& c) {
  const v1::Flag& f = c.flag();
  std::string kind = Short(f.kind());
  if (f.recurrence_timing() != v1::RECURRENCE_TIMING_UNSPECIFIED) {
    absl::StrAppend(&kind, " (", Short(f.recurrence_timing()), ")");
  }
  if (f.window_alert_day() > 0) absl::StrAppend(&kind, " (day ", f.window_alert_day(), ")");
  std::string line = absl::StrCat("#", c.sequence(), " ", FormatTimeShort(FromTimestamp(c.detect_time())),
                                  " ", absl::AsciiStrToUpper(Short(c.type())), " ", kind, " player ",
                                  f.player_id() == 0 && !f.player_pseudonym().empty() ? f.player_pseudonym()
                                                                                      : absl::StrCat(f.player_id()), " complaints ", absl::StrJoin(f.complaint_ids(), ","));
  if (c.type() != v1::FLAG_CHANGE_TYPE_ACKNOWLEDGED) absl::StrAppend(&line, ": ", f.reason());
  return line + AckText(f);
}

// Errors a reconnect cannot fix.
bool IsPermanent(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::UNIMPLEMENTED:
      return true;
    default:
      return false;
  }
}

}  // namespace

int FlagsWatch(Ctx& ctx) {
  TL_ARG(auto squad, ctx.args.GetInt("squad"));
  TL_ARG(auto after, ctx.args.GetInt("after"));
  TL_ARG(auto max_events, ctx.args.GetInt("max-events"));
  TL_ARG(auto from_start, ctx.args.GetBool("from-start"));
  if (after && from_start.value_or(false)) return ctx.Usage("give --after or --from-start, not both");
  // From now by default (alerts as they happen); --from-start replays every change, --after
  // resumes after a sequence seen.
  const bool from_now = !after && !from_start.value_or(false);
  if (squad.value_or(0) < 0) return ctx.Usage("--squad must not be negative");
  if (after.value_or(0) < 0) return ctx.Usage("--after must not be negative");
  if (max_events && *max_events < 1) return ctx.Usage("--max-events must be at least 1");
  // A channel of its own that retries connecting often (gRPC's default backoff grows to 2 minutes).
  // Calls fail at once while the server cannot be reached, so that the watcher hears why (said
  // once per reason on stderr) and tries again every kConnectRetry.
  grpc::ChannelArguments channel_args;
  channel_args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
  channel_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  auto stub = v1::FlagService::NewStub(ctx.NewChannel(channel_args));
  int64_t last = after.value_or(0);
  int64_t received = 0;
  absl::Duration backoff = kFirstBackoff;
  std::string unreachable;  // the connection hint last printed, while the server cannot be reached
  const GlobalOptions& g = ctx.args.global;
  for (;;) {
    grpc::ClientContext call;  // no deadline: a watch runs until stopped
    if (!ctx.Token().empty()) call.AddMetadata("authorization", "Bearer " + ctx.Token());
    call.set_wait_for_ready(false);
    v1::WatchFlagsRequest req;
    req.set_squad_id(squad.value_or(0));
    req.set_after_sequence(last);
    // Until the first change arrives there is no sequence to resume after: a reconnect then starts
    // from now again (a change in the gap would be missed; `touchline flags list` shows what holds).
    req.set_from_now(from_now && last == 0);
    auto reader = stub->WatchFlags(&call, req);
    v1::WatchFlagsResponse message;
    while (reader->Read(&message)) {
      backoff = kFirstBackoff;  // the connection works
      if (!unreachable.empty()) {
        ctx.err << "touchline: connected to " << g.server << "; watching from sequence " << last << "\n";
        unreachable.clear();
      }
      const v1::FlagChange& change = message.change();
      if (change.sequence() <= last) continue;  // never print one twice
      last = change.sequence();
      if (ctx.structured()) {
        if (ctx.yaml()) ctx.out << "---\n";
        ctx.PrintMessage(change);
      } else {
        ctx.out << ChangeLine(change) << "\n";
      }
      ctx.out.flush();
      if (max_events && ++received >= *max_events) {
        call.TryCancel();
        reader->Finish();
        return kExitOk;
      }
    }
    const grpc::Status status = reader->Finish();
    if (IsPermanent(status.error_code())) return ctx.RpcError(status);
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ctx.err << "touchline: fell behind the server; resuming from sequence " << last << "\n";
      continue;  // the server is fine: resume at once from the log
    }
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
        absl::StrContains(status.error_message(), "failed to connect")) {
      // Not connected: say why once (per reason), then keep trying.
      const std::string hint =
          ConnectionHint(status, g.server, !g.tls_ca.empty() || !g.tls_cert.empty(), !g.tls_cert.empty());
      if (hint != unreachable) {
        ctx.err << "touchline: cannot connect to " << g.server << " (" << hint << "); retrying every "
                << absl::FormatDuration(kConnectRetry) << " until stopped\n";
        unreachable = hint;
      }
      std::this_thread::sleep_for(absl::ToChronoMilliseconds(kConnectRetry));
      continue;
    }
    ctx.err << "touchline: watch interrupted (" << StatusCodeName(status.error_code()) << ": "
            << status.error_message() << "); reconnecting in " << absl::FormatDuration(backoff)
            << " from sequence " << last << "\n";
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(backoff));
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace touchline::cli
