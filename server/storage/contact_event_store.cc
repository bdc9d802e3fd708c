#include "server/storage/contact_event_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/storage/id_lists.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
namespace {

using domain::ContactEvent;

constexpr char kEventColumns[] =
    "e.id, e.player_id, e.kind, e.occurred_at, e.session_label, e.awkward, e.source, e.note, "
    "e.idempotency_key, e.recorded_at, e.recorded_by";

ContactEvent ReadEvent(const Statement& q) {
  Row r(q);
  ContactEvent e;
  e.id = r.Int();
  e.player_id = r.Int();
  e.kind = static_cast<domain::ContactKind>(r.Int32());
  e.occurred_at = r.Time();
  e.session_label = r.Text();
  e.awkward = r.Bool();
  e.source = static_cast<domain::ContactSource>(r.Int32());
  e.note = r.Text();
  e.idempotency_key = r.Text();
  e.recorded_at = r.Time();
  e.recorded_by = r.Text();
  return e;
}

}  // namespace

ContactEventInserter::ContactEventInserter(Transaction& db)
    : db_(db),
      insert_(db.Prepare(
              "INSERT INTO contact_events (player_id, kind, occurred_at, session_label, awkward, "
              "source, note, idempotency_key, recorded_at, recorded_by) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (idempotency_key) DO NOTHING")) {}

std::optional<Id> ContactEventInserter::InsertIfNew(const ContactEvent& event) {
  // The hot path of bulk import. Text is bound without copying (the event outlives the step).
  // No RETURNING clause: SQLite implements it like a trigger, which makes every INSERT keep a
  // statement journal (a copy of each page it touches), about three times slower. Instead,
  // the rows changed tell whether DO NOTHING kicked in, and LastInsertId gives the new id.
  insert_.Reset();  // clears a previous failure, if any, without throwing it again
  insert_.Bind(1, static_cast<int64_t>(event.player_id));
  insert_.Bind(2, static_cast<int32_t>(event.kind));
  insert_.Bind(3, static_cast<int64_t>(absl::ToUnixMicros(event.occurred_at)));
  insert_.BindNoCopy(4, event.session_label);
  insert_.Bind(5, static_cast<int32_t>(event.awkward ? 1 : 0));
  insert_.Bind(6, static_cast<int32_t>(event.source));
  insert_.BindNoCopy(7, event.note);
  if (event.idempotency_key.empty()) {
    insert_.BindNull(8);  // NULL: never deduplicated
  } else {
    insert_.BindNoCopy(8, event.idempotency_key);
  }
  insert_.Bind(9, static_cast<int64_t>(absl::ToUnixMicros(event.recorded_at)));
  insert_.BindNoCopy(10, event.recorded_by);
  const int64_t changes = insert_.Execute();
  insert_.Reset();  // finish the statement so it holds nothing open between calls
  if (changes == 0) return std::nullopt;
  return db_.LastInsertId();
}

std::optional<ContactEvent> FindContactEventByKey(Transaction& db,
                                                  const std::string& idempotency_key) {
  if (idempotency_key.empty()) return std::nullopt;
  // Prepared once per connection: an import reads every event whose key is already taken.
  Statement q = db.PrepareCached(absl::StrCat("SELECT ", kEventColumns,
                                            " FROM contact_events e WHERE e.idempotency_key = ?"));
  q.Bind(1, idempotency_key);
  if (!q.Step()) return std::nullopt;
  return ReadEvent(q);
}

absl::StatusOr<ContactEvent> FindContactEvent(Transaction& db, Id id) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kEventColumns, " FROM contact_events e WHERE e.id = ?"));
  q.Bind(1, id);
  if (!q.Step()) return NotFound("contact event", id);
  return ReadEvent(q);
}

