#include "server/storage/session_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/database.h"

namespace touchline::storage {
namespace {

using domain::Session;
using domain::SessionParticipation;

constexpr char kSessionColumns[] =
    "s.id, s.squad_id, s.kind, s.starts_at, s.duration_minutes, s.title, s.idempotency_key, "
    "s.recorded_at, s.recorded_by";

absl::Time Micros(const SQLite::Statement& q, int index) {
  return absl::FromUnixMicros(q.getColumn(index).getInt64());
}

Session ReadSession(const SQLite::Statement& q) {
  Session s;
  s.id = q.getColumn(0).getInt64();
  s.squad_id = q.getColumn(1).getInt64();
  s.kind = static_cast<domain::ExposureKind>(q.getColumn(2).getInt());
  s.starts_at = Micros(q, 3);
  s.duration_minutes = q.getColumn(4).getInt();
  s.title = q.getColumn(5).getString();
  s.idempotency_key = q.getColumn(6).getString();
  s.recorded_at = Micros(q, 7);
  s.recorded_by = q.getColumn(8).getString();
  return s;
}

// Fills the participations of `sessions` (by player id) with one query, whatever their number.
void AttachParticipations(SQLite::Database& db, std::vector<Session>& sessions) {
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
  SQLite::Statement q(db,
                      "SELECT session_id, player_id, minutes, full_contact_minutes, "
                      "controlled_contact_minutes, live_set_piece_minutes "
                      "FROM session_participations "
                      "WHERE session_id IN (SELECT value FROM json_each(?)) "
                      "ORDER BY session_id, player_id");
  q.bind(1, absl::StrCat("[", absl::StrJoin(ids, ","), "]"));
  while (q.executeStep()) {
    SessionParticipation p;
    p.session_id = q.getColumn(0).getInt64();
    p.player_id = q.getColumn(1).getInt64();
    p.minutes = q.getColumn(2).getInt();
    p.full_contact_minutes = q.getColumn(3).getInt();
    p.controlled_contact_minutes = q.getColumn(4).getInt();
    p.live_set_piece_minutes = q.getColumn(5).getInt();
    auto it = std::lower_bound(by_id.begin(), by_id.end(), p.session_id,
                               [](const Session* s, Id id) { return s->id < id; });
    if (it != by_id.end() && (*it)->id == p.session_id) (*it)->participations.push_back(p);
  }
}

std::vector<Session> Run(SQLite::Database& db, SQLite::Statement& q) {
  std::vector<Session> out;
  while (q.executeStep()) out.push_back(ReadSession(q));
  AttachParticipations(db, out);
  return out;
}

}  // namespace

absl::StatusOr<Session> InsertSession(SQLite::Database& db, const Session& session) {
  Session out = session;
  std::sort(out.participations.begin(), out.participations.end(),
            [](const SessionParticipation& a, const SessionParticipation& b) {
              return a.player_id < b.player_id;
            });
  try {
    db.exec("SAVEPOINT insert_session");
    try {
      SQLite::Statement q(db,
                          "INSERT INTO sessions (squad_id, kind, starts_at, duration_minutes, "
                          "title, idempotency_key, recorded_at, recorded_by) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      q.bind(1, out.squad_id);
      q.bind(2, static_cast<int>(out.kind));
      q.bind(3, absl::ToUnixMicros(out.starts_at));
      q.bind(4, out.duration_minutes);
      q.bind(5, out.title);
      q.bind(6, out.idempotency_key);
      q.bind(7, absl::ToUnixMicros(out.recorded_at));
      q.bind(8, out.recorded_by);
      q.exec();
      out.id = db.getLastInsertRowid();
      SQLite::Statement p(db,
                          "INSERT INTO session_participations (session_id, player_id, minutes, "
                          "full_contact_minutes, controlled_contact_minutes, "
                          "live_set_piece_minutes) VALUES (?, ?, ?, ?, ?, ?)");
      for (SessionParticipation& part : out.participations) {
        part.session_id = out.id;
        p.reset();
        p.bind(1, part.session_id);
        p.bind(2, part.player_id);
        p.bind(3, part.minutes);
        p.bind(4, part.full_contact_minutes);
        p.bind(5, part.controlled_contact_minutes);
        p.bind(6, part.live_set_piece_minutes);
        p.exec();
      }
      db.exec("RELEASE insert_session");
    } catch (...) {
      db.tryExec("ROLLBACK TO insert_session");
      db.tryExec("RELEASE insert_session");
      throw;
    }
  } catch (const SQLite::Exception& e) {
    const int code = e.getExtendedErrorCode();
    if (code == SQLITE_CONSTRAINT_UNIQUE) {
      return absl::AlreadyExistsError(
          absl::StrCat("idempotency key '", session.idempotency_key, "' is already used"));
    }
    if (code == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return absl::InvalidArgumentError("a player appears twice in the session");
    }
    if (code == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return absl::NotFoundError("the squad or a player of the session does not exist");
    }
    return StatusFromSqliteError(e);
  }
  return out;
}

absl::StatusOr<Session> FindSession(SQLite::Database& db, Id id) {
  SQLite::Statement q(db, absl::StrCat("SELECT ", kSessionColumns, " FROM sessions s WHERE s.id = ?"));
  q.bind(1, id);
  std::vector<Session> found = Run(db, q);
  if (found.empty()) return absl::NotFoundError(absl::StrCat("session ", id, " not found"));
  return std::move(found.front());
}

std::optional<Session> FindSessionByKey(SQLite::Database& db, const std::string& idempotency_key) {
  SQLite::Statement q(
      db, absl::StrCat("SELECT ", kSessionColumns, " FROM sessions s WHERE s.idempotency_key = ?"));
  q.bind(1, idempotency_key);
  std::vector<Session> found = Run(db, q);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<Session> ListSessions(SQLite::Database& db, const SessionFilter& filter,
                                  PageCursor after, int limit) {
  // One fixed statement: unset filters are bound as NULL and switched off in SQL, so no SQL is
  // spliced together. With a squad, sessions_by_squad_time serves it; without, sessions_by_time.
  const char* const squad_clause = filter.squad_id != 0 ? "s.squad_id = ?1 AND " : "?1 IS NULL AND ";
  SQLite::Statement q(
      db, absl::StrCat("SELECT ", kSessionColumns, " FROM sessions s WHERE ", squad_clause,
                       "(?2 IS NULL OR s.starts_at >= ?2) AND (?3 IS NULL OR s.starts_at < ?3) "
                       "AND (?4 IS NULL OR s.kind = ?4) AND (s.starts_at, s.id) > (?5, ?6) "
                       "ORDER BY s.starts_at, s.id LIMIT ?7"));
  if (filter.squad_id != 0) {
    q.bind(1, filter.squad_id);
  } else {
    q.bind(1);
  }
  if (filter.start) {
    q.bind(2, absl::ToUnixMicros(*filter.start));
  } else {
    q.bind(2);
  }
  if (filter.end) {
    q.bind(3, absl::ToUnixMicros(*filter.end));
  } else {
    q.bind(3);
  }
  if (filter.kind) {
    q.bind(4, static_cast<int>(*filter.kind));
  } else {
    q.bind(4);
  }
  q.bind(5, after.key);
  q.bind(6, after.id);
  q.bind(7, limit);
  return Run(db, q);
}

std::vector<Session> ListSessionsForExport(SQLite::Database& db, const ExportFilter& filter,
                                           Id after_id, Id up_to_id, int limit) {
  // By id like the other export kinds: a session stored during an export comes after any cursor.
  const char* const squad_clause = filter.squad_id != 0 ? "s.squad_id = ?3" : "?3 IS NULL";
  SQLite::Statement q(
      db, absl::StrCat("SELECT ", kSessionColumns, " FROM sessions s NOT INDEXED WHERE s.id > ?1 ",
                       "AND s.id <= ?2 AND ", squad_clause,
                       " AND (?4 IS NULL OR s.starts_at >= ?4) AND (?5 IS NULL OR s.starts_at < ?5)"
                       " ORDER BY s.id LIMIT ?6"));
  q.bind(1, after_id);
  q.bind(2, up_to_id);
  if (filter.squad_id != 0) {
    q.bind(3, filter.squad_id);
  } else {
    q.bind(3);
  }
  if (filter.start) {
    q.bind(4, absl::ToUnixMicros(*filter.start));
  } else {
    q.bind(4);
  }
  if (filter.end) {
    q.bind(5, absl::ToUnixMicros(*filter.end));
  } else {
    q.bind(5);
  }
  q.bind(6, limit);
  return Run(db, q);
}

Id LastSessionId(SQLite::Database& db) {
  return db.execAndGet("SELECT coalesce(max(id), 0) FROM sessions").getInt64();
}

std::vector<Session> ListSessionsOfSquad(SQLite::Database& db, Id squad_id, absl::Time from,
                                         absl::Time to) {
  SQLite::Statement q(db, absl::StrCat("SELECT ", kSessionColumns,
                                       " FROM sessions s WHERE s.squad_id = ? AND s.starts_at >= ? "
                                       "AND s.starts_at < ? ORDER BY s.starts_at, s.id"));
  q.bind(1, squad_id);
  q.bind(2, absl::ToUnixMicros(from));
  q.bind(3, absl::ToUnixMicros(to));
  return Run(db, q);
}

}  // namespace touchline::storage
