#include "server/storage/assessment_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <utility>

#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/database.h"

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

std::optional<double> OptReal(const SQLite::Statement& q, int i) {
  if (q.isColumnNull(i)) return std::nullopt;
  return q.getColumn(i).getDouble();
}
std::optional<int> OptInt(const SQLite::Statement& q, int i) {
  if (q.isColumnNull(i)) return std::nullopt;
  return q.getColumn(i).getInt();
}
int64_t IntOrZero(const SQLite::Statement& q, int i) {
  return q.isColumnNull(i) ? 0 : q.getColumn(i).getInt64();
}

Assessment ReadAssessment(const SQLite::Statement& q) {
  Assessment a;
  a.id = q.getColumn(0).getInt64();
  a.player_id = q.getColumn(1).getInt64();
  a.kind = static_cast<domain::AssessmentKind>(q.getColumn(2).getInt());
  a.assessed_at = absl::FromUnixMicros(q.getColumn(3).getInt64());
  a.baseline = q.getColumn(4).getInt() != 0;
  a.complaint_id = IntOrZero(q, 5);
  a.knee_flexion_degrees = q.getColumn(6).getInt();
  if (auto r = OptInt(q, 7)) a.pelvic_rotation = static_cast<domain::PelvicRotation>(*r);
  a.lumbar_flexion_cm = OptReal(q, 8);
  a.note = q.getColumn(9).getString();
  a.amends_id = IntOrZero(q, 10);
  a.amend_reason = q.getColumn(11).getString();
  a.recorded_at = absl::FromUnixMicros(q.getColumn(12).getInt64());
  a.recorded_by = q.getColumn(13).getString();
  a.superseded_by = IntOrZero(q, 14);
  return a;
}

std::string IdsJson(const std::vector<Id>& ids) {
  return absl::StrCat("[", absl::StrJoin(ids, ","), "]");
}

// Fills the legs of `assessments` with one query, whatever their number.
void AttachSides(SQLite::Database& db, std::vector<Assessment>& assessments) {
  if (assessments.empty()) return;
  std::vector<Id> ids;
  std::vector<Assessment*> by_id;
  for (Assessment& a : assessments) {
    ids.push_back(a.id);
    by_id.push_back(&a);
  }
  std::sort(by_id.begin(), by_id.end(),
            [](const Assessment* a, const Assessment* b) { return a->id < b->id; });
  SQLite::Statement q(db,
                      "SELECT assessment_id, side, angle_degrees, sensitised_angle_degrees, "
                      "symptoms_reproduced, sensitised_symptoms_reproduced, "
                      "sensitiser_changes_symptoms, force_newtons, hip_flexion_degrees, "
                      "apprehension_mm, piriformis_tone, thoracic_rotation_degrees "
                      "FROM assessment_sides "
                      "WHERE assessment_id IN (SELECT value FROM json_each(?)) "
                      "ORDER BY assessment_id, side");
  q.bind(1, IdsJson(ids));
  while (q.executeStep()) {
    const Id id = q.getColumn(0).getInt64();
    AssessmentSide s;
    s.angle_degrees = OptReal(q, 2);
    s.sensitised_angle_degrees = OptReal(q, 3);
    s.symptoms_reproduced = q.getColumn(4).getInt() != 0;
    s.sensitised_symptoms_reproduced = q.getColumn(5).getInt() != 0;
    s.sensitiser_changes_symptoms = q.getColumn(6).getInt() != 0;
    s.force_newtons = OptReal(q, 7);
    s.hip_flexion_degrees = OptReal(q, 8);
    s.apprehension_mm = OptInt(q, 9);
    if (auto tone = OptInt(q, 10)) s.piriformis_tone = static_cast<domain::MuscleTone>(*tone);
    s.thoracic_rotation_degrees = OptReal(q, 11);
    auto it = std::lower_bound(by_id.begin(), by_id.end(), id,
                               [](const Assessment* a, Id want) { return a->id < want; });
    if (it == by_id.end() || (*it)->id != id) continue;
    ((q.getColumn(1).getInt() == kLeft) ? (*it)->left : (*it)->right) = std::move(s);
  }
}

