#include "client/cli/yaml.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace touchline::cli {
namespace {

// A parsed JSON value; scalars keep their JSON text (a string's with its quotes).
struct Value {
  enum Kind { kScalar, kString, kArray, kObject } kind = kScalar;
  std::string text;                                        // kScalar, kString (raw JSON)
  std::string str;                                         // kString: decoded
  std::vector<std::pair<std::string, Value>> members;      // kObject (key decoded)
  std::vector<Value> items;                                // kArray
};

class Parser {
 public:
  explicit Parser(absl::string_view s) : s_(s) {}
  absl::StatusOr<Value> Parse() {
    Value v;
    if (!ParseValue(&v)) return absl::InvalidArgumentError(absl::StrCat("bad JSON at offset ", i_));
    Skip();
    if (i_ != s_.size()) return absl::InvalidArgumentError("trailing text after JSON");
    return v;
  }

 private:
  void Skip() {
    while (i_ < s_.size() && absl::ascii_isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool ParseString(std::string* raw, std::string* decoded) {
    const size_t start = i_;
    if (s_[i_] != '"') return false;
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\') {
        if (++i_ >= s_.size()) return false;
        const char c = s_[i_];
        switch (c) {
          case 'n': *decoded += '\n'; break;
          case 't': *decoded += '\t'; break;
          case 'r': *decoded += '\r'; break;
          case 'b': *decoded += '\b'; break;
          case 'f': *decoded += '\f'; break;
          case 'u': *decoded += '?'; i_ += 4; break;  // only for deciding how to quote
          default: *decoded += c;
        }
        ++i_;
      } else {
        *decoded += s_[i_++];
      }
    }
    if (i_ >= s_.size()) return false;
    ++i_;
    *raw = std::string(s_.substr(start, i_ - start));
    return true;
  }
  bool ParseValue(Value* v) {
    Skip();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') {
      v->kind = Value::kObject;
      ++i_;
      Skip();
      if (i_ < s_.size() && s_[i_] == '}') return ++i_, true;
      for (;;) {
        Skip();
        std::string raw, key;
        if (i_ >= s_.size() || !ParseString(&raw, &key)) return false;
        Skip();
        if (i_ >= s_.size() || s_[i_++] != ':') return false;
        Value member;
        if (!ParseValue(&member)) return false;
        v->members.emplace_back(std::move(key), std::move(member));
        Skip();
        if (i_ >= s_.size()) return false;
        if (s_[i_] == ',') { ++i_; continue; }
        if (s_[i_] == '}') return ++i_, true;
        return false;
      }
    }
    if (c == '[') {
      v->kind = Value::kArray;
      ++i_;
      Skip();
      if (i_ < s_.size() && s_[i_] == ']') return ++i_, true;
      for (;;) {
        Value item;
        if (!ParseValue(&item)) return false;
        v->items.push_back(std::move(item));
        Skip();
        if (i_ >= s_.size()) return false;
        if (s_[i_] == ',') { ++i_; continue; }
        if (s_[i_] == ']') return ++i_, true;
        return false;
      }
    }
    if (c == '"') {
      v->kind = Value::kString;
      return ParseString(&v->text, &v->str);
    }
    const size_t start = i_;
    while (i_ < s_.size() && !absl::ascii_isspace(static_cast<unsigned char>(s_[i_])) && s_[i_] != ',' &&
           s_[i_] != '}' && s_[i_] != ']') {
      ++i_;
    }
    v->kind = Value::kScalar;
    v->text = std::string(s_.substr(start, i_ - start));
    return !v->text.empty();
  }

  absl::string_view s_;
  size_t i_ = 0;
};

// Whether YAML reads `s` unquoted as this same string.
bool Plain(const std::string& s) {
  if (s.empty() || !absl::ascii_isalpha(static_cast<unsigned char>(s[0])) || s.back() == ' ') return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && std::string_view(" _-./@+()").find(c) == std::string_view::npos) {
      return false;
    }
  }
  const std::string lower = absl::AsciiStrToLower(s);
  for (const char* word : {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}) {
    if (lower == word) return false;
  }
  return true;
}

std::string Scalar(const Value& v) {
  if (v.kind == Value::kString) return Plain(v.str) ? v.str : v.text;
  if (v.kind == Value::kObject) return "{}";
  if (v.kind == Value::kArray) return "[]";
  return v.text;
}

bool Empty(const Value& v) {
  return (v.kind == Value::kObject && v.members.empty()) || (v.kind == Value::kArray && v.items.empty());
}
bool Block(const Value& v) { return (v.kind == Value::kObject || v.kind == Value::kArray) && !Empty(v); }

void Emit(const Value& v, int indent, std::string* out);

// The members of an object, the first on the current line (after "- " in a list).
void EmitMembers(const Value& v, int indent, bool first_inline, std::string* out) {
  bool first = true;
  for (const auto& [key, member] : v.members) {
    if (!(first && first_inline)) out->append(static_cast<size_t>(indent), ' ');
    first = false;
    const std::string k = Plain(key) ? key : absl::StrCat("\"", key, "\"");
    if (Block(member)) {
      absl::StrAppend(out, k, ":\n");
      Emit(member, member.kind == Value::kArray ? indent : indent + 2, out);
    } else {
      absl::StrAppend(out, k, ": ", Scalar(member), "\n");
    }
  }
}

void Emit(const Value& v, int indent, std::string* out) {
  if (v.kind == Value::kObject && !v.members.empty()) {
    EmitMembers(v, indent, false, out);
  } else if (v.kind == Value::kArray && !v.items.empty()) {
    for (const Value& item : v.items) {
      out->append(static_cast<size_t>(indent), ' ');
      out->append("- ");
      if (item.kind == Value::kObject && !item.members.empty()) {
        EmitMembers(item, indent + 2, true, out);
      } else if (item.kind == Value::kArray && !item.items.empty()) {
        out->append("\n");
        Emit(item, indent + 2, out);
      } else {
        absl::StrAppend(out, Scalar(item), "\n");
      }
    }
  } else {
    absl::StrAppend(out, Scalar(v), "\n");
  }
}

}  // namespace

absl::StatusOr<std::string> JsonToYaml(absl::string_view json) {
  auto v = Parser(json).Parse();
  if (!v.ok()) return v.status();
  std::string out;
  Emit(*v, 0, &out);
  return out;
}

}  // namespace touchline::cli
