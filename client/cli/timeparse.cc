#include "client/cli/timeparse.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace touchline::cli {

absl::StatusOr<absl::Time> ParseTimeArg(absl::string_view raw, absl::Time now) {
  std::string text(absl::StripAsciiWhitespace(raw));
  std::string lower = absl::AsciiStrToLower(text);
  if (lower.empty()) return absl::InvalidArgumentError("empty time");
  if (lower == "now") return now;
  if (lower == "today") {
    absl::CivilDay day = absl::ToCivilDay(now, absl::UTCTimeZone());
    return absl::FromCivil(day, absl::UTCTimeZone());
  }
  if (lower[0] == '+' || lower[0] == '-') {
    char unit = lower.back();
    std::string digits = lower.substr(1, lower.size() - 2);
    int64_t n = 0;
    bool digits_ok = !digits.empty() && absl::SimpleAtoi(digits, &n) && n >= 0 &&
                     digits.find_first_not_of("0123456789") == std::string::npos;
    absl::Duration d;
    switch (unit) {
      case 's': d = absl::Seconds(n); break;
      case 'm': d = absl::Minutes(n); break;
      case 'h': d = absl::Hours(n); break;
      case 'd': d = absl::Hours(24 * n); break;
      case 'w': d = absl::Hours(24 * 7 * n); break;
      default: digits_ok = false;
    }
    if (!digits_ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad relative time \"", text, "\" (use e.g. -3d, +2h, -90m, -30s, -2w)"));
    }
    return lower[0] == '-' ? now - d : now + d;
  }
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return t;
  // Lower-case 't'/'z' separators are valid RFC 3339; also accept a space instead of 'T'.
  std::string upper = absl::AsciiStrToUpper(text);
  if (upper.size() > 10 && (upper[10] == ' ')) upper[10] = 'T';
  if (absl::ParseTime(absl::RFC3339_full, upper, &t, &err)) return t;
  absl::CivilDay day;
  if (text.size() == 10 && absl::ParseCivilTime(text, &day)) {
    return absl::FromCivil(day, absl::UTCTimeZone());
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "bad time \"", text,
      "\" (use RFC 3339 like 2026-11-21T15:10:00Z, a date like 2026-11-21, now, or -3d/+2h)"));
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

std::string FormatTimeShort(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M", t, absl::UTCTimeZone());
}

std::string FormatDate(absl::Time t) { return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone()); }

}  // namespace touchline::cli
