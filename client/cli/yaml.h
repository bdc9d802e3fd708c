// -o yaml: a response's protobuf JSON mapping as YAML (block style, fields in their JSON order).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace touchline::cli {

// Converts one JSON value (as protobuf's MessageToJsonString writes it) to a YAML document.
// Strings stay strings: those that YAML would read as something else are double-quoted (JSON
// string syntax is valid YAML), so "123" (an int64) stays "123".
absl::StatusOr<std::string> JsonToYaml(absl::string_view json);

}  // namespace touchline::cli
