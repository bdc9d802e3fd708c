// What a handler knows about who is calling. The access interceptor (access_interceptor.h)
// authenticates the bearer token and applies the method table before any handler runs, and leaves
// its decision here; handlers ask for it with CallerFrom and refuse the call when it says so.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "server/common/caller.h"
#include "server/service/service_options.h"

namespace touchline::api {

// The interceptor's decision about one call.
struct CallDecision {
  absl::Status status;      // OK, UNAUTHENTICATED or PERMISSION_DENIED
  common::Caller caller;   // the authenticated user and role (kNone when unauthenticated)
  bool is_public = false;   // health / reflection: no token needed, no data
  std::atomic<bool> checked{false};  // a handler asked CallerFrom (the interceptor counts calls that did not)
  // Set for a stream: completes this decision (reads the token table) when CallerFrom is first
  // asked, on the stream's worker rather than on gRPC's event thread. Run once, then cleared.
  std::function<void(CallDecision&)> complete;
  std::mutex complete_mutex;
  // Players a raw method's handler found in the requests it decoded (the interceptor cannot read
  // them): named in the call's audit record.
  std::mutex players_mutex;
  std::set<int64_t> players;
  // Set by a handler whose answer is already in the caller's form (minimised for its role with
  // access::Minimise when it was first made): the interceptor sends it as it is and names
  // prepared_players (sorted, unique) in the audit record instead of reading the answer.
  std::atomic<bool> answer_prepared{false};
  std::vector<int64_t> prepared_players;
};

// Methods registered raw (their handler decodes the requests itself, so that a message that cannot
// be decoded is told apart from the end of the stream): the interceptor sees their requests as
// grpc::ByteBuffer (requests and the response) and leaves the requests to the handler.
bool HasRawRequests(std::string_view method);
// Methods whose handler answers with serialised bytes (a grpc::ByteBuffer): the raw ones above and
// GetSquadReadiness, which serves a kept board's bytes.
bool HasRawResponses(std::string_view method);

// For a handler that answers in the caller's form already (see CallDecision::answer_prepared):
// `players` (sorted, unique) are what the answer names.
void ReportPreparedAnswer(const grpc::ServerContextBase& context,
                          const std::vector<int64_t>& players);

// For a raw method's handler: the players its requests named (see CallDecision::players).
void AddAuditedPlayers(const grpc::ServerContextBase& context, const std::set<int64_t>& players);

// The authenticated caller of this call, or the status to refuse it with. Fails closed: a call the
// interceptor did not see is UNAUTHENTICATED.
absl::StatusOr<common::Caller> CallerFrom(const grpc::ServerContextBase& context);

// Used by the interceptor: the decision lives from the call's initial metadata to its end.
void RegisterCallDecision(const grpc::ServerContextBase* context,
                          std::shared_ptr<CallDecision> decision);
void ForgetCallDecision(const grpc::ServerContextBase* context);

}  // namespace touchline::api
