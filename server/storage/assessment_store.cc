#include "server/storage/assessment_store.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/database.h"
#include "server/storage/id_lists.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
namespace {

using domain::Assessment;
using domain::AssessmentSide;

constexpr int kLeft = 1;   // domain::Side::kLeft
constexpr int kRight = 2;  // domain::Side::kRight

// The columns ReadAssessment reads, in order; `s` is the amending assessment (LEFT JOIN).
constexpr char kColumns[] =
    "a.id, a.player_id, a.kind, a.assessed_at, a.baseline, a.complaint_id, "
    "a.knee_flexion_degrees, a.pelvic_rotation, a.lumbar_flexion_cm, a.note, a.amends_id, "
    "a.amend_reason, a.recorded_at, a.recorded_by, s.id";
constexpr char kFrom[] = " FROM assessments a LEFT JOIN assessments s ON s.amends_id = a.id";

std::optional<double> OptReal(const Statement& q, int i) {
  if (q.IsNull(i)) return std::nullopt;
  return q.ColumnDouble(i);
}
std::optional<int> OptInt(const Statement& q, int i) {
  if (q.IsNull(i)) return std::nullopt;
  return q.ColumnInt32(i);
}
int64_t IntOrZero(const Statement& q, int i) {
  return q.IsNull(i) ? 0 : q.ColumnInt(i);
}

Assessment ReadAssessment(const Statement& q) {
  Assessment a;
  a.id = q.ColumnInt(0);
  a.player_id = q.ColumnInt(1);
  a.kind = static_cast<domain::AssessmentKind>(q.ColumnInt32(2));
  a.assessed_at = TimeColumn(q, 3);
  a.baseline = q.ColumnInt32(4) != 0;
  a.complaint_id = IntOrZero(q, 5);
  a.knee_flexion_degrees = q.ColumnInt32(6);
  if (auto r = OptInt(q, 7)) a.pelvic_rotation = static_cast<domain::PelvicRotation>(*r);
  a.lumbar_flexion_cm = OptReal(q, 8);
  a.note = q.ColumnText(9);
  a.amends_id = IntOrZero(q, 10);
  a.amend_reason = q.ColumnText(11);
  a.recorded_at = TimeColumn(q, 12);
  a.recorded_by = q.ColumnText(13);
  a.superseded_by = IntOrZero(q, 14);
  return a;
}

// Fills the legs of `assessments` with one query, whatever their number.
void AttachSides(Transaction& db, std::vector<Assessment>& assessments) {
  if (assessments.empty()) return;
  std::vector<Id> ids;
  std::vector<Assessment*> by_id;
  for (Assessment& a : assessments) {
    ids.push_back(a.id);
    by_id.push_back(&a);
  }
  std::sort(by_id.begin(), by_id.end(),
            [](const Assessment* a, const Assessment* b) { return a->id < b->id; });
  Statement q = db.Prepare("SELECT assessment_id, side, angle_degrees, sensitised_angle_degrees, "
                      "symptoms_reproduced, sensitised_symptoms_reproduced, "
                      "sensitiser_changes_symptoms, force_newtons, hip_flexion_degrees, "
                      "apprehension_mm, piriformis_tone, thoracic_rotation_degrees "
                      "FROM assessment_sides "
                      "WHERE assessment_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?)) "
                      "ORDER BY assessment_id, side");
  q.Bind(1, IdsJson(ids));
  while (q.Step()) {
    const Id id = q.ColumnInt(0);
    AssessmentSide s;
    s.angle_degrees = OptReal(q, 2);
    s.sensitised_angle_degrees = OptReal(q, 3);
    s.symptoms_reproduced = q.ColumnInt32(4) != 0;
    s.sensitised_symptoms_reproduced = q.ColumnInt32(5) != 0;
    s.sensitiser_changes_symptoms = q.ColumnInt32(6) != 0;
    s.force_newtons = OptReal(q, 7);
    s.hip_flexion_degrees = OptReal(q, 8);
    s.apprehension_mm = OptInt(q, 9);
    if (auto tone = OptInt(q, 10)) s.piriformis_tone = static_cast<domain::MuscleTone>(*tone);
    s.thoracic_rotation_degrees = OptReal(q, 11);
    auto it = std::lower_bound(by_id.begin(), by_id.end(), id,
                               [](const Assessment* a, Id want) { return a->id < want; });
    if (it == by_id.end() || (*it)->id != id) continue;
    ((q.ColumnInt32(1) == kLeft) ? (*it)->left : (*it)->right) = std::move(s);
  }
}

std::vector<Assessment> Run(Transaction& db, Statement& q) {
  std::vector<Assessment> out;
  while (q.Step()) out.push_back(ReadAssessment(q));
  AttachSides(db, out);
  return out;
}

void BindOptReal(Statement& q, int i, const std::optional<double>& v) {
  if (v) {
    q.Bind(i, *v);
  } else {
    q.BindNull(i);
  }
}
void BindOptInt(Statement& q, int i, const std::optional<int>& v) {
  if (v) {
    q.Bind(i, *v);
  } else {
    q.BindNull(i);
  }
}

}  // namespace

