#include "server/move_club/club_copy.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "server/storage/audit_log_store.h"
#include "server/storage/postgres/postgres_database.h"
#include "server/storage/store_kind.h"

namespace touchline::move_club {
namespace {

using storage::ColumnType;
using storage::Database;
using storage::DatabaseOptions;
using storage::Statement;
using storage::StoreError;
using storage::StoreKind;
using storage::Transaction;

// Rows read per query: keyset pages, so neither backend holds a whole table in memory (libpq
// receives a statement's whole result at once).
constexpr int kPageRows = 2000;
// Rows per INSERT: one round trip per batch instead of per row; PostgreSQL takes at most 65535
// parameters in a statement.
constexpr int kMaxBatchRows = 500;
constexpr int kMaxBatchParameters = 20000;
// What a new PostgreSQL clinical schema holds before anything is stored: store_identity's one row
// (touchline_schema is the backend's, outside the seam, and not compared).
constexpr char kStoreIdentity[] = "store_identity";
constexpr char kSetOnceTrigger[] = "store_identity_set_once";
constexpr char kVersionTable[] = "touchline_schema";

// One column of one row, as the seam reads it.
struct Value {
  ColumnType type = ColumnType::kNull;
  int64_t integer = 0;
  double real = 0;
  std::string bytes;  // text or blob

  bool operator==(const Value& other) const {
    if (type != other.type) return false;
    switch (type) {
      case ColumnType::kNull:
        return true;
      case ColumnType::kInteger:
        return integer == other.integer;
      case ColumnType::kFloat:  // bit for bit: -0.0 is not 0.0 here
        return std::bit_cast<uint64_t>(real) == std::bit_cast<uint64_t>(other.real);
      default:
        return bytes == other.bytes;
    }
  }
};
using Row = std::vector<Value>;

Value ReadValue(const Statement& q, int column) {
  Value v;
  v.type = q.TypeOf(column);
  switch (v.type) {
    case ColumnType::kNull:
      break;
    case ColumnType::kInteger:
      v.integer = q.ColumnInt(column);
      break;
    case ColumnType::kFloat:
      v.real = q.ColumnDouble(column);
      break;
    case ColumnType::kText:
      v.bytes = q.ColumnText(column);
      break;
    case ColumnType::kBlob:
      v.bytes = q.ColumnBlob(column);
      break;
  }
  return v;
}

void BindValue(Statement& q, int index, const Value& v) {
  switch (v.type) {
    case ColumnType::kNull:
      q.BindNull(index);
      break;
    case ColumnType::kInteger:
      q.Bind(index, v.integer);
      break;
    case ColumnType::kFloat:
      q.Bind(index, v.real);
      break;
    case ColumnType::kText:
      q.Bind(index, std::string_view(v.bytes));
      break;
    case ColumnType::kBlob:
      q.BindBlob(index, v.bytes);
      break;
  }
}

// An identifier for SQL on either backend. Names come from the databases' own catalogs.
std::string Quoted(std::string_view identifier) {
  std::string out = "\"";
  for (const char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Qualified(const std::string& schema, const std::string& table) {
  return schema.empty() ? Quoted(table) : absl::StrCat(Quoted(schema), ".", Quoted(table));
}

std::string ColumnList(const std::vector<std::string>& columns) {
  return absl::StrJoin(columns, ", ", [](std::string* out, const std::string& c) {
    absl::StrAppend(out, Quoted(c));
  });
}

std::vector<int> KeyColumnIndexes(const TableSpec& table) {
  std::vector<int> indexes;
  for (const std::string& key : table.primary_key) {
    indexes.push_back(static_cast<int>(
        std::find(table.columns.begin(), table.columns.end(), key) - table.columns.begin()));
  }
  return indexes;
}

// A table's rows in primary-key order, a page at a time: the next page starts after the last key
// read (a row-value comparison, which both backends have), so the same code reads both.
class PagedRows {
 public:
  PagedRows(Transaction& tx, const std::string& from, const TableSpec& table)
      : tx_(tx), key_columns_(KeyColumnIndexes(table)), columns_(table.columns.size()) {
    const std::string select = absl::StrCat("SELECT ", ColumnList(table.columns), " FROM ", from);
    const std::string order =
        absl::StrCat(" ORDER BY ", ColumnList(table.primary_key), " LIMIT ", kPageRows);
    first_sql_ = absl::StrCat(select, order);
    std::vector<std::string> marks(table.primary_key.size(), "?");
    next_sql_ = absl::StrCat(select, " WHERE (", ColumnList(table.primary_key), ") > (",
                             absl::StrJoin(marks, ", "), ")", order);
  }

  // The next row into `row`; false after the last.
  bool Next(Row& row) {
    while (!done_) {
      if (!page_) {
        page_.emplace(tx_.PrepareCached(first_page_ ? first_sql_ : next_sql_));
        if (!first_page_) {
          for (size_t i = 0; i < last_key_.size(); ++i) {
            BindValue(*page_, static_cast<int>(i) + 1, last_key_[i]);
          }
        }
        first_page_ = false;
        in_page_ = 0;
      }
      if (page_->Step()) {
        ++in_page_;
        row.resize(columns_);
        for (size_t c = 0; c < columns_; ++c) row[c] = ReadValue(*page_, static_cast<int>(c));
        last_key_.clear();
        for (const int k : key_columns_) last_key_.push_back(row[k]);
        return true;
      }
      page_.reset();
      if (in_page_ < kPageRows) done_ = true;
    }
    return false;
  }

 private:
  Transaction& tx_;
  std::vector<int> key_columns_;
  size_t columns_;
  std::string first_sql_;
  std::string next_sql_;
  std::optional<Statement> page_;
  bool first_page_ = true;
  bool done_ = false;
  int in_page_ = 0;
  Row last_key_;
};

void AppendLength(std::string& out, uint64_t n) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
}

// SHA-256 of a table's canonical encoding: the column names, then every row, each value a tag
// (N, I, F, T, B) and, but for NULL, its length-prefixed bytes: an integer in decimal, a float's
// IEEE-754 bits (big-endian), text and blobs as they are.
class TableHasher {
 public:
  explicit TableHasher(const TableSpec& table) : context_(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(context_, EVP_sha256(), nullptr);
    std::string header = "touchline-move-club table digest v1";
    AppendLength(header, table.columns.size());
    for (const std::string& c : table.columns) {
      AppendLength(header, c.size());
      header += c;
    }
    Update(header);
  }
  ~TableHasher() { EVP_MD_CTX_free(context_); }
  TableHasher(const TableHasher&) = delete;
  TableHasher& operator=(const TableHasher&) = delete;

  void Add(const Row& row) {
    buffer_.clear();
    for (const Value& v : row) {
      switch (v.type) {
        case ColumnType::kNull:
          buffer_ += 'N';
          break;
        case ColumnType::kInteger: {
          const std::string decimal = absl::StrCat(v.integer);
          buffer_ += 'I';
          AppendLength(buffer_, decimal.size());
          buffer_ += decimal;
          break;
        }
        case ColumnType::kFloat:
          buffer_ += 'F';
          AppendLength(buffer_, 8);
          AppendLength(buffer_, std::bit_cast<uint64_t>(v.real));
          break;
        case ColumnType::kText:
        case ColumnType::kBlob:
          buffer_ += v.type == ColumnType::kText ? 'T' : 'B';
          AppendLength(buffer_, v.bytes.size());
          buffer_ += v.bytes;
          break;
      }
    }
    Update(buffer_);
    ++rows_;
  }

  TableDigest Finish() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_, digest, &length);
    TableDigest result;
    result.rows = rows_;
    for (unsigned int i = 0; i < length; ++i) absl::StrAppend(&result.sha256, absl::Hex(digest[i], absl::kZeroPad2));
    return result;
  }

