#include "server/storage/session_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/database.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
namespace {

using domain::Session;
using domain::SessionParticipation;

constexpr char kSessionColumns[] =
    "s.id, s.squad_id, s.kind, s.starts_at, s.duration_minutes, s.title, s.idempotency_key, "
    "s.recorded_at, s.recorded_by";

Session ReadSession(const Statement& q) {
  Session s;
  s.id = q.ColumnInt(0);
  s.squad_id = q.ColumnInt(1);
  s.kind = static_cast<domain::ExposureKind>(q.ColumnInt32(2));
  s.starts_at = TimeColumn(q, 3);
  s.duration_minutes = q.ColumnInt32(4);
  s.title = q.ColumnText(5);
  s.idempotency_key = q.ColumnText(6);
  s.recorded_at = TimeColumn(q, 7);
  s.recorded_by = q.ColumnText(8);
  return s;
}

// Fills the participations of `sessions` (by player id) with one query, whatever their number.
void AttachParticipations(Transaction& db, std::vector<Session>& sessions) {
  if (sessions.empty()) return;
  std::vector<Id> ids;
  ids.reserve(sessions.size());
  for (const Session& s : sessions) ids.push_back(s.id);
  std::vector<Session*> by_id;
  for (Session& s : sessions) {
    s.participations.clear();
    by_id.push_back(&s);
  }
  std::sort(by_id.begin(), by_id.end(), [](const Session* a, const Session* b) { return a->id < b->id; });
  Statement q = db.Prepare("SELECT session_id, player_id, minutes, full_contact_minutes, "
                      "controlled_contact_minutes, live_set_piece_minutes "
                      "FROM session_participations "
                      "WHERE session_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?)) "
                      "ORDER BY session_id, player_id");
  q.Bind(1, absl::StrCat("[", absl::StrJoin(ids, ","), "]"));
  while (q.Step()) {
    SessionParticipation p;
    p.session_id = q.ColumnInt(0);
    p.player_id = q.ColumnInt(1);
    p.minutes = q.ColumnInt32(2);
    p.full_contact_minutes = q.ColumnInt32(3);
    p.controlled_contact_minutes = q.ColumnInt32(4);
    p.live_set_piece_minutes = q.ColumnInt32(5);
    auto it = std::lower_bound(by_id.begin(), by_id.end(), p.session_id,
                               [](const Session* s, Id id) { return s->id < id; });
    if (it != by_id.end() && (*it)->id == p.session_id) (*it)->participations.push_back(p);
  }
}

std::vector<Session> Run(Transaction& db, Statement& q) {
  std::vector<Session> out;
  while (q.Step()) out.push_back(ReadSession(q));
  AttachParticipations(db, out);
  return out;
}

}  // namespace

absl::StatusOr<Session> InsertSession(Transaction& db, const Session& session) {
  Session out = session;
  std::sort(out.participations.begin(), out.participations.end(),
            [](const SessionParticipation& a, const SessionParticipation& b) {
              return a.player_id < b.player_id;
            });
  try {
    InSavepoint(db, "insert_session", [&] {
      Statement q = db.Prepare("INSERT INTO sessions (squad_id, kind, starts_at, duration_minutes, "
                          "title, idempotency_key, recorded_at, recorded_by) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      q.Bind(1, out.squad_id);
      q.Bind(2, static_cast<int>(out.kind));
      q.Bind(3, absl::ToUnixMicros(out.starts_at));
      q.Bind(4, out.duration_minutes);
      q.Bind(5, out.title);
      q.Bind(6, out.idempotency_key);
      q.Bind(7, absl::ToUnixMicros(out.recorded_at));
      q.Bind(8, out.recorded_by);
      q.Execute();
      out.id = db.LastInsertId();
      Statement p = db.Prepare("INSERT INTO session_participations (session_id, player_id, minutes, "
                          "full_contact_minutes, controlled_contact_minutes, "
                          "live_set_piece_minutes) VALUES (?, ?, ?, ?, ?, ?)");
      for (SessionParticipation& part : out.participations) {
        part.session_id = out.id;
        p.Reset();
        p.Bind(1, part.session_id);
        p.Bind(2, part.player_id);
        p.Bind(3, part.minutes);
        p.Bind(4, part.full_contact_minutes);
        p.Bind(5, part.controlled_contact_minutes);
        p.Bind(6, part.live_set_piece_minutes);
        p.Execute();
      }
    });
  } catch (const StoreError& e) {
    if (e.kind() == StoreErrorKind::kUniqueViolation) {
      return absl::AlreadyExistsError(
          absl::StrCat("idempotency key '", session.idempotency_key, "' is already used"));
    }
    if (e.kind() == StoreErrorKind::kPrimaryKeyViolation) {
      return absl::InvalidArgumentError("a player appears twice in the session");
    }
    if (e.IsForeignKeyViolation()) {
      return absl::NotFoundError("the squad or a player of the session does not exist");
    }
    return StatusFromStoreError(e);
  }
  return out;
}

absl::StatusOr<Session> FindSession(Transaction& db, Id id) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kSessionColumns, " FROM sessions s WHERE s.id = ?"));
  q.Bind(1, id);
  std::vector<Session> found = Run(db, q);
  if (found.empty()) return absl::NotFoundError(absl::StrCat("session ", id, " not found"));
  return std::move(found.front());
}

