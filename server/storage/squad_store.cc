#include "server/storage/squad_store.h"

#include "absl/strings/str_cat.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
namespace {

using domain::Squad;

constexpr char kSquadColumns[] = "id, name, created_at, updated_at";

Squad ReadSquad(const Statement& q) {
  Row r(q);
  Squad s;
  s.id = r.Int();
  s.name = r.Text();
  s.created_at = r.Time();
  s.updated_at = r.Time();
  return s;
}

}  // namespace

absl::StatusOr<Squad> InsertSquad(Transaction& db, const Squad& squad) {
  RefusableStep refusable(db);
  try {
    Statement q = db.Prepare("INSERT INTO squads (name, created_at, updated_at) VALUES (?, ?, ?)");
    Binder(q).Text(squad.name).Time(squad.created_at).Time(squad.updated_at);
    q.Execute();
  } catch (const StoreError& e) {
    if (e.IsUniqueViolation()) {
      return absl::AlreadyExistsError(
          absl::StrCat("a squad named \"", squad.name, "\" already exists"));
    }
    return StatusFromStoreError(e);
  }
  Squad out = squad;
  out.id = db.LastInsertId();
  return out;
}

absl::StatusOr<Squad> FindSquad(Transaction& db, Id id) {
  Statement q = db.PrepareCached(absl::StrCat("SELECT ", kSquadColumns, " FROM squads WHERE id = ?"));
  q.Bind(1, id);
  if (!q.Step()) return NotFound("squad", id);
  return ReadSquad(q);
}

std::vector<Squad> ListSquads(Transaction& db, Id after_id, int limit) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kSquadColumns, " FROM squads WHERE id > ? ORDER BY id LIMIT ?"));
  Binder(q).Int(after_id).Int(limit);
  std::vector<Squad> out;
  while (q.Step()) out.push_back(ReadSquad(q));
  return out;
}

absl::Status UpdateSquad(Transaction& db, const Squad& squad) {
  RefusableStep refusable(db);
  try {
    Statement q = db.Prepare("UPDATE squads SET name = ?, updated_at = ? WHERE id = ?");
    Binder(q).Text(squad.name).Time(squad.updated_at).Int(squad.id);
    if (q.Execute() == 0) return NotFound("squad", squad.id);
  } catch (const StoreError& e) {
    if (e.IsUniqueViolation()) {
      return absl::AlreadyExistsError(
          absl::StrCat("a squad named \"", squad.name, "\" already exists"));
    }
    return StatusFromStoreError(e);
  }
  return absl::OkStatus();
}

}  // namespace touchline::storage
