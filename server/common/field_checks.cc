#include "server/common/field_checks.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/common/proto_time.h"

namespace touchline::common {

bool IsValidUtf8(const std::string& s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (int k = 1; k <= extra; ++k) {
      if (i + static_cast<size_t>(k) >= n) return false;
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

bool CheckOptionalText(FieldViolations& v, const std::string& field, const std::string& value,
                       size_t max_length) {
  if (value.size() > max_length) {
    v.Add(field, absl::StrCat("is ", value.size(), " bytes; at most ", max_length, " allowed"));
    return false;
  }
  if (!IsValidUtf8(value)) {
    v.Add(field, "is not valid UTF-8");
    return false;
  }
  // No record's text holds one, and PostgreSQL's text cannot (the same refusal on both stores).
  if (value.find('\0') != std::string::npos) {
    v.Add(field, "contains a NUL character");
    return false;
  }
  return true;
}

bool CheckRequiredText(FieldViolations& v, const std::string& field, const std::string& value,
                       size_t max_length) {
  if (absl::StripAsciiWhitespace(value).empty()) {
    v.Add(field, "is required");
    return false;
  }
  return CheckOptionalText(v, field, value, max_length);
}

bool CheckPositiveId(FieldViolations& v, const std::string& field, int64_t id) {
  if (id <= 0) {
    v.Add(field, "is required (a positive id)");
    return false;
  }
  return true;
}

bool CheckOptionalTimeRange(FieldViolations& v, const google::protobuf::Timestamp* start,
                            const google::protobuf::Timestamp* end) {
  bool ok = true;
  if (start != nullptr && !IsValidTimestamp(*start)) {
    v.Add("start_time", "is not a valid timestamp");
    ok = false;
  }
  if (end != nullptr && !IsValidTimestamp(*end)) {
    v.Add("end_time", "is not a valid timestamp");
    ok = false;
  }
  if (ok && start != nullptr && end != nullptr && FromProto(*end) <= FromProto(*start)) {
    v.Add("end_time", "must be after start_time");
    ok = false;
  }
  return ok;
}

void CheckFilterSize(FieldViolations& v, const std::string& field, int size) {
  if (size > kMaxFilterValues) {
    v.Add(field, absl::StrCat("at most ", kMaxFilterValues, " values (", size, " given)"));
  }
}

}  // namespace touchline::common