std::optional<Session> FindSessionByKey(Transaction& db, const std::string& idempotency_key) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kSessionColumns, " FROM sessions s WHERE s.idempotency_key = ?"));
  q.Bind(1, idempotency_key);
  std::vector<Session> found = Run(db, q);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<Session> ListSessions(Transaction& db, const SessionFilter& filter,
                                  PageCursor after, int limit) {
  // One fixed statement: unset filters are bound as NULL and switched off in SQL, so no SQL is
  // spliced together. With a squad, sessions_by_squad_time serves it; without, sessions_by_time.
  const char* const squad_clause = filter.squad_id != 0 ? "s.squad_id = ?1 AND " : "CAST(?1 AS BIGINT) IS NULL AND ";
  Statement q = db.Prepare(absl::StrCat("SELECT ", kSessionColumns, " FROM sessions s WHERE ", squad_clause,
                       "(CAST(?2 AS BIGINT) IS NULL OR s.starts_at >= ?2) AND (CAST(?3 AS BIGINT) IS NULL OR s.starts_at < ?3) "
                       "AND (CAST(?4 AS BIGINT) IS NULL OR s.kind = ?4) AND (s.starts_at, s.id) > (?5, ?6) "
                       "ORDER BY s.starts_at, s.id LIMIT ?7"));
  if (filter.squad_id != 0) {
    q.Bind(1, filter.squad_id);
  } else {
    q.BindNull(1);
  }
  if (filter.start) {
    q.Bind(2, absl::ToUnixMicros(*filter.start));
  } else {
    q.BindNull(2);
  }
  if (filter.end) {
    q.Bind(3, absl::ToUnixMicros(*filter.end));
  } else {
    q.BindNull(3);
  }
  if (filter.kind) {
    q.Bind(4, static_cast<int>(*filter.kind));
  } else {
    q.BindNull(4);
  }
  q.Bind(5, after.key);
  q.Bind(6, after.id);
  q.Bind(7, limit);
  return Run(db, q);
}

std::vector<Session> ListSessionsForExport(Transaction& db, const ExportFilter& filter,
                                           Id after_id, Id up_to_id, int limit) {
  // By id like the other export kinds: a session stored during an export comes after any cursor.
  const char* const squad_clause = filter.squad_id != 0 ? "s.squad_id = ?3" : "CAST(?3 AS BIGINT) IS NULL";
  Statement q = db.Prepare(absl::StrCat("SELECT ", kSessionColumns, " FROM sessions s NOT INDEXED WHERE s.id > ?1 ",
                       "AND s.id <= ?2 AND ", squad_clause,
                       " AND (CAST(?4 AS BIGINT) IS NULL OR s.starts_at >= ?4) AND (CAST(?5 AS BIGINT) IS NULL OR s.starts_at < ?5)"
                       " ORDER BY s.id LIMIT ?6"));
  q.Bind(1, after_id);
  q.Bind(2, up_to_id);
  if (filter.squad_id != 0) {
    q.Bind(3, filter.squad_id);
  } else {
    q.BindNull(3);
  }
  if (filter.start) {
    q.Bind(4, absl::ToUnixMicros(*filter.start));
  } else {
    q.BindNull(4);
  }
  if (filter.end) {
    q.Bind(5, absl::ToUnixMicros(*filter.end));
  } else {
    q.BindNull(5);
  }
  q.Bind(6, limit);
  return Run(db, q);
}

Id LastSessionId(Transaction& db) {
  return QueryInt(db, "SELECT coalesce(max(id), 0) FROM sessions");
}

std::vector<Session> ListSessionsOfSquad(Transaction& db, Id squad_id, absl::Time from,
                                         absl::Time to) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kSessionColumns,
                                       " FROM sessions s WHERE s.squad_id = ? AND s.starts_at >= ? "
                                       "AND s.starts_at < ? ORDER BY s.starts_at, s.id"));
  q.Bind(1, squad_id);
  q.Bind(2, absl::ToUnixMicros(from));
  q.Bind(3, absl::ToUnixMicros(to));
  return Run(db, q);
}

}  // namespace touchline::storage
