// How the rules write instants in the reasons a physio or coach reads.
#pragma once

#include <string>

#include "absl/time/time.h"

namespace touchline::domain {

inline constexpr absl::Duration kDay = absl::Hours(24);

inline std::string DateText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
}

inline std::string DateTimeText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", t, absl::UTCTimeZone());
}

}  // namespace touchline::domain
