// The access interceptor: runs on every call before its handler.
//  - authenticates "authorization: Bearer <token>" (UNAUTHENTICATED when missing or unknown),
//  - applies the method table of server/access/access_policy.cc (PERMISSION_DENIED),
//  - admits the call within its user's and the server's limits (call_limits.h, RESOURCE_EXHAUSTED),
//  - refuses analysts' requests that select a player by identifier,
//  - minimises every response message for the caller's role (absent on the wire),
//  - appends an audit event for every call of an audited method by an authenticated caller.
// gRPC interceptors cannot stop a handler from running, so handlers refuse the call themselves
// through CallerFrom (call_context.h); a call whose handler never asked is counted, its message
// emptied and its status replaced, so a forgotten check leaks nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "grpcpp/support/server_interceptor.h"
#include "server/access/audit_trail.h"
#include "server/access/credentials.h"
#include "server/api/call_limits.h"
#include "server/domain/clock.h"
#include "server/storage/database.h"

namespace touchline::api {

struct AccessEnvironment {
  storage::Database& db;
  const domain::Clock& clock;
  const access::Pseudonymizer& pseudonyms;
  access::TokenCache& tokens;
  access::AuditTrail& audit;
  CallLimits& limits;
};

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeAccessInterceptorFactory(
    AccessEnvironment environment);

// Calls (since start-up, process-wide) whose handler ran without asking CallerFrom. Tests assert 0.
int64_t UncheckedCallCount();

}  // namespace touchline::api
