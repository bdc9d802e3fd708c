// What a coach may read of a player's protocols (issue 16): an everyday name for the work and
// whether it comes before or after the session; never a side, a dose or a word that implies a
// finding ("Sciatic nerve slider (left, 3x10, @10%)" told a coach which nerve and which leg).
#pragma once

#include <string>
#include <string_view>

#include "server/domain/model.h"

namespace touchline::domain {

// Shown when a protocol carries no coach label, or one that fails CoachSafe.
inline constexpr char kGenericCoachLabel[] = "Routine from the medical staff";
inline constexpr size_t kMaxCoachLabelLength = 60;

// Whether `label` may be shown to a coach: 1-60 characters; no digit (doses, stages), "%", "@"
// or parenthesis (how doses are written); no side (left, right, each leg) and no clinical word
// (nerve, sciatic, piriformis, tear, strain, pain, injury, rehab, symptom, slump, spasm, ...).
// A plugin's label is its author's promise; this catches what would plainly break it.
bool CoachSafe(std::string_view label);

// `label` if CoachSafe, else kGenericCoachLabel.
std::string CoachLabel(std::string_view label);

// What a coach reads of a complaint's return-to-play stage on the readiness board: what the
// player may do, never which leg, criterion or finding (issue 19 item 5), e.g.
// "Return to participation: modified training".
std::string CoachReturnToPlayText(ReturnToPlayStage stage);

}  // namespace touchline::domain
