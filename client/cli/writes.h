// Writes from the CLI are safe to retry (AIP-155): each is sent with a request_id (--request-id,
// else a fresh UUID) and, while the server is unreachable (UNAVAILABLE: down, restarting, or its
// audit log cannot be written), sent again with the same id; the server stores it at most once.
#pragma once

#include <functional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/cli/context.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace touchline::cli {

// A random (version 4) UUID.
std::string NewRequestId();

template <typename Req>
concept CarriesRequestId = requires(Req r) { r.set_request_id(std::string()); };

// Sends the write `req` with its request_id and returns the last attempt's status.
template <CarriesRequestId Req, typename Resp>
grpc::Status SendWrite(Ctx& ctx, Req req, Resp* resp,
                       const std::function<grpc::Status(grpc::ClientContext*, const Req&, Resp*)>& rpc) {
  if (req.request_id().empty()) {
    req.set_request_id(ctx.args.global.request_id.empty() ? NewRequestId()
                                                          : ctx.args.global.request_id);
  }
  ctx.write_request_id = req.request_id();
  constexpr absl::Duration kBackoff[] = {absl::Milliseconds(250), absl::Seconds(1),
                                         absl::Seconds(2)};
  for (size_t attempt = 0;; ++attempt) {
    resp->Clear();
    grpc::ClientContext c;
    ctx.Prepare(&c);
    const grpc::Status st = rpc(&c, req, resp);
    if (st.error_code() != grpc::StatusCode::UNAVAILABLE || attempt == std::size(kBackoff)) return st;
    absl::SleepFor(kBackoff[attempt]);
  }
}

}  // namespace touchline::cli
