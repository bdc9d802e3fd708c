#include "server/storage/postgres/postgres_sql.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace touchline::storage {
namespace {

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Whether `word` (letters and single spaces) starts at `at`, case-insensitively, as whole words:
// any run of white space in the text matches a space of `word`. Sets `*end` past it.
bool WordsAt(std::string_view sql, size_t at, std::string_view word, size_t* end) {
  if (at > 0 && IsWordChar(sql[at - 1])) return false;
  size_t i = at;
  for (size_t w = 0; w < word.size(); ++w) {
    if (word[w] == ' ') {
      if (i >= sql.size() || !absl::ascii_isspace(static_cast<unsigned char>(sql[i]))) return false;
      while (i < sql.size() && absl::ascii_isspace(static_cast<unsigned char>(sql[i]))) ++i;
      continue;
    }
    if (i >= sql.size() || absl::ascii_tolower(static_cast<unsigned char>(sql[i])) != word[w]) {
      return false;
    }
    ++i;
  }
  if (i < sql.size() && IsWordChar(sql[i])) return false;
  *end = i;
  return true;
}

}  // namespace

PostgresSql PostgresSqlFromPortable(std::string_view sql) {
  PostgresSql out;
  out.text.reserve(sql.size() + 16);
  // For each open parenthesis: whether it is a json_each( whose close becomes " AS json))".
  std::vector<bool> parens;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // a literal or quoted identifier; doubled quotes escape
      size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      j = std::min(j + 1, sql.size());
      out.text.append(sql.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {  // a comment to the end of line
      const size_t eol = sql.find('\n', i);
      const size_t j = eol == std::string_view::npos ? sql.size() : eol;
      out.text.append(sql.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '?') {
      size_t j = i + 1;
      int number = 0;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) {
        number = number * 10 + (sql[j] - '0');
        ++j;
      }
      if (j == i + 1) number = out.parameter_count + 1;
      out.parameter_count = std::max(out.parameter_count, number);
      if (out.used.size() <= static_cast<size_t>(number)) out.used.resize(number + 1, false);
      out.used[number] = true;
      absl::StrAppend(&out.text, "$", number);
      i = j;
      continue;
    }
    size_t end = 0;
    if ((c == 'n' || c == 'N') && WordsAt(sql, i, "not indexed", &end)) {
      i = end;
      continue;
    }
    if ((c == 'i' || c == 'I') && WordsAt(sql, i, "indexed by", &end)) {
      while (end < sql.size() && absl::ascii_isspace(static_cast<unsigned char>(sql[end]))) ++end;
      while (end < sql.size() && IsWordChar(sql[end])) ++end;  // the index's name
      i = end;
      continue;
    }
    if ((c == 'c' || c == 'C') && WordsAt(sql, i, "cross join", &end)) {
      out.text.append("JOIN");
      i = end;
      continue;
    }
    if ((c == 'j' || c == 'J') && WordsAt(sql, i, "json_each", &end)) {
      size_t open = end;
      while (open < sql.size() && absl::ascii_isspace(static_cast<unsigned char>(sql[open]))) ++open;
      if (open < sql.size() && sql[open] == '(') {
        out.text.append("json_array_elements_text(CAST(");
        parens.push_back(true);
        i = open + 1;
        continue;
      }
    }
    if (c == '(') parens.push_back(false);
    if (c == ')' && !parens.empty()) {
      const bool json = parens.back();
      parens.pop_back();
      if (json) {
        out.text.append(" AS json))");
        ++i;
        continue;
      }
    }
    out.text.push_back(c);
    ++i;
  }
  out.used.resize(out.parameter_count + 1, false);
  return out;
}

}  // namespace touchline::storage
