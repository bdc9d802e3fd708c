// Every write a caller asks for commits through WriteOnce, which gives it two guarantees:
//  * Safe retries (AIP-155): a request that carries a request_id is answered, on a retry with the
//    same id, with its first result, and writes nothing again; another request under an id the
//    caller already used is ALREADY_EXISTS. The first result is stored in the write's own
//    transaction (storage/request_result_store.h), so a crash keeps both or neither.
//  * No trace, no data: the caller's audit record is written (Caller::record_write) inside the
//    write transaction, just before COMMIT; if it cannot be written the write is rolled back and
//    the call fails with UNAVAILABLE.
#pragma once

#include "server/storage/transaction.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "server/common/caller.h"
#include "server/service/service_options.h"
#include "server/storage/database.h"

namespace touchline::service {

// A request_id is optional; when set, at most this long, of A-Z a-z 0-9 . _ : - (a UUID fits).
inline constexpr size_t kMaxRequestIdLength = 128;

// Runs `work` in one write transaction of `db`, which fills `response` (the call's whole answer)
// before returning OK. `request` is the call's request; its `request_id` field, if it has one
// and it is set, makes the call retry-safe as above. A replayed response is parsed into
// `response` without running `work`.
absl::Status WriteOnce(storage::Database& db, const common::Caller& caller,
                       const google::protobuf::Message& request,
                       google::protobuf::Message& response,
                       absl::FunctionRef<absl::Status(storage::Transaction&)> work);

// For a call that does slow work before its write (protocol plugins): whether this request was
// already answered, and if so its first result in `response`. ALREADY_EXISTS as above.
absl::StatusOr<bool> FindFirstResult(storage::Database& db, const common::Caller& caller,
                                     const google::protobuf::Message& request,
                                     google::protobuf::Message& response);

}  // namespace touchline::service
