// Calling the server, in one place for every command: one unary call, a write (sent with its
// request_id and retried while the server is unreachable, writes.h), and every page of a list.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "client/cli/context.h"
#include "client/cli/writes.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace touchline::cli {

template <typename Req, typename Resp>
using Rpc = std::function<grpc::Status(grpc::ClientContext*, const Req&, Resp*)>;

// One call with the token, user and deadline of this invocation (Ctx::Prepare).
template <typename Req, typename Resp>
grpc::Status Call(Ctx& ctx, const Rpc<Req, Resp>& rpc, const Req& req, Resp* resp) {
  grpc::ClientContext c;
  ctx.Prepare(&c);
  return rpc(&c, req, resp);
}

// One unary call; a write (a request with a request_id) goes through SendWrite (writes.h).
template <typename Req, typename Resp, typename F>
grpc::Status Unary(Ctx& ctx, F f, const Req& req, Resp* resp) {
  if constexpr (CarriesRequestId<Req>) {
    return SendWrite<Req, Resp>(ctx, req, resp, Rpc<Req, Resp>(f));
  } else {
    return Call<Req, Resp>(ctx, Rpc<Req, Resp>(f), req, resp);
  }
}

// Lists every page into *all (repeated fields appended), unless --page-token asks for one page
// (then *all keeps that page's next_page_token). A server that hands back a page token it gave
// before (a loop) ends the listing there rather than looping for ever.
template <typename Req, typename Resp>
grpc::Status ListPages(Ctx& ctx, Req req, const Rpc<Req, Resp>& rpc, Resp* all, int64_t page_size) {
  if (page_size > 0) req.set_page_size(static_cast<int32_t>(page_size));
  auto token = ctx.args.Get("page-token");
  if (token.has_value()) {
    req.set_page_token(*token);
    return Call(ctx, rpc, req, all);
  }
  std::set<std::string> seen;
  for (;;) {
    Resp page;
    grpc::Status st = Call(ctx, rpc, req, &page);
    if (!st.ok()) return st;
    all->MergeFrom(page);
    if (page.next_page_token().empty() || page.next_page_token() == req.page_token() ||
        !seen.insert(page.next_page_token()).second) {
      break;
    }
    req.set_page_token(page.next_page_token());
  }
  all->clear_next_page_token();
  return grpc::Status::OK;
}

template <typename Req, typename Resp, typename F>
grpc::Status Paged(Ctx& ctx, F f, const Req& req, Resp* resp, int64_t page_size) {
  return ListPages<Req, Resp>(ctx, req, Rpc<Req, Resp>(f), resp, page_size);
}

// "next page: --page-token=T" on stderr after a table when one page was asked for.
template <typename Resp>
void PrintNextPage(Ctx& ctx, const Resp& resp) {
  if (!resp.next_page_token().empty() && !ctx.structured()) {
    ctx.err << "next page: --page-token=" << resp.next_page_token() << "\n";
  }
}

// auto stub = v1::Service::NewStub(ctx.channel()); (needs `namespace v1 = touchline::v1;`)
#define TL_STUB(Service) auto stub = v1::Service::NewStub(ctx.channel())
// A lambda calling stub->Method, for Unary and Paged.
#define TL_RPC(Method) \
  [&](grpc::ClientContext* c, const auto& rq, auto* rs) { return stub->Method(c, rq, rs); }

}  // namespace touchline::cli
