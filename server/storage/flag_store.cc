#include "server/storage/flag_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
std::vector<FlagStateRow> ListFlagStates(Transaction& db,
                                         const std::vector<domain::Id>& player_ids) {
  Statement q = db.Prepare("SELECT flag_key, player_id, squad_id, kind, complaint_id, flag, "
                      "acknowledged_at, acknowledged_by, ack_note FROM flag_states "
                      "WHERE player_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?)) ORDER BY flag_key");
  q.Bind(1, absl::StrCat("[", absl::StrJoin(player_ids, ","), "]"));
  std::vector<FlagStateRow> rows;
  while (q.Step()) {
    FlagStateRow r;
    r.key = q.ColumnText(0);
    r.player_id = q.ColumnInt(1);
    r.squad_id = q.ColumnInt(2);
    r.kind = q.ColumnInt32(3);
    r.complaint_id = q.ColumnInt(4);
    r.flag = q.ColumnBlob(5);
    if (!q.IsNull(6)) {
      r.ack = FlagAck{absl::FromUnixMicros(q.ColumnInt(6)), q.ColumnText(7),
                      q.ColumnText(8)};
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

void UpsertFlagState(Transaction& db, const FlagStateRow& row) {
  Statement q = db.Prepare(
      "INSERT INTO flag_states (flag_key, player_id, squad_id, kind, complaint_id, flag, "
      "acknowledged_at, acknowledged_by, ack_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (flag_key) DO UPDATE SET player_id = excluded.player_id, "
      "squad_id = excluded.squad_id, kind = excluded.kind, complaint_id = excluded.complaint_id, "
      "flag = excluded.flag, acknowledged_at = excluded.acknowledged_at, "
      "acknowledged_by = excluded.acknowledged_by, ack_note = excluded.ack_note");
  q.Bind(1, row.key);
  q.Bind(2, row.player_id);
  q.Bind(3, row.squad_id);
  q.Bind(4, row.kind);
  q.Bind(5, row.complaint_id);
  q.BindBlob(6, row.flag);
  if (row.ack) {
    q.Bind(7, absl::ToUnixMicros(row.ack->at));
  } else {
    q.BindNull(7);
  }
  q.Bind(8, row.ack ? row.ack->by : std::string());
  q.Bind(9, row.ack ? row.ack->note : std::string());
  q.Execute();
}

void DeleteFlagState(Transaction& db, const std::string& key) {
  Statement q = db.Prepare("DELETE FROM flag_states WHERE flag_key = ?");
  q.Bind(1, key);
  q.Execute();
}

int64_t AppendFlagChange(Transaction& db, const FlagChangeRow& row) {
  // The sequence is the next after the largest, not a generated id: writers are serialised, so
  // it is gap-free on both backends (a PostgreSQL sequence would lose the numbers of a rolled-back
  // write, and a watcher resuming from a sequence must not wait for one that never comes).
  const int64_t sequence = LastFlagSequence(db) + 1;
  Statement q = db.PrepareCached(
      "INSERT INTO flag_changes (sequence, squad_id, player_id, change_type, flag_key, "
      "detected_at, flag) VALUES (?, ?, ?, ?, ?, ?, ?)");
  q.Bind(1, sequence);
  q.Bind(2, row.squad_id);
  q.Bind(3, row.player_id);
  q.Bind(4, row.change_type);
  q.Bind(5, row.key);
  q.Bind(6, absl::ToUnixMicros(row.detected_at));
  q.BindBlob(7, row.flag);
  q.Execute();
  return sequence;
}

std::vector<FlagChangeRow> ListFlagChanges(Transaction& db, domain::Id squad_id,
                                           int64_t after_sequence, int limit) {
  Statement q = db.Prepare(squad_id == 0
                          ? "SELECT sequence, squad_id, player_id, change_type, flag_key, "
                            "detected_at, flag FROM flag_changes WHERE sequence > ?1 "
                            "ORDER BY sequence LIMIT ?2"
                          : "SELECT sequence, squad_id, player_id, change_type, flag_key, "
                            "detected_at, flag FROM flag_changes WHERE sequence > ?1 AND "
                            "squad_id = ?3 ORDER BY sequence LIMIT ?2");
  q.Bind(1, after_sequence);
  q.Bind(2, limit);
  if (squad_id != 0) q.Bind(3, squad_id);
  std::vector<FlagChangeRow> rows;
  while (q.Step()) {
    FlagChangeRow r;
    r.sequence = q.ColumnInt(0);
    r.squad_id = q.ColumnInt(1);
    r.player_id = q.ColumnInt(2);
    r.change_type = q.ColumnInt32(3);
    r.key = q.ColumnText(4);
    r.detected_at = absl::FromUnixMicros(q.ColumnInt(5));
    r.flag = q.ColumnBlob(6);
    rows.push_back(std::move(r));
  }
  return rows;
}

int64_t LastFlagSequence(Transaction& db) {
  // flag_changes is append-only (its triggers refuse DELETE), so the largest sequence is the
  // high-water mark on both backends.
  Statement q = db.PrepareCached("SELECT coalesce(max(sequence), 0) FROM flag_changes");
  return q.Step() ? q.ColumnInt(0) : 0;
}

}  // namespace touchline::storage
