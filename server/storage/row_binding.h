// The one row and binding helper of the stores: parameters bound left to right, columns read
// left to right, the conversions every table shares (instants as integer microseconds since the
// Unix epoch, UTC; booleans as 0/1; "" as NULL where empty means "not set"), and the small
// patterns every store repeats (NOT_FOUND by entity, a savepoint around a multi-row insert).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/model.h"
#include "server/storage/transaction.h"

namespace touchline::storage {

// Binds parameters left to right, from the first (or `first`). Text is copied, so temporaries
// are safe.
class Binder {
 public:
  explicit Binder(Statement& q, int first = 1) : q_(q), next_(first) {}
  Binder& Int(int64_t v) {
    q_.Bind(next_++, v);
    return *this;
  }
  Binder& Bool(bool v) { return Int(v ? 1 : 0); }
  Binder& Real(double v) {
    q_.Bind(next_++, v);
    return *this;
  }
  Binder& Text(std::string_view v) {
    q_.Bind(next_++, v);
    return *this;
  }
  // NULL for the empty string (columns where empty means "not set").
  Binder& TextOrNull(const std::string& v) {
    if (v.empty()) return Null();
    return Text(v);
  }
  Binder& Blob(std::string_view bytes) {
    q_.BindBlob(next_++, bytes);
    return *this;
  }
  // NULL for id 0 (an optional reference).
  Binder& IdOrNull(domain::Id id) {
    if (id == 0) return Null();
    return Int(id);
  }
  Binder& Time(absl::Time t) { return Int(absl::ToUnixMicros(t)); }
  Binder& OptTime(const std::optional<absl::Time>& t) {
    if (!t) return Null();
    return Time(*t);
  }
  Binder& Null() {
    q_.BindNull(next_++);
    return *this;
  }

 private:
  Statement& q_;
  int next_;
};

// Reads the columns of the current row left to right, from the first (or `first`).
class Row {
 public:
  explicit Row(const Statement& q, int first = 0) : q_(q), next_(first) {}
  int64_t Int() { return q_.ColumnInt(next_++); }
  int Int32() { return q_.ColumnInt32(next_++); }
  bool Bool() { return Int() != 0; }
  double Real() { return q_.ColumnDouble(next_++); }
  std::string Text() { return q_.ColumnText(next_++); }  // "" for NULL
  std::string Blob() { return q_.ColumnBlob(next_++); }  // "" for NULL
  absl::Time Time() { return absl::FromUnixMicros(Int()); }
  bool IsNull() const { return q_.IsNull(next_); }
  void Skip(int n) { next_ += n; }
  std::optional<absl::Time> OptTime() {
    if (IsNull()) {
      ++next_;
      return std::nullopt;
    }
    return Time();
  }
  std::optional<int> OptInt32() {
    if (IsNull()) {
      ++next_;
      return std::nullopt;
    }
    return Int32();
  }
  std::optional<double> OptReal() {
    if (IsNull()) {
      ++next_;
      return std::nullopt;
    }
    return Real();
  }

 private:
  const Statement& q_;
  int next_;
};

// An instant column of the current row (integer microseconds since the epoch).
inline absl::Time TimeColumn(const Statement& q, int column) {
  return absl::FromUnixMicros(q.ColumnInt(column));
}

// "<entity> <id> not found".
inline absl::Status NotFound(absl::string_view entity, domain::Id id) {
  return absl::NotFoundError(absl::StrCat(entity, " ", id, " not found"));
}

// The first column of the first row of a statement without parameters (0 when no row).
inline int64_t QueryInt(Transaction& tx, std::string_view sql) {
  Statement q = tx.Prepare(sql);
  return q.Step() ? q.ColumnInt(0) : 0;
}

// Runs `work` inside SAVEPOINT `name`: the rows it writes are one unit even if the caller carries
// on after a failure (rolled back to the savepoint, then the failure rethrown).
template <typename Work>
void InSavepoint(Transaction& tx, const std::string& name, Work&& work) {
  tx.Execute("SAVEPOINT " + name);
  try {
    work();
    tx.Execute("RELEASE " + name);
  } catch (...) {
    tx.TryExecute("ROLLBACK TO " + name);
    tx.TryExecute("RELEASE " + name);
    throw;
  }
}

}  // namespace touchline::storage