 private:
  void Update(const std::string& bytes) { EVP_DigestUpdate(context_, bytes.data(), bytes.size()); }

  EVP_MD_CTX* context_;
  std::string buffer_;
  int64_t rows_ = 0;
};

// Inserts rows into `into` a batch at a time, the columns named as the spec names them.
class BatchInsert {
 public:
  BatchInsert(Transaction& tx, std::string into, const TableSpec& table)
      : tx_(tx),
        into_(std::move(into)),
        table_(table),
        batch_rows_(std::clamp<int>(
            kMaxBatchParameters / std::max<int>(1, static_cast<int>(table.columns.size())), 1,
            kMaxBatchRows)),
        full_batch_sql_(Sql(batch_rows_)) {}

  void Add(Row row) {
    pending_.push_back(std::move(row));
    if (static_cast<int>(pending_.size()) == batch_rows_) Flush();
  }

  void Flush() {
    if (pending_.empty()) return;
    const int rows = static_cast<int>(pending_.size());
    Statement insert = rows == batch_rows_ ? tx_.PrepareCached(full_batch_sql_)
                                           : tx_.Prepare(Sql(rows));
    int parameter = 1;
    for (const Row& row : pending_) {
      for (const Value& v : row) BindValue(insert, parameter++, v);
    }
    insert.Execute();
    pending_.clear();
  }

 private:
  std::string Sql(int rows) const {
    std::vector<std::string> marks(table_.columns.size(), "?");
    const std::string one = absl::StrCat("(", absl::StrJoin(marks, ", "), ")");
    std::vector<std::string> all(rows, one);
    return absl::StrCat("INSERT INTO ", into_, " (", ColumnList(table_.columns), ") VALUES ",
                        absl::StrJoin(all, ", "));
  }