std::vector<Assessment> Run(SQLite::Database& db, SQLite::Statement& q) {
  std::vector<Assessment> out;
  while (q.executeStep()) out.push_back(ReadAssessment(q));
  AttachSides(db, out);
  return out;
}

void BindOptReal(SQLite::Statement& q, int i, const std::optional<double>& v) {
  if (v) {
    q.bind(i, *v);
  } else {
    q.bind(i);
  }
}
void BindOptInt(SQLite::Statement& q, int i, const std::optional<int>& v) {
  if (v) {
    q.bind(i, *v);
  } else {
    q.bind(i);
  }
}

}  // namespace

absl::StatusOr<Assessment> InsertAssessment(SQLite::Database& db, const Assessment& assessment) {
  Assessment out = assessment;
  out.superseded_by = 0;
  try {
    db.exec("SAVEPOINT insert_assessment");
    try {
      SQLite::Statement q(db,
                          "INSERT INTO assessments (player_id, kind, assessed_at, baseline, "
                          "complaint_id, knee_flexion_degrees, pelvic_rotation, lumbar_flexion_cm, "
                          "note, amends_id, amend_reason, recorded_at, recorded_by) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      q.bind(1, out.player_id);
      q.bind(2, static_cast<int>(out.kind));
      q.bind(3, absl::ToUnixMicros(out.assessed_at));
      q.bind(4, out.baseline ? 1 : 0);
      if (out.complaint_id != 0) {
        q.bind(5, out.complaint_id);
      } else {
        q.bind(5);
      }
      q.bind(6, out.knee_flexion_degrees);
      BindOptInt(q, 7,
                 out.pelvic_rotation ? std::optional<int>(static_cast<int>(*out.pelvic_rotation))
                                     : std::nullopt);
      BindOptReal(q, 8, out.lumbar_flexion_cm);
      q.bind(9, out.note);
      if (out.amends_id != 0) {
        q.bind(10, out.amends_id);
      } else {
        q.bind(10);
      }
      q.bind(11, out.amend_reason);
      q.bind(12, absl::ToUnixMicros(out.recorded_at));
      q.bind(13, out.recorded_by);
      q.exec();
      out.id = db.getLastInsertRowid();
      SQLite::Statement s(db,
                          "INSERT INTO assessment_sides (assessment_id, side, angle_degrees, "
                          "sensitised_angle_degrees, symptoms_reproduced, "
                          "sensitised_symptoms_reproduced, sensitiser_changes_symptoms, "
                          "force_newtons, hip_flexion_degrees, apprehension_mm, piriformis_tone, "
                          "thoracic_rotation_degrees) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (const auto& [side, leg] : {std::pair{kLeft, &out.left}, std::pair{kRight, &out.right}}) {
        if (!leg->has_value()) continue;
        const AssessmentSide& l = **leg;
        s.reset();
        s.bind(1, out.id);
        s.bind(2, side);
        BindOptReal(s, 3, l.angle_degrees);
        BindOptReal(s, 4, l.sensitised_angle_degrees);
        s.bind(5, l.symptoms_reproduced ? 1 : 0);
        s.bind(6, l.sensitised_symptoms_reproduced ? 1 : 0);
        s.bind(7, l.sensitiser_changes_symptoms ? 1 : 0);
        BindOptReal(s, 8, l.force_newtons);
        BindOptReal(s, 9, l.hip_flexion_degrees);
        BindOptInt(s, 10, l.apprehension_mm);
        BindOptInt(s, 11,
                   l.piriformis_tone ? std::optional<int>(static_cast<int>(*l.piriformis_tone))
                                     : std::nullopt);
        BindOptReal(s, 12, l.thoracic_rotation_degrees);
        s.exec();
      }
      db.exec("RELEASE insert_assessment");
    } catch (...) {
      db.tryExec("ROLLBACK TO insert_assessment");
      db.tryExec("RELEASE insert_assessment");
      throw;
    }
  } catch (const SQLite::Exception& e) {
    const int code = e.getExtendedErrorCode();
    if (code == SQLITE_CONSTRAINT_UNIQUE) {
      return absl::FailedPreconditionError(absl::StrCat(
          "assessment ", assessment.amends_id, " has already been corrected; amend the correction"));
    }
    if (code == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return absl::NotFoundError("the player, complaint or amended assessment does not exist");
    }
    return StatusFromSqliteError(e);
  }
  return out;
}

absl::StatusOr<Assessment> FindAssessment(SQLite::Database& db, Id id) {
  SQLite::Statement q(db, absl::StrCat("SELECT ", kColumns, kFrom, " WHERE a.id = ?"));
  q.bind(1, id);
  std::vector<Assessment> found = Run(db, q);
  if (found.empty()) return absl::NotFoundError(absl::StrCat("assessment ", id, " not found"));
  return std::move(found.front());
}

std::vector<Assessment> ListAssessments(SQLite::Database& db, const AssessmentFilter& filter,
                                        PageCursor after, int limit) {
  std::string sql = absl::StrCat("SELECT ", kColumns, kFrom);
  if (filter.squad_id != 0) sql += " JOIN players p ON p.id = a.player_id";
  sql += " WHERE (a.assessed_at > ? OR (a.assessed_at = ? AND a.id > ?))";
  if (filter.player_id != 0) sql += " AND a.player_id = ?";
  if (filter.squad_id != 0) sql += " AND p.squad_id = ?";
  if (!filter.kinds.empty()) sql += " AND a.kind IN (SELECT value FROM json_each(?))";
  if (!filter.include_superseded) sql += " AND s.id IS NULL";
  sql += " ORDER BY a.assessed_at, a.id LIMIT ?";
  SQLite::Statement q(db, sql);
  int i = 1;
  q.bind(i++, after.key);
  q.bind(i++, after.key);
  q.bind(i++, after.id);
  if (filter.player_id != 0) q.bind(i++, filter.player_id);
  if (filter.squad_id != 0) q.bind(i++, filter.squad_id);
  if (!filter.kinds.empty()) {
    std::vector<Id> kinds;
    for (auto k : filter.kinds) kinds.push_back(static_cast<Id>(k));
    q.bind(i++, IdsJson(kinds));
  }
  q.bind(i++, limit);
  return Run(db, q);
}

std::vector<Assessment> ListBaselinesOfPlayers(SQLite::Database& db,
                                               const std::vector<Id>& player_ids) {
  if (player_ids.empty()) return {};
  SQLite::Statement q(db, absl::StrCat("SELECT ", kColumns, kFrom,
                                       " WHERE a.player_id IN (SELECT value FROM json_each(?))"
                                       " AND a.baseline = 1 AND s.id IS NULL"
                                       " ORDER BY a.assessed_at, a.id"));
  q.bind(1, IdsJson(player_ids));
  return Run(db, q);
}

std::vector<Assessment> ListCurrentAssessmentsOfPlayers(
    SQLite::Database& db, const std::vector<Id>& player_ids,
    const std::vector<domain::AssessmentKind>& kinds, absl::Time from, absl::Time to) {
  if (player_ids.empty() || kinds.empty()) return {};
  std::vector<Id> kind_ids;
  for (auto k : kinds) kind_ids.push_back(static_cast<Id>(k));
  SQLite::Statement q(db, absl::StrCat("SELECT ", kColumns, kFrom,
                                       " WHERE a.player_id IN (SELECT value FROM json_each(?))"
                                       " AND a.kind IN (SELECT value FROM json_each(?))"
                                       " AND a.assessed_at >= ? AND a.assessed_at < ?"
                                       " AND s.id IS NULL ORDER BY a.assessed_at, a.id"));
  q.bind(1, IdsJson(player_ids));
  q.bind(2, IdsJson(kind_ids));
  q.bind(3, from == absl::InfinitePast() ? INT64_MIN : absl::ToUnixMicros(from));
  q.bind(4, to == absl::InfiniteFuture() ? INT64_MAX : absl::ToUnixMicros(to));
  return Run(db, q);
}

std::vector<Assessment> ListPelvicScreensOfPlayers(SQLite::Database& db,
                                                   const std::vector<Id>& player_ids,
                                                   absl::Time from, absl::Time to) {
  return ListCurrentAssessmentsOfPlayers(db, player_ids, {domain::AssessmentKind::kPelvicScreen},
                                         from, to);
}

}  // namespace touchline::storage
