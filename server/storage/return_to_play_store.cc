#include "server/storage/return_to_play_store.h"

#include <sqlite3.h>

#include <string>

#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/database.h"

namespace touchline::storage {
namespace {

using domain::ReturnToPlayStage;

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(const SQLite::Statement& q, int i) {
  return absl::FromUnixMicros(q.getColumn(i).getInt64());
}
int64_t IntOrZero(const SQLite::Statement& q, int i) {
  return q.isColumnNull(i) ? 0 : q.getColumn(i).getInt64();
}
void BindIdOrNull(SQLite::Statement& q, int i, Id id) {
  if (id != 0) {
    q.bind(i, id);
  } else {
    q.bind(i);
  }
}

// Runs `insert` and maps the constraint failures a caller can cause to statuses.
template <typename F>
auto Guarded(F&& insert, const std::string& unique_message)
    -> absl::StatusOr<decltype(insert())> {
  try {
    return insert();
  } catch (const SQLite::Exception& e) {
    const int code = e.getExtendedErrorCode();
    if (code == SQLITE_CONSTRAINT_UNIQUE) return absl::AlreadyExistsError(unique_message);
    if (code == SQLITE_CONSTRAINT_FOREIGNKEY) {
      return absl::NotFoundError("a record the return-to-play entry names does not exist");
    }
    return StatusFromSqliteError(e);
  } catch (const std::exception& e) {
    return StatusFromSqliteError(e);
  }
}

absl::StatusOr<domain::ReturnToPlayPlan> FindPlanWhere(SQLite::Database& db, const char* where,
                                                       Id key) {
  try {
    domain::ReturnToPlayPlan plan;
    {
      SQLite::Statement q(db, absl::StrCat("SELECT id, complaint_id, player_id, note, created_at, "
                                           "created_by FROM return_to_play_plans WHERE ",
                                           where));
      q.bind(1, key);
      if (!q.executeStep()) return absl::NotFoundError("");
      plan.id = q.getColumn(0).getInt64();
      plan.complaint_id = q.getColumn(1).getInt64();
      plan.player_id = q.getColumn(2).getInt64();
      plan.note = q.getColumn(3).getString();
      plan.created_at = FromMicros(q, 4);
      plan.created_by = q.getColumn(5).getString();
    }
    {
      SQLite::Statement q(db, "SELECT id, stage, planned_at, reason, recorded_at, recorded_by "
                              "FROM return_to_play_planned_dates WHERE plan_id = ? ORDER BY id");
      q.bind(1, plan.id);
      while (q.executeStep()) {
        domain::PlannedStageDate d;
        d.id = q.getColumn(0).getInt64();
        d.stage = static_cast<ReturnToPlayStage>(q.getColumn(1).getInt());
        d.planned_at = FromMicros(q, 2);
        d.reason = q.getColumn(3).getString();
        d.recorded_at = FromMicros(q, 4);
        d.recorded_by = q.getColumn(5).getString();
        plan.planned_dates.push_back(std::move(d));
      }
    }
    {
      SQLite::Statement q(db,
                          "SELECT c.id, c.stage, c.description, c.check_kind, c.threshold, "
                          "c.withdrawn, c.amends_id, c.amend_reason, c.recorded_at, c.recorded_by, "
                          "s.id FROM return_to_play_criteria c "
                          "LEFT JOIN return_to_play_criteria s ON s.amends_id = c.id "
                          "WHERE c.plan_id = ? ORDER BY c.id");
      q.bind(1, plan.id);
      while (q.executeStep()) {
        domain::ReturnCriterion c;
        c.id = q.getColumn(0).getInt64();
        c.stage = static_cast<ReturnToPlayStage>(q.getColumn(1).getInt());
        c.description = q.getColumn(2).getString();
        c.check = static_cast<domain::CriterionCheck>(q.getColumn(3).getInt());
        c.threshold = q.getColumn(4).getDouble();
        c.withdrawn = q.getColumn(5).getInt() != 0;
        c.amends_id = IntOrZero(q, 6);
        c.amend_reason = q.getColumn(7).getString();
        c.recorded_at = FromMicros(q, 8);
        c.recorded_by = q.getColumn(9).getString();
        c.superseded_by = IntOrZero(q, 10);
        plan.criteria.push_back(std::move(c));
      }
    }
    {
      SQLite::Statement q(db,
                          "SELECT m.id, m.criterion_id, m.met, m.evidence, m.assessment_id, "
                          "m.recorded_at, m.recorded_by, m.finding FROM return_to_play_marks m "
                          "JOIN return_to_play_criteria c ON c.id = m.criterion_id "
                          "WHERE c.plan_id = ? ORDER BY m.id");
      q.bind(1, plan.id);
      while (q.executeStep()) {
        domain::CriterionMark m;
        m.id = q.getColumn(0).getInt64();
        m.criterion_id = q.getColumn(1).getInt64();
        m.met = q.getColumn(2).getInt() != 0;
        m.evidence = q.getColumn(3).getString();
        m.assessment_id = IntOrZero(q, 4);
        m.recorded_at = FromMicros(q, 5);
        m.recorded_by = q.getColumn(6).getString();
        m.finding = q.getColumn(7).getString();
        plan.marks.push_back(std::move(m));
      }
    }
    {
      SQLite::Statement q(db, "SELECT id, stage, reached_at, note, recorded_at, recorded_by "
                              "FROM return_to_play_stages WHERE plan_id = ? ORDER BY stage");
      q.bind(1, plan.id);
      while (q.executeStep()) {
        domain::StageReached r;
        r.id = q.getColumn(0).getInt64();
        r.complaint_id = plan.complaint_id;
        r.stage = static_cast<ReturnToPlayStage>(q.getColumn(1).getInt());
        r.reached_at = FromMicros(q, 2);
        r.note = q.getColumn(3).getString();
        r.recorded_at = FromMicros(q, 4);
        r.recorded_by = q.getColumn(5).getString();
        plan.reached.push_back(std::move(r));
      }
    }
    return plan;
  } catch (const std::exception& e) {
    return StatusFromSqliteError(e);
  }
}

}  // namespace

absl::StatusOr<domain::ReturnToPlayPlan> InsertPlan(SQLite::Database& db,
                                                    const domain::ReturnToPlayPlan& plan) {
  return Guarded(
      [&] {
        SQLite::Statement q(db, "INSERT INTO return_to_play_plans (complaint_id, player_id, note, "
                                "created_at, created_by) VALUES (?, ?, ?, ?, ?)");
        q.bind(1, plan.complaint_id);
        q.bind(2, plan.player_id);
        q.bind(3, plan.note);
        q.bind(4, Micros(plan.created_at));
        q.bind(5, plan.created_by);
        q.exec();
        domain::ReturnToPlayPlan out;
        out.id = db.getLastInsertRowid();
        out.complaint_id = plan.complaint_id;
        out.player_id = plan.player_id;
        out.note = plan.note;
        out.created_at = plan.created_at;
        out.created_by = plan.created_by;
        return out;
      },
      absl::StrCat("complaint ", plan.complaint_id, " already has a return-to-play plan"));
}

absl::StatusOr<domain::ReturnToPlayPlan> FindPlan(SQLite::Database& db, Id plan_id) {
  auto plan = FindPlanWhere(db, "id = ?", plan_id);
  if (absl::IsNotFound(plan.status())) {
    return absl::NotFoundError(absl::StrCat("return-to-play plan ", plan_id, " not found"));
  }
  return plan;
}

absl::StatusOr<domain::ReturnToPlayPlan> FindPlanOfComplaint(SQLite::Database& db,
                                                             Id complaint_id) {
  auto plan = FindPlanWhere(db, "complaint_id = ?", complaint_id);
  if (absl::IsNotFound(plan.status())) {
    return absl::NotFoundError(
        absl::StrCat("complaint ", complaint_id, " has no return-to-play plan"));
  }
  return plan;
}

absl::StatusOr<Id> PlanIdOfCriterion(SQLite::Database& db, Id criterion_id) {
  try {
    SQLite::Statement q(db, "SELECT plan_id FROM return_to_play_criteria WHERE id = ?");
    q.bind(1, criterion_id);
    if (!q.executeStep()) {
      return absl::NotFoundError(absl::StrCat("criterion ", criterion_id, " not found"));
    }
    return q.getColumn(0).getInt64();
  } catch (const std::exception& e) {
    return StatusFromSqliteError(e);
  }
}

std::vector<Id> PlanIdsOfPlayer(SQLite::Database& db, Id player_id) {
  SQLite::Statement q(db, "SELECT id FROM return_to_play_plans WHERE player_id = ? ORDER BY id");
  q.bind(1, player_id);
  std::vector<Id> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getInt64());
  return out;
}