  Transaction& tx_;
  std::string into_;
  const TableSpec& table_;
  int batch_rows_;
  std::string full_batch_sql_;
  std::vector<Row> pending_;
};

std::string ShowValue(const Value& v) {
  switch (v.type) {
    case ColumnType::kNull:
      return "NULL";
    case ColumnType::kInteger:
      return absl::StrCat(v.integer);
    case ColumnType::kFloat:
      return absl::StrCat(v.real);
    case ColumnType::kText:
      return absl::StrCat("'", v.bytes.size() > 64 ? v.bytes.substr(0, 64) + "..." : v.bytes, "'");
    case ColumnType::kBlob:
      return absl::StrCat("<", v.bytes.size(), " bytes>");
  }
  return "?";
}

// A row's primary key for a message: `id=5`, or `user_name='a', request_id='b'`. Keys are ids,
// token hashes, flag keys and request ids: not the record's clinical content.
std::string ShowKey(const TableSpec& table, const Row& row) {
  std::vector<std::string> parts;
  const std::vector<int> keys = KeyColumnIndexes(table);
  for (size_t i = 0; i < keys.size(); ++i) {
    parts.push_back(absl::StrCat(table.primary_key[i], "=", ShowValue(row[keys[i]])));
  }
  return absl::StrJoin(parts, ", ");
}

// Where the two sides of a table first part, in primary-key order: a row only one side has, or the
// columns that differ (named, never shown: they are the medical record).
std::string FirstDifference(Transaction& source, const std::string& source_from,
                            Transaction& target, const std::string& target_from,
                            const TableSpec& table) {
  PagedRows a(source, source_from, table);
  PagedRows b(target, target_from, table);
  const std::vector<int> keys = KeyColumnIndexes(table);
  Row ra, rb;
  while (true) {
    const bool has_a = a.Next(ra);
    const bool has_b = b.Next(rb);
    if (!has_a && !has_b) return "every row compares equal, yet the digests differ";
    if (!has_b) return absl::StrCat("the target lacks the row ", ShowKey(table, ra));
    if (!has_a) return absl::StrCat("the target has a row the source lacks: ", ShowKey(table, rb));
    bool same_key = true;
    for (const int k : keys) same_key = same_key && ra[k] == rb[k];
    if (!same_key) {
      return absl::StrCat("in key order the source has the row ", ShowKey(table, ra),
                          " where the target has ", ShowKey(table, rb));
    }
    std::vector<std::string> differ;
    for (size_t c = 0; c < ra.size(); ++c) {
      if (!(ra[c] == rb[c])) differ.push_back(table.columns[c]);
    }
    if (!differ.empty()) {
      return absl::StrCat("the row ", ShowKey(table, ra), " differs in ",
                          absl::StrJoin(differ, ", "));
    }
  }
}

std::string Difference(const TableDigest& source, const TableDigest& target) {
  if (source.rows != target.rows) {
    return absl::StrCat("the source has ", source.rows, " rows, the target ", target.rows);
  }
  if (source.sha256 != target.sha256) return "the contents differ";
  return "";
}

// A status from an exception of the copy, saying what was being done.
absl::Status InContext(const std::exception& e, absl::string_view doing) {
  const absl::Status status = storage::StatusFromStorageException(e);
  return absl::Status(status.code(), absl::StrCat(doing, ": ", status.message()));
}

// The columns of every table of a PostgreSQL schema (touchline_schema left out), and which are
// identity columns.
struct PostgresTables {
  std::map<std::string, std::vector<std::string>> columns;
  std::vector<std::pair<std::string, std::string>> identities;  // (table, column)
};

PostgresTables DescribePostgresSchema(Transaction& tx, const std::string& schema) {
  PostgresTables tables;
  Statement q = tx.Prepare(
      "SELECT c.table_name, c.column_name, c.is_identity FROM information_schema.columns c "
      "JOIN information_schema.tables t "
      "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
      "WHERE c.table_schema = ? AND t.table_type = 'BASE TABLE' "
      "ORDER BY c.table_name, c.ordinal_position");
  q.Bind(1, std::string_view(schema));
  while (q.Step()) {
    const std::string table = q.ColumnText(0);
    if (table == kVersionTable) continue;
    tables.columns[table].push_back(q.ColumnText(1));
    if (q.ColumnText(2) == "YES") tables.identities.emplace_back(table, q.ColumnText(1));
  }
  return tables;
}

// OK when the PostgreSQL schema has exactly the source store's tables and columns (by name).
absl::Status CompareTables(const std::vector<TableSpec>& source, const PostgresTables& target,
                           const std::string& schema) {
  std::vector<std::string> problems;
  std::set<std::string> in_source;
  for (const TableSpec& table : source) {
    in_source.insert(table.name);
    const auto found = target.columns.find(table.name);
    if (found == target.columns.end()) {
      problems.push_back(absl::StrCat("table ", table.name, " is missing"));
      continue;
    }
    const std::set<std::string> theirs(found->second.begin(), found->second.end());
    const std::set<std::string> ours(table.columns.begin(), table.columns.end());
    std::vector<std::string> missing, extra;
    std::set_difference(ours.begin(), ours.end(), theirs.begin(), theirs.end(),
                        std::back_inserter(missing));
    std::set_difference(theirs.begin(), theirs.end(), ours.begin(), ours.end(),
                        std::back_inserter(extra));
    if (!missing.empty()) {
      problems.push_back(absl::StrCat("table ", table.name, " lacks the column(s) ",
                                      absl::StrJoin(missing, ", ")));
    }
    if (!extra.empty()) {
      problems.push_back(absl::StrCat("table ", table.name, " has column(s) the source lacks: ",
                                      absl::StrJoin(extra, ", ")));
    }
  }
  for (const auto& [name, columns] : target.columns) {
    if (!in_source.contains(name)) {
      problems.push_back(absl::StrCat("table ", name, " is not in the source"));
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "the PostgreSQL schema ", schema, " does not have the source's tables: ",
      absl::StrJoin(problems, "; "),
      ". Both should be this build's latest schema version; nothing was written"));
}

int64_t QueryCount(Transaction& tx, const std::string& sql) {
  Statement q = tx.Prepare(sql);
  return q.Step() ? q.ColumnInt(0) : 0;
}

// The tables of the schema that hold rows, other than the baseline's store_identity row: a move
// never merges into a live club.
std::vector<std::string> RowsAlreadyThere(Transaction& tx, const std::string& schema,
                                          const std::vector<TableSpec>& tables) {
  std::vector<std::string> held;
  for (const TableSpec& table : tables) {
    const std::string from = Qualified(schema, table.name);
    const int64_t rows = QueryCount(tx, absl::StrCat("SELECT count(*) FROM ", from));
    if (table.name == kStoreIdentity) {
      // The baseline's own row: a random store_id, the audit log not yet moved.
      const int64_t moved = QueryCount(
          tx, absl::StrCat("SELECT count(*) FROM ", from, " WHERE audit_log_moved_at IS NOT NULL"));
      if (rows == 1 && moved == 0) continue;
      held.push_back(absl::StrCat(schema, ".", table.name,
                                  moved > 0 ? " (a club was already moved or started here)"
                                            : absl::StrCat(" (", rows, " rows)")));
      continue;
    }
    if (rows > 0) held.push_back(absl::StrCat(schema, ".", table.name, " (", rows, " rows)"));
  }
  return held;
}

// What each store contributes to a move.
struct StorePlan {
  StoreKind kind;
  std::string target_schema;
  std::vector<TableSpec> tables;
  std::map<std::string, int64_t> sqlite_sequence;  // AUTOINCREMENT high-water marks
};

absl::StatusOr<StorePlan> PlanStore(Database& source, StoreKind kind, const std::string& schema) {
  StorePlan plan;
  plan.kind = kind;
  plan.target_schema = storage::PostgresSchemaOf(schema, kind);
  absl::Status described = source.Read([&](Transaction& tx) -> absl::Status {
    absl::StatusOr<std::vector<TableSpec>> tables = DescribeSqliteStore(tx);
    if (!tables.ok()) return tables.status();
    plan.tables = *std::move(tables);
    const bool has_sequences = QueryCount(tx,
                                          "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                          "AND name = 'sqlite_sequence'") > 0;
    if (has_sequences) {
      Statement q = tx.Prepare("SELECT name, seq FROM sqlite_sequence");
      while (q.Step()) plan.sqlite_sequence[q.ColumnText(0)] = q.ColumnInt(1);
    }
    return absl::OkStatus();
  });
  if (!described.ok()) {
    return absl::Status(described.code(), absl::StrCat("reading the tables of ", source.path(),
                                                        ": ", described.message()));
  }
  return plan;
}

// Copies one table of the source into the target's schema, returning the source's digest (taken
// from the rows as they were copied).
absl::StatusOr<TableDigest> CopyTable(Transaction& source, Transaction& target,
                                      const std::string& schema, const TableSpec& table) {
  try {
    PagedRows rows(source, Quoted(table.name), table);
    BatchInsert insert(target, Qualified(schema, table.name), table);
    TableHasher hasher(table);
    Row row;
    while (rows.Next(row)) {
      hasher.Add(row);
      insert.Add(row);
    }
    insert.Flush();
    return hasher.Finish();
  } catch (const std::exception& e) {
    return InContext(e, absl::StrCat("copying table ", table.name, " into ", schema));
  }
}

// store_identity is the one table whose row the baseline already made: it takes the source's row
// (its store_id, which the copied audit log's owner names, and when the audit log moved). The
// set-once trigger refuses exactly that, so it is disabled for this one UPDATE, inside the copy's
// transaction (ALTER TABLE is transactional; the tool owns the schema it just created). Copied
// last: once audit_log_moved_at is set, the old audit tables refuse inserts.
absl::StatusOr<TableDigest> CopyStoreIdentity(Transaction& source, Transaction& target,
                                              const std::string& schema, const TableSpec& table) {
  const std::string into = Qualified(schema, table.name);
  try {
    PagedRows rows(source, Quoted(table.name), table);
    TableHasher hasher(table);
    std::vector<Row> all;
    Row row;
    while (rows.Next(row)) {
      hasher.Add(row);
      all.push_back(row);
    }
    if (all.size() != 1) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the source's store_identity has ", all.size(), " rows; a Touchline database has one"));
    }
    std::vector<std::string> sets;
    std::vector<int> set_columns;
    std::vector<std::string> where;
    std::vector<int> key_columns = KeyColumnIndexes(table);
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (std::find(key_columns.begin(), key_columns.end(), static_cast<int>(c)) !=
          key_columns.end()) {
        continue;
      }
      sets.push_back(absl::StrCat(Quoted(table.columns[c]), " = ?"));
      set_columns.push_back(static_cast<int>(c));
    }
    for (const std::string& key : table.primary_key) where.push_back(Quoted(key) + " = ?");
    target.Execute(absl::StrCat("ALTER TABLE ", into, " DISABLE TRIGGER ", Quoted(kSetOnceTrigger)));
    Statement update = target.Prepare(absl::StrCat("UPDATE ", into, " SET ",
                                                   absl::StrJoin(sets, ", "), " WHERE ",
                                                   absl::StrJoin(where, " AND ")));
    int parameter = 1;
    for (const int c : set_columns) BindValue(update, parameter++, all[0][c]);
    for (const int k : key_columns) BindValue(update, parameter++, all[0][k]);
    const int64_t updated = update.Execute();
    target.Execute(absl::StrCat("ALTER TABLE ", into, " ENABLE TRIGGER ", Quoted(kSetOnceTrigger)));
    if (updated != 1) {
      return absl::FailedPreconditionError(
          absl::StrCat(schema, ".", table.name, " has no row for the source's ",
                       ShowKey(table, all[0]), " to take the source's identity"));
    }
    return hasher.Finish();
  } catch (const std::exception& e) {
    return InContext(e, absl::StrCat("copying table ", table.name, " into ", schema));
  }
}

