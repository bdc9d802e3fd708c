#include "server/storage/listing.h"

#include "absl/strings/str_cat.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {

// "NOT INDEXED ... CROSS JOIN" pins the plan: walk the table by rowid from the position (no sort,
// stops after `limit` matches) and look each player up by key. Left to itself the planner may
// gather every row of the squad through the player index and sort them, once per batch.
std::string ExportSql(absl::string_view columns, absl::string_view table, absl::string_view alias,
                      absl::string_view time_column, const ExportFilter& filter) {
  std::string sql = absl::StrCat("SELECT ", columns, ", p.squad_id FROM ", table, " ", alias,
                                 " NOT INDEXED CROSS JOIN players p ON p.id = ", alias,
                                 ".player_id WHERE ", alias, ".id > ? AND ", alias, ".id <= ?");
  if (filter.squad_id != 0) sql += " AND p.squad_id = ?";
  if (filter.start) absl::StrAppend(&sql, " AND ", alias, ".", time_column, " >= ?");
  if (filter.end) absl::StrAppend(&sql, " AND ", alias, ".", time_column, " < ?");
  absl::StrAppend(&sql, " ORDER BY ", alias, ".id LIMIT ?");
  return sql;
}

void BindExport(Statement& q, const ExportFilter& filter, Id after_id, Id up_to_id,
                int limit) {
  Binder b(q);
  b.Int(after_id).Int(up_to_id);
  if (filter.squad_id != 0) b.Int(filter.squad_id);
  if (filter.start) b.Time(*filter.start);
  if (filter.end) b.Time(*filter.end);
  b.Int(limit);
}

Id LastSquadColumn(const Statement& q) {
  return q.ColumnInt(q.ColumnCount() - 1);
}

}  // namespace touchline::storage
