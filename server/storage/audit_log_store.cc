#include "server/storage/audit_log_store.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "SQLiteCpp/Statement.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace touchline::storage {
namespace {

struct StoreIdentity {
  std::string store_id;
  std::optional<absl::Time> audit_log_moved_at;
};

absl::StatusOr<StoreIdentity> ReadStoreIdentity(Database& clinical) {
  StoreIdentity identity;
  const absl::Status read = clinical.Read([&](SQLite::Database& conn) -> absl::Status {
    SQLite::Statement query(
        conn, "SELECT store_id, audit_log_moved_at FROM store_identity WHERE only_row = 1");
    if (!query.executeStep()) {
      return absl::InternalError(
          absl::StrCat(clinical.path(), " has no store identity (schema v9 adds it)"));
    }
    identity.store_id = query.getColumn(0).getString();
    if (!query.getColumn(1).isNull()) {
      identity.audit_log_moved_at = absl::FromUnixMicros(query.getColumn(1).getInt64());
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return identity;
}

// Binds `value` (a column of the row being copied) to parameter `to` of `insert`, NULL as NULL.
void BindColumn(SQLite::Statement& insert, int to, const SQLite::Column& value) {
  if (value.isNull()) {
    insert.bind(to);
  } else if (value.isInteger()) {
    insert.bind(to, value.getInt64());
  } else {
    insert.bind(to, value.getString());
  }
}

// Copies into `log` (inside its write transaction) every audit event of `clinical` with an id
// above the log's newest, with its per-player rows; returns how many events. Reads `clinical` in
// one read transaction and streams row by row, so a long history needs no memory.
absl::StatusOr<int64_t> CopyAuditEventsFrom(Database& clinical, SQLite::Database& log) {
  const int64_t newest = log.execAndGet("SELECT coalesce(max(id), 0) FROM audit_events").getInt64();
  int64_t copied = 0;
  const absl::Status read = clinical.Read([&](SQLite::Database& conn) -> absl::Status {
    SQLite::Statement events(conn,
                             "SELECT id, occurred_at, user_name, role, method, squad_id, outcome, "
                             "packed_player_ids FROM audit_events WHERE id > ? ORDER BY id");
    events.bind(1, newest);
    SQLite::Statement insert_event(
        log,
        "INSERT INTO audit_events (id, occurred_at, user_name, role, method, squad_id, outcome, "
        "packed_player_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    while (events.executeStep()) {
      for (int c = 0; c < 8; ++c) BindColumn(insert_event, c + 1, events.getColumn(c));
      insert_event.exec();
      insert_event.reset();
      ++copied;
    }
    SQLite::Statement players(conn,
                              "SELECT event_id, player_id FROM audit_event_players "
                              "WHERE event_id > ? ORDER BY event_id, player_id");
    players.bind(1, newest);
    SQLite::Statement insert_player(
        log, "INSERT INTO audit_event_players (event_id, player_id) VALUES (?, ?)");
    while (players.executeStep()) {
      insert_player.bind(1, players.getColumn(0).getInt64());
      insert_player.bind(2, players.getColumn(1).getInt64());
      insert_player.exec();
      insert_player.reset();
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return copied;
}

// The log's owner must be `store_id`; a new log (no owner yet) is given it.
absl::Status ClaimOrCheckOwner(SQLite::Database& log, const std::string& log_path,
                               const Database& clinical, const std::string& store_id,
                               absl::Time now) {
  SQLite::Statement owner(log, "SELECT store_id FROM audit_log_owner WHERE only_row = 1");
  if (owner.executeStep()) {
    const std::string owner_id = owner.getColumn(0).getString();
    if (owner_id == store_id) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to open ", log_path, ": it is the audit log of another Touchline database (store ",
        owner_id, "), not of ", clinical.path(), " (store ", store_id,
        "); restore the audit log taken with this database"));
  }
  SQLite::Statement claim(
      log, "INSERT INTO audit_log_owner (only_row, store_id, created_at) VALUES (1, ?, ?)");
  claim.bind(1, store_id);
  claim.bind(2, static_cast<int64_t>(absl::ToUnixMicros(now)));
  claim.exec();
  return absl::OkStatus();
}

}  // namespace

std::string AuditLogPathFor(const std::string& clinical_path) {
  return absl::StrCat(clinical_path, ".audit");
}

absl::StatusOr<std::unique_ptr<Database>> OpenAuditLog(Database& clinical, DatabaseOptions options,
                                                       absl::Time now) {
  options.kind = StoreKind::kAuditLog;
  const absl::StatusOr<StoreIdentity> read = ReadStoreIdentity(clinical);
  if (!read.ok()) return read.status();
  const StoreIdentity& identity = *read;
  const bool moved = identity.audit_log_moved_at.has_value();
  std::error_code ignored;
  if (moved && !std::filesystem::exists(options.path, ignored)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to start: the audit log of ", clinical.path(), " is missing (expected at ",
        options.path, "; it has held the audit log since ",
        absl::FormatTime(*identity.audit_log_moved_at), "). Restore it from the same backup as ",
        "the database (touchline-backup copies both), or name where it is with --audit_db"));
  }
  options.create_if_missing = !moved;
  absl::StatusOr<std::unique_ptr<Database>> log = Database::Open(options);
  if (!log.ok()) return log.status();
  const absl::Status claimed = (*log)->Write([&](SQLite::Database& conn) -> absl::Status {
    const absl::Status owner = ClaimOrCheckOwner(conn, (*log)->path(), clinical,
                                                 identity.store_id, now);
    if (!owner.ok() || moved) return owner;
    return CopyAuditEventsFrom(clinical, conn).status();
  });
  if (!claimed.ok()) return claimed;
  if (!moved) {
    // Only after the copy is committed: a crash before this line copies again (nothing new) on the
    // next start; after it, the database's own audit tables take no more events (v9 triggers).
    const absl::Status recorded = clinical.Write([&](SQLite::Database& conn) -> absl::Status {
      SQLite::Statement record(conn,
                               "UPDATE store_identity SET audit_log_moved_at = ? "
                               "WHERE only_row = 1 AND audit_log_moved_at IS NULL");
      record.bind(1, static_cast<int64_t>(absl::ToUnixMicros(now)));
      record.exec();
      return absl::OkStatus();
    });
    if (!recorded.ok()) return recorded;
  }
  return log;
}

absl::StatusOr<int64_t> AppendAuditEvent(SQLite::Database& db, const AuditRecord& record) {
  const bool packed = record.player_ids.size() > kMaxPlayerRowsPerAuditEvent;
  // records_sent is named only when set: the audit tables of a database before v9 (which tests
  // build as older servers left them) have no such column.
  CachedStatement cached_insert(
      db, record.records_sent
              ? "INSERT INTO audit_events (occurred_at, user_name, role, method, squad_id, "
                "outcome, packed_player_ids, records_sent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
              : "INSERT INTO audit_events (occurred_at, user_name, role, method, squad_id, "
                "outcome, packed_player_ids) VALUES (?, ?, ?, ?, ?, ?, ?)");
  SQLite::Statement& insert = *cached_insert;
  insert.bind(1, static_cast<int64_t>(absl::ToUnixMicros(record.occurred_at)));
  insert.bind(2, record.user);
  insert.bind(3, record.role);
  insert.bind(4, record.method);
  if (record.squad_id != 0) {
    insert.bind(5, record.squad_id);
  } else {
    insert.bind(5);
  }
  insert.bind(6, record.outcome);
  if (packed) {
    insert.bind(7, absl::StrCat("[", absl::StrJoin(record.player_ids, ","), "]"));
  } else {
    insert.bind(7);
  }
  if (record.records_sent) insert.bind(8, *record.records_sent);
  insert.exec();
  const int64_t id = db.getLastInsertRowid();
  if (packed || record.player_ids.empty()) return id;
  SQLite::Statement player(db,
                           "INSERT OR IGNORE INTO audit_event_players (event_id, player_id) "
                           "VALUES (?, ?)");
  for (int64_t p : record.player_ids) {
    player.bind(1, id);
    player.bind(2, p);
    player.exec();
    player.reset();
  }
  return id;
}

std::vector<AuditRecord> ListAuditEvents(SQLite::Database& db, const AuditFilter& filter,
                                         int64_t before_id, int limit) {
  // Every value is bound; the text only ever contains fixed clauses.
  std::string sql =
      "SELECT id, occurred_at, user_name, role, method, squad_id, outcome, packed_player_ids, "
      "records_sent FROM audit_events e WHERE 1";
  if (before_id > 0) sql += " AND id < :before";
  if (filter.player_id != 0) {
    // Rows per player through their index; packed lists (events naming many players) by reading
    // the list, newest first, until a page is full.
    sql += " AND (EXISTS (SELECT 1 FROM audit_event_players p WHERE p.event_id = e.id AND "
           "p.player_id = :player) OR (e.packed_player_ids IS NOT NULL AND EXISTS (SELECT 1 FROM "
           "json_each(e.packed_player_ids) j WHERE j.value = :player)))";
  }
  if (!filter.user.empty()) sql += " AND user_name = :user";
  if (!filter.method.empty()) sql += " AND method = :method";
  if (!filter.outcome.empty()) sql += " AND outcome = :outcome";
  if (filter.start) sql += " AND occurred_at >= :start";
  if (filter.end) sql += " AND occurred_at < :end";
  sql += " ORDER BY id DESC LIMIT :limit";
  SQLite::Statement query(db, sql);
  if (before_id > 0) query.bind(":before", before_id);
  if (filter.player_id != 0) query.bind(":player", filter.player_id);
  if (!filter.user.empty()) query.bind(":user", filter.user);
  if (!filter.method.empty()) query.bind(":method", filter.method);
  if (!filter.outcome.empty()) query.bind(":outcome", filter.outcome);
  if (filter.start) query.bind(":start", static_cast<int64_t>(absl::ToUnixMicros(*filter.start)));
  if (filter.end) query.bind(":end", static_cast<int64_t>(absl::ToUnixMicros(*filter.end)));
  query.bind(":limit", limit);
  std::vector<AuditRecord> out;
  while (query.executeStep()) {
    AuditRecord r;
    r.id = query.getColumn(0).getInt64();
    r.occurred_at = absl::FromUnixMicros(query.getColumn(1).getInt64());
    r.user = query.getColumn(2).getString();
    r.role = query.getColumn(3).getInt();
    r.method = query.getColumn(4).getString();
    r.squad_id = query.getColumn(5).isNull() ? 0 : query.getColumn(5).getInt64();
    r.outcome = query.getColumn(6).getString();
    if (!query.getColumn(8).isNull()) r.records_sent = query.getColumn(8).getInt64();
    if (!query.getColumn(7).isNull()) {
      const std::string packed = query.getColumn(7).getString();
      const absl::string_view list = absl::StripPrefix(absl::StripSuffix(packed, "]"), "[");
      for (absl::string_view id : absl::StrSplit(list, ',', absl::SkipEmpty())) {
        int64_t player_id = 0;
        if (absl::SimpleAtoi(id, &player_id)) r.player_ids.push_back(player_id);
      }
    }
    out.push_back(std::move(r));
  }
  SQLite::Statement players(db,
                            "SELECT player_id FROM audit_event_players WHERE event_id = ? "
                            "ORDER BY player_id");
  for (AuditRecord& r : out) {
    if (!r.player_ids.empty()) continue;  // packed
    players.bind(1, r.id);
    while (players.executeStep()) r.player_ids.push_back(players.getColumn(0).getInt64());
    players.reset();
  }
  return out;
}

}  // namespace touchline::storage