// Sets every identity sequence of the schema past the largest id copied (and past SQLite's
// AUTOINCREMENT high-water mark), so the next row continues after the copied ones.
absl::Status AdvanceSequences(Transaction& target, const StorePlan& plan,
                              const PostgresTables& tables) {
  for (const auto& [table, column] : tables.identities) {
    try {
      const std::string from = Qualified(plan.target_schema, table);
      int64_t last = QueryCount(
          target, absl::StrCat("SELECT coalesce(max(", Quoted(column), "), 0) FROM ", from));
      if (const auto seq = plan.sqlite_sequence.find(table); seq != plan.sqlite_sequence.end()) {
        last = std::max(last, seq->second);
      }
      Statement q = target.Prepare("SELECT setval(pg_get_serial_sequence(?, ?), ?, false)");
      q.Bind(1, std::string_view(from));
      q.Bind(2, std::string_view(column));
      q.Bind(3, last + 1);
      q.Step();
    } catch (const std::exception& e) {
      return InContext(e, absl::StrCat("advancing the id sequence of ", plan.target_schema, ".",
                                       table, ".", column));
    }
  }
  return absl::OkStatus();
}

// Copies a store's tables inside the target's transaction; `digests` gets the source's digest of
// each, by table name.
absl::Status CopyStore(Transaction& source, Transaction& target, const StorePlan& plan,
                       std::map<std::string, TableDigest>& digests, std::ostream* progress) {
  const TableSpec* identity = nullptr;
  for (const TableSpec& table : plan.tables) {
    if (plan.kind == StoreKind::kClinicalRecord && table.name == kStoreIdentity) {
      identity = &table;
      continue;
    }
    if (progress != nullptr) *progress << "copying " << plan.target_schema << "." << table.name << "\n";
    absl::StatusOr<TableDigest> copied = CopyTable(source, target, plan.target_schema, table);
    if (!copied.ok()) return copied.status();
    digests[table.name] = *copied;
  }
  if (identity != nullptr) {
    absl::StatusOr<TableDigest> copied =
        CopyStoreIdentity(source, target, plan.target_schema, *identity);
    if (!copied.ok()) return copied.status();
    digests[identity->name] = *copied;
  }
  return absl::OkStatus();
}

}  // namespace