absl::StatusOr<domain::PlannedStageDate> InsertPlannedDate(SQLite::Database& db, Id plan_id,
                                                           const domain::PlannedStageDate& date) {
  return Guarded(
      [&] {
        SQLite::Statement q(db, "INSERT INTO return_to_play_planned_dates (plan_id, stage, "
                                "planned_at, reason, recorded_at, recorded_by) "
                                "VALUES (?, ?, ?, ?, ?, ?)");
        q.bind(1, plan_id);
        q.bind(2, static_cast<int>(date.stage));
        q.bind(3, Micros(date.planned_at));
        q.bind(4, date.reason);
        q.bind(5, Micros(date.recorded_at));
        q.bind(6, date.recorded_by);
        q.exec();
        domain::PlannedStageDate out = date;
        out.id = db.getLastInsertRowid();
        return out;
      },
      "duplicate planned date");
}

absl::StatusOr<domain::ReturnCriterion> InsertCriterion(SQLite::Database& db, Id plan_id,
                                                        const domain::ReturnCriterion& criterion) {
  auto out = Guarded(
      [&] {
        SQLite::Statement q(db, "INSERT INTO return_to_play_criteria (plan_id, stage, description, "
                                "check_kind, threshold, withdrawn, amends_id, amend_reason, "
                                "recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        q.bind(1, plan_id);
        q.bind(2, static_cast<int>(criterion.stage));
        q.bind(3, criterion.description);
        q.bind(4, static_cast<int>(criterion.check));
        q.bind(5, criterion.threshold);
        q.bind(6, criterion.withdrawn ? 1 : 0);
        BindIdOrNull(q, 7, criterion.amends_id);
        q.bind(8, criterion.amend_reason);
        q.bind(9, Micros(criterion.recorded_at));
        q.bind(10, criterion.recorded_by);
        q.exec();
        domain::ReturnCriterion c = criterion;
        c.id = db.getLastInsertRowid();
        c.superseded_by = 0;
        return c;
      },
      "");
  if (absl::IsAlreadyExists(out.status())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "criterion ", criterion.amends_id, " has already been corrected; amend the correction"));
  }
  return out;
}

