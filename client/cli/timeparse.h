// Time arguments: RFC 3339, a plain date (midnight UTC), "now", or relative to now ("-3d", "+2h").
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace touchline::cli {

// Accepts "2026-11-21T15:10:00Z" (any RFC 3339 offset, fractional seconds), "2026-11-21",
// "now", "today" (midnight UTC of now), and [+-]N<unit> with unit s, m, h, d or w
// (e.g. "-3d", "+2h", "-90m"), relative to `now`.
absl::StatusOr<absl::Time> ParseTimeArg(absl::string_view text, absl::Time now);

// RFC 3339 in UTC without fractional seconds when they are zero, e.g. "2026-11-21T15:10:00Z".
std::string Rfc3339(absl::Time t);
// "2026-11-21 15:10" in UTC, for tables.
std::string FormatTimeShort(absl::Time t);
// "2026-11-21" in UTC.
std::string FormatDate(absl::Time t);

}  // namespace touchline::cli
