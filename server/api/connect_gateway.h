// The Connect protocol (connectrpc.com/docs/protocol) for the unary methods of touchline.v1, in
// front of the gRPC server: each call is decoded (JSON or binary protobuf), sent through an
// in-process channel to the same server, so the access interceptor (token, role, limits,
// minimisation, audit) runs exactly as for a gRPC call, and its answer or status is encoded the
// Connect way (an error is JSON with the HTTP status the specification gives its code, and
// google.rpc.BadRequest and other details from grpc-status-details-bin). Server streams (the live
// board, WatchFlags, ExportRecords) use Connect's streaming protocol: enveloped messages, then an
// end-of-stream message carrying the status. No HTTP library here: http_listener.h carries the
// bytes; this is plain C++ testable without sockets.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/time/time.h"

#include "google/protobuf/descriptor.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace touchline::api {

struct ConnectRequest {
  std::string method;        // HTTP method
  std::string path;          // "/touchline.v1.SquadService/ListSquads"
  std::string content_type;  // as sent, e.g. "application/json; charset=utf-8"
  std::string body;
  std::string authorization;  // the Authorization header, forwarded as gRPC metadata
  std::string timeout_ms;     // Connect-Timeout-Ms, "" when absent
};

struct ConnectResponse {
  int http_status = 200;
  std::string content_type;
  std::string body;
};

// The HTTP status the Connect specification gives a gRPC code, and the code's Connect name
// ("invalid_argument").
int ConnectHttpStatus(grpc::StatusCode code);
std::string ConnectCodeName(grpc::StatusCode code);

// A Connect error body: {"code", "message", "details": [{"type", "value"}]} with each detail of
// the status's google.rpc.Status (grpc-status-details-bin) as its type name and base64 bytes
// (unpadded, as the specification asks).
ConnectResponse ConnectError(const grpc::Status& status);

// The body of a Connect stream's end-of-stream message for `status`: {} or {"error": {...}}.
std::string ConnectEndOfStream(const grpc::Status& status);
// One Connect envelope: the flags byte, the length (4 bytes, big-endian), the bytes.
std::string ConnectEnvelope(unsigned char flags, std::string_view bytes);

struct ConnectStreamLimits {
  // Each open Connect stream holds one HTTP thread while it waits (cpp-httplib has no event
  // loop), so they are counted here, before the thread is lent out: at most `per_token` for one
  // bearer token and `total` for everyone; beyond that the stream ends at once with
  // resource_exhausted. (The server's own per-user stream limit applies too, inside.)
  int total = 64;
  int per_token = 8;
  // An HTTP/1.1 server learns that its client has gone only when it next writes, and a watch may
  // be quiet for hours: after this long a stream ends cleanly (an empty end-of-stream) and its
  // thread returns; clients open the next one (a flag watch resumes from its last sequence).
  absl::Duration lifetime = absl::Minutes(5);
};

class ConnectGateway;

// A server-streaming call, checked and holding its place under the limits (released when it is
// destroyed), ready to run.
class ConnectServerStream {
 public:
  ~ConnectServerStream();
  const std::string& content_type() const { return content_type_; }
  // Runs the call, writing each message as a Connect envelope and then the end-of-stream message
  // through `write` (which answers false once the client has gone: the call is then cancelled and
  // nothing more written). Returns when the call has ended.
  void Run(const std::function<bool(std::string_view)>& write);

 private:
  friend class ConnectGateway;
  ConnectServerStream(const ConnectGateway& gateway, std::string slot) : gateway_(gateway), slot_(std::move(slot)) {}
  const ConnectGateway& gateway_;
  std::string slot_;  // the limit key (the token's bytes, hashed)
  std::string path_;  // "/touchline.v1.FlagService/WatchFlags"
  const google::protobuf::MethodDescriptor* method_ = nullptr;
  bool json_ = true;
  std::string content_type_;
  std::string request_bytes_;  // the request message, binary
  std::string authorization_;
  std::optional<absl::Duration> timeout_;
};

class ConnectGateway {
 public:
  // `channel`: an in-process channel to the server (grpc::Server::InProcessChannel).
  ConnectGateway(std::shared_ptr<grpc::Channel> channel, size_t max_message_bytes,
                 ConnectStreamLimits stream_limits = {});

  // One unary call. Only POST of a touchline.v1 unary method; JSON ("application/json") or binary
  // ("application/proto"). Blocks until the server answers.
  ConnectResponse Unary(const ConnectRequest& request) const;

  // Whether `path` names a touchline.v1 server-streaming method (the listener routes it here).
  static bool IsServerStream(std::string_view path);
  // Checks a server-streaming call (POST, "application/connect+json" or "+proto", one enveloped
  // request message, the limits) and prepares it; or the whole answer that refuses it (set in
  // `refusal`, and nullptr returned): an HTTP error for what is not a Connect stream call (415,
  // 405), else a 200 stream holding only the end-of-stream error, as the specification asks.
  std::unique_ptr<ConnectServerStream> OpenServerStream(const ConnectRequest& request,
                                                        ConnectResponse* refusal) const;
  // Connect streams open now (tests).
  int open_streams() const;
  // Ends every running stream (unavailable: the server is stopping) and every later one at once,
  // so that the HTTP listener's stop does not wait for them. Called first when the server stops.
  void StopStreams();

 private:
  friend class ConnectServerStream;
  void ReleaseStream(const std::string& slot) const;
  // Registers a running stream's call so StopStreams can cancel it; false when stopping already.
  bool Running(grpc::ClientContext* context) const;
  void Finished(grpc::ClientContext* context) const;
  bool stopping() const;

  std::shared_ptr<grpc::Channel> channel_;
  size_t max_message_bytes_;
  ConnectStreamLimits stream_limits_;
  mutable std::mutex streams_mutex_;
  mutable std::unordered_map<std::string, int> streams_by_token_;
  mutable int streams_ = 0;
  mutable std::unordered_set<grpc::ClientContext*> running_;  // under streams_mutex_
  bool stopping_ = false;                                     // under streams_mutex_
};

}  // namespace touchline::api
