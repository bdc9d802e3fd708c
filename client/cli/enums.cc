#include "client/cli/enums.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace touchline::cli {

std::string EnumPrefix(const google::protobuf::EnumDescriptor* desc) {
  std::string out;
  const std::string& name = desc->name();
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (absl::ascii_isupper(c) && i > 0) out += '_';
    out += absl::ascii_toupper(c);
  }
  out += '_';
  return out;
}

std::string ShortEnumName(const google::protobuf::EnumDescriptor* desc, int value) {
  const google::protobuf::EnumValueDescriptor* v = desc->FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  std::string name = v->name();
  std::string prefix = EnumPrefix(desc);
  if (absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  name = absl::AsciiStrToLower(name);
  for (char& c : name) {
    if (c == '_') c = '-';
  }
  return name;
}

absl::StatusOr<int> ParseEnumName(const google::protobuf::EnumDescriptor* desc, absl::string_view text) {
  std::string norm = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  for (char& c : norm) {
    if (c == '-' || c == ' ') c = '_';
  }
  const google::protobuf::EnumValueDescriptor* v = nullptr;
  if (!norm.empty()) {
    v = desc->FindValueByName(EnumPrefix(desc) + norm);
    if (v == nullptr) v = desc->FindValueByName(norm);
  }
  if (v == nullptr || v->number() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown value \"", text, "\"; expected one of: ", EnumChoices(desc)));
  }
  return v->number();
}

std::string EnumChoices(const google::protobuf::EnumDescriptor* desc) {
  std::vector<std::string> names;
  for (int i = 0; i < desc->value_count(); ++i) {
    if (desc->value(i)->number() == 0) continue;
    names.push_back(ShortEnumName(desc, desc->value(i)->number()));
  }
  return absl::StrJoin(names, ", ");
}

}  // namespace touchline::cli
