// The flag change log and the flags currently held (live flags, issue 4). Flags are stored as
// opaque serialized bytes chosen by the service layer; storage only keeps and orders them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/storage/transaction.h"
#include "server/domain/model.h"

namespace touchline::storage {

struct FlagAck {
  absl::Time at;
  std::string by;
  std::string note;
};

// A flag the monitor last saw holding.
struct FlagStateRow {
  std::string key;
  domain::Id player_id = 0;
  domain::Id squad_id = 0;
  int kind = 0;
  domain::Id complaint_id = 0;
  std::string flag;            // serialized, without acknowledgement
  std::optional<FlagAck> ack;  // set once acknowledged
};

// One entry of the append-only change log.
struct FlagChangeRow {
  int64_t sequence = 0;  // assigned by AppendFlagChange
  domain::Id squad_id = 0;
  domain::Id player_id = 0;
  int change_type = 0;
  std::string key;
  absl::Time detected_at;
  std::string flag;  // serialized, as streamed
};

// Held flags of the given players, by key.
std::vector<FlagStateRow> ListFlagStates(Transaction& db, const std::vector<domain::Id>& player_ids);
// Inserts or replaces the row of row.key (flag bytes, squad and acknowledgement included).
void UpsertFlagState(Transaction& db, const FlagStateRow& row);
void DeleteFlagState(Transaction& db, const std::string& key);

// Appends and returns the new sequence (strictly greater than every earlier one).
int64_t AppendFlagChange(Transaction& db, const FlagChangeRow& row);
// Changes with sequence > after_sequence (of one squad, or all when squad_id is 0), oldest first,
// at most `limit`.
std::vector<FlagChangeRow> ListFlagChanges(Transaction& db, domain::Id squad_id,
                                           int64_t after_sequence, int limit);
// The last sequence ever assigned (0 when none).
int64_t LastFlagSequence(Transaction& db);

}  // namespace touchline::storage
