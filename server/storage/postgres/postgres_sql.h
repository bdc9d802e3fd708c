// The statement text of the stores (storage/transaction.h: SQLite's dialect, kept portable) as
// PostgreSQL takes it. The stores write one SQL for both backends; what differs is rewritten here,
// in one place, and nothing else:
//   - parameters: `?N` becomes `$N`; a bare `?` takes the next number after the largest so far
//     (SQLite's rule), so `a = ? AND b = ?3 AND c = ?` numbers $1, $3, $4;
//   - SQLite's planner hints, which PostgreSQL's own planner does not need: `NOT INDEXED` and
//     `INDEXED BY name` are dropped and `CROSS JOIN` (SQLite: "join in this order") becomes
//     `JOIN`. Rows come in no promised order without ORDER BY, as SQL says: a store that relied
//     on SQLite's index order sorts them itself;
//   - `json_each(x)` (a JSON array as a table of `value`) becomes
//     `json_array_elements_text(CAST(x AS json))`, whose column is also `value`, as text: a store
//     that compares it with a number casts it (`CAST(value AS BIGINT)`, the same on both).
// String literals, quoted identifiers and comments are left as they are.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace touchline::storage {

struct PostgresSql {
  std::string text;
  int parameter_count = 0;  // the largest parameter number
  // Per parameter (from 1, index 0 unused): whether the text names it. A statement may leave
  // numbers out (a clause not wanted this time); PostgreSQL cannot infer their types.
  std::vector<bool> used;
};

PostgresSql PostgresSqlFromPortable(std::string_view sql);

}  // namespace touchline::storage
