// The first result of each request a client sent with a request_id (schema v10, AIP-155): what a
// retry of that request is answered with. Written in the transaction of the write it answers.
#pragma once

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "server/storage/transaction.h"

namespace touchline::storage {

struct RequestResult {
  std::string user;
  std::string request_id;
  std::string request_type;  // the request message's full name
  std::string fingerprint;   // SHA-256 of the request without its request_id (32 bytes)
  std::string response;      // the serialized first response
  absl::Time recorded_at;
};

std::optional<RequestResult> FindRequestResult(Transaction& db, const std::string& user,
                                               const std::string& request_id);
// Throws (StoreError) when the id is already stored: call FindRequestResult first, in the same
// transaction.
void InsertRequestResult(Transaction& db, const RequestResult& result);

}  // namespace touchline::storage
