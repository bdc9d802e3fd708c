// The HTTP listener (--http_listen): the Connect protocol (connect_gateway.h: unary calls and
// server streams) over HTTP/1.1, plaintext on loopback or TLS with the gRPC listener's certificate,
// and the staff web app's files (--web_root). cpp-httplib
// (Debian's libcpp-httplib-dev) carries the bytes: a well-kept, small library with TLS support,
// rather than an HTTP server of our own. Every response carries the safe-by-default headers (no
// sniffing, no framing, a strict Content-Security-Policy: the app's own files only, no inline
// script or style, no caching of API answers); there are no cookies, and no CORS headers unless
// origins are configured, so a page from another origin cannot read an answer.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "server/api/connect_gateway.h"

namespace httplib {
class Server;
}

namespace touchline::api {

struct HttpListenerOptions {
  std::string address;  // "127.0.0.1:8080"; port 0 picks a free one
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  size_t max_body_bytes = 4 * 1024 * 1024;
  // The built web app (index.html and assets/): served at / when set.
  std::string web_root;
  // Threads serving connections: every Connect stream holds one (ConnectStreamLimits::total of
  // them at most), every other connection one while it has a request in progress or is kept alive.
  int threads = 96;
  // Origins (scheme://host[:port], exactly as a browser sends Origin) whose pages may call the API
  // (CORS): e.g. a club's own portal embedding the board. Empty (the default): no CORS headers at
  // all, so no page from another origin can read an answer.
  std::vector<std::string> cors_origins;
};

class HttpListener {
 public:
  // Binds and starts serving; `gateway` must outlive the listener.
  static absl::StatusOr<std::unique_ptr<HttpListener>> Start(const HttpListenerOptions& options,
                                                             const ConnectGateway& gateway);
  ~HttpListener();

  int port() const { return port_; }
  // Stops accepting, lets calls in progress finish, and joins the serving thread.
  void Stop();

 private:
  HttpListener() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace touchline::api
