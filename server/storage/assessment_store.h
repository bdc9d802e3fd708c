// Objective assessments (schema v11). Append-only: there is no update or delete, and the
// database's triggers refuse them whoever asks; a correction is a new assessment whose amends_id
// names the one it corrects. Every assessment read carries superseded_by (the assessment amending
// it, if any). Like record_store.h, every function runs on a connection handed out by
// Database::Write or Database::Read.
#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/storage/transaction.h"
#include "server/domain/model.h"
#include "server/storage/record_store.h"

namespace touchline::storage {

struct AssessmentFilter {
  Id player_id = 0;  // one of player_id / squad_id
  Id squad_id = 0;   // the player's current squad
  std::vector<domain::AssessmentKind> kinds;  // empty = all
  bool include_superseded = false;
};

// Inserts the assessment and its legs as one unit (a savepoint); returns it with its id.
// NOT_FOUND when the player (or complaint) does not exist; FAILED_PRECONDITION when amends_id is
// already amended by another assessment.
absl::StatusOr<domain::Assessment> InsertAssessment(Transaction& db,
                                                    const domain::Assessment& assessment);
// With its legs and superseded_by. NOT_FOUND.
absl::StatusOr<domain::Assessment> FindAssessment(Transaction& db, Id id);
// Ordered by (assessed_at, id), rows after `after` (key = assessed_at micros), at most `limit`.
std::vector<domain::Assessment> ListAssessments(Transaction& db,
                                                const AssessmentFilter& filter, PageCursor after,
                                                int limit);
// The current baselines of these players (any kind), for comparing with: by (assessed_at, id).
std::vector<domain::Assessment> ListBaselinesOfPlayers(Transaction& db,
                                                       const std::vector<Id>& player_ids);
// The current assessments of these kinds of these players assessed in [from, to), by
// (assessed_at, id).
std::vector<domain::Assessment> ListCurrentAssessmentsOfPlayers(
    Transaction& db, const std::vector<Id>& player_ids,
    const std::vector<domain::AssessmentKind>& kinds, absl::Time from, absl::Time to);
// The current pelvic screens of these players assessed in [from, to), by (assessed_at, id).
std::vector<domain::Assessment> ListPelvicScreensOfPlayers(Transaction& db,
                                                           const std::vector<Id>& player_ids,
                                                           absl::Time from, absl::Time to);

}  // namespace touchline::storage
