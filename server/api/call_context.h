// What a handler knows about who is calling, read from call metadata.
#pragma once

#include "grpcpp/server_context.h"
#include "server/service/service_options.h"

namespace touchline::api {

// Metadata key naming the acting user, recorded with every change. Until token authentication
// lands (issue 5) it is taken on trust, like a name written on a paper record.
inline constexpr char kUserMetadataKey[] = "touchline-user";

service::Caller CallerFrom(const grpc::ServerContext& context);

}  // namespace touchline::api
