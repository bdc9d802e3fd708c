// Which player's record a changed row belongs to, so caches of derived answers (the readiness
// board) recompute only the players a write touched. Every table of the clinical schema is named
// here; a table that is not (a later migration's, until it is added) counts as changing every
// player's record: a missed name costs recomputation, never a stale answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace touchline::storage {

enum class RowOwner {
  // The row belongs to one player: `player_of_row_sql` finds them from the row's rowid.
  kPlayer,
  // The row changes the roster or something every player's answer may read (squads, players,
  // sessions): treated as a change to every player.
  kEveryPlayer,
  // Not part of any player's record (tokens, audit, the store's identity).
  kNone,
  // A WITHOUT ROWID table, which SQLite's update hook does not report. Allowed only for tables
  // that no cached answer reads, or that are only ever written beside a row of a reported table
  // of the same owner (each says which in record_changes.cc).
  kUnreported,
};

struct TableOwnership {
  std::string_view table;
  RowOwner owner;
  // For kPlayer: one parameter (the rowid), one row and column (the player id) when the row exists.
  const char* player_of_row_sql = nullptr;
};

// The rule for a table of the clinical schema; nullopt for a table this build does not name.
std::optional<TableOwnership> OwnershipOfTable(std::string_view table);

// Every rule (for the test that every table of the schema is named).
const std::vector<TableOwnership>& AllTableOwnership();

}  // namespace touchline::storage
