#include "server/storage/protocol_store.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/database.h"
#include "server/storage/id_lists.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
namespace {

using domain::Id;


constexpr char kAssignmentColumns[] =
    "a.id, a.player_id, a.session_label, a.session_kind, a.session_at, a.assigned_at, "
    "a.assigned_by, a.failures";

ProtocolAssignment ReadAssignment(const Statement& q) {
  ProtocolAssignment a;
  a.id = q.ColumnInt(0);
  a.player_id = q.ColumnInt(1);
  a.session_label = q.ColumnText(2);
  a.session_kind = q.ColumnInt32(3);
  a.session_at = TimeColumn(q, 4);
  a.assigned_at = TimeColumn(q, 5);
  a.assigned_by = q.ColumnText(6);
  a.failures = q.ColumnBlob(7);
  return a;
}

// The columns id, assignment_id, seq, timing, protocol, exercise, complaint_id, plugin_name,
// plugin_version, body of protocol_prescriptions, in that order.
StoredPrescription ReadPrescription(const Statement& q) {
  Row r(q);
  StoredPrescription p;
  p.id = r.Int();
  p.assignment_id = r.Int();
  p.seq = r.Int32();
  p.timing = r.Int32();
  p.protocol = r.Text();
  p.exercise = r.Text();
  p.complaint_id = r.Int();
  p.plugin_name = r.Text();
  p.plugin_version = r.Text();
  p.body = r.Blob();
  return p;
}

// Fills the prescriptions (and their adherence) of `assignments` with two queries.
void AttachPrescriptions(Transaction& db, std::vector<ProtocolAssignment>& assignments) {
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
  Statement q = db.PrepareCached(kPrescriptionsSql);
  q.Bind(1, json);
  while (q.Step()) {
    StoredPrescription p = ReadPrescription(q);
    by_id[p.assignment_id]->prescriptions.push_back(std::move(p));
  }
  // In (assignment_id, seq) order whatever order the backend's join gave them in.
  for (auto& a : assignments) {
    std::sort(a.prescriptions.begin(), a.prescriptions.end(),
              [](const StoredPrescription& x, const StoredPrescription& y) { return x.seq < y.seq; });
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
  Statement r = db.PrepareCached(kAdherenceSql);
  r.Bind(1, json);
  while (r.Step()) {
    AdherenceRecord d;
    d.id = r.ColumnInt(0);
    d.prescription_id = r.ColumnInt(1);
    d.assignment_id = r.ColumnInt(2);
    d.adherence = r.ColumnInt32(3);
    d.pain = r.ColumnInt32(4);
    d.note = r.ColumnText(5);
    d.recorded_at = TimeColumn(r, 6);
    d.recorded_by = r.ColumnText(7);
    prescriptions[d.prescription_id]->adherence.push_back(std::move(d));
  }
  for (auto& [id, p] : prescriptions) {  // oldest first, on every backend
    std::sort(p->adherence.begin(), p->adherence.end(),
              [](const AdherenceRecord& x, const AdherenceRecord& y) { return x.id < y.id; });
  }
}

}  // namespace

absl::StatusOr<ProtocolAssignment> InsertAssignment(Transaction& db,
                                                    const ProtocolAssignment& assignment) {
  ProtocolAssignment out = assignment;
  try {
    InSavepoint(db, "insert_assignment", [&] {
      Statement q = db.Prepare("INSERT INTO protocol_assignments (player_id, session_label, "
                          "session_kind, session_at, assigned_at, assigned_by, failures) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)");
      q.Bind(1, assignment.player_id);
      q.Bind(2, assignment.session_label);
      q.Bind(3, assignment.session_kind);
      q.Bind(4, absl::ToUnixMicros(assignment.session_at));
      q.Bind(5, absl::ToUnixMicros(assignment.assigned_at));
      q.Bind(6, assignment.assigned_by);
      q.BindBlob(7, assignment.failures);
      q.Execute();
      out.id = db.LastInsertId();
      Statement p = db.Prepare("INSERT INTO protocol_prescriptions (assignment_id, seq, timing, "
                          "protocol, exercise, complaint_id, plugin_name, plugin_version, body) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (size_t i = 0; i < out.prescriptions.size(); ++i) {
        StoredPrescription& s = out.prescriptions[i];
        s.assignment_id = out.id;
        s.seq = static_cast<int>(i);
        s.adherence.clear();
        p.Reset();
        p.Bind(1, s.assignment_id);
        p.Bind(2, s.seq);
        p.Bind(3, s.timing);
        p.Bind(4, s.protocol);
        p.Bind(5, s.exercise);
        p.Bind(6, s.complaint_id);
        p.Bind(7, s.plugin_name);
        p.Bind(8, s.plugin_version);
        p.BindBlob(9, s.body);
        p.Execute();
        s.id = db.LastInsertId();
      }
    });
  } catch (const StoreError& e) {
    if (e.IsForeignKeyViolation()) {
      return absl::NotFoundError(absl::StrCat("player ", assignment.player_id, " not found"));
    }
    return StatusFromStoreError(e);
  }
  return out;
}

absl::StatusOr<ProtocolAssignment> FindAssignment(Transaction& db, Id id) {
  std::vector<ProtocolAssignment> found;
  Statement q = db.Prepare(absl::StrCat("SELECT ", kAssignmentColumns,
                                       " FROM protocol_assignments a WHERE a.id = ?"));
  q.Bind(1, id);
  if (q.Step()) found.push_back(ReadAssignment(q));
  if (found.empty()) return absl::NotFoundError(absl::StrCat("assignment ", id, " not found"));
  AttachPrescriptions(db, found);
  return std::move(found.front());
}

absl::StatusOr<StoredPrescription> FindPrescription(Transaction& db, Id id) {
  Statement q = db.Prepare("SELECT id, assignment_id, seq, timing, protocol, exercise, complaint_id, "
                      "plugin_name, plugin_version, body FROM protocol_prescriptions WHERE id = ?");
  q.Bind(1, id);
  if (!q.Step()) return absl::NotFoundError(absl::StrCat("prescription ", id, " not found"));
  return ReadPrescription(q);
}

std::vector<ProtocolAssignment> ListAssignments(Transaction& db, Id player_id, Id before_id,
                                                int limit) {
  std::string sql = absl::StrCat("SELECT ", kAssignmentColumns,
                                 " FROM protocol_assignments a WHERE a.player_id = ?");
  if (before_id != 0) sql += " AND a.id < ?";
  sql += " ORDER BY a.id DESC LIMIT ?";
  Statement q = db.Prepare(sql);
  int i = 1;
  q.Bind(i++, player_id);
  if (before_id != 0) q.Bind(i++, before_id);
  q.Bind(i++, limit);
  std::vector<ProtocolAssignment> out;
  while (q.Step()) out.push_back(ReadAssignment(q));
  AttachPrescriptions(db, out);
  return out;
}

std::vector<ProtocolAssignment> ListAssignmentsOfPlayers(Transaction& db,
                                                         const std::vector<Id>& player_ids,
                                                         absl::Time from, absl::Time to) {
  std::vector<ProtocolAssignment> out;
  if (player_ids.empty()) return out;
  static const std::string kSql = absl::StrCat(
      "SELECT ", kAssignmentColumns, " FROM ", kIdsTable,
      " CROSS JOIN protocol_assignments a ON a.player_id = ids.list_id"
      " WHERE a.session_at >= ? AND a.session_at < ?");
  Statement q = db.PrepareCached(kSql);
  q.Bind(1, IdsJson(player_ids));
  q.Bind(2, absl::ToUnixMicros(from));
  q.Bind(3, absl::ToUnixMicros(to));
  while (q.Step()) out.push_back(ReadAssignment(q));
  std::sort(out.begin(), out.end(), [](const ProtocolAssignment& a, const ProtocolAssignment& b) {
    return a.session_at != b.session_at ? a.session_at < b.session_at : a.id < b.id;
  });
  AttachPrescriptions(db, out);
  return out;
}

std::vector<AssignmentTime> ListAssignmentTimesOfPlayers(Transaction& db,
                                                         const std::vector<Id>& player_ids,
                                                         absl::Time from, absl::Time to) {
  std::vector<AssignmentTime> out;
  if (player_ids.empty()) return out;
  // Covered by protocol_assignments_by_session (player_id, session_at, id): no row is read.
  static const std::string kSql = absl::StrCat(
      "SELECT a.id, a.player_id, a.session_at FROM ", kIdsTable,
      " CROSS JOIN protocol_assignments a ON a.player_id = ids.list_id"
      " WHERE a.session_at >= ? AND a.session_at < ?");
  Statement q = db.PrepareCached(kSql);
  q.Bind(1, IdsJson(player_ids));
  q.Bind(2, absl::ToUnixMicros(from));
  q.Bind(3, absl::ToUnixMicros(to));
  while (q.Step()) {
    out.push_back(AssignmentTime{q.ColumnInt(0), q.ColumnInt(1),
                                 absl::FromUnixMicros(q.ColumnInt(2))});
  }
  std::sort(out.begin(), out.end(), [](const AssignmentTime& a, const AssignmentTime& b) {
    return a.session_at != b.session_at ? a.session_at < b.session_at : a.id < b.id;
  });
  return out;
}

std::vector<ProtocolAssignment> ListAssignmentsByIds(Transaction& db,
                                                     const std::vector<Id>& ids) {
  std::vector<ProtocolAssignment> out;
  if (ids.empty()) return out;
  static const std::string kSql =
      absl::StrCat("SELECT ", kAssignmentColumns, " FROM ", kIdsTable,
                   " CROSS JOIN protocol_assignments a ON a.id = ids.list_id");
  Statement q = db.PrepareCached(kSql);
  q.Bind(1, IdsJson(ids));
  while (q.Step()) out.push_back(ReadAssignment(q));
  // In the order of `ids` (SQLite's join walks the list; PostgreSQL's may not).
  absl::flat_hash_map<Id, size_t> position;
  for (size_t i = 0; i < ids.size(); ++i) position.emplace(ids[i], i);
  std::stable_sort(out.begin(), out.end(),
                   [&](const ProtocolAssignment& a, const ProtocolAssignment& b) {
                     return position[a.id] < position[b.id];
                   });
  AttachPrescriptions(db, out);
  return out;
}

absl::StatusOr<AdherenceRecord> AppendAdherence(Transaction& db,
                                                const AdherenceRecord& record) {
  AdherenceRecord out = record;
  RefusableStep refusable(db);
  try {
    Statement q = db.Prepare("INSERT INTO protocol_adherence (prescription_id, adherence, pain, note, "
                        "recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?)");
    q.Bind(1, record.prescription_id);
    q.Bind(2, record.adherence);
    q.Bind(3, record.pain);
    q.Bind(4, record.note);
    q.Bind(5, absl::ToUnixMicros(record.recorded_at));
    q.Bind(6, record.recorded_by);
    q.Execute();
    out.id = db.LastInsertId();
  } catch (const StoreError& e) {
    if (e.IsForeignKeyViolation()) {
      return absl::NotFoundError(
          absl::StrCat("prescription ", record.prescription_id, " not found"));
    }
    return StatusFromStoreError(e);
  }
  return out;
}

}  // namespace touchline::storage