bool Verification::ok() const {
  return std::all_of(tables.begin(), tables.end(), [](const TableCheck& t) { return t.ok(); });
}

int64_t Verification::source_rows() const {
  int64_t rows = 0;
  for (const TableCheck& t : tables) rows += t.source.rows;
  return rows;
}

absl::StatusOr<std::vector<TableSpec>> DescribeSqliteStore(Transaction& sqlite) {
  std::vector<TableSpec> created;
  std::map<std::string, std::set<std::string>> parents;
  {
    Statement q = sqlite.Prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' "
        "ESCAPE '!' ORDER BY rowid");
    while (q.Step()) created.push_back(TableSpec{.name = q.ColumnText(0)});
  }
  for (TableSpec& table : created) {
    std::vector<std::pair<int64_t, std::string>> key;
    Statement columns =
        sqlite.Prepare("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid");
    columns.Bind(1, std::string_view(table.name));
    while (columns.Step()) {
      table.columns.push_back(columns.ColumnText(0));
      if (columns.ColumnInt(1) > 0) key.emplace_back(columns.ColumnInt(1), columns.ColumnText(0));
    }
    std::sort(key.begin(), key.end());
    for (auto& [position, name] : key) table.primary_key.push_back(name);
    if (table.primary_key.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "table ", table.name, " has no primary key: its rows have no order to copy and compare "
          "them in"));
    }
    Statement references =
        sqlite.Prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)");
    references.Bind(1, std::string_view(table.name));
    while (references.Step()) {
      const std::string parent = references.ColumnText(0);
      if (parent != table.name) parents[table.name].insert(parent);
    }
  }
  // Parents first (PostgreSQL checks each foreign key as rows arrive), else creation order.
  std::vector<TableSpec> ordered;
  std::set<std::string> placed;
  std::set<std::string> known;
  for (const TableSpec& t : created) known.insert(t.name);
  while (ordered.size() < created.size()) {
    bool progressed = false;
    for (const TableSpec& table : created) {
      if (placed.contains(table.name)) continue;
      bool ready = true;
      for (const std::string& parent : parents[table.name]) {
        ready = ready && (placed.contains(parent) || !known.contains(parent));
      }
      if (!ready) continue;
      ordered.push_back(table);
      placed.insert(table.name);
      progressed = true;
      break;
    }
    if (!progressed) {
      std::vector<std::string> left;
      for (const TableSpec& t : created) {
        if (!placed.contains(t.name)) left.push_back(t.name);
      }
      return absl::InvalidArgumentError(absl::StrCat(
          "the foreign keys of tables ", absl::StrJoin(left, ", "), " form a cycle"));
    }
  }
  return ordered;
}

