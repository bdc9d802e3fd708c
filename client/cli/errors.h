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

}  // namespace touchline::cli
