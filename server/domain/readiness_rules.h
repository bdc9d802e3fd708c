// Who can train: AVAILABLE / MODIFIED / UNAVAILABLE, with the reasons.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/domain/flag_rules.h"
#include "server/domain/model.h"

namespace touchline::domain {

// Values match touchline.v1.ReadinessReasonCode.
enum class ReadinessReasonCode {
  kOpenAcuteComplaint = 1,
  kOpenComplaint = 2,
  kActiveFlag = 3,
  kOverride = 4,
  kReturnToPlay = 40,  // an open complaint whose return-to-play plan has reached a stage
};

struct ReadinessReason {
  ReadinessReasonCode code = ReadinessReasonCode::kOpenComplaint;
  Id complaint_id = 0;
  std::optional<FlagKind> flag_kind;
  std::optional<ReturnToPlayStage> stage;  // for kReturnToPlay
  std::string text;
};

struct PlayerReadiness {
  Id player_id = 0;
  Availability availability = Availability::kAvailable;
  std::vector<ReadinessReason> reasons;       // most important first
  std::optional<ReadinessOverride> override;  // set when an override decided availability
};

// Rules, in order: an override in force at session_time wins (its reason first, the clinical
// reasons still listed after it). Otherwise each open complaint counts by the return-to-play stage
// it has reached by session_time (Ardern et al. 2016): none yet, an acute complaint makes the
// player UNAVAILABLE and a gradual one MODIFIED; return to participation MODIFIED (modified
// training, whatever the onset); return to sport or performance does not restrict (full training
// and selection), the complaint still listed. An active flag makes the player MODIFIED unless the
// complaint it is about (its first) has reached return to sport: the physio's criteria-gated
// decision then stands, the flag still listed. The worst of these wins; none: AVAILABLE.
// `flags` are the player's flags at session_time (EvaluateFlags); `overrides` all of the player's;
// `stages` the return-to-play stages reached of the player's complaints.
PlayerReadiness EvaluateReadiness(Id player_id, std::span<const Complaint> complaints,
                                  std::span<const Flag> flags,
                                  std::span<const ReadinessOverride> overrides,
                                  std::span<const StageReached> stages, absl::Time session_time);

// The first instant after `now` at which EvaluateReadiness (with EvaluateFlags) over these records
// can answer differently by time alone: NextFlagChange, an override starting, expiring or being
// cleared, or a return-to-play stage recorded as reached at a later instant than now (a stage is
// never reached in the server's future, but a board may be asked about an earlier session).
// nullopt if none can.
std::optional<absl::Time> NextReadinessChange(std::span<const Complaint> complaints,
                                              std::span<const ReadinessOverride> overrides,
                                              std::span<const StageReached> stages, absl::Time now,
                                              const FlagThresholds& thresholds);

}  // namespace touchline::domain