TableDigest DigestTable(Transaction& tx, const std::string& from, const TableSpec& table) {
  PagedRows rows(tx, from, table);
  TableHasher hasher(table);
  Row row;
  while (rows.Next(row)) hasher.Add(row);
  return hasher.Finish();
}

absl::StatusOr<ClubStores> OpenSqliteClub(const std::string& path, const std::string& audit_path) {
  ClubStores club;
  const std::string log_path = audit_path.empty() ? storage::AuditLogPathFor(path) : audit_path;
  club.description = absl::StrCat("sqlite:", path);
  DatabaseOptions options;
  options.path = path;
  options.kind = StoreKind::kClinicalRecord;
  options.create_if_missing = false;
  options.reader_connections = 1;
  absl::StatusOr<std::unique_ptr<Database>> record = Database::Open(options);
  if (!record.ok()) {
    return absl::Status(record.status().code(),
                        absl::StrCat("the source database: ", record.status().message()));
  }
  club.record = *std::move(record);

  std::string store_id;
  bool moved = false;
  absl::Status identity = club.record->Read([&](Transaction& tx) -> absl::Status {
    Statement q = tx.Prepare(
        "SELECT store_id, audit_log_moved_at IS NOT NULL FROM store_identity WHERE only_row = 1");
    if (!q.Step()) return absl::FailedPreconditionError(absl::StrCat(path, " has no store identity"));
    store_id = q.ColumnText(0);
    moved = q.ColumnInt(1) != 0;
    return absl::OkStatus();
  });
  if (!identity.ok()) return identity;
  if (!moved) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " still keeps its audit events itself: no touchline-server of schema v9 or later has "
        "started on it, so its audit log (", log_path, ") has not taken them over yet. Start "
        "touchline-server on it once (--db=", path, "), stop it, then run touchline-move-club again"));
  }

  options.path = log_path;
  options.kind = StoreKind::kAuditLog;
  absl::StatusOr<std::unique_ptr<Database>> log = Database::Open(options);
  if (!log.ok()) {
    return absl::Status(log.status().code(),
                        absl::StrCat("the source's audit log: ", log.status().message(),
                                     " (name it with --from_audit_db if it is elsewhere)"));
  }
  club.audit_log = *std::move(log);
  std::string owner;
  absl::Status owned = club.audit_log->Read([&](Transaction& tx) -> absl::Status {
    Statement q = tx.Prepare("SELECT store_id FROM audit_log_owner WHERE only_row = 1");
    if (q.Step()) owner = q.ColumnText(0);
    return absl::OkStatus();
  });
  if (!owned.ok()) return owned;
  if (owner != store_id) {
    return absl::FailedPreconditionError(absl::StrCat(
        log_path, " is not the audit log of ", path, ": it belongs to store '", owner,
        "', the database is store '", store_id, "'"));
  }
  club.description = absl::StrCat("sqlite:", path, " (audit log ", log_path, ")");
  return club;
}

