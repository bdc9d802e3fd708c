// Return-to-play plans (schema v12). Append-only: every part of a plan is a new row and the
// database's triggers refuse UPDATE and DELETE; a criterion is corrected or withdrawn by a new row
// naming it (amends_id), a planned date by a later row of its stage, a mark by a later mark. Like
// record_store.h, every function runs on a connection handed out by Database::Write or ::Read.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "server/storage/transaction.h"
#include "server/domain/model.h"
#include "server/storage/record_store.h"

namespace touchline::storage {

// Stores the plan (its id, complaint, player, note, creation); ALREADY_EXISTS when the complaint
// has one, NOT_FOUND when the complaint or player does not exist.
absl::StatusOr<domain::ReturnToPlayPlan> InsertPlan(Transaction& db,
                                                    const domain::ReturnToPlayPlan& plan);
// The plan with every row of its parts (criteria with superseded_by). NOT_FOUND.
absl::StatusOr<domain::ReturnToPlayPlan> FindPlan(Transaction& db, Id plan_id);
absl::StatusOr<domain::ReturnToPlayPlan> FindPlanOfComplaint(Transaction& db, Id complaint_id);
// The plan a criterion belongs to. NOT_FOUND.
absl::StatusOr<Id> PlanIdOfCriterion(Transaction& db, Id criterion_id);
// The ids of a player's plans, oldest first.
std::vector<Id> PlanIdsOfPlayer(Transaction& db, Id player_id);

absl::StatusOr<domain::PlannedStageDate> InsertPlannedDate(Transaction& db, Id plan_id,
                                                           const domain::PlannedStageDate& date);
// FAILED_PRECONDITION when amends_id was already corrected.
absl::StatusOr<domain::ReturnCriterion> InsertCriterion(Transaction& db, Id plan_id,
                                                        const domain::ReturnCriterion& criterion);
absl::StatusOr<domain::CriterionMark> InsertMark(Transaction& db,
                                                 const domain::CriterionMark& mark);
// ALREADY_EXISTS when the plan already reached that stage.
absl::StatusOr<domain::StageReached> InsertStageReached(Transaction& db, Id plan_id,
                                                        const domain::StageReached& reached);

// The stages reached of every plan of these players (complaint_id filled), by (complaint, stage).
std::vector<domain::StageReached> ListStagesOfPlayers(Transaction& db,
                                                      const std::vector<Id>& player_ids);

}  // namespace touchline::storage
