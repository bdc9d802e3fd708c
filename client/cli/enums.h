// Enum names for people: "tackle-made" for CONTACT_KIND_TACKLE_MADE, and back.
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace touchline::cli {

// "CONTACT_KIND_" for the enum ContactKind.
std::string EnumPrefix(const google::protobuf::EnumDescriptor* desc);
// Lower-case short name with dashes ("tackle-made"); the number for unknown values.
std::string ShortEnumName(const google::protobuf::EnumDescriptor* desc, int value);
// Parses a short name ("tackle-made", "tackle_made", "TACKLE-MADE") or the full name
// ("CONTACT_KIND_TACKLE_MADE"). The UNSPECIFIED value (0) is rejected. The error lists valid names.
absl::StatusOr<int> ParseEnumName(const google::protobuf::EnumDescriptor* desc, absl::string_view text);
// "tackle-made, tackle-received, ..." (without the unspecified value).
std::string EnumChoices(const google::protobuf::EnumDescriptor* desc);

template <typename E>
std::string Short(E value) {
  return ShortEnumName(google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}

template <typename E>
absl::StatusOr<E> ParseEnum(absl::string_view text) {
  auto v = ParseEnumName(google::protobuf::GetEnumDescriptor<E>(), text);
  if (!v.ok()) return v.status();
  return static_cast<E>(*v);
}

}  // namespace touchline::cli
