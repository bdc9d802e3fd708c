#include "client/cli/table.h"

#include <algorithm>
#include <sstream>

namespace touchline::cli {

size_t DisplayWidth(absl::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;  // count bytes that start a code point
  }
  return n;
}

namespace {
std::string Clean(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}
}  // namespace

void Table::Print(std::ostream& out) const {
  size_t ncols = headers_.size();
  for (const auto& r : rows_) ncols = std::max(ncols, r.size());
  std::vector<std::vector<std::string>> lines;
  lines.reserve(rows_.size() + 1);
  std::vector<std::string> head = headers_;
  head.resize(ncols);
  lines.push_back(std::move(head));
  for (const auto& r : rows_) {
    std::vector<std::string> row;
    row.reserve(ncols);
    for (const auto& c : r) row.push_back(Clean(c));
    row.resize(ncols);
    lines.push_back(std::move(row));
  }
  std::vector<size_t> width(ncols, 0);
  for (const auto& l : lines) {
    for (size_t i = 0; i < ncols; ++i) width[i] = std::max(width[i], DisplayWidth(l[i]));
  }
  for (const auto& l : lines) {
    std::string line;
    for (size_t i = 0; i < ncols; ++i) {
      if (i > 0) line += "  ";
      line += l[i];
      if (i + 1 < ncols) line.append(width[i] - DisplayWidth(l[i]), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

std::string Table::ToString() const {
  std::ostringstream ss;
  Print(ss);
  return ss.str();
}

}  // namespace touchline::cli