absl::StatusOr<Assessment> InsertAssessment(Transaction& db, const Assessment& assessment) {
  Assessment out = assessment;
  out.superseded_by = 0;
  try {
    InSavepoint(db, "insert_assessment", [&] {
      Statement q = db.Prepare("INSERT INTO assessments (player_id, kind, assessed_at, baseline, "
                          "complaint_id, knee_flexion_degrees, pelvic_rotation, lumbar_flexion_cm, "
                          "note, amends_id, amend_reason, recorded_at, recorded_by) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      q.Bind(1, out.player_id);
      q.Bind(2, static_cast<int>(out.kind));
      q.Bind(3, absl::ToUnixMicros(out.assessed_at));
      q.Bind(4, out.baseline ? 1 : 0);
      if (out.complaint_id != 0) {
        q.Bind(5, out.complaint_id);
      } else {
        q.BindNull(5);
      }
      q.Bind(6, out.knee_flexion_degrees);
      BindOptInt(q, 7,
                 out.pelvic_rotation ? std::optional<int>(static_cast<int>(*out.pelvic_rotation))
                                     : std::nullopt);
      BindOptReal(q, 8, out.lumbar_flexion_cm);
      q.Bind(9, out.note);
      if (out.amends_id != 0) {
        q.Bind(10, out.amends_id);
      } else {
        q.BindNull(10);
      }
      q.Bind(11, out.amend_reason);
      q.Bind(12, absl::ToUnixMicros(out.recorded_at));
      q.Bind(13, out.recorded_by);
      q.Execute();
      out.id = db.LastInsertId();
      Statement s = db.Prepare("INSERT INTO assessment_sides (assessment_id, side, angle_degrees, "
                          "sensitised_angle_degrees, symptoms_reproduced, "
                          "sensitised_symptoms_reproduced, sensitiser_changes_symptoms, "
                          "force_newtons, hip_flexion_degrees, apprehension_mm, piriformis_tone, "
                          "thoracic_rotation_degrees) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (const auto& [side, leg] : {std::pair{kLeft, &out.left}, std::pair{kRight, &out.right}}) {
        if (!leg->has_value()) continue;
        const AssessmentSide& l = **leg;
        s.Reset();
        s.Bind(1, out.id);
        s.Bind(2, side);
        BindOptReal(s, 3, l.angle_degrees);
        BindOptReal(s, 4, l.sensitised_angle_degrees);
        s.Bind(5, l.symptoms_reproduced ? 1 : 0);
        s.Bind(6, l.sensitised_symptoms_reproduced ? 1 : 0);
        s.Bind(7, l.sensitiser_changes_symptoms ? 1 : 0);
        BindOptReal(s, 8, l.force_newtons);
        BindOptReal(s, 9, l.hip_flexion_degrees);
        BindOptInt(s, 10, l.apprehension_mm);
        BindOptInt(s, 11,
                   l.piriformis_tone ? std::optional<int>(static_cast<int>(*l.piriformis_tone))
                                     : std::nullopt);
        BindOptReal(s, 12, l.thoracic_rotation_degrees);
        s.Execute();
      }
    });
  } catch (const StoreError& e) {
    if (e.kind() == StoreErrorKind::kUniqueViolation) {
      return absl::FailedPreconditionError(absl::StrCat(
          "assessment ", assessment.amends_id, " has already been corrected; amend the correction"));
    }
    if (e.IsForeignKeyViolation()) {
      return absl::NotFoundError("the player, complaint or amended assessment does not exist");
    }
    return StatusFromStoreError(e);
  }
  return out;
}

absl::StatusOr<Assessment> FindAssessment(Transaction& db, Id id) {
  Statement q = db.Prepare(absl::StrCat("SELECT ", kColumns, kFrom, " WHERE a.id = ?"));
  q.Bind(1, id);
  std::vector<Assessment> found = Run(db, q);
  if (found.empty()) return absl::NotFoundError(absl::StrCat("assessment ", id, " not found"));
  return std::move(found.front());
}

std::vector<Assessment> ListAssessments(Transaction& db, const AssessmentFilter& filter,
                                        PageCursor after, int limit) {
  std::string sql = absl::StrCat("SELECT ", kColumns, kFrom);
  if (filter.squad_id != 0) sql += " JOIN players p ON p.id = a.player_id";
  sql += " WHERE (a.assessed_at > ? OR (a.assessed_at = ? AND a.id > ?))";
  if (filter.player_id != 0) sql += " AND a.player_id = ?";
  if (filter.squad_id != 0) sql += " AND p.squad_id = ?";
  if (!filter.kinds.empty()) sql += " AND a.kind IN (SELECT CAST(value AS BIGINT) FROM json_each(?))";
  if (!filter.include_superseded) sql += " AND s.id IS NULL";
  sql += " ORDER BY a.assessed_at, a.id LIMIT ?";
  Statement q = db.Prepare(sql);
  int i = 1;
  q.Bind(i++, after.key);
  q.Bind(i++, after.key);
  q.Bind(i++, after.id);
  if (filter.player_id != 0) q.Bind(i++, filter.player_id);
  if (filter.squad_id != 0) q.Bind(i++, filter.squad_id);
  if (!filter.kinds.empty()) {
    std::vector<Id> kinds;
    for (auto k : filter.kinds) kinds.push_back(static_cast<Id>(k));
    q.Bind(i++, IdsJson(kinds));
  }
  q.Bind(i++, limit);
  return Run(db, q);
}

std::vector<Assessment> ListBaselinesOfPlayers(Transaction& db,
                                               const std::vector<Id>& player_ids) {
  if (player_ids.empty()) return {};
  Statement q = db.Prepare(absl::StrCat("SELECT ", kColumns, kFrom,
                                       " WHERE a.player_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?))"
                                       " AND a.baseline = 1 AND s.id IS NULL"
                                       " ORDER BY a.assessed_at, a.id"));
  q.Bind(1, IdsJson(player_ids));
  return Run(db, q);
}

std::vector<Assessment> ListCurrentAssessmentsOfPlayers(
    Transaction& db, const std::vector<Id>& player_ids,
    const std::vector<domain::AssessmentKind>& kinds, absl::Time from, absl::Time to) {
  if (player_ids.empty() || kinds.empty()) return {};
  std::vector<Id> kind_ids;
  for (auto k : kinds) kind_ids.push_back(static_cast<Id>(k));
  Statement q = db.Prepare(absl::StrCat("SELECT ", kColumns, kFrom,
                                       " WHERE a.player_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?))"
                                       " AND a.kind IN (SELECT CAST(value AS BIGINT) FROM json_each(?))"
                                       " AND a.assessed_at >= ? AND a.assessed_at < ?"
                                       " AND s.id IS NULL ORDER BY a.assessed_at, a.id"));
  q.Bind(1, IdsJson(player_ids));
  q.Bind(2, IdsJson(kind_ids));
  q.Bind(3, from == absl::InfinitePast() ? INT64_MIN : absl::ToUnixMicros(from));
  q.Bind(4, to == absl::InfiniteFuture() ? INT64_MAX : absl::ToUnixMicros(to));
  return Run(db, q);
}

std::vector<Assessment> ListPelvicScreensOfPlayers(Transaction& db,
                                                   const std::vector<Id>& player_ids,
                                                   absl::Time from, absl::Time to) {
  return ListCurrentAssessmentsOfPlayers(db, player_ids, {domain::AssessmentKind::kPelvicScreen},
                                         from, to);
}

}  // namespace touchline::storage
