// The Connect protocol (connectrpc.com/docs/protocol) for the unary methods of touchline.v1, in
// front of the gRPC server: each call is decoded (JSON or binary protobuf), sent through an
// in-process channel to the same server, so the access interceptor (token, role, limits,
// minimisation, audit) runs exactly as for a gRPC call, and its answer or status is encoded the
// Connect way (an error is JSON with the HTTP status the specification gives its code, and
// google.rpc.BadRequest and other details from grpc-status-details-bin). No HTTP library here:
// http_listener.h carries the bytes; this is plain C++ testable without sockets.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "grpcpp/channel.h"
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

class ConnectGateway {
 public:
  // `channel`: an in-process channel to the server (grpc::Server::InProcessChannel).
  ConnectGateway(std::shared_ptr<grpc::Channel> channel, size_t max_message_bytes);

  // One unary call. Only POST of a touchline.v1 unary method; JSON ("application/json") or binary
  // ("application/proto"). Blocks until the server answers.
  ConnectResponse Unary(const ConnectRequest& request) const;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  size_t max_message_bytes_;
};

}  // namespace touchline::api
