// The amendments table and its amendment_changes: append-only. Every function runs on a transaction handed out by
// Database::Write or Database::Read (record_store.h says more).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/domain/model.h"
#include "server/storage/listing.h"
#include "server/storage/transaction.h"

namespace touchline::storage {

// Amendments are append-only: there is no update or delete.
absl::StatusOr<domain::Amendment> AppendAmendment(Transaction& db,
                                                  const domain::Amendment& amendment);
// Oldest first, ids > after_id, at most `limit`.
std::vector<domain::Amendment> ListAmendments(Transaction& db, Id complaint_id, Id after_id,
                                              int limit);
// The number of amendment-history entries of each of these complaints (absent: none).
std::vector<std::pair<Id, int64_t>> CountAmendments(Transaction& db,
                                                    const std::vector<Id>& complaint_ids);

}  // namespace touchline::storage
