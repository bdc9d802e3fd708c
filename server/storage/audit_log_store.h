// The append-only audit log, a SQLite file of its own beside the clinical database (<db>.audit).
//
// Why its own file: every read of the medical record commits an audit event before it is answered.
// In the clinical file each of those commits made every other connection drop its page cache (WAL
// readers revalidate on any commit), so a readiness board re-read its pages on every call and cost
// more the more history it touched. In its own file the audit commits leave the clinical readers'
// caches, and the clinical writer, alone.
//
// Pairing: the clinical database has a random store_id (store_identity, schema v9); the audit log
// records the store_id it belongs to, so a log restored beside the wrong database is refused. Once
// the audit log has taken over, the database says so (audit_log_moved_at), and a missing audit
// log is refused instead of starting again empty: nothing acknowledged may be lost.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/storage/transaction.h"
#include "server/storage/database.h"

namespace touchline::storage {

// Where the audit log of the database at `clinical_path` lives unless told otherwise.
std::string AuditLogPathFor(const std::string& clinical_path);

// Opens the audit log of `clinical` at options.path (normally AuditLogPathFor(clinical.path())),
// creating it only while the database still holds its audit events itself (up to v8, or a v9
// database whose first start was interrupted). Then, if the move is not recorded yet: copies every
// audit event the database holds that the log lacks (ids above the log's newest; ids kept, so the
// copy resumes after a crash and page tokens stay valid) in one transaction of the log, and only
// then records the move in the database. The database's old audit tables are never deleted.
// FAILED_PRECONDITION: the log is missing after the move, belongs to another database, or is not
// a Touchline audit log.
absl::StatusOr<std::unique_ptr<Database>> OpenAuditLog(Database& clinical, DatabaseOptions options,
                                                       absl::Time now);

// ---- audit events: append-only (triggers refuse UPDATE and DELETE) ----
// Every function runs on a connection of the audit log handed out by Database::Write or Read.

// An audit event naming more players than this keeps them packed in the event's own row.
inline constexpr size_t kMaxPlayerRowsPerAuditEvent = 8;

struct AuditRecord {
  int64_t id = 0;
  absl::Time occurred_at;
  std::string user;
  int role = 0;
  std::string method;
  int64_t squad_id = 0;  // 0: none
  std::string outcome;
  std::vector<int64_t> player_ids;  // distinct, ascending
  std::optional<int64_t> records_sent;  // a stream's closing record: records sent or stored
};

// The outcome of a stream's opening record (the others are gRPC status code names).
inline constexpr char kAuditOutcomeOpened[] = "OPENED";

struct AuditFilter {
  int64_t player_id = 0;
  std::string user;
  std::string method;
  std::string outcome;
  std::optional<absl::Time> start;  // inclusive
  std::optional<absl::Time> end;    // exclusive
};

absl::StatusOr<int64_t> AppendAuditEvent(Transaction& db, const AuditRecord& record);
// Newest first: ids < before_id (0 = from the newest), at most `limit`.
std::vector<AuditRecord> ListAuditEvents(Transaction& db, const AuditFilter& filter,
                                         int64_t before_id, int limit);

}  // namespace touchline::storage
