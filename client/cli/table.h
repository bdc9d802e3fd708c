// Aligned plain-text tables.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

namespace touchline::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  // Adds a row; missing cells are empty, extra cells are kept (and widen the table).
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  // Columns separated by two spaces, padded to the widest cell (UTF-8 aware); the last column is
  // not padded and no line has trailing spaces. Newlines/tabs in cells are shown as spaces.
  void Print(std::ostream& out) const;
  std::string ToString() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Display width of a UTF-8 string (code points; combining marks are not special-cased).
size_t DisplayWidth(absl::string_view s);

}  // namespace touchline::cli
