#include "server/domain/coach_wording.h"

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace touchline::domain {

bool CoachSafe(std::string_view label) {
  if (label.empty() || label.size() > kMaxCoachLabelLength) return false;
  for (const char c : label) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '%' || c == '@' || c == '(' ||
        c == ')') {
      return false;
    }
  }
  // Word stems: a label naming a side or a finding tells a coach what the medical staff found.
  static constexpr std::array<std::string_view, 24> kUnsafeStems = {
      "left",     "right",   "each",     "bilateral", "nerve",  "neural",   "sciatic", "piriformis",
      "tear",     "strain",  "pain",     "injur",     "rehab",  "symptom",  "slump",   "lesion",
      "spasm",    "fibro",   "pelvi",    "lumbar",    "disc",   "diagnos",  "tendin",  "askling"};
  const std::string lower = absl::AsciiStrToLower(std::string(label));
  for (absl::string_view word :
       absl::StrSplit(lower, absl::ByAnyChar(" -/,.;:'"), absl::SkipEmpty())) {
    for (std::string_view stem : kUnsafeStems) {
      if (std::string_view(word.data(), word.size()).substr(0, stem.size()) == stem) return false;
    }
  }
  return true;
}

std::string CoachLabel(std::string_view label) {
  return CoachSafe(label) ? std::string(label) : std::string(kGenericCoachLabel);
}

std::string CoachReturnToPlayText(ReturnToPlayStage stage) {
  switch (stage) {
    case ReturnToPlayStage::kParticipation:
      return "Return to participation: modified training";
    case ReturnToPlayStage::kSport:
      return "Return to sport: full training and selection";
    case ReturnToPlayStage::kPerformance:
      return "Return to performance: full training and selection";
  }
  return "Returning to play";
}

}  // namespace touchline::domain
