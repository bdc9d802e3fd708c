// Protocol assignments, their prescriptions and adherence reports (schema v3). All append-only:
// there is no update or delete, and the database's triggers refuse them whoever asks.
//
// A prescription is stored as the plugin contract's serialized touchline.plugin.v1.Prescription
// (`body`) beside the few columns that are queried (timing, protocol, exercise, complaint, plugin).
// The storage layer never parses it, so it links no protobuf. Like record_store.h, every function
// runs on a connection handed out by Database::Write or Database::Read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/storage/transaction.h"
#include "server/domain/model.h"

namespace touchline::storage {

// Values of the contract's enums as stored.
inline constexpr int kTimingPre = 1;   // touchline.plugin.v1.TIMING_PRE
inline constexpr int kTimingPost = 2;  // touchline.plugin.v1.TIMING_POST

struct AdherenceRecord {
  domain::Id id = 0;
  domain::Id prescription_id = 0;
  domain::Id assignment_id = 0;  // filled when read
  int adherence = 0;             // touchline.plugin.v1.Adherence: 1 DONE, 2 PARTLY, 3 NOT_DONE
  int pain = 0;                  // 0-10
  std::string note;
  absl::Time recorded_at;
  std::string recorded_by;
};

struct StoredPrescription {
  domain::Id id = 0;
  domain::Id assignment_id = 0;
  int seq = 0;  // composition order within the assignment
  int timing = 0;  // kTimingPre / kTimingPost
  std::string protocol;
  std::string exercise;
  domain::Id complaint_id = 0;
  std::string plugin_name;
  std::string plugin_version;
  std::string body;  // serialized touchline.plugin.v1.Prescription
  std::vector<AdherenceRecord> adherence;  // oldest first (filled when read)
};

struct ProtocolAssignment {
  domain::Id id = 0;
  domain::Id player_id = 0;
  std::string session_label;
  int session_kind = 0;  // touchline.v1.SessionKind
  absl::Time session_at;
  absl::Time assigned_at;
  std::string assigned_by;
  std::string failures;  // serialized touchline.plugin.v1.AssignResult (failures only); may be ""
  std::vector<StoredPrescription> prescriptions;  // by seq
};

// Inserts the assignment and its prescriptions as one unit (a savepoint); returns it with every id.
// NOT_FOUND when the player does not exist.
absl::StatusOr<ProtocolAssignment> InsertAssignment(Transaction& db,
                                                    const ProtocolAssignment& assignment);
// With prescriptions and adherence. NOT_FOUND.
absl::StatusOr<ProtocolAssignment> FindAssignment(Transaction& db, domain::Id id);
// The prescription (without adherence). NOT_FOUND.
absl::StatusOr<StoredPrescription> FindPrescription(Transaction& db, domain::Id id);
// A player's assignments newest first (id descending), ids < before_id (0 = from the newest), at
// most `limit`; each with prescriptions and adherence.
std::vector<ProtocolAssignment> ListAssignments(Transaction& db, domain::Id player_id,
                                                domain::Id before_id, int limit);
// Every assignment of the given players whose session is in [from, to), ordered by (session_at,
// id); each with prescriptions and adherence. A fixed number of queries whatever the player count.
std::vector<ProtocolAssignment> ListAssignmentsOfPlayers(Transaction& db,
                                                         const std::vector<domain::Id>& player_ids,
                                                         absl::Time from, absl::Time to);
// When an assignment's session is, without its prescriptions: what choosing among a player's
// assignments and knowing when that choice changes need (read from an index alone).
struct AssignmentTime {
  domain::Id id = 0;
  domain::Id player_id = 0;
  absl::Time session_at;
};
// Of the given players, every assignment whose session is in [from, to), ordered by (session_at,
// id). One query.
std::vector<AssignmentTime> ListAssignmentTimesOfPlayers(Transaction& db,
                                                         const std::vector<domain::Id>& player_ids,
                                                         absl::Time from, absl::Time to);
// The assignments with these ids that exist, with prescriptions and adherence, in the order given.
std::vector<ProtocolAssignment> ListAssignmentsByIds(Transaction& db,
                                                     const std::vector<domain::Id>& ids);
// Appends one report. NOT_FOUND when the prescription does not exist.
absl::StatusOr<AdherenceRecord> AppendAdherence(Transaction& db, const AdherenceRecord& record);

}  // namespace touchline::storage
