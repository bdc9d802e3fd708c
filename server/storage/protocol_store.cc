#include "server/storage/protocol_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <utility>

#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/database.h"
#include "server/storage/id_lists.h"

namespace touchline::storage {
namespace {

using domain::Id;

void BindBlob(SQLite::Statement& q, int index, const std::string& bytes) {
  q.bind(index, static_cast<const void*>(bytes.data()), static_cast<int>(bytes.size()));
}

std::string Blob(const SQLite::Statement& q, int index) {
  SQLite::Column c = q.getColumn(index);
  if (c.isNull() || c.getBytes() == 0) return "";
  return std::string(static_cast<const char*>(c.getBlob()), static_cast<size_t>(c.getBytes()));
}

absl::Time Micros(const SQLite::Statement& q, int index) {
  return absl::FromUnixMicros(q.getColumn(index).getInt64());
}

bool IsForeignKeyViolation(const SQLite::Exception& e) {
  return e.getExtendedErrorCode() == SQLITE_CONSTRAINT_FOREIGNKEY;
}

constexpr char kAssignmentColumns[] =
    "a.id, a.player_id, a.session_label, a.session_kind, a.session_at, a.assigned_at, "
    "a.assigned_by, a.failures";

ProtocolAssignment ReadAssignment(const SQLite::Statement& q) {
  ProtocolAssignment a;
  a.id = q.getColumn(0).getInt64();
  a.player_id = q.getColumn(1).getInt64();
  a.session_label = q.getColumn(2).getString();
  a.session_kind = q.getColumn(3).getInt();
  a.session_at = Micros(q, 4);
  a.assigned_at = Micros(q, 5);
  a.assigned_by = q.getColumn(6).getString();
  a.failures = Blob(q, 7);
  return a;
}

// Fills the prescriptions (and their adherence) of `assignments` with two queries.
void AttachPrescriptions(SQLite::Database& db, std::vector<ProtocolAssignment>& assignments) {
  if (assignments.empty()) return;
  std::vector<Id> ids;
  std::map<Id, ProtocolAssignment*> by_id;
  for (auto& a : assignments) {
    ids.push_back(a.id);
    by_id[a.id] = &a;
  }
  const std::string json = IdsJson(ids);
  std::map<Id, StoredPrescription*> prescriptions;
  // Index order within each assignment: (assignment_id, seq).
  static const std::string kPrescriptionsSql = absl::StrCat(
      "SELECT id, assignment_id, seq, timing, protocol, exercise, complaint_id, plugin_name, "
      "plugin_version, body FROM ", kIdsTable,
      " CROSS JOIN protocol_prescriptions ON assignment_id = ids.list_id");
  CachedStatement cached_q(db, kPrescriptionsSql);
  SQLite::Statement& q = *cached_q;
  q.bind(1, json);
  while (q.executeStep()) {
    StoredPrescription p;
    p.id = q.getColumn(0).getInt64();
    p.assignment_id = q.getColumn(1).getInt64();
    p.seq = q.getColumn(2).getInt();
    p.timing = q.getColumn(3).getInt();
    p.protocol = q.getColumn(4).getString();
    p.exercise = q.getColumn(5).getString();
    p.complaint_id = q.getColumn(6).getInt64();
    p.plugin_name = q.getColumn(7).getString();
    p.plugin_version = q.getColumn(8).getString();
    p.body = Blob(q, 9);
    by_id[p.assignment_id]->prescriptions.push_back(std::move(p));
  }
  // Pointers are taken only once every vector has stopped growing.
  for (auto& a : assignments) {
    for (auto& p : a.prescriptions) prescriptions[p.id] = &p;
  }
  // Index order within each prescription: (prescription_id, id), i.e. oldest first.
  static const std::string kAdherenceSql = absl::StrCat(
      "SELECT d.id, d.prescription_id, p.assignment_id, d.adherence, d.pain, d.note, "
      "d.recorded_at, d.recorded_by FROM ", kIdsTable,
      " CROSS JOIN protocol_prescriptions p ON p.assignment_id = ids.list_id"
      " CROSS JOIN protocol_adherence d ON d.prescription_id = p.id");
  CachedStatement cached_r(db, kAdherenceSql);
  SQLite::Statement& r = *cached_r;
  r.bind(1, json);
  while (r.executeStep()) {
    AdherenceRecord d;
    d.id = r.getColumn(0).getInt64();
    d.prescription_id = r.getColumn(1).getInt64();
    d.assignment_id = r.getColumn(2).getInt64();
    d.adherence = r.getColumn(3).getInt();
    d.pain = r.getColumn(4).getInt();
    d.note = r.getColumn(5).getString();
    d.recorded_at = Micros(r, 6);
    d.recorded_by = r.getColumn(7).getString();
    prescriptions[d.prescription_id]->adherence.push_back(std::move(d));
  }
}

}  // namespace

absl::StatusOr<ProtocolAssignment> InsertAssignment(SQLite::Database& db,
                                                    const ProtocolAssignment& assignment) {
  ProtocolAssignment out = assignment;
  try {
    db.exec("SAVEPOINT insert_assignment");
    try {
      SQLite::Statement q(db,
                          "INSERT INTO protocol_assignments (player_id, session_label, "
                          "session_kind, session_at, assigned_at, assigned_by, failures) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)");
      q.bind(1, assignment.player_id);
      q.bind(2, assignment.session_label);
      q.bind(3, assignment.session_kind);
      q.bind(4, absl::ToUnixMicros(assignment.session_at));
      q.bind(5, absl::ToUnixMicros(assignment.assigned_at));
      q.bind(6, assignment.assigned_by);
      BindBlob(q, 7, assignment.failures);
      q.exec();
      out.id = db.getLastInsertRowid();
      SQLite::Statement p(db,
                          "INSERT INTO protocol_prescriptions (assignment_id, seq, timing, "
                          "protocol, exercise, complaint_id, plugin_name, plugin_version, body) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (size_t i = 0; i < out.prescriptions.size(); ++i) {
        StoredPrescription& s = out.prescriptions[i];
        s.assignment_id = out.id;
        s.seq = static_cast<int>(i);
        s.adherence.clear();
        p.reset();
        p.bind(1, s.assignment_id);
        p.bind(2, s.seq);
        p.bind(3, s.timing);
        p.bind(4, s.protocol);
        p.bind(5, s.exercise);
        p.bind(6, s.complaint_id);
        p.bind(7, s.plugin_name);
        p.bind(8, s.plugin_version);
        BindBlob(p, 9, s.body);
        p.exec();
        s.id = db.getLastInsertRowid();
      }
      db.exec("RELEASE insert_assignment");
    } catch (...) {
      db.tryExec("ROLLBACK TO insert_assignment");
      db.tryExec("RELEASE insert_assignment");
      throw;
    }
  } catch (const SQLite::Exception& e) {
    if (IsForeignKeyViolation(e)) {
      return absl::NotFoundError(absl::StrCat("player ", assignment.player_id, " not found"));
    }
    return StatusFromSqliteError(e);
  }
  return out;
}

absl::StatusOr<ProtocolAssignment> FindAssignment(SQLite::Database& db, Id id) {
  std::vector<ProtocolAssignment> found;
  SQLite::Statement q(db, absl::StrCat("SELECT ", kAssignmentColumns,
                                       " FROM protocol_assignments a WHERE a.id = ?"));
  q.bind(1, id);
  if (q.executeStep()) found.push_back(ReadAssignment(q));
  if (found.empty()) return absl::NotFoundError(absl::StrCat("assignment ", id, " not found"));
  AttachPrescriptions(db, found);
  return std::move(found.front());
}

absl::StatusOr<StoredPrescription> FindPrescription(SQLite::Database& db, Id id) {
  SQLite::Statement q(db,
                      "SELECT id, assignment_id, seq, timing, protocol, exercise, complaint_id, "
                      "plugin_name, plugin_version, body FROM protocol_prescriptions WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("prescription ", id, " not found"));
  StoredPrescription p;
  p.id = q.getColumn(0).getInt64();
  p.assignment_id = q.getColumn(1).getInt64();
  p.seq = q.getColumn(2).getInt();
  p.timing = q.getColumn(3).getInt();
  p.protocol = q.getColumn(4).getString();
  p.exercise = q.getColumn(5).getString();
  p.complaint_id = q.getColumn(6).getInt64();
  p.plugin_name = q.getColumn(7).getString();
  p.plugin_version = q.getColumn(8).getString();
  p.body = Blob(q, 9);
  return p;
}

std::vector<ProtocolAssignment> ListAssignments(SQLite::Database& db, Id player_id, Id before_id,
                                                int limit) {
  std::string sql = absl::StrCat("SELECT ", kAssignmentColumns,
                                 " FROM protocol_assignments a WHERE a.player_id = ?");
  if (before_id != 0) sql += " AND a.id < ?";
  sql += " ORDER BY a.id DESC LIMIT ?";
  SQLite::Statement q(db, sql);
  int i = 1;
  q.bind(i++, player_id);
  if (before_id != 0) q.bind(i++, before_id);
  q.bind(i++, limit);
  std::vector<ProtocolAssignment> out;
  while (q.executeStep()) out.push_back(ReadAssignment(q));
  AttachPrescriptions(db, out);
  return out;
}

std::vector<ProtocolAssignment> ListAssignmentsOfPlayers(SQLite::Database& db,
                                                         const std::vector<Id>& player_ids,
                                                         absl::Time from, absl::Time to) {
  std::vector<ProtocolAssignment> out;
  if (player_ids.empty()) return out;
  static const std::string kSql = absl::StrCat(
      "SELECT ", kAssignmentColumns, " FROM ", kIdsTable,
      " CROSS JOIN protocol_assignments a ON a.player_id = ids.list_id"
      " WHERE a.session_at >= ? AND a.session_at < ?");
  CachedStatement cached_q(db, kSql);
  SQLite::Statement& q = *cached_q;
  q.bind(1, IdsJson(player_ids));
  q.bind(2, absl::ToUnixMicros(from));
  q.bind(3, absl::ToUnixMicros(to));
  while (q.executeStep()) out.push_back(ReadAssignment(q));
  std::sort(out.begin(), out.end(), [](const ProtocolAssignment& a, const ProtocolAssignment& b) {
    return a.session_at != b.session_at ? a.session_at < b.session_at : a.id < b.id;
  });
  AttachPrescriptions(db, out);
  return out;
}

std::vector<AssignmentTime> ListAssignmentTimesOfPlayers(SQLite::Database& db,
                                                         const std::vector<Id>& player_ids,
                                                         absl::Time from, absl::Time to) {
  std::vector<AssignmentTime> out;
  if (player_ids.empty()) return out;
  // Covered by protocol_assignments_by_session (player_id, session_at, id): no row is read.
  static const std::string kSql = absl::StrCat(
      "SELECT a.id, a.player_id, a.session_at FROM ", kIdsTable,
      " CROSS JOIN protocol_assignments a ON a.player_id = ids.list_id"
      " WHERE a.session_at >= ? AND a.session_at < ?");
  CachedStatement cached_q(db, kSql);
  SQLite::Statement& q = *cached_q;
  q.bind(1, IdsJson(player_ids));
  q.bind(2, absl::ToUnixMicros(from));
  q.bind(3, absl::ToUnixMicros(to));
  while (q.executeStep()) {
    out.push_back(AssignmentTime{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                                 absl::FromUnixMicros(q.getColumn(2).getInt64())});
  }
  std::sort(out.begin(), out.end(), [](const AssignmentTime& a, const AssignmentTime& b) {
    return a.session_at != b.session_at ? a.session_at < b.session_at : a.id < b.id;
  });
  return out;
}

std::vector<ProtocolAssignment> ListAssignmentsByIds(SQLite::Database& db,
                                                     const std::vector<Id>& ids) {
  std::vector<ProtocolAssignment> out;
  if (ids.empty()) return out;
  static const std::string kSql =
      absl::StrCat("SELECT ", kAssignmentColumns, " FROM ", kIdsTable,
                   " CROSS JOIN protocol_assignments a ON a.id = ids.list_id");
  CachedStatement cached_q(db, kSql);
  SQLite::Statement& q = *cached_q;
  q.bind(1, IdsJson(ids));
  while (q.executeStep()) out.push_back(ReadAssignment(q));
  AttachPrescriptions(db, out);
  return out;
}

absl::StatusOr<AdherenceRecord> AppendAdherence(SQLite::Database& db,
                                                const AdherenceRecord& record) {
  AdherenceRecord out = record;
  try {
    SQLite::Statement q(db,
                        "INSERT INTO protocol_adherence (prescription_id, adherence, pain, note, "
                        "recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?)");
    q.bind(1, record.prescription_id);
    q.bind(2, record.adherence);
    q.bind(3, record.pain);
    q.bind(4, record.note);
    q.bind(5, absl::ToUnixMicros(record.recorded_at));
    q.bind(6, record.recorded_by);
    q.exec();
    out.id = db.getLastInsertRowid();
  } catch (const SQLite::Exception& e) {
    if (IsForeignKeyViolation(e)) {
      return absl::NotFoundError(
          absl::StrCat("prescription ", record.prescription_id, " not found"));
    }
    return StatusFromSqliteError(e);
  }
  return out;
}

}  // namespace touchline::storage
