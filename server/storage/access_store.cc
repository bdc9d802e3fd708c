#include "server/storage/access_store.h"

#include "server/storage/database.h"

#include "SQLiteCpp/Statement.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace touchline::storage {

absl::Status InsertToken(SQLite::Database& db, const std::string& sha256_hex,
                         const std::string& user, int role, absl::Time now) {
  SQLite::Statement insert(db,
                           "INSERT INTO access_tokens (token_sha256, user_name, role, created_at) "
                           "VALUES (?, ?, ?, ?)");
  insert.bind(1, sha256_hex);
  insert.bind(2, user);
  insert.bind(3, role);
  insert.bind(4, static_cast<int64_t>(absl::ToUnixMicros(now)));
  insert.exec();
  return absl::OkStatus();
}

std::optional<TokenRecord> FindActiveToken(SQLite::Database& db, const std::string& sha256_hex) {
  CachedStatement query(db,
                        "SELECT user_name, role FROM access_tokens "
                        "WHERE token_sha256 = ? AND revoked_at IS NULL");
  query->bind(1, sha256_hex);
  if (!query->executeStep()) return std::nullopt;
  return TokenRecord{query->getColumn(0).getString(), query->getColumn(1).getInt()};
}

int64_t CountActiveTokens(SQLite::Database& db) {
  return db.execAndGet("SELECT COUNT(*) FROM access_tokens WHERE revoked_at IS NULL").getInt64();
}

int RevokeTokensOfUser(SQLite::Database& db, const std::string& user, absl::Time now) {
  SQLite::Statement update(db,
                           "UPDATE access_tokens SET revoked_at = ? "
                           "WHERE user_name = ? AND revoked_at IS NULL");
  update.bind(1, static_cast<int64_t>(absl::ToUnixMicros(now)));
  update.bind(2, user);
  return update.exec();
}

absl::StatusOr<int64_t> AppendAuditEvent(SQLite::Database& db, const AuditRecord& record) {
  const bool packed = record.player_ids.size() > kMaxPlayerRowsPerAuditEvent;
  CachedStatement cached_insert(db,
                               "INSERT INTO audit_events (occurred_at, user_name, role, method, "
                               "squad_id, outcome, packed_player_ids) VALUES (?, ?, ?, ?, ?, ?, ?)");
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
      "SELECT id, occurred_at, user_name, role, method, squad_id, outcome, packed_player_ids "
      "FROM audit_events e WHERE 1";
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
