#include "server/storage/return_to_play_store.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "server/storage/database.h"
#include "server/storage/id_lists.h"
#include "server/storage/row_binding.h"

namespace touchline::storage {
namespace {

using domain::ReturnToPlayStage;

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
int64_t IntOrZero(const Statement& q, int i) {
  return q.IsNull(i) ? 0 : q.ColumnInt(i);
}

// Runs `insert` and maps the constraint failures a caller can cause to statuses.
template <typename F>
auto Guarded(Transaction& db, F&& insert, const std::string& unique_message)
    -> absl::StatusOr<decltype(insert())> {
  RefusableStep refusable(db);
  try {
    return insert();
  } catch (const StoreError& e) {
    if (e.kind() == StoreErrorKind::kUniqueViolation) return absl::AlreadyExistsError(unique_message);
    if (e.IsForeignKeyViolation()) {
      return absl::NotFoundError("a record the return-to-play entry names does not exist");
    }
    return StatusFromStoreError(e);
  } catch (const std::exception& e) {
    return StatusFromStorageException(e);
  }
}

absl::StatusOr<domain::ReturnToPlayPlan> FindPlanWhere(Transaction& db, const char* where,
                                                       Id key) {
  try {
    domain::ReturnToPlayPlan plan;
    {
      Statement q = db.Prepare(absl::StrCat("SELECT id, complaint_id, player_id, note, created_at, "
                                           "created_by FROM return_to_play_plans WHERE ",
                                           where));
      q.Bind(1, key);
      if (!q.Step()) return absl::NotFoundError("");
      plan.id = q.ColumnInt(0);
      plan.complaint_id = q.ColumnInt(1);
      plan.player_id = q.ColumnInt(2);
      plan.note = q.ColumnText(3);
      plan.created_at = TimeColumn(q, 4);
      plan.created_by = q.ColumnText(5);
    }
    {
      Statement q = db.Prepare("SELECT id, stage, planned_at, reason, recorded_at, recorded_by "
                              "FROM return_to_play_planned_dates WHERE plan_id = ? ORDER BY id");
      q.Bind(1, plan.id);
      while (q.Step()) {
        domain::PlannedStageDate d;
        d.id = q.ColumnInt(0);
        d.stage = static_cast<ReturnToPlayStage>(q.ColumnInt32(1));
        d.planned_at = TimeColumn(q, 2);
        d.reason = q.ColumnText(3);
        d.recorded_at = TimeColumn(q, 4);
        d.recorded_by = q.ColumnText(5);
        plan.planned_dates.push_back(std::move(d));
      }
    }
    {
      Statement q = db.Prepare("SELECT c.id, c.stage, c.description, c.check_kind, c.threshold, "
                          "c.withdrawn, c.amends_id, c.amend_reason, c.recorded_at, c.recorded_by, "
                          "s.id FROM return_to_play_criteria c "
                          "LEFT JOIN return_to_play_criteria s ON s.amends_id = c.id "
                          "WHERE c.plan_id = ? ORDER BY c.id");
      q.Bind(1, plan.id);
      while (q.Step()) {
        domain::ReturnCriterion c;
        c.id = q.ColumnInt(0);
        c.stage = static_cast<ReturnToPlayStage>(q.ColumnInt32(1));
        c.description = q.ColumnText(2);
        c.check = static_cast<domain::CriterionCheck>(q.ColumnInt32(3));
        c.threshold = q.ColumnDouble(4);
        c.withdrawn = q.ColumnInt32(5) != 0;
        c.amends_id = IntOrZero(q, 6);
        c.amend_reason = q.ColumnText(7);
        c.recorded_at = TimeColumn(q, 8);
        c.recorded_by = q.ColumnText(9);
        c.superseded_by = IntOrZero(q, 10);
        plan.criteria.push_back(std::move(c));
      }
    }
    {
      Statement q = db.Prepare("SELECT m.id, m.criterion_id, m.met, m.evidence, m.assessment_id, "
                          "m.recorded_at, m.recorded_by, m.finding FROM return_to_play_marks m "
                          "JOIN return_to_play_criteria c ON c.id = m.criterion_id "
                          "WHERE c.plan_id = ? ORDER BY m.id");
      q.Bind(1, plan.id);
      while (q.Step()) {
        domain::CriterionMark m;
        m.id = q.ColumnInt(0);
        m.criterion_id = q.ColumnInt(1);
        m.met = q.ColumnInt32(2) != 0;
        m.evidence = q.ColumnText(3);
        m.assessment_id = IntOrZero(q, 4);
        m.recorded_at = TimeColumn(q, 5);
        m.recorded_by = q.ColumnText(6);
        m.finding = q.ColumnText(7);
        plan.marks.push_back(std::move(m));
      }
    }
    {
      Statement q = db.Prepare("SELECT id, stage, reached_at, note, recorded_at, recorded_by "
                              "FROM return_to_play_stages WHERE plan_id = ? ORDER BY stage");
      q.Bind(1, plan.id);
      while (q.Step()) {
        domain::StageReached r;
        r.id = q.ColumnInt(0);
        r.complaint_id = plan.complaint_id;
        r.stage = static_cast<ReturnToPlayStage>(q.ColumnInt32(1));
        r.reached_at = TimeColumn(q, 2);
        r.note = q.ColumnText(3);
        r.recorded_at = TimeColumn(q, 4);
        r.recorded_by = q.ColumnText(5);
        plan.reached.push_back(std::move(r));
      }
    }
    return plan;
  } catch (const std::exception& e) {
    return StatusFromStorageException(e);
  }
}

}  // namespace

absl::StatusOr<domain::ReturnToPlayPlan> InsertPlan(Transaction& db,
                                                    const domain::ReturnToPlayPlan& plan) {
  return Guarded(db,
      [&] {
        Statement q = db.Prepare("INSERT INTO return_to_play_plans (complaint_id, player_id, note, "
                                "created_at, created_by) VALUES (?, ?, ?, ?, ?)");
        q.Bind(1, plan.complaint_id);
        q.Bind(2, plan.player_id);
        q.Bind(3, plan.note);
        q.Bind(4, Micros(plan.created_at));
        q.Bind(5, plan.created_by);
        q.Execute();
        domain::ReturnToPlayPlan out;
        out.id = db.LastInsertId();
        out.complaint_id = plan.complaint_id;
        out.player_id = plan.player_id;
        out.note = plan.note;
        out.created_at = plan.created_at;
        out.created_by = plan.created_by;
        return out;
      },
      absl::StrCat("complaint ", plan.complaint_id, " already has a return-to-play plan"));
}

absl::StatusOr<domain::ReturnToPlayPlan> FindPlan(Transaction& db, Id plan_id) {
  auto plan = FindPlanWhere(db, "id = ?", plan_id);
  if (absl::IsNotFound(plan.status())) {
    return absl::NotFoundError(absl::StrCat("return-to-play plan ", plan_id, " not found"));
  }
  return plan;
}

absl::StatusOr<domain::ReturnToPlayPlan> FindPlanOfComplaint(Transaction& db,
                                                             Id complaint_id) {
  auto plan = FindPlanWhere(db, "complaint_id = ?", complaint_id);
  if (absl::IsNotFound(plan.status())) {
    return absl::NotFoundError(
        absl::StrCat("complaint ", complaint_id, " has no return-to-play plan"));
  }
  return plan;
}

absl::StatusOr<Id> PlanIdOfCriterion(Transaction& db, Id criterion_id) {
  try {
    Statement q = db.Prepare("SELECT plan_id FROM return_to_play_criteria WHERE id = ?");
    q.Bind(1, criterion_id);
    if (!q.Step()) {
      return absl::NotFoundError(absl::StrCat("criterion ", criterion_id, " not found"));
    }
    return q.ColumnInt(0);
  } catch (const std::exception& e) {
    return StatusFromStorageException(e);
  }
}

std::vector<Id> PlanIdsOfPlayer(Transaction& db, Id player_id) {
  Statement q = db.Prepare("SELECT id FROM return_to_play_plans WHERE player_id = ? ORDER BY id");
  q.Bind(1, player_id);
  std::vector<Id> out;
  while (q.Step()) out.push_back(q.ColumnInt(0));
  return out;
}

absl::StatusOr<domain::PlannedStageDate> InsertPlannedDate(Transaction& db, Id plan_id,
                                                           const domain::PlannedStageDate& date) {
  return Guarded(db,
      [&] {
        Statement q = db.Prepare("INSERT INTO return_to_play_planned_dates (plan_id, stage, "
                                "planned_at, reason, recorded_at, recorded_by) "
                                "VALUES (?, ?, ?, ?, ?, ?)");
        q.Bind(1, plan_id);
        q.Bind(2, static_cast<int>(date.stage));
        q.Bind(3, Micros(date.planned_at));
        q.Bind(4, date.reason);
        q.Bind(5, Micros(date.recorded_at));
        q.Bind(6, date.recorded_by);
        q.Execute();
        domain::PlannedStageDate out = date;
        out.id = db.LastInsertId();
        return out;
      },
      "duplicate planned date");
}

absl::StatusOr<domain::ReturnCriterion> InsertCriterion(Transaction& db, Id plan_id,
                                                        const domain::ReturnCriterion& criterion) {
  auto out = Guarded(db,
      [&] {
        Statement q = db.Prepare("INSERT INTO return_to_play_criteria (plan_id, stage, description, "
                                "check_kind, threshold, withdrawn, amends_id, amend_reason, "
                                "recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        q.Bind(1, plan_id);
        q.Bind(2, static_cast<int>(criterion.stage));
        q.Bind(3, criterion.description);
        q.Bind(4, static_cast<int>(criterion.check));
        q.Bind(5, criterion.threshold);
        q.Bind(6, criterion.withdrawn ? 1 : 0);
        Binder(q, 7).IdOrNull(criterion.amends_id);
        q.Bind(8, criterion.amend_reason);
        q.Bind(9, Micros(criterion.recorded_at));
        q.Bind(10, criterion.recorded_by);
        q.Execute();
        domain::ReturnCriterion c = criterion;
        c.id = db.LastInsertId();
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

absl::StatusOr<domain::CriterionMark> InsertMark(Transaction& db,
                                                 const domain::CriterionMark& mark) {
  return Guarded(db,
      [&] {
        Statement q = db.Prepare("INSERT INTO return_to_play_marks (criterion_id, met, evidence, "
                                "assessment_id, recorded_at, recorded_by, finding) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?)");
        q.Bind(1, mark.criterion_id);
        q.Bind(2, mark.met ? 1 : 0);
        q.Bind(3, mark.evidence);
        Binder(q, 4).IdOrNull(mark.assessment_id);
        q.Bind(5, Micros(mark.recorded_at));
        q.Bind(6, mark.recorded_by);
        q.Bind(7, mark.finding);
        q.Execute();
        domain::CriterionMark m = mark;
        m.id = db.LastInsertId();
        return m;
      },
      "duplicate mark");
}

absl::StatusOr<domain::StageReached> InsertStageReached(Transaction& db, Id plan_id,
                                                        const domain::StageReached& reached) {
  return Guarded(db,
      [&] {
        Statement q = db.Prepare("INSERT INTO return_to_play_stages (plan_id, stage, reached_at, "
                                "note, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?)");
        q.Bind(1, plan_id);
        q.Bind(2, static_cast<int>(reached.stage));
        q.Bind(3, Micros(reached.reached_at));
        q.Bind(4, reached.note);
        q.Bind(5, Micros(reached.recorded_at));
        q.Bind(6, reached.recorded_by);
        q.Execute();
        domain::StageReached r = reached;
        r.id = db.LastInsertId();
        return r;
      },
      absl::StrCat("return-to-play plan ", plan_id, " already reached stage ",
                   static_cast<int>(reached.stage)));
}

std::vector<domain::StageReached> ListStagesOfPlayers(Transaction& db,
                                                      const std::vector<Id>& player_ids) {
  if (player_ids.empty()) return {};
  // Kept prepared: every readiness board reads it (PostgreSQL parsed and planned it each time).
  Statement q = db.PrepareCached(
      "SELECT s.id, p.complaint_id, s.stage, s.reached_at, s.note, s.recorded_at, "
      "s.recorded_by, p.player_id FROM return_to_play_stages s "
      "JOIN return_to_play_plans p ON p.id = s.plan_id "
      "WHERE p.player_id IN (SELECT CAST(value AS BIGINT) FROM json_each(?)) "
      "ORDER BY p.complaint_id, s.stage");
  q.Bind(1, IdsJson(player_ids));
  std::vector<domain::StageReached> out;
  while (q.Step()) {
    domain::StageReached r;
    r.id = q.ColumnInt(0);
    r.complaint_id = q.ColumnInt(1);
    r.stage = static_cast<ReturnToPlayStage>(q.ColumnInt32(2));
    r.reached_at = TimeColumn(q, 3);
    r.note = q.ColumnText(4);
    r.recorded_at = TimeColumn(q, 5);
    r.recorded_by = q.ColumnText(6);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace touchline::storage
