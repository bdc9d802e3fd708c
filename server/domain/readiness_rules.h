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

enum class ReadinessReasonCode { kOpenAcuteComplaint = 1, kOpenComplaint = 2, kActiveFlag = 3, kOverride = 4 };

struct ReadinessReason {
  ReadinessReasonCode code = ReadinessReasonCode::kOpenComplaint;
  Id complaint_id = 0;
  std::optional<FlagKind> flag_kind;
  std::string text;
};

struct PlayerReadiness {
  Id player_id = 0;
  Availability availability = Availability::kAvailable;
  std::vector<ReadinessReason> reasons;       // most important first
  std::optional<ReadinessOverride> override;  // set when an override decided availability
};

// Rules, in order: an override in force at session_time wins (its reason first, the clinical
// reasons still listed after it); else an open acute complaint makes the player UNAVAILABLE; else
// any open complaint or active flag makes them MODIFIED; otherwise AVAILABLE.
// `flags` are the player's flags at session_time (EvaluateFlags); `overrides` all of the player's.
PlayerReadiness EvaluateReadiness(Id player_id, std::span<const Complaint> complaints,
                                  std::span<const Flag> flags,
                                  std::span<const ReadinessOverride> overrides,
                                  absl::Time session_time);

// The first instant after `now` at which EvaluateReadiness (with EvaluateFlags) over these records
// can answer differently by time alone: NextFlagChange, or an override starting, expiring or being
// cleared. nullopt if none can.
std::optional<absl::Time> NextReadinessChange(std::span<const Complaint> complaints,
                                              std::span<const ReadinessOverride> overrides,
                                              absl::Time now, const FlagThresholds& thresholds);

}  // namespace touchline::domain
