// The one place where absl::Status becomes grpc::Status. INVALID_ARGUMENT and other statuses that
// carry a google.rpc.BadRequest payload get it in the grpc-status-details-bin trailer as a
// google.rpc.Status, so any gRPC client can read the field violations.
#pragma once

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace touchline::api {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace touchline::api
