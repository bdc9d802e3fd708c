// Who is calling, as every layer past authentication sees it.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"

namespace google::protobuf {
class Message;
}

namespace touchline::common {

// What a bearer token allows (same values as touchline.v1.Role). Which role may call which RPC is
// decided in one table, server/access/access_policy.cc.
enum class Role { kNone = 0, kAdmin = 1, kPhysio = 2, kCoach = 3, kAnalyst = 4 };

// Who is calling: the user and role of the authenticated bearer token (server/api/call_context.h).
struct Caller {
  std::string user = "anonymous";
  Role role = Role::kNone;
  // The SHA-256 (hex) of the bearer token: what a revocation matches to end the token's open
  // streams. Never the token itself.
  std::string credential;
  // Writes this call's audit record for a write that is about to commit, given the result the
  // call will answer with: called by WriteOnce (write_once.h) inside the write transaction, just
  // before COMMIT, so that no write is committed without its audit record ("no trace, no data":
  // an error rolls the write back). Set by the API layer for audited calls; empty for callers
  // that are not audited (tests of the service layer, the server's own work).
  std::function<absl::Status(const google::protobuf::Message& result)> record_write;
};

}  // namespace touchline::common
