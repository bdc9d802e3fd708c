// Printing gRPC errors: status code name, message, google.rpc.BadRequest field violations.
#pragma once

#include <string>

#include "grpcpp/support/status.h"

namespace touchline::cli {

// "NOT_FOUND" for grpc::StatusCode::NOT_FOUND.
std::string StatusCodeName(grpc::StatusCode code);

// "NOT_FOUND: player 9 not found\n" followed by "  field: description\n" per BadRequest field
// violation (and PreconditionFailure violations) found in status.error_details().
std::string FormatRpcError(const grpc::Status& status);

// What an UNAVAILABLE status most likely means, for people: nothing listening (connection
// refused), a TLS mismatch (a plaintext client at a TLS server, or the reverse), a server
// certificate the CA does not vouch for, a client certificate required, else "is the server
// running". `tls`: the client connected with TLS; `client_cert`: it gave a certificate.
std::string ConnectionHint(const grpc::Status& status, const std::string& server, bool tls, bool client_cert);

}  // namespace touchline::cli
