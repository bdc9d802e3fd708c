#include "server/storage/complaint_store.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/id_lists.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
namespace {

using domain::CheckIn;
using domain::Complaint;

void BindSymptoms(Binder& b, const domain::Symptoms& s) {
  b.Bool(s.ache).Bool(s.tightness).Bool(s.spasm).Int(s.pain).Bool(s.sleep_disturbance);
  b.Bool(s.inflexibility).Bool(s.weakness_against_quadriceps);
}

domain::Symptoms ReadSymptoms(Row& r) {
  domain::Symptoms s;
  s.ache = r.Bool();
  s.tightness = r.Bool();
  s.spasm = r.Bool();
  s.pain = r.Int32();
  s.sleep_disturbance = r.Bool();
  s.inflexibility = r.Bool();
  s.weakness_against_quadriceps = r.Bool();
  return s;
}

#define TOUCHLINE_SYMPTOM_COLUMNS(prefix)                                                     \
  prefix "symptom_ache, " prefix "symptom_tightness, " prefix "symptom_spasm, " prefix        \
  "symptom_pain, " prefix "symptom_sleep_disturbance, " prefix "symptom_inflexibility, " prefix \
  "symptom_weakness_against_quadriceps"

constexpr char kComplaintColumns[] =
    "c.id, c.player_id, c.side, c.onset_at, c.onset_kind, c.mechanism, "
    TOUCHLINE_SYMPTOM_COLUMNS("c.")
    ", c.osiics_code, c.history_lumbar_disc_herniation, c.history_notes, "
    "c.finding_pelvic_rotation, c.finding_piriformis_spasm, c.finding_lumbar_stiffness, "
    "c.finding_thoracic_stiffness, c.finding_sciatic_nerve_tension, c.finding_notes, "
    "c.resolved_at, c.created_at, c.created_by, c.updated_at, c.updated_by, "
    "c.bamic_grade, c.bamic_site";

// The mutable columns of a complaint, in the order BindComplaintBody binds them.
constexpr const char* kComplaintBodyColumns[] = {
    "side",
    "onset_at",
    "onset_kind",
    "mechanism",
    "symptom_ache",
    "symptom_tightness",
    "symptom_spasm",
    "symptom_pain",
    "symptom_sleep_disturbance",
    "symptom_inflexibility",
    "symptom_weakness_against_quadriceps",
    "osiics_code",
    "history_lumbar_disc_herniation",
    "history_notes",
    "finding_pelvic_rotation",
    "finding_piriformis_spasm",
    "finding_lumbar_stiffness",
    "finding_thoracic_stiffness",
    "finding_sciatic_nerve_tension",
    "finding_notes",
    "resolved_at",
    "updated_at",
    "updated_by",
};
// Added by a later schema step (BAMIC grade and site); NULL while no grade is given, so a complaint
// without one is inserted without naming them (which also lets this build's store write into a
// database of the first schema, as the migration test does before upgrading it).
constexpr const char* kComplaintBamicColumns[] = {"bamic_grade", "bamic_site"};

const std::string& InsertComplaintSql(bool with_bamic) {
  auto make = [](bool bamic) {
    std::string names = absl::StrJoin(kComplaintBodyColumns, ", ");
    std::string params;
    for (size_t i = 0; i < std::size(kComplaintBodyColumns); ++i) params += "?, ";
    if (bamic) {
      absl::StrAppend(&names, ", ", absl::StrJoin(kComplaintBamicColumns, ", "));
      for (size_t i = 0; i < std::size(kComplaintBamicColumns); ++i) params += "?, ";
    }
    return new std::string(absl::StrCat("INSERT INTO complaints (", names,
                                        ", player_id, created_at, created_by) VALUES (", params,
                                        "?, ?, ?)"));
  };
  static const std::string* const without = make(false);
  static const std::string* const with = make(true);
  return with_bamic ? *with : *without;
}

const std::string& UpdateComplaintSql() {
  static const std::string* const sql = [] {
    auto assign = [](std::string* out, const char* name) { absl::StrAppend(out, name, " = ?"); };
    std::string assignments = absl::StrCat(absl::StrJoin(kComplaintBodyColumns, ", ", assign),
                                           ", ", absl::StrJoin(kComplaintBamicColumns, ", ", assign));
    return new std::string(absl::StrCat("UPDATE complaints SET ", assignments, " WHERE id = ?"));
  }();
  return *sql;
}

void BindComplaintBody(Binder& b, const Complaint& c) {
  b.Int(static_cast<int>(c.side)).Time(c.onset_at).Int(static_cast<int>(c.onset_kind));
  b.Int(static_cast<int>(c.mechanism));
  BindSymptoms(b, c.symptoms);
  b.Text(c.osiics_code).Bool(c.history.lumbar_disc_herniation).Text(c.history.notes);
  b.Bool(c.findings.pelvic_rotation).Bool(c.findings.piriformis_spasm);
  b.Bool(c.findings.lumbar_stiffness).Bool(c.findings.thoracic_stiffness);
  b.Bool(c.findings.sciatic_nerve_tension).Text(c.findings.notes);
  b.OptTime(c.resolved_at).Time(c.updated_at).Text(c.updated_by);
}

// The kComplaintBamicColumns, in order.
void BindBamic(Binder& b, const Complaint& c) {
  if (c.bamic) {
    b.Int(c.bamic->grade).Int(static_cast<int>(c.bamic->site));
  } else {
    b.Null().Null();
  }
}

Complaint ReadComplaint(const Statement& q) {
  Row r(q);
  Complaint c;
  c.id = r.Int();
  c.player_id = r.Int();
  c.side = static_cast<domain::Side>(r.Int32());
  c.onset_at = r.Time();
  c.onset_kind = static_cast<domain::OnsetKind>(r.Int32());
  c.mechanism = static_cast<domain::Mechanism>(r.Int32());
  c.symptoms = ReadSymptoms(r);
  c.osiics_code = r.Text();
  c.history.lumbar_disc_herniation = r.Bool();
  c.history.notes = r.Text();
  c.findings.pelvic_rotation = r.Bool();
  c.findings.piriformis_spasm = r.Bool();
  c.findings.lumbar_stiffness = r.Bool();
  c.findings.thoracic_stiffness = r.Bool();
  c.findings.sciatic_nerve_tension = r.Bool();
  c.findings.notes = r.Text();
  c.resolved_at = r.OptTime();
  c.created_at = r.Time();
  c.created_by = r.Text();
  c.updated_at = r.Time();
  c.updated_by = r.Text();
  if (!r.IsNull()) {
    domain::BamicGrade g;
    g.grade = r.Int32();
    g.site = static_cast<domain::BamicSite>(r.Int32());
    c.bamic = g;
  } else {
    r.Skip(2);
  }
  return c;
}

constexpr char kCheckInColumns[] =
    "k.id, k.complaint_id, k.checked_at, " TOUCHLINE_SYMPTOM_COLUMNS("k.") ", k.note, k.recorded_by";

CheckIn ReadCheckIn(const Statement& q) {
  Row r(q);
  CheckIn c;
  c.id = r.Int();
  c.complaint_id = r.Int();
  c.checked_at = r.Time();
  c.symptoms = ReadSymptoms(r);
  c.note = r.Text();
  c.recorded_by = r.Text();
  return c;
}


// Fills the check-ins (oldest first) of `complaints`, in any order, in one query: each check-in
// goes to its complaint by id, so a list in onset order gets the same check-ins as one by id.
void AttachCheckIns(Transaction& db, std::vector<Complaint>& complaints) {
  if (complaints.empty()) return;
  std::vector<Id> ids;
  ids.reserve(complaints.size());
  absl::flat_hash_map<Id, Complaint*> by_id;
  by_id.reserve(complaints.size());
  for (Complaint& c : complaints) {
    c.check_ins.clear();
    ids.push_back(c.id);
    by_id.emplace(c.id, &c);
  }
  // Index order within each complaint: (complaint_id, checked_at, id).
  static const std::string kSql =
      absl::StrCat("SELECT ", kCheckInColumns, " FROM ", kIdsTable,
                   " CROSS JOIN check_ins k ON k.complaint_id = ids.list_id");
  Statement q = db.PrepareCached(kSql);
  q.Bind(1, IdsJson(ids));
  while (q.Step()) {
    CheckIn check_in = ReadCheckIn(q);
    const auto it = by_id.find(check_in.complaint_id);
    if (it != by_id.end()) it->second->check_ins.push_back(std::move(check_in));
  }
  // SQLite gives them in index order already; PostgreSQL's join may not (a handful each).
  for (Complaint& c : complaints) {
    std::sort(c.check_ins.begin(), c.check_ins.end(), [](const CheckIn& a, const CheckIn& b) {
      return a.checked_at != b.checked_at ? a.checked_at < b.checked_at : a.id < b.id;
    });
  }
}

std::vector<Complaint> RunComplaintQuery(Transaction& db, Statement& q) {
  std::vector<Complaint> out;
  while (q.Step()) out.push_back(ReadComplaint(q));
  AttachCheckIns(db, out);
  return out;
}

}  // namespace