absl::StatusOr<domain::CriterionMark> InsertMark(SQLite::Database& db,
                                                 const domain::CriterionMark& mark) {
  return Guarded(
      [&] {
        SQLite::Statement q(db, "INSERT INTO return_to_play_marks (criterion_id, met, evidence, "
                                "assessment_id, recorded_at, recorded_by, finding) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?)");
        q.bind(1, mark.criterion_id);
        q.bind(2, mark.met ? 1 : 0);
        q.bind(3, mark.evidence);
        BindIdOrNull(q, 4, mark.assessment_id);
        q.bind(5, Micros(mark.recorded_at));
        q.bind(6, mark.recorded_by);
        q.bind(7, mark.finding);
        q.exec();
        domain::CriterionMark m = mark;
        m.id = db.getLastInsertRowid();
        return m;
      },
      "duplicate mark");
}

absl::StatusOr<domain::StageReached> InsertStageReached(SQLite::Database& db, Id plan_id,
                                                        const domain::StageReached& reached) {
  return Guarded(
      [&] {
        SQLite::Statement q(db, "INSERT INTO return_to_play_stages (plan_id, stage, reached_at, "
                                "note, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?)");
        q.bind(1, plan_id);
        q.bind(2, static_cast<int>(reached.stage));
        q.bind(3, Micros(reached.reached_at));
        q.bind(4, reached.note);
        q.bind(5, Micros(reached.recorded_at));
        q.bind(6, reached.recorded_by);
        q.exec();
        domain::StageReached r = reached;
        r.id = db.getLastInsertRowid();
        return r;
      },
      absl::StrCat("return-to-play plan ", plan_id, " already reached stage ",
                   static_cast<int>(reached.stage)));
}

std::vector<domain::StageReached> ListStagesOfPlayers(SQLite::Database& db,
                                                      const std::vector<Id>& player_ids) {
  if (player_ids.empty()) return {};
  SQLite::Statement q(db,
                      "SELECT s.id, p.complaint_id, s.stage, s.reached_at, s.note, s.recorded_at, "
                      "s.recorded_by, p.player_id FROM return_to_play_stages s "
                      "JOIN return_to_play_plans p ON p.id = s.plan_id "
                      "WHERE p.player_id IN (SELECT value FROM json_each(?)) "
                      "ORDER BY p.complaint_id, s.stage");
  q.bind(1, absl::StrCat("[", absl::StrJoin(player_ids, ","), "]"));
  std::vector<domain::StageReached> out;
  while (q.executeStep()) {
    domain::StageReached r;
    r.id = q.getColumn(0).getInt64();
    r.complaint_id = q.getColumn(1).getInt64();
    r.stage = static_cast<ReturnToPlayStage>(q.getColumn(2).getInt());
    r.reached_at = FromMicros(q, 3);
    r.note = q.getColumn(4).getString();
    r.recorded_at = FromMicros(q, 5);
    r.recorded_by = q.getColumn(6).getString();
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace touchline::storage
