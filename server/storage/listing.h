// What the record's listings share: page positions, the export filter and rows tagged with their
// player's squad, and the export query every exported table pages by id with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/model.h"
#include "server/storage/transaction.h"

namespace touchline::storage {

using domain::Id;

// Position after which a page starts: rows strictly after (key, id) in the listing's order.
struct PageCursor {
  int64_t key = INT64_MIN;  // the ordering value (e.g. occurred_at micros); unused for id order
  Id id = 0;
};

// Exports page by id, the order rows were first stored: ids never change, and SQLite's single
// writer makes them visible in increasing order, so a position "after id N" neither skips a row
// stored later (whatever its own time) nor repeats one.
struct ExportFilter {
  Id squad_id = 0;                  // the player's current squad; 0 = every squad
  std::optional<absl::Time> start;  // inclusive, on the record's own time
  std::optional<absl::Time> end;    // exclusive
};

template <typename Record>
struct SquadRecord {
  Id squad_id = 0;  // of the record's player, when read
  Record record;
};

// The query of an export page of `table` (alias `alias`, its time column `time_column`) joined to
// its player's squad: `columns` and then p.squad_id, the parameters as BindExport binds them.
std::string ExportSql(absl::string_view columns, absl::string_view table, absl::string_view alias,
                      absl::string_view time_column, const ExportFilter& filter);
void BindExport(Statement& q, const ExportFilter& filter, Id after_id, Id up_to_id, int limit);
// The squad id of the current row of an ExportSql query (its last column).
Id LastSquadColumn(const Statement& q);

}  // namespace touchline::storage
