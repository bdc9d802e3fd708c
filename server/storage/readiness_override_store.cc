#include "server/storage/readiness_override_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/storage/id_lists.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
namespace {

using domain::ReadinessOverride;

constexpr char kOverrideColumns[] =
    "id, player_id, availability, reason, starts_at, expires_at, set_by, created_at, cleared_at, "
    "cleared_by";

ReadinessOverride ReadOverride(const Statement& q) {
  Row r(q);
  ReadinessOverride o;
  o.id = r.Int();
  o.player_id = r.Int();
  o.availability = static_cast<domain::Availability>(r.Int32());
  o.reason = r.Text();
  o.starts_at = r.Time();
  o.expires_at = r.Time();
  o.set_by = r.Text();
  o.created_at = r.Time();
  o.cleared_at = r.OptTime();
  o.cleared_by = r.Text();
  return o;
}

}  // namespace

absl::StatusOr<ReadinessOverride> InsertOverride(Transaction& db, const ReadinessOverride& o) {
  RefusableStep refusable(db);
  try {
    Statement q = db.Prepare("INSERT INTO readiness_overrides (player_id, availability, reason, "
                        "starts_at, expires_at, set_by, created_at, cleared_at, cleared_by) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Binder(q)
        .Int(o.player_id)
        .Int(static_cast<int>(o.availability))
        .Text(o.reason)
        .Time(o.starts_at)
        .Time(o.expires_at)
        .Text(o.set_by)
        .Time(o.created_at)
        .OptTime(o.cleared_at)
        .Text(o.cleared_by);
    q.Execute();
  } catch (const StoreError& e) {
    if (e.IsForeignKeyViolation()) return NotFound("player", o.player_id);
    return StatusFromStoreError(e);
  }
  ReadinessOverride out = o;
  out.id = db.LastInsertId();
  return out;
}

absl::StatusOr<ReadinessOverride> FindOverride(Transaction& db, Id id) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kOverrideColumns, " FROM readiness_overrides WHERE id = ?"));
  q.Bind(1, id);
  if (!q.Step()) return NotFound("readiness override", id);
  return ReadOverride(q);
}

std::vector<ReadinessOverride> ListOverrides(Transaction& db, Id player_id, Id before_id,
                                             int limit) {
  std::string sql =
      absl::StrCat("SELECT ", kOverrideColumns, " FROM readiness_overrides WHERE player_id = ?");
  if (before_id != 0) sql += " AND id < ?";
  sql += " ORDER BY id DESC LIMIT ?";
  Statement q = db.Prepare(sql);
  Binder b(q);
  b.Int(player_id);
  if (before_id != 0) b.Int(before_id);
  b.Int(limit);
  std::vector<ReadinessOverride> out;
  while (q.Step()) out.push_back(ReadOverride(q));
  return out;
}

std::vector<ReadinessOverride> ListOverridesOfPlayers(Transaction& db,
                                                      const std::vector<Id>& player_ids,
                                                      absl::Time from) {
  std::vector<ReadinessOverride> out;
  if (player_ids.empty()) return out;
  static const std::string kSql = absl::StrCat(
      "SELECT ", kOverrideColumns, " FROM ", kIdsTable,
      " CROSS JOIN readiness_overrides ON player_id = ids.list_id"
      " WHERE expires_at > ? AND (cleared_at IS NULL OR cleared_at >= ?)");
  Statement q = db.PrepareCached(kSql);
  Binder(q).Text(IdsJson(player_ids)).Time(from).Time(from);
  while (q.Step()) out.push_back(ReadOverride(q));
  std::sort(out.begin(), out.end(),
            [](const ReadinessOverride& a, const ReadinessOverride& b) { return a.id < b.id; });
  return out;
}

absl::Status UpdateOverride(Transaction& db, const ReadinessOverride& o) {
  RefusableStep refusable(db);
  try {
    Statement q = db.Prepare("UPDATE readiness_overrides SET cleared_at = ?, cleared_by = ? WHERE id = ?");
    Binder(q).OptTime(o.cleared_at).Text(o.cleared_by).Int(o.id);
    if (q.Execute() == 0) return NotFound("readiness override", o.id);
  } catch (const StoreError& e) {
    return StatusFromStoreError(e);
  }
  return absl::OkStatus();
}

}  // namespace touchline::storage
