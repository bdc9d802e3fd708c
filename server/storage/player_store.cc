#include "server/storage/player_store.h"

#include "absl/strings/str_cat.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
namespace {

using domain::Player;

constexpr char kPlayerColumns[] =
    "p.id, p.squad_id, p.name, p.position_group, p.position_name, p.external_id, p.archived_at, "
    "p.created_at, p.updated_at";

Player ReadPlayer(const Statement& q) {
  Row r(q);
  Player p;
  p.id = r.Int();
  p.squad_id = r.Int();
  p.name = r.Text();
  p.position_group = static_cast<domain::PositionGroup>(r.Int32());
  p.position_name = r.Text();
  p.external_id = r.Text();
  p.archived_at = r.OptTime();
  p.created_at = r.Time();
  p.updated_at = r.Time();
  return p;
}

}  // namespace

absl::StatusOr<Player> InsertPlayer(Transaction& db, const Player& player) {
  RefusableStep refusable(db);
  try {
    Statement q = db.Prepare("INSERT INTO players (squad_id, name, position_group, position_name, "
                        "external_id, archived_at, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    Binder(q)
        .Int(player.squad_id)
        .Text(player.name)
        .Int(static_cast<int>(player.position_group))
        .Text(player.position_name)
        .TextOrNull(player.external_id)
        .OptTime(player.archived_at)
        .Time(player.created_at)
        .Time(player.updated_at);
    q.Execute();
  } catch (const StoreError& e) {
    if (e.IsUniqueViolation()) {
      return absl::AlreadyExistsError(absl::StrCat("a player with external id \"",
                                                   player.external_id, "\" already exists"));
    }
    if (e.IsForeignKeyViolation()) return NotFound("squad", player.squad_id);
    return StatusFromStoreError(e);
  }
  Player out = player;
  out.id = db.LastInsertId();
  return out;
}

absl::StatusOr<Player> FindPlayer(Transaction& db, Id id) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kPlayerColumns, " FROM players p WHERE id = ?"));
  q.Bind(1, id);
  if (!q.Step()) return NotFound("player", id);
  return ReadPlayer(q);
}

std::vector<Player> ListPlayers(Transaction& db, Id squad_id, bool include_archived,
                                Id after_id, int limit) {
  std::string sql = absl::StrCat("SELECT ", kPlayerColumns, " FROM players p WHERE p.id > ?");
  if (squad_id != 0) sql += " AND p.squad_id = ?";
  if (!include_archived) sql += " AND p.archived_at IS NULL";
  sql += " ORDER BY p.id LIMIT ?";
  Statement q = db.PrepareCached(sql);
  Binder b(q);
  b.Int(after_id);
  if (squad_id != 0) b.Int(squad_id);
  b.Int(limit);
  std::vector<Player> out;
  while (q.Step()) out.push_back(ReadPlayer(q));
  return out;
}

absl::Status UpdatePlayer(Transaction& db, const Player& player) {
  RefusableStep refusable(db);
  try {
    Statement q = db.Prepare("UPDATE players SET name = ?, position_group = ?, position_name = ?, "
                        "external_id = ?, archived_at = ?, updated_at = ? WHERE id = ?");
    Binder(q)
        .Text(player.name)
        .Int(static_cast<int>(player.position_group))
        .Text(player.position_name)
        .TextOrNull(player.external_id)
        .OptTime(player.archived_at)
        .Time(player.updated_at)
        .Int(player.id);
    if (q.Execute() == 0) return NotFound("player", player.id);
  } catch (const StoreError& e) {
    if (e.IsUniqueViolation()) {
      return absl::AlreadyExistsError(absl::StrCat("a player with external id \"",
                                                   player.external_id, "\" already exists"));
    }
    return StatusFromStoreError(e);
  }
  return absl::OkStatus();
}

}  // namespace touchline::storage
