#include "server/api/http_listener.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace touchline::api {
namespace {

bool IsApiPath(const std::string& path) { return path.starts_with("/touchline.v1."); }

void SafeHeaders(const httplib::Request& req, httplib::Response& res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  if (IsApiPath(req.path) || res.status >= 400) {
    res.set_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    res.set_header("Cache-Control", "no-store");
    return;
  }
  // The app: its own scripts, styles and data only; no inline code (a injected <script> or
  // style="" does nothing), no plugins, no framing, no form posting elsewhere.
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
                 "form-action 'none'; frame-ancestors 'none'");
  // Vite names assets by their content hash: they never change under one name. The page itself
  // is revalidated so a new build is picked up at once.
  res.set_header("Cache-Control", req.path.starts_with("/assets/")
                                      ? "public, max-age=31536000, immutable"
                                      : "no-cache");
}

void Send(const ConnectResponse& answer, httplib::Response& res) {
  res.status = answer.http_status;
  res.set_content(answer.body, answer.content_type.c_str());
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpListener>> HttpListener::Start(
    const HttpListenerOptions& options, const ConnectGateway& gateway) {
  std::unique_ptr<HttpListener> listener(new HttpListener());
  if (options.tls_cert_file.empty()) {
    listener->server_ = std::make_unique<httplib::Server>();
  } else {
    auto tls = std::make_unique<httplib::SSLServer>(
        options.tls_cert_file.c_str(), options.tls_key_file.c_str(),
        options.tls_client_ca_file.empty() ? nullptr : options.tls_client_ca_file.c_str());
    if (!tls->is_valid()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot serve HTTPS on ", options.address,
                       ": the TLS certificate, key or client CA could not be loaded"));
    }
    listener->server_ = std::move(tls);
  }
  httplib::Server& server = *listener->server_;
  server.set_tcp_nodelay(true);
  // A page load is a dozen requests: cpp-httplib's default of 5 per connection would reconnect
  // mid-load. An idle connection still gives its thread back after 5 s.
  server.set_keep_alive_max_count(100);
  server.set_keep_alive_timeout(5);  // else every answer waits for the peer's delayed ACK (~40 ms)
  server.set_payload_max_length(options.max_body_bytes + 1);
  const int threads = std::max(8, options.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // CORS for the configured origins only (API paths): the answer may be read by their pages, and a
  // preflight says which headers a Connect call sends. Tokens travel in Authorization, never in
  // cookies, so no credentials mode is offered.
  const std::vector<std::string> origins = options.cors_origins;
  auto allowed_origin = [origins](const httplib::Request& req) -> std::string {
    const std::string origin = req.get_header_value("Origin");
    if (origin.empty() || !IsApiPath(req.path)) return "";
    for (const std::string& o : origins) {
      if (o == origin) return origin;
    }
    return "";
  };
  server.set_post_routing_handler([allowed_origin](const httplib::Request& req, httplib::Response& res) {
    SafeHeaders(req, res);
    if (const std::string origin = allowed_origin(req); !origin.empty()) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Vary", "Origin");
    }
  });
  server.Options(R"(/touchline\.v1\.[A-Za-z0-9_]+/[A-Za-z0-9_]+)",
                 [allowed_origin](const httplib::Request& req, httplib::Response& res) {
                   if (allowed_origin(req).empty()) {
                     res.status = 403;  // no CORS headers: the browser refuses the call
                     return;
                   }
                   res.status = 204;
                   res.set_header("Access-Control-Allow-Methods", "POST");
                   res.set_header("Access-Control-Allow-Headers",
                                  "Authorization, Content-Type, Connect-Protocol-Version, "
                                  "Connect-Timeout-Ms");
                   res.set_header("Access-Control-Max-Age", "7200");
                 });
  auto connect = [&gateway](const httplib::Request& req, httplib::Response& res) {
    ConnectRequest call;
    call.method = req.method;
    call.path = req.path;
    call.content_type = req.get_header_value("Content-Type");
    call.body = req.body;
    call.authorization = req.get_header_value("Authorization");
    call.timeout_ms = req.get_header_value("Connect-Timeout-Ms");
    if (!ConnectGateway::IsServerStream(req.path)) return Send(gateway.Unary(call), res);
    ConnectResponse refusal;
    std::shared_ptr<ConnectServerStream> stream = gateway.OpenServerStream(call, &refusal);
    if (stream == nullptr) return Send(refusal, res);
    res.status = 200;
    // Runs on this connection's thread once the headers are out: each message is written as it
    // comes, in chunks, and a failed write (the client has gone) cancels the call.
    res.set_chunked_content_provider(
        stream->content_type(), [stream](size_t, httplib::DataSink& sink) {
          stream->Run([&sink](std::string_view bytes) {
            return sink.write(bytes.data(), bytes.size());
          });
          sink.done();
          return true;
        });
  };
  server.Post(R"(/touchline\.v1\.[A-Za-z0-9_]+/[A-Za-z0-9_]+)", connect);
  server.Get(R"(/touchline\.v1\.[A-Za-z0-9_]+/[A-Za-z0-9_]+)", connect);  // 405 from the gateway
  if (!options.web_root.empty() && !server.set_mount_point("/", options.web_root)) {
    return absl::FailedPreconditionError(
        absl::StrCat("--web_root ", options.web_root, " is not a readable directory (build the "
                     "web app first: cmake --build build --target touchline_web)"));
  }
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (!IsApiPath(req.path)) {
      res.set_content(res.status == 404 ? "not found\n" : "refused\n", "text/plain");
      return;
    }
    if (res.status == 404) {
      Send(ConnectError(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                                     absl::StrCat("no procedure ", req.path))),
           res);
      res.status = 404;
    } else if (res.status == 413) {
      Send(ConnectError(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                     "the request body is too large")),
           res);
      res.status = 413;
    }
  });

  const std::string_view address = options.address;
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string_view::npos || !absl::SimpleAtoi(std::string(address.substr(colon + 1)), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http_listen ", options.address, " is not host:port"));
  }
  std::string host(address.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const int bound = port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.address, " (address in use or invalid)"));
  }
  listener->port_ = bound;
  listener->thread_ = std::thread([&server] { server.listen_after_bind(); });
  // Bound already, so a connection made now waits in the backlog; wait briefly for the loop anyway,
  // so the first call of a test or a health probe is served without a retry.
  for (int i = 0; i < 1000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return listener;
}

HttpListener::~HttpListener() { Stop(); }

void HttpListener::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace touchline::api
