#include "server/storage/flag_store.h"

#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace touchline::storage {
namespace {

void BindBlob(SQLite::Statement& q, int index, const std::string& bytes) {
  q.bind(index, bytes.data(), static_cast<int>(bytes.size()));
}

std::string ReadBlob(const SQLite::Column& c) {
  return std::string(static_cast<const char*>(c.getBlob()), static_cast<size_t>(c.getBytes()));
}

}  // namespace

std::vector<FlagStateRow> ListFlagStates(SQLite::Database& db,
                                         const std::vector<domain::Id>& player_ids) {
  SQLite::Statement q(db,
                      "SELECT flag_key, player_id, squad_id, kind, complaint_id, flag, "
                      "acknowledged_at, acknowledged_by, ack_note FROM flag_states "
                      "WHERE player_id IN (SELECT value FROM json_each(?)) ORDER BY flag_key");
  q.bind(1, absl::StrCat("[", absl::StrJoin(player_ids, ","), "]"));
  std::vector<FlagStateRow> rows;
  while (q.executeStep()) {
    FlagStateRow r;
    r.key = q.getColumn(0).getString();
    r.player_id = q.getColumn(1).getInt64();
    r.squad_id = q.getColumn(2).getInt64();
    r.kind = q.getColumn(3).getInt();
    r.complaint_id = q.getColumn(4).getInt64();
    r.flag = ReadBlob(q.getColumn(5));
    if (!q.isColumnNull(6)) {
      r.ack = FlagAck{absl::FromUnixMicros(q.getColumn(6).getInt64()), q.getColumn(7).getString(),
                      q.getColumn(8).getString()};
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

void UpsertFlagState(SQLite::Database& db, const FlagStateRow& row) {
  SQLite::Statement q(db,
                      "INSERT OR REPLACE INTO flag_states (flag_key, player_id, squad_id, kind, "
                      "complaint_id, flag, acknowledged_at, acknowledged_by, ack_note) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, row.key);
  q.bind(2, row.player_id);
  q.bind(3, row.squad_id);
  q.bind(4, row.kind);
  q.bind(5, row.complaint_id);
  BindBlob(q, 6, row.flag);
  if (row.ack) {
    q.bind(7, absl::ToUnixMicros(row.ack->at));
  } else {
    q.bind(7);
  }
  q.bind(8, row.ack ? row.ack->by : std::string());
  q.bind(9, row.ack ? row.ack->note : std::string());
  q.exec();
}

void DeleteFlagState(SQLite::Database& db, const std::string& key) {
  SQLite::Statement q(db, "DELETE FROM flag_states WHERE flag_key = ?");
  q.bind(1, key);
  q.exec();
}

int64_t AppendFlagChange(SQLite::Database& db, const FlagChangeRow& row) {
  SQLite::Statement q(db,
                      "INSERT INTO flag_changes (squad_id, player_id, change_type, flag_key, "
                      "detected_at, flag) VALUES (?, ?, ?, ?, ?, ?)");
  q.bind(1, row.squad_id);
  q.bind(2, row.player_id);
  q.bind(3, row.change_type);
  q.bind(4, row.key);
  q.bind(5, absl::ToUnixMicros(row.detected_at));
  BindBlob(q, 6, row.flag);
  q.exec();
  return db.getLastInsertRowid();
}

std::vector<FlagChangeRow> ListFlagChanges(SQLite::Database& db, domain::Id squad_id,
                                           int64_t after_sequence, int limit) {
  SQLite::Statement q(db,
                      squad_id == 0
                          ? "SELECT sequence, squad_id, player_id, change_type, flag_key, "
                            "detected_at, flag FROM flag_changes WHERE sequence > ?1 "
                            "ORDER BY sequence LIMIT ?2"
                          : "SELECT sequence, squad_id, player_id, change_type, flag_key, "
                            "detected_at, flag FROM flag_changes WHERE sequence > ?1 AND "
                            "squad_id = ?3 ORDER BY sequence LIMIT ?2");
  q.bind(1, after_sequence);
  q.bind(2, limit);
  if (squad_id != 0) q.bind(3, squad_id);
  std::vector<FlagChangeRow> rows;
  while (q.executeStep()) {
    FlagChangeRow r;
    r.sequence = q.getColumn(0).getInt64();
    r.squad_id = q.getColumn(1).getInt64();
    r.player_id = q.getColumn(2).getInt64();
    r.change_type = q.getColumn(3).getInt();
    r.key = q.getColumn(4).getString();
    r.detected_at = absl::FromUnixMicros(q.getColumn(5).getInt64());
    r.flag = ReadBlob(q.getColumn(6));
    rows.push_back(std::move(r));
  }
  return rows;
}

int64_t LastFlagSequence(SQLite::Database& db) {
  // sqlite_sequence keeps the AUTOINCREMENT high-water mark even if rows were ever removed.
  SQLite::Statement q(db, "SELECT seq FROM sqlite_sequence WHERE name = 'flag_changes'");
  return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

}  // namespace touchline::storage
