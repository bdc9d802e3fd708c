#include "server/storage/amendment_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/storage/id_lists.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
namespace {
using domain::Amendment;
}  // namespace

absl::StatusOr<Amendment> AppendAmendment(Transaction& db, const Amendment& amendment) {
  // A savepoint makes the amendment and its changes one unit even if the caller carries on.
  Amendment out = amendment;
  RefusableStep refusable(db);
  try {
    InSavepoint(db, "append_amendment", [&] {
      Statement q = db.Prepare("INSERT INTO amendments (complaint_id, action, amended_by, amended_at, "
                          "reason) VALUES (?, ?, ?, ?, ?)");
      Binder(q)
          .Int(amendment.complaint_id)
          .Int(static_cast<int>(amendment.action))
          .Text(amendment.amended_by)
          .Time(amendment.amended_at)
          .Text(amendment.reason);
      q.Execute();
      out.id = db.LastInsertId();
      if (!amendment.changes.empty()) {
        Statement change = db.Prepare("INSERT INTO amendment_changes (amendment_id, seq, field, "
                                 "old_value, new_value) VALUES (?, ?, ?, ?, ?)");
        for (size_t i = 0; i < amendment.changes.size(); ++i) {
          const domain::FieldChange& c = amendment.changes[i];
          change.Reset();
          Binder(change)
              .Int(out.id)
              .Int(static_cast<int64_t>(i))
              .Text(c.field)
              .Text(c.old_value)
              .Text(c.new_value);
          change.Execute();
        }
      }
    });
  } catch (const StoreError& e) {
    if (e.IsForeignKeyViolation()) return NotFound("complaint", amendment.complaint_id);
    return StatusFromStoreError(e);
  }
  return out;
}

std::vector<Amendment> ListAmendments(Transaction& db, Id complaint_id, Id after_id,
                                      int limit) {
  Statement q = db.Prepare("SELECT a.id, a.complaint_id, a.action, a.amended_by, a.amended_at, "
                      "a.reason, ch.field, ch.old_value, ch.new_value "
                      "FROM (SELECT * FROM amendments WHERE complaint_id = ? AND id > ? "
                      "      ORDER BY id LIMIT ?) a "
                      "LEFT JOIN amendment_changes ch ON ch.amendment_id = a.id "
                      "ORDER BY a.id, ch.seq");
  Binder(q).Int(complaint_id).Int(after_id).Int(limit);
  std::vector<Amendment> out;
  while (q.Step()) {
    Row r(q);
    const Id id = r.Int();
    if (out.empty() || out.back().id != id) {
      Amendment a;
      a.id = id;
      a.complaint_id = r.Int();
      a.action = static_cast<domain::AmendmentAction>(r.Int32());
      a.amended_by = r.Text();
      a.amended_at = r.Time();
      a.reason = r.Text();
      out.push_back(std::move(a));
    }
    if (!q.IsNull(6)) {
      domain::FieldChange change;
      change.field = q.ColumnText(6);
      change.old_value = q.ColumnText(7);
      change.new_value = q.ColumnText(8);
      out.back().changes.push_back(std::move(change));
    }
  }
  return out;
}


std::vector<std::pair<Id, int64_t>> CountAmendments(Transaction& db,
                                                    const std::vector<Id>& complaint_ids) {
  std::vector<std::pair<Id, int64_t>> out;
  if (complaint_ids.empty()) return out;
  Statement q = db.Prepare("SELECT complaint_id, count(*) FROM amendments WHERE complaint_id IN "
                      "(SELECT CAST(value AS BIGINT) FROM json_each(?)) GROUP BY complaint_id ORDER BY complaint_id");
  q.Bind(1, IdsJson(complaint_ids));
  while (q.Step()) out.emplace_back(q.ColumnInt(0), q.ColumnInt(1));
  return out;
}

}  // namespace touchline::storage