absl::StatusOr<Complaint> InsertComplaint(Transaction& db, const Complaint& complaint) {
  RefusableStep refusable(db);
  try {
    Statement q = db.Prepare(InsertComplaintSql(complaint.bamic.has_value()));
    Binder b(q);
    BindComplaintBody(b, complaint);
    if (complaint.bamic) BindBamic(b, complaint);
    b.Int(complaint.player_id).Time(complaint.created_at).Text(complaint.created_by);
    q.Execute();
  } catch (const StoreError& e) {
    if (e.IsForeignKeyViolation()) return NotFound("player", complaint.player_id);
    return StatusFromStoreError(e);
  }
  Complaint out = complaint;
  out.id = db.LastInsertId();
  out.check_ins.clear();
  return out;
}

absl::StatusOr<Complaint> FindComplaint(Transaction& db, Id id) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kComplaintColumns, " FROM complaints c WHERE c.id = ?"));
  q.Bind(1, id);
  std::vector<Complaint> found = RunComplaintQuery(db, q);
  if (found.empty()) return NotFound("complaint", id);
  return std::move(found.front());
}

std::vector<Complaint> ListComplaints(Transaction& db, const ComplaintFilter& filter,
                                      PageCursor after, int limit) {
  std::string sql = absl::StrCat("SELECT ", kComplaintColumns, " FROM complaints c");
  if (filter.squad_id != 0) sql += " JOIN players p ON p.id = c.player_id";
  sql += " WHERE (c.onset_at > ? OR (c.onset_at = ? AND c.id > ?))";
  if (filter.player_id != 0) sql += " AND c.player_id = ?";
  if (filter.squad_id != 0) sql += " AND p.squad_id = ?";
  if (filter.open_only) sql += " AND c.resolved_at IS NULL";
  sql += " ORDER BY c.onset_at, c.id LIMIT ?";
  Statement q = db.Prepare(sql);
  Binder b(q);
  b.Int(after.key).Int(after.key).Int(after.id);
  if (filter.player_id != 0) b.Int(filter.player_id);
  if (filter.squad_id != 0) b.Int(filter.squad_id);
  b.Int(limit);
  return RunComplaintQuery(db, q);
}

