#include "server/storage/audit_log_store.h"

#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
namespace {

struct StoreIdentity {
  std::string store_id;
  std::optional<absl::Time> audit_log_moved_at;
};

absl::StatusOr<StoreIdentity> ReadStoreIdentity(Database& clinical) {
  StoreIdentity identity;
  const absl::Status read = clinical.Read([&](Transaction& conn) -> absl::Status {
    Statement query = conn.Prepare("SELECT store_id, audit_log_moved_at FROM store_identity WHERE only_row = 1");
    if (!query.Step()) {
      return absl::InternalError(
          absl::StrCat(clinical.path(), " has no store identity (schema v9 adds it)"));
    }
    identity.store_id = query.ColumnText(0);
    if (!query.IsNull(1)) {
      identity.audit_log_moved_at = absl::FromUnixMicros(query.ColumnInt(1));
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return identity;
}

// Binds `value` (a column of the row being copied) to parameter `to` of `insert`, NULL as NULL.
void BindColumn(Statement& insert, int to, const Statement& row, int column) {
  switch (row.TypeOf(column)) {
    case ColumnType::kNull:
      insert.BindNull(to);
      break;
    case ColumnType::kInteger:
      insert.Bind(to, row.ColumnInt(column));
      break;
    default:
      insert.Bind(to, row.ColumnText(column));
      break;
  }
}

// Copies into `log` (inside its write transaction) every audit event of `clinical` with an id
// above the log's newest, with its per-player rows; returns how many events. Reads `clinical` in
// one read transaction and streams row by row, so a long history needs no memory.
absl::StatusOr<int64_t> CopyAuditEventsFrom(Database& clinical, Transaction& log) {
  const int64_t newest = QueryInt(log, "SELECT coalesce(max(id), 0) FROM audit_events");
  int64_t copied = 0;
  const absl::Status read = clinical.Read([&](Transaction& conn) -> absl::Status {
    Statement events = conn.Prepare("SELECT id, occurred_at, user_name, role, method, squad_id, outcome, "
                             "packed_player_ids FROM audit_events WHERE id > ? ORDER BY id");
    events.Bind(1, newest);
    Statement insert_event = log.Prepare("INSERT INTO audit_events (id, occurred_at, user_name, role, method, squad_id, outcome, "
        "packed_player_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    while (events.Step()) {
      for (int c = 0; c < 8; ++c) BindColumn(insert_event, c + 1, events, c);
      insert_event.Execute();
      insert_event.Reset();
      ++copied;
    }
    Statement players = conn.Prepare("SELECT event_id, player_id FROM audit_event_players "
                              "WHERE event_id > ? ORDER BY event_id, player_id");
    players.Bind(1, newest);
    Statement insert_player = log.Prepare("INSERT INTO audit_event_players (event_id, player_id) VALUES (?, ?)");
    while (players.Step()) {
      insert_player.Bind(1, players.ColumnInt(0));
      insert_player.Bind(2, players.ColumnInt(1));
      insert_player.Execute();
      insert_player.Reset();
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  return copied;
}

// The log's owner must be `store_id`; a new log (no owner yet) is given it.
absl::Status ClaimOrCheckOwner(Transaction& log, const std::string& log_path,
                               const Database& clinical, const std::string& store_id,
                               absl::Time now) {
  Statement owner = log.Prepare("SELECT store_id FROM audit_log_owner WHERE only_row = 1");
  if (owner.Step()) {
    const std::string owner_id = owner.ColumnText(0);
    if (owner_id == store_id) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to open ", log_path, ": it is the audit log of another Touchline database (store ",
        owner_id, "), not of ", clinical.path(), " (store ", store_id,
        "); restore the audit log taken with this database"));
  }
  Statement claim = log.Prepare("INSERT INTO audit_log_owner (only_row, store_id, created_at) VALUES (1, ?, ?)");
  claim.Bind(1, store_id);
  claim.Bind(2, static_cast<int64_t>(absl::ToUnixMicros(now)));
  claim.Execute();
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
  // (PostgreSQL: the audit log's schema; Database::Open refuses a missing one below.)
  if (moved && options.postgres.empty() && !std::filesystem::exists(options.path, ignored)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to start: the audit log of ", clinical.path(), " is missing (expected at ",
        options.path, "; it has held the audit log since ",
        absl::FormatTime(*identity.audit_log_moved_at), "). Restore it from the same backup as ",
        "the database (touchline-backup copies both), or name where it is with --audit_db"));
  }
  options.create_if_missing = !moved;
  absl::StatusOr<std::unique_ptr<Database>> log = Database::Open(options);
  if (!log.ok()) return log.status();
  const absl::Status claimed = (*log)->Write([&](Transaction& conn) -> absl::Status {
    const absl::Status owner = ClaimOrCheckOwner(conn, (*log)->path(), clinical,
                                                 identity.store_id, now);
    if (!owner.ok() || moved) return owner;
    return CopyAuditEventsFrom(clinical, conn).status();
  });
  if (!claimed.ok()) return claimed;
  if (!moved) {
    // Only after the copy is committed: a crash before this line copies again (nothing new) on the
    // next start; after it, the database's own audit tables take no more events (v9 triggers).
    const absl::Status recorded = clinical.Write([&](Transaction& conn) -> absl::Status {
      Statement record = conn.Prepare("UPDATE store_identity SET audit_log_moved_at = ? "
                               "WHERE only_row = 1 AND audit_log_moved_at IS NULL");
      record.Bind(1, static_cast<int64_t>(absl::ToUnixMicros(now)));
      record.Execute();
      return absl::OkStatus();
    });
    if (!recorded.ok()) return recorded;
  }
  return log;
}

absl::StatusOr<int64_t> AppendAuditEvent(Transaction& db, const AuditRecord& record) {
  const bool packed = record.player_ids.size() > kMaxPlayerRowsPerAuditEvent;
  // records_sent is named only when set: the audit tables of a database before v9 (which tests
  // build as older servers left them) have no such column.
  Statement insert = db.PrepareCached(
      record.records_sent
              ? "INSERT INTO audit_events (occurred_at, user_name, role, method, squad_id, "
                "outcome, packed_player_ids, records_sent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
              : "INSERT INTO audit_events (occurred_at, user_name, role, method, squad_id, "
                "outcome, packed_player_ids) VALUES (?, ?, ?, ?, ?, ?, ?)");
  insert.Bind(1, static_cast<int64_t>(absl::ToUnixMicros(record.occurred_at)));
  insert.Bind(2, record.user);
  insert.Bind(3, record.role);
  insert.Bind(4, record.method);
  if (record.squad_id != 0) {
    insert.Bind(5, record.squad_id);
  } else {
    insert.BindNull(5);
  }
  insert.Bind(6, record.outcome);
  if (packed) {
    insert.Bind(7, absl::StrCat("[", absl::StrJoin(record.player_ids, ","), "]"));
  } else {
    insert.BindNull(7);
  }
  if (record.records_sent) insert.Bind(8, *record.records_sent);
  insert.Execute();
  const int64_t id = db.LastInsertId();
  if (packed || record.player_ids.empty()) return id;
  Statement player = db.Prepare("INSERT INTO audit_event_players (event_id, player_id) "
                                "VALUES (?, ?) ON CONFLICT DO NOTHING");
  for (int64_t p : record.player_ids) {
    player.Bind(1, id);
    player.Bind(2, p);
    player.Execute();
    player.Reset();
  }
  return id;
}

std::vector<AuditRecord> ListAuditEvents(Transaction& db, const AuditFilter& filter,
                                         int64_t before_id, int limit) {
  // Every value is bound; the text only ever contains fixed clauses. Parameters are bare `?`, bound
  // in the order the clauses add them: PostgreSQL must be able to type every parameter it is sent,
  // so none may be left out of the text (as numbered ones of the filters not given would be).
  std::string sql =
      "SELECT id, occurred_at, user_name, role, method, squad_id, outcome, packed_player_ids, "
      "records_sent FROM audit_events e WHERE 1 = 1";
  struct Value {
    int64_t number = 0;
    std::string text;
    bool is_text = false;
  };
  std::vector<Value> values;
  if (before_id > 0) {
    sql += " AND id < ?";
    values.push_back({.number = before_id});
  }
  if (filter.player_id != 0) {
    // Rows per player through their index; packed lists (events naming many players) by reading
    // the list, newest first, until a page is full. The list's values are cast: text on
    // PostgreSQL (json_array_elements_text), integers on SQLite.
    sql += " AND (EXISTS (SELECT 1 FROM audit_event_players p WHERE p.event_id = e.id AND "
           "p.player_id = ?) OR (e.packed_player_ids IS NOT NULL AND EXISTS (SELECT 1 FROM "
           "json_each(e.packed_player_ids) j WHERE CAST(j.value AS BIGINT) = ?)))";
    values.push_back({.number = filter.player_id});
    values.push_back({.number = filter.player_id});
  }
  if (!filter.user.empty()) {
    sql += " AND user_name = ?";
    values.push_back({.text = filter.user, .is_text = true});
  }
  if (!filter.method.empty()) {
    sql += " AND method = ?";
    values.push_back({.text = filter.method, .is_text = true});
  }
  if (!filter.outcome.empty()) {
    sql += " AND outcome = ?";
    values.push_back({.text = filter.outcome, .is_text = true});
  }
  if (filter.start) {
    sql += " AND occurred_at >= ?";
    values.push_back({.number = absl::ToUnixMicros(*filter.start)});
  }
  if (filter.end) {
    sql += " AND occurred_at < ?";
    values.push_back({.number = absl::ToUnixMicros(*filter.end)});
  }
  sql += " ORDER BY id DESC LIMIT ?";
  values.push_back({.number = limit});
  Statement query = db.Prepare(sql);
  for (size_t i = 0; i < values.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (values[i].is_text) {
      query.Bind(index, std::string_view(values[i].text));
    } else {
      query.Bind(index, values[i].number);
    }
  }
  std::vector<AuditRecord> out;
  while (query.Step()) {
    AuditRecord r;
    r.id = query.ColumnInt(0);
    r.occurred_at = absl::FromUnixMicros(query.ColumnInt(1));
    r.user = query.ColumnText(2);
    r.role = query.ColumnInt32(3);
    r.method = query.ColumnText(4);
    r.squad_id = query.IsNull(5) ? 0 : query.ColumnInt(5);
    r.outcome = query.ColumnText(6);
    if (!query.IsNull(8)) r.records_sent = query.ColumnInt(8);
    if (!query.IsNull(7)) {
      const std::string packed = query.ColumnText(7);
      const absl::string_view list = absl::StripPrefix(absl::StripSuffix(packed, "]"), "[");
      for (absl::string_view id : absl::StrSplit(list, ',', absl::SkipEmpty())) {
        int64_t player_id = 0;
        if (absl::SimpleAtoi(id, &player_id)) r.player_ids.push_back(player_id);
      }
    }
    out.push_back(std::move(r));
  }
  Statement players = db.Prepare("SELECT player_id FROM audit_event_players WHERE event_id = ? "
                            "ORDER BY player_id");
  for (AuditRecord& r : out) {
    if (!r.player_ids.empty()) continue;  // packed
    players.Bind(1, r.id);
    while (players.Step()) r.player_ids.push_back(players.ColumnInt(0));
    players.Reset();
  }
  return out;
}

}  // namespace touchline::storage