absl::StatusOr<ClubStores> OpenPostgresClub(DatabaseOptions options, bool create) {
  ClubStores club;
  club.postgres_schema = options.postgres_schema;
  club.description = absl::StrCat("PostgreSQL schemas ", options.postgres_schema, " and ",
                                  storage::PostgresSchemaOf(options.postgres_schema,
                                                            StoreKind::kAuditLog));
  options.create_if_missing = create;
  options.reader_connections = 1;
  options.kind = StoreKind::kClinicalRecord;
  absl::StatusOr<std::unique_ptr<Database>> record = Database::Open(options);
  if (!record.ok()) {
    return absl::Status(record.status().code(),
                        absl::StrCat("the target: ", record.status().message()));
  }
  club.record = *std::move(record);
  options.kind = StoreKind::kAuditLog;
  absl::StatusOr<std::unique_ptr<Database>> log = Database::Open(options);
  if (!log.ok()) {
    return absl::Status(log.status().code(),
                        absl::StrCat("the target's audit log: ", log.status().message()));
  }
  club.audit_log = *std::move(log);
  return club;
}

absl::StatusOr<Verification> MoveClub(ClubStores& source, ClubStores& target,
                                      std::ostream* progress) {
  if (target.postgres_schema.empty() || !source.postgres_schema.empty()) {
    return absl::InvalidArgumentError("a move is from a SQLite club to a PostgreSQL club");
  }
  for (const auto& [from, to] : {std::pair{source.record.get(), target.record.get()},
                                 std::pair{source.audit_log.get(), target.audit_log.get()}}) {
    if (from->SchemaVersion() != to->SchemaVersion()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the source ", from->path(), " is at schema version ", from->SchemaVersion(), " but ",
          to->path(), " is at version ", to->SchemaVersion(), "; nothing was written"));
    }
  }
  absl::StatusOr<StorePlan> record_plan =
      PlanStore(*source.record, StoreKind::kClinicalRecord, target.postgres_schema);
  if (!record_plan.ok()) return record_plan.status();
  absl::StatusOr<StorePlan> audit_plan =
      PlanStore(*source.audit_log, StoreKind::kAuditLog, target.postgres_schema);
  if (!audit_plan.ok()) return audit_plan.status();
  const std::vector<const StorePlan*> plans = {&*record_plan, &*audit_plan};

  // Both stores in one transaction of the target's clinical connection (the audit schema named
  // with its schema): two commits could leave the first store copied and the second not, a target
  // no longer empty that a re-run would refuse. Each source store is read in one snapshot.
  absl::Status copied = source.record->Read([&](Transaction& record_source) -> absl::Status {
    return source.audit_log->Read([&](Transaction& audit_source) -> absl::Status {
      return target.record->Write([&](Transaction& tx) -> absl::Status {
        std::vector<PostgresTables> target_tables;
        std::vector<std::string> held;
        try {
          for (const StorePlan* plan : plans) {
            target_tables.push_back(DescribePostgresSchema(tx, plan->target_schema));
            if (absl::Status same = CompareTables(plan->tables, target_tables.back(),
                                                  plan->target_schema);
                !same.ok()) {
              return same;
            }
            for (std::string& t : RowsAlreadyThere(tx, plan->target_schema, plan->tables)) {
              held.push_back(std::move(t));
            }
          }
        } catch (const std::exception& e) {
          return InContext(e, "reading the target's tables");
        }
        if (!held.empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "refusing to move into ", target.description, ": they already hold records (",
              absl::StrJoin(held, ", "),
              "). touchline-move-club only moves a club into new, empty schemas, never merging "
              "into a live club; name another --to_schema. Nothing was written"));
        }
        std::vector<std::map<std::string, TableDigest>> digests(plans.size());
        for (size_t i = 0; i < plans.size(); ++i) {
          Transaction& from = plans[i]->kind == StoreKind::kAuditLog ? audit_source : record_source;
          if (absl::Status s = CopyStore(from, tx, *plans[i], digests[i], progress); !s.ok()) {
            return s;
          }
          if (absl::Status s = AdvanceSequences(tx, *plans[i], target_tables[i]); !s.ok()) return s;
        }
        // The copy as this transaction sees it, before it commits.
        std::vector<std::string> mismatched;
        try {
          for (size_t i = 0; i < plans.size(); ++i) {
            for (const TableSpec& table : plans[i]->tables) {
              const TableDigest there =
                  DigestTable(tx, Qualified(plans[i]->target_schema, table.name), table);
              const std::string difference = Difference(digests[i][table.name], there);
              if (!difference.empty()) {
                mismatched.push_back(
                    absl::StrCat(plans[i]->target_schema, ".", table.name, ": ", difference));
              }
            }
          }
        } catch (const std::exception& e) {
          return InContext(e, "checking the copy");
        }
        if (!mismatched.empty()) {
          return absl::DataLossError(absl::StrCat(
              "the copy does not match the source (", absl::StrJoin(mismatched, "; "),
              "); it was rolled back, nothing was written"));
        }
        return absl::OkStatus();
      });
    });
  });
  if (!copied.ok()) return copied;
  return VerifyClub(source, target);
}

