// Lists of ids bound as one parameter: one prepared statement whatever the number of ids, no
// per-id query and no dynamic SQL.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/model.h"

namespace touchline::storage {

// The ids as a JSON array, the parameter of kIdsTable.
inline std::string IdsJson(const std::vector<domain::Id>& ids) {
  return absl::StrCat("[", absl::StrJoin(ids, ","), "]");
}

// The ids of one IdsJson parameter as a table `ids (list_id)`, to be joined first:
// `FROM <kIdsTable> CROSS JOIN t ON t.player_id = ids.list_id`. SQLite walks the list and searches
// t's index for each id. The form `x IN (SELECT ... FROM json_each(?))` built a temporary B-tree
// of the list on every run (its pages zeroed) and usually sorted the rows as well: 2.5x the cost
// of reading one player's rows (issue 24). Rows come in list order, then index order: callers
// that need another order sort in C++ (a handful of rows).
// The CAST: PostgreSQL's json_each (storage/postgres/postgres_sql.h) gives the ids as text.
inline constexpr char kIdsTable[] = "(SELECT CAST(value AS BIGINT) AS list_id FROM json_each(?)) ids";

}  // namespace touchline::storage