std::vector<ContactEvent> ListContactEvents(Transaction& db, const ContactEventFilter& filter,
                                            PageCursor after, int limit) {
  std::string sql = absl::StrCat("SELECT ", kEventColumns, " FROM contact_events e");
  if (filter.squad_id != 0) sql += " JOIN players p ON p.id = e.player_id";
  sql += " WHERE (e.occurred_at, e.id) > (?, ?)";
  if (filter.player_id != 0) sql += " AND e.player_id = ?";
  if (filter.squad_id != 0) sql += " AND p.squad_id = ?";
  if (filter.start) sql += " AND e.occurred_at >= ?";
  if (filter.end) sql += " AND e.occurred_at < ?";
  if (!filter.kinds.empty()) {
    sql += " AND e.kind IN (?";
    for (size_t i = 1; i < filter.kinds.size(); ++i) sql += ", ?";
    sql += ")";
  }
  if (filter.awkward_only) sql += " AND e.awkward = 1";
  sql += " ORDER BY e.occurred_at, e.id LIMIT ?";

  Statement q = db.Prepare(sql);
  Binder b(q);
  b.Int(after.key).Int(after.id);
  if (filter.player_id != 0) b.Int(filter.player_id);
  if (filter.squad_id != 0) b.Int(filter.squad_id);
  if (filter.start) b.Time(*filter.start);
  if (filter.end) b.Time(*filter.end);
  for (domain::ContactKind kind : filter.kinds) b.Int(static_cast<int>(kind));
  b.Int(limit);
  std::vector<ContactEvent> out;
  while (q.Step()) out.push_back(ReadEvent(q));
  return out;
}

std::vector<ContactEvent> ListContactEventsOfPlayers(Transaction& db,
                                                     const std::vector<Id>& player_ids,
                                                     absl::Time start, absl::Time end,
                                                     bool awkward_only) {
  std::vector<ContactEvent> out;
  if (player_ids.empty()) return out;
  std::string sql = absl::StrCat(
      "SELECT ", kEventColumns,
      " FROM contact_events e WHERE e.player_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?))"
      " AND e.occurred_at >= ? AND e.occurred_at < ?");
  if (awkward_only) sql += " AND e.awkward = 1";
  sql += " ORDER BY e.occurred_at, e.id";
  Statement q = db.Prepare(sql);
  Binder(q).Text(IdsJson(player_ids)).Time(start).Time(end);
  while (q.Step()) out.push_back(ReadEvent(q));
  return out;
}

std::vector<ContactEvent> ListPelvicOriginCandidates(Transaction& db,
                                                    const std::vector<Id>& player_ids,
                                                    absl::Time as_of, absl::Duration window) {
  std::vector<ContactEvent> out;
  if (player_ids.empty()) return out;
  // Only the window before each complaint open at as_of is read, through the partial index of
  // awkward events, so the cost follows open complaints, not years of contact history. CROSS JOIN
  // fixes the loop order: without statistics SQLite chose to walk every awkward event of each
  // player and look for a complaint around it, which reads more pages every season (a 1M-event
  // database: 83 pages a board instead of 41).
  static const std::string kSql = absl::StrCat(
      "SELECT ", kEventColumns, " FROM ", kIdsTable,
      " CROSS JOIN complaints c ON c.player_id = ids.list_id"
      " CROSS JOIN contact_events e INDEXED BY contact_events_awkward"
      " ON e.player_id = c.player_id AND e.awkward = 1"
      " AND e.occurred_at >= c.onset_at - ? AND e.occurred_at <= c.onset_at"
      " WHERE c.onset_at <= ? AND (c.resolved_at IS NULL OR c.resolved_at > ?)");
  Statement q = db.PrepareCached(kSql);
  Binder(q).Text(IdsJson(player_ids)).Int(absl::ToInt64Microseconds(window)).Time(as_of).Time(as_of);
  while (q.Step()) out.push_back(ReadEvent(q));
  // An event within the window of two open complaints comes once.
  std::sort(out.begin(), out.end(), [](const ContactEvent& a, const ContactEvent& b) {
    return a.occurred_at != b.occurred_at ? a.occurred_at < b.occurred_at : a.id < b.id;
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const ContactEvent& a, const ContactEvent& b) { return a.id == b.id; }),
            out.end());
  return out;
}

int64_t CountContactEvents(Transaction& db) {
  return QueryInt(db, "SELECT count(*) FROM contact_events");
}


std::vector<SquadRecord<ContactEvent>> ListContactEventsForExport(Transaction& db,
                                                                  const ExportFilter& filter,
                                                                  Id after_id, Id up_to_id,
                                                                  int limit) {
  Statement q = db.Prepare(ExportSql(kEventColumns, "contact_events", "e", "occurred_at", filter));
  BindExport(q, filter, after_id, up_to_id, limit);
  std::vector<SquadRecord<ContactEvent>> out;
  while (q.Step()) out.push_back({LastSquadColumn(q), ReadEvent(q)});
  return out;
}

Id LastContactEventId(Transaction& db) {
  return QueryInt(db, "SELECT coalesce(max(id), 0) FROM contact_events");
}

}  // namespace touchline::storage