absl::StatusOr<Verification> VerifyClub(ClubStores& source, ClubStores& target) {
  if (target.postgres_schema.empty()) {
    return absl::InvalidArgumentError("the target of a verification is a PostgreSQL club");
  }
  Verification verification;
  for (const StoreKind kind : {StoreKind::kClinicalRecord, StoreKind::kAuditLog}) {
    Database& from = kind == StoreKind::kAuditLog ? *source.audit_log : *source.record;
    Database& to = kind == StoreKind::kAuditLog ? *target.audit_log : *target.record;
    absl::StatusOr<StorePlan> plan = PlanStore(from, kind, target.postgres_schema);
    if (!plan.ok()) return plan.status();
    const std::string& schema = plan->target_schema;
    absl::Status compared = from.Read([&](Transaction& s) -> absl::Status {
      return to.Read([&](Transaction& t) -> absl::Status {
        try {
          const PostgresTables there = DescribePostgresSchema(t, schema);
          for (const TableSpec& table : plan->tables) {
            TableCheck check;
            check.name = absl::StrCat(schema, ".", table.name);
            check.source = DigestTable(s, Quoted(table.name), table);
            const auto columns = there.columns.find(table.name);
            if (columns == there.columns.end()) {
              check.difference = "the target has no such table";
            } else if (std::set<std::string>(columns->second.begin(), columns->second.end()) !=
                       std::set<std::string>(table.columns.begin(), table.columns.end())) {
              check.difference = "the target's columns differ";
            } else {
              const std::string into = Qualified(schema, table.name);
              check.target = DigestTable(t, into, table);
              check.difference = Difference(check.source, check.target);
              if (!check.difference.empty()) {
                absl::StrAppend(&check.difference, "; ",
                                FirstDifference(s, Quoted(table.name), t, into, table));
              }
            }
            verification.tables.push_back(std::move(check));
          }
        } catch (const std::exception& e) {
          return InContext(e, absl::StrCat("verifying ", schema));
        }
        return absl::OkStatus();
      });
    });
    if (!compared.ok()) return compared;
  }
  return verification;
}

std::string FormatVerification(const Verification& verification) {
  int width = 5;
  for (const TableCheck& t : verification.tables) {
    width = std::max(width, static_cast<int>(t.name.size()));
  }
  std::string out = absl::StrFormat("%-*s  %9s  %-12s  %s\n", width, "table", "rows", "sha256", "ok");
  std::vector<std::string> notes;
  for (const TableCheck& t : verification.tables) {
    if (t.ok()) {
      absl::StrAppend(&out, absl::StrFormat("%-*s  %9d  %-12s  ok\n", width, t.name, t.source.rows,
                                            t.source.sha256.substr(0, 12)));
      continue;
    }
    absl::StrAppend(&out, absl::StrFormat("%-*s  %9s  %-12s  MISMATCH\n", width, t.name,
                                          absl::StrCat(t.source.rows, "/", t.target.rows),
                                          absl::StrCat(t.source.sha256.substr(0, 6), "/",
                                                       t.target.sha256.substr(0, 6))));
    notes.push_back(absl::StrCat("MISMATCH ", t.name, ": ", t.difference));
  }
  for (const std::string& note : notes) absl::StrAppend(&out, note, "\n");
  return out;
}

}  // namespace touchline::move_club