std::vector<Id> PlayersWithComplaintOpenAt(Transaction& db, const std::vector<Id>& player_ids,
                                           absl::Time as_of) {
  std::vector<Id> out;
  if (player_ids.empty()) return out;
  static const std::string kSql = absl::StrCat(
      "SELECT ids.list_id FROM ", kIdsTable,
      " WHERE EXISTS (SELECT 1 FROM complaints c WHERE c.player_id = ids.list_id"
      " AND c.onset_at <= ? AND (c.resolved_at IS NULL OR c.resolved_at > ?))");
  Statement q = db.PrepareCached(kSql);
  Binder(q).Text(IdsJson(player_ids)).Time(as_of).Time(as_of);
  while (q.Step()) out.push_back(q.ColumnInt(0));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::map<Id, absl::Time> NextComplaintOnsets(Transaction& db,
                                             const std::vector<Id>& player_ids, absl::Time after) {
  std::map<Id, absl::Time> onsets;
  if (player_ids.empty()) return onsets;
  static const std::string kSql = absl::StrCat(
      "SELECT ids.list_id, (SELECT MIN(c.onset_at) FROM complaints c"
      " WHERE c.player_id = ids.list_id AND c.onset_at > ?) FROM ",
      kIdsTable);
  Statement q = db.PrepareCached(kSql);
  Binder(q).Time(after).Text(IdsJson(player_ids));
  while (q.Step()) {
    if (q.IsNull(1)) continue;
    onsets[q.ColumnInt(0)] = absl::FromUnixMicros(q.ColumnInt(1));
  }
  return onsets;
}

std::vector<Complaint> ListComplaintsOfPlayers(Transaction& db,
                                               const std::vector<Id>& player_ids) {
  if (player_ids.empty()) return {};
  static const std::string kSql = absl::StrCat(
      "SELECT ", kComplaintColumns, " FROM ", kIdsTable,
      " CROSS JOIN complaints c ON c.player_id = ids.list_id");
  Statement q = db.PrepareCached(kSql);
  q.Bind(1, IdsJson(player_ids));
  std::vector<Complaint> out = RunComplaintQuery(db, q);
  std::sort(out.begin(), out.end(), [](const Complaint& a, const Complaint& b) { return a.id < b.id; });
  return out;
}

absl::Status UpdateComplaint(Transaction& db, const Complaint& complaint) {
  RefusableStep refusable(db);
  try {
    Statement q = db.Prepare(UpdateComplaintSql());
    Binder b(q);
    BindComplaintBody(b, complaint);
    BindBamic(b, complaint);
    b.Int(complaint.id);
    if (q.Execute() == 0) return NotFound("complaint", complaint.id);
  } catch (const StoreError& e) {
    return StatusFromStoreError(e);
  }
  return absl::OkStatus();
}

absl::StatusOr<CheckIn> InsertCheckIn(Transaction& db, const CheckIn& check_in) {
  RefusableStep refusable(db);
  try {
    Statement q = db.Prepare("INSERT INTO check_ins (complaint_id, checked_at, " TOUCHLINE_SYMPTOM_COLUMNS(
                "") ", note, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Binder b(q);
    b.Int(check_in.complaint_id).Time(check_in.checked_at);
    BindSymptoms(b, check_in.symptoms);
    b.Text(check_in.note).Text(check_in.recorded_by);
    q.Execute();
  } catch (const StoreError& e) {
    if (e.IsForeignKeyViolation()) return NotFound("complaint", check_in.complaint_id);
    return StatusFromStoreError(e);
  }
  CheckIn out = check_in;
  out.id = db.LastInsertId();
  return out;
}


std::vector<SquadRecord<Complaint>> ListComplaintsForExport(Transaction& db,
                                                            const ExportFilter& filter,
                                                            Id after_id, Id up_to_id, int limit) {
  Statement q = db.Prepare(ExportSql(kComplaintColumns, "complaints", "c", "onset_at", filter));
  BindExport(q, filter, after_id, up_to_id, limit);
  std::vector<Id> squads;
  std::vector<Complaint> complaints;
  while (q.Step()) {
    squads.push_back(LastSquadColumn(q));
    complaints.push_back(ReadComplaint(q));
  }
  AttachCheckIns(db, complaints);
  std::vector<SquadRecord<Complaint>> out;
  out.reserve(complaints.size());
  for (size_t i = 0; i < complaints.size(); ++i) {
    out.push_back({squads[i], std::move(complaints[i])});
  }
  return out;
}

Id LastComplaintId(Transaction& db) {
  return QueryInt(db, "SELECT coalesce(max(id), 0) FROM complaints");
}

}  // namespace touchline::storage
