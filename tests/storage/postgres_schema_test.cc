// The PostgreSQL backend's schema (postgres_migrations.h) on a real PostgreSQL 15: every step
// applies to an empty schema; the result is the SQLite schema of the same version, table by table
// (columns, types, keys, indexes, constraints, triggers); and the triggers refuse what SQLite's
// refuse, with SQLite's messages.
#include "server/storage/postgres/postgres_migrations.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "libpq-fe.h"
#include "server/storage/database.h"
#include "server/storage/migrations.h"
#include "server/storage/store_kind.h"
#include "tests/lib/postgres_server.h"

namespace touchline::storage {

// For gtest's messages and test names (found by argument-dependent lookup, so not in the anonymous
// namespace).
void PrintTo(StoreKind kind, std::ostream* os) { *os << StoreName(kind); }

namespace {

using ::touchline::testing::PostgresServer;

// ---- PostgreSQL through raw libpq ----

struct PgAnswer {
  bool ok = false;
  std::string sqlstate;  // when not ok
  std::string message;   // the primary message, when not ok
  std::string error;     // the whole error text, for a failing test's output
  std::vector<std::vector<std::string>> rows;  // NULL as ""

  std::string Value() const { return rows.empty() || rows[0].empty() ? "" : rows[0][0]; }
};

PgAnswer Answer(PGresult* result) {
  PgAnswer answer;
  const ExecStatusType status = PQresultStatus(result);
  answer.ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  if (!answer.ok) {
    const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const char* message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    answer.sqlstate = sqlstate ? sqlstate : "";
    answer.message = message ? message : "";
    answer.error = PQresultErrorMessage(result);
  }
  for (int row = 0; row < PQntuples(result); ++row) {
    std::vector<std::string>& values = answer.rows.emplace_back();
    for (int column = 0; column < PQnfields(result); ++column) {
      values.emplace_back(PQgetvalue(result, row, column));
    }
  }
  PQclear(result);
  return answer;
}

// One or more statements, as the backend runs a migration step.
PgAnswer Exec(PGconn* conn, const std::string& sql) { return Answer(PQexec(conn, sql.c_str())); }

// One statement with text parameters $1, $2, ...
PgAnswer Query(PGconn* conn, const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const std::string& param : params) values.push_back(param.c_str());
  return Answer(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0));
}

// ---- a schema as comparable facts ----

// One line per fact, keyed by what it is about ("players column 05", "players index
// players_by_squad", ...), so two schemas compare key by key and a difference names its place.
using SchemaFacts = std::map<std::string, std::string>;

std::string DescribeDifferences(const SchemaFacts& sqlite, const SchemaFacts& postgres) {
  std::string differences;
  for (const auto& [key, value] : sqlite) {
    const auto found = postgres.find(key);
    if (found == postgres.end()) {
      absl::StrAppend(&differences, "  only in SQLite:     ", key, ": ", value, "\n");
    } else if (found->second != value) {
      absl::StrAppend(&differences, "  differ:             ", key, ": SQLite `", value,
                      "`, PostgreSQL `", found->second, "`\n");
    }
  }
  for (const auto& [key, value] : postgres) {
    if (!sqlite.contains(key)) {
      absl::StrAppend(&differences, "  only in PostgreSQL: ", key, ": ", value, "\n");
    }
  }
  return differences;
}

// An index predicate without the parentheses and spacing each backend prints differently.
std::string NormalizedPredicate(const std::string& predicate) {
  const std::string text = absl::StrReplaceAll(predicate, {{"(", " "}, {")", " "}, {"\n", " "}});
  const std::vector<std::string> words = absl::StrSplit(text, ' ', absl::SkipEmpty());
  return absl::StrJoin(words, " ");
}

// The type PostgreSQL's translation gives a SQLite column type (postgres_migrations.cc).
std::string TranslatedType(const std::string& sqlite_type) {
  if (sqlite_type == "INTEGER") return "bigint";
  if (sqlite_type == "TEXT") return "text collate C";
  if (sqlite_type == "REAL") return "double precision";
  if (sqlite_type == "BLOB") return "bytea";
  return "untranslated SQLite type " + sqlite_type;
}

// The text between `open` and the last `close` after it; empty when absent.
std::string Between(std::string_view text, std::string_view open, std::string_view close) {
  const size_t start = text.find(open);
  if (start == std::string_view::npos) return "";
  const size_t end = text.rfind(close);
  if (end == std::string_view::npos || end < start + open.size()) return "";
  return std::string(text.substr(start + open.size(), end - start - open.size()));
}

std::string ForeignKeyAction(const std::string& code) {
  if (code == "a") return "NO ACTION";
  if (code == "r") return "RESTRICT";
  if (code == "c") return "CASCADE";
  if (code == "n") return "SET NULL";
  if (code == "d") return "SET DEFAULT";
  return "?" + code;
}

SchemaFacts SqliteSchemaFacts(const std::string& path) {
  SchemaFacts facts;
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement tables(db,
                           "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                           "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
  while (tables.executeStep()) {
    const std::string table = tables.getColumn(0).getString();
    const std::string table_sql = tables.getColumn(1).getString();
    facts["table " + table] = "";

    // Every table is STRICT, so a PRIMARY KEY column is never NULL even where table_info does
    // not say NOT NULL (an INTEGER PRIMARY KEY is the rowid).
    SQLite::Statement strict(db, "SELECT strict FROM pragma_table_list WHERE schema = 'main' "
                                 "AND name = ?");
    strict.bind(1, table);
    EXPECT_TRUE(strict.executeStep() && strict.getColumn(0).getInt() == 1)
        << table << " is not STRICT: its NOT NULL columns must be read differently";

    SQLite::Statement columns(db, "SELECT name, type, \"notnull\", dflt_value, pk "
                                  "FROM pragma_table_info(?) ORDER BY cid");
    columns.bind(1, table);
    std::map<int, std::string> key_columns;  // by position in the key
    std::vector<std::pair<std::string, std::string>> integer_key;
    int position = 0;
    while (columns.executeStep()) {
      const std::string name = columns.getColumn(0).getString();
      const std::string type = columns.getColumn(1).getString();
      const bool not_null = columns.getColumn(2).getInt() != 0 || columns.getColumn(4).getInt() > 0;
      std::string fact = absl::StrCat(name, " ", TranslatedType(type), not_null ? " not null" : "");
      if (!columns.getColumn(3).isNull()) {
        absl::StrAppend(&fact, " default ", columns.getColumn(3).getString());
      }
      if (columns.getColumn(4).getInt() > 0) key_columns[columns.getColumn(4).getInt()] = name;
      facts[absl::StrFormat("%s column %02d", table, ++position)] = fact;
      if (columns.getColumn(4).getInt() > 0 && type == "INTEGER") {
        integer_key.emplace_back(absl::StrFormat("%s column %02d", table, position), name);
      }
    }
    std::vector<std::string> key;
    for (const auto& [_, name] : key_columns) key.push_back(name);
    if (!key.empty()) facts[table + " primary key"] = absl::StrJoin(key, ", ");
    // A rowid alias is an identity, except a one-row table's constant key (only_row): given, never
    // generated (postgres_migrations.cc).
    if (key.size() == 1 && integer_key.size() == 1 && integer_key[0].second != "only_row" &&
        !absl::StrContains(table_sql, "WITHOUT ROWID")) {
      absl::StrAppend(&facts[integer_key[0].first], " identity");
    }

    SQLite::Statement indexes(
        db, "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)");
    indexes.bind(1, table);
    while (indexes.executeStep()) {
      const std::string index = indexes.getColumn(0).getString();
      const std::string origin = indexes.getColumn(2).getString();
      if (origin == "pk") continue;  // the primary key above
      SQLite::Statement index_columns(db, "SELECT name FROM pragma_index_info(?) ORDER BY seqno");
      index_columns.bind(1, index);
      std::vector<std::string> names;
      while (index_columns.executeStep()) names.push_back(index_columns.getColumn(0).getString());
      const std::string column_list = absl::StrCat("(", absl::StrJoin(names, ", "), ")");
      if (origin == "u") {
        // A UNIQUE constraint: SQLite names its index sqlite_autoindex_*, PostgreSQL
        // <table>_<column>_key; the columns identify it.
        facts[absl::StrCat(table, " unique ", column_list)] = "unique";
        continue;
      }
      std::string fact = absl::StrCat(indexes.getColumn(1).getInt() ? "unique " : "", column_list);
      if (indexes.getColumn(3).getInt()) {
        SQLite::Statement index_sql(db, "SELECT sql FROM sqlite_master WHERE type = 'index' "
                                        "AND name = ?");
        index_sql.bind(1, index);
        const std::string sql = index_sql.executeStep() ? index_sql.getColumn(0).getString() : "";
        const size_t where = sql.rfind(" WHERE ");
        absl::StrAppend(&fact, " where ",
                        where == std::string::npos ? "?"
                                                   : NormalizedPredicate(sql.substr(where + 7)));
      }
      facts[absl::StrCat(table, " index ", index)] = fact;
    }

    SQLite::Statement foreign_keys(
        db, "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete "
            "FROM pragma_foreign_key_list(?) ORDER BY id, seq");
    foreign_keys.bind(1, table);
    std::map<int, std::vector<std::string>> from, to;
    std::map<int, std::string> referenced, actions;
    while (foreign_keys.executeStep()) {
      const int id = foreign_keys.getColumn(0).getInt();
      from[id].push_back(foreign_keys.getColumn(2).getString());
      to[id].push_back(foreign_keys.getColumn(3).getString());
      referenced[id] = foreign_keys.getColumn(1).getString();
      actions[id] = absl::StrCat("on update ", foreign_keys.getColumn(4).getString(),
                                 " on delete ", foreign_keys.getColumn(5).getString());
    }
    for (const auto& [id, columns_from] : from) {
      facts[absl::StrCat(table, " foreign key (", absl::StrJoin(columns_from, ", "), ")")] =
          absl::StrCat("references ", referenced[id], " (", absl::StrJoin(to[id], ", "), ") ",
                       actions[id]);
    }

    // SQLite keeps CHECKs only in the table's text; their number is what compares.
    int checks = 0;
    for (size_t at = table_sql.find("CHECK ("); at != std::string::npos;
         at = table_sql.find("CHECK (", at + 1)) {
      ++checks;
    }
    if (checks > 0) facts[table + " checks"] = absl::StrCat(checks);
  }

  SQLite::Statement triggers(db, "SELECT name, tbl_name, sql FROM sqlite_master "
                                 "WHERE type = 'trigger' ORDER BY name");
  while (triggers.executeStep()) {
    const std::string name = triggers.getColumn(0).getString();
    const std::string table = triggers.getColumn(1).getString();
    const std::string sql = triggers.getColumn(2).getString();
    std::string event = "?";
    for (const char* candidate : {"INSERT", "UPDATE", "DELETE"}) {
      if (absl::StrContains(sql, absl::StrCat("BEFORE ", candidate, " ON"))) {
        event = absl::AsciiStrToLower(candidate);
      }
    }
    const std::string message = Between(sql, "RAISE(ABORT, '", "')");
    facts[absl::StrCat(table, " trigger ", name)] = absl::StrCat("before ", event, ": ", message);
    // What PostgreSQL adds: a table that refuses DELETE refuses TRUNCATE too.
    if (event == "delete") {
      facts[absl::StrCat(table, " trigger ", table, "_no_truncate")] = absl::StrCat(
          "before truncate: ", absl::StrReplaceAll(message, {{"DELETE", "TRUNCATE"}}));
    }
  }
  return facts;
}

SchemaFacts PostgresSchemaFacts(PGconn* conn, const std::string& schema) {
  SchemaFacts facts;
  const PgAnswer tables = Query(conn,
                                "SELECT table_name FROM information_schema.tables "
                                "WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
                                {schema});
  EXPECT_TRUE(tables.ok) << tables.error;
  for (const auto& row : tables.rows) facts["table " + row[0]] = "";

  const PgAnswer columns = Query(
      conn,
      "SELECT table_name, column_name, data_type, coalesce(collation_name, ''), is_nullable, "
      "       is_identity, coalesce(column_default, '') "
      "FROM information_schema.columns WHERE table_schema = $1 "
      "ORDER BY table_name, ordinal_position",
      {schema});
  EXPECT_TRUE(columns.ok) << columns.error;
  std::map<std::string, int> positions;
  for (const auto& row : columns.rows) {
    std::string fact = absl::StrCat(row[1], " ", row[2]);
    if (!row[3].empty()) absl::StrAppend(&fact, " collate ", row[3]);
    if (row[4] == "NO") absl::StrAppend(&fact, " not null");
    if (!row[6].empty()) absl::StrAppend(&fact, " default ", row[6]);
    if (row[5] == "YES") absl::StrAppend(&fact, " identity");
    facts[absl::StrFormat("%s column %02d", row[0], ++positions[row[0]])] = fact;
  }

  const PgAnswer indexes = Query(
      conn,
      "SELECT t.relname, ic.relname, i.indisunique, coalesce(con.contype::text, ''), "
      "       (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k) "
      "        FROM generate_series(1, i.indnatts) k), "
      "       coalesce(pg_get_expr(i.indpred, i.indrelid, true), '') "
      "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
      "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
      "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('p', 'u') "
      "WHERE n.nspname = $1",
      {schema});
  EXPECT_TRUE(indexes.ok) << indexes.error;
  for (const auto& row : indexes.rows) {
    const std::string& table = row[0];
    const std::string column_list = absl::StrCat("(", row[4], ")");
    if (row[3] == "p") {
      facts[table + " primary key"] = row[4];
    } else if (row[3] == "u") {
      facts[absl::StrCat(table, " unique ", column_list)] = "unique";
    } else {
      std::string fact = absl::StrCat(row[2] == "t" ? "unique " : "", column_list);
      if (!row[5].empty()) absl::StrAppend(&fact, " where ", NormalizedPredicate(row[5]));
      facts[absl::StrCat(table, " index ", row[1])] = fact;
    }
  }

  const PgAnswer foreign_keys = Query(
      conn,
      "SELECT t.relname, "
      "       (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) "
      "        FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord) "
      "        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum), "
      "       r.relname, "
      "       (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) "
      "        FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord) "
      "        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum), "
      "       con.confupdtype, con.confdeltype "
      "FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid "
      "JOIN pg_class r ON r.oid = con.confrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
      "WHERE n.nspname = $1 AND con.contype = 'f'",
      {schema});
  EXPECT_TRUE(foreign_keys.ok) << foreign_keys.error;
  for (const auto& row : foreign_keys.rows) {
    facts[absl::StrCat(row[0], " foreign key (", row[1], ")")] =
        absl::StrCat("references ", row[2], " (", row[3], ") on update ",
                     ForeignKeyAction(row[4]), " on delete ", ForeignKeyAction(row[5]));
  }

  const PgAnswer checks = Query(conn,
                                "SELECT t.relname, count(*) FROM pg_constraint con "
                                "JOIN pg_class t ON t.oid = con.conrelid "
                                "JOIN pg_namespace n ON n.oid = t.relnamespace "
                                "WHERE n.nspname = $1 AND con.contype = 'c' GROUP BY t.relname",
                                {schema});
  EXPECT_TRUE(checks.ok) << checks.error;
  for (const auto& row : checks.rows) facts[row[0] + " checks"] = row[1];

  const PgAnswer triggers = Query(
      conn,
      "SELECT c.relname, tg.tgname, "
      "       CASE WHEN tg.tgtype::int & 2 <> 0 THEN 'before' ELSE 'after' END, "
      "       concat_ws(' or ', CASE WHEN tg.tgtype::int & 4 <> 0 THEN 'insert' END, "
      "                         CASE WHEN tg.tgtype::int & 8 <> 0 THEN 'delete' END, "
      "                         CASE WHEN tg.tgtype::int & 16 <> 0 THEN 'update' END, "
      "                         CASE WHEN tg.tgtype::int & 32 <> 0 THEN 'truncate' END), "
      "       pg_get_triggerdef(tg.oid) "
      "FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = $1 AND NOT tg.tgisinternal",
      {schema});
  EXPECT_TRUE(triggers.ok) << triggers.error;
  for (const auto& row : triggers.rows) {
    facts[absl::StrCat(row[0], " trigger ", row[1])] =
        absl::StrCat(row[2], " ", row[3], ": ", Between(row[4], "('", "')"));
  }
  return facts;
}

// ---- the fixtures ----

// A fresh SQLite file (not created yet) in the gtest temporary folder, removed with its companions.
class SqlitePath {
 public:
  SqlitePath() {
    static std::atomic<int> counter{0};
    path_ = absl::StrCat(::testing::TempDir(), "postgres_schema_test_", ::getpid(), "_",
                         counter++, ".db");
    Remove();
  }
  ~SqlitePath() { Remove(); }
  const std::string& path() const { return path_; }

 private:
  void Remove() {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(path_ + suffix, ignored);
    }
  }
  std::string path_;
};

// One PostgreSQL server per suite; each test gets a fresh schema with every step applied, and a
// fresh SQLite file of the same kind at its latest version.
class SchemaTest : public ::testing::Test {
 protected:
  virtual StoreKind kind() const = 0;

  static void SetUpTestSuite() {
    auto server = PostgresServer::Start({.fsync = false});
    if (server.ok()) {
      server_ = std::move(*server);
    } else {
      server_error_ = new std::string(server.status().ToString());
    }
  }
  static void TearDownTestSuite() {
    server_.reset();
    delete server_error_;
    server_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "PostgreSQL did not start: "
                                << (server_error_ ? *server_error_ : "");
    conn_ = PQconnectdb(server_->ConnectionString().c_str());
    ASSERT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
    // The server's notices ("truncate cascades to ...") are not the test's output.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    schema_ = NewSchema(kind());
    ASSERT_FALSE(schema_.empty());

    DatabaseOptions options;
    options.path = sqlite_path_.path();
    options.kind = kind();
    options.reader_connections = 1;
    auto sqlite = Database::Open(options);
    ASSERT_TRUE(sqlite.ok()) << sqlite.status();
    sqlite_version_ = (*sqlite)->SchemaVersion();
  }

  void TearDown() override {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  // Creates a schema, makes it the search_path and applies every step of `kind` as the backend
  // will: each step in its own transaction. Empty (and a test failure) when a step fails.
  std::string NewSchema(StoreKind kind) {
    static std::atomic<int> counter{0};
    const std::string schema =
        absl::StrCat(kind == StoreKind::kAuditLog ? "audit_log_" : "clinical_record_", counter++);
    for (const std::string& sql :
         {absl::StrCat("CREATE SCHEMA ", schema), absl::StrCat("SET search_path TO ", schema)}) {
      const PgAnswer answer = Exec(conn_, sql);
      EXPECT_TRUE(answer.ok) << sql << ": " << answer.error;
      if (!answer.ok) return "";
    }
    for (const Migration& step : PostgresMigrations(kind)) {
      PgAnswer answer = Exec(conn_, "BEGIN");
      if (answer.ok) answer = Exec(conn_, step.sql);
      if (answer.ok) answer = Exec(conn_, "COMMIT");
      EXPECT_TRUE(answer.ok) << "step " << step.version << " (" << step.description
                             << ") failed in schema " << schema << ": " << answer.error;
      if (!answer.ok) {
        Exec(conn_, "ROLLBACK");
        return "";
      }
    }
    return schema;
  }

  PgAnswer Pg(const std::string& sql) { return Exec(conn_, sql); }

  // The SQLite file of the same kind, opened directly (foreign keys on, as the backend has them).
  std::unique_ptr<SQLite::Database> OpenSqlite() {
    auto db = std::make_unique<SQLite::Database>(sqlite_path_.path(), SQLite::OPEN_READWRITE);
    db->exec("PRAGMA foreign_keys = ON");
    return db;
  }

  // Runs `sql` on both backends; both must accept it.
  void ExpectAcceptedByBoth(SQLite::Database& sqlite, const std::string& sql) {
    try {
      sqlite.exec(sql);
    } catch (const SQLite::Exception& e) {
      ADD_FAILURE() << "SQLite refused " << sql << ": " << e.what();
    }
    const PgAnswer answer = Pg(sql);
    EXPECT_TRUE(answer.ok) << "PostgreSQL refused " << sql << ": " << answer.error;
  }

  // Runs `sql` on both backends; both must refuse it with `message`, PostgreSQL with SQLSTATE
  // P0001 (raise_exception), as a trigger does.
  void ExpectRefusedByBoth(SQLite::Database& sqlite, const std::string& sql,
                           const std::string& message) {
    std::string sqlite_message = "(accepted)";
    try {
      sqlite.exec(sql);
    } catch (const SQLite::Exception& e) {
      sqlite_message = e.what();
    }
    EXPECT_EQ(sqlite_message, message) << "SQLite: " << sql;
    const PgAnswer answer = Pg(sql);
    EXPECT_FALSE(answer.ok) << "PostgreSQL accepted " << sql;
    EXPECT_EQ(answer.sqlstate, "P0001") << sql << ": " << answer.error;
    EXPECT_EQ(answer.message, message) << "PostgreSQL: " << sql;
  }

  // PostgreSQL alone refuses `sql` with `sqlstate` (and `message` unless empty).
  void ExpectPgRefuses(const std::string& sql, const std::string& sqlstate,
                       const std::string& message = "") {
    const PgAnswer answer = Pg(sql);
    EXPECT_FALSE(answer.ok) << "PostgreSQL accepted " << sql;
    EXPECT_EQ(answer.sqlstate, sqlstate) << sql << ": " << answer.error;
    if (!message.empty()) {
      EXPECT_EQ(answer.message, message) << sql;
    }
  }

  static std::unique_ptr<PostgresServer> server_;
  static std::string* server_error_;
  PGconn* conn_ = nullptr;
  std::string schema_;
  SqlitePath sqlite_path_;
  int sqlite_version_ = 0;
};

std::unique_ptr<PostgresServer> SchemaTest::server_;
std::string* SchemaTest::server_error_ = nullptr;

class PostgresSchemaTest : public SchemaTest, public ::testing::WithParamInterface<StoreKind> {
 protected:
  StoreKind kind() const override { return GetParam(); }
};

// ---- both store kinds ----

TEST_P(PostgresSchemaTest, StartsAtABaselineAndEndsAtTheSqliteVersion) {
  const std::span<const Migration> steps = PostgresMigrations(GetParam());
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(std::string(steps[0].description),
            absl::StrCat("baseline: the schema of SQLite version ", steps[0].version));
  for (size_t i = 1; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i].version, steps[i - 1].version + 1) << "steps are numbered without gaps";
  }
  EXPECT_EQ(steps.back().version, LatestMigrationVersion(GetParam()))
      << "a SQLite step has no PostgreSQL counterpart (append it to postgres_migrations.cc)";
  EXPECT_EQ(sqlite_version_, LatestMigrationVersion(GetParam()));
}

TEST_P(PostgresSchemaTest, MatchesTheSqliteSchemaOfTheSameVersion) {
  const SchemaFacts sqlite = SqliteSchemaFacts(sqlite_path_.path());
  const SchemaFacts postgres = PostgresSchemaFacts(conn_, schema_);
  EXPECT_GT(sqlite.size(), 20u) << "the SQLite schema was not read";
  const std::string differences = DescribeDifferences(sqlite, postgres);
  EXPECT_TRUE(differences.empty())
      << "PostgreSQL schema " << schema_ << " differs from SQLite version " << sqlite_version_
      << " (" << sqlite.size() << " facts):\n"
      << differences;
}

TEST_P(PostgresSchemaTest, CreatesEverythingInTheSchemaOfTheSearchPath) {
  const PgAnswer in_public = Pg(
      "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "        WHERE n.nspname = 'public') "
      "     + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
      "        WHERE n.nspname = 'public')");
  ASSERT_TRUE(in_public.ok) << in_public.error;
  EXPECT_EQ(in_public.Value(), "0");
  // A club's two stores side by side in one database, each in its own schema.
  const StoreKind other =
      GetParam() == StoreKind::kAuditLog ? StoreKind::kClinicalRecord : StoreKind::kAuditLog;
  EXPECT_FALSE(NewSchema(other).empty());
  EXPECT_FALSE(NewSchema(GetParam()).empty());
}

INSTANTIATE_TEST_SUITE_P(Kinds, PostgresSchemaTest,
                         ::testing::Values(StoreKind::kClinicalRecord, StoreKind::kAuditLog),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param == StoreKind::kAuditLog ? "AuditLog"
                                                                     : "ClinicalRecord";
                         });

// ---- the clinical record ----

class ClinicalRecordSchemaTest : public SchemaTest {
 protected:
  StoreKind kind() const override { return StoreKind::kClinicalRecord; }
};

constexpr char kSquadAndPlayer[] =
    "INSERT INTO squads (name, created_at, updated_at) VALUES ('first team', 1, 1);"
    "INSERT INTO players (squad_id, name, position_group, position_name, created_at, updated_at) "
    "VALUES (1, 'A. Player', 1, 'prop', 1, 1);";

constexpr char kComplaintAndAmendment[] =
    "INSERT INTO complaints (player_id, side, onset_at, onset_kind, mechanism, symptom_ache, "
    "  symptom_tightness, symptom_spasm, symptom_pain, symptom_sleep_disturbance, "
    "  symptom_inflexibility, symptom_weakness_against_quadriceps, osiics_code, "
    "  history_lumbar_disc_herniation, history_notes, finding_pelvic_rotation, "
    "  finding_piriformis_spasm, finding_lumbar_stiffness, finding_thoracic_stiffness, "
    "  finding_sciatic_nerve_tension, finding_notes, created_at, created_by, updated_at, "
    "  updated_by) "
    "VALUES (1, 1, 1, 1, 1, 0, 0, 0, 3, 0, 0, 0, 'LBX', 0, '', 0, 0, 0, 0, 0, '', 1, 'doc', 1, "
    "        'doc');"
    "INSERT INTO amendments (complaint_id, action, amended_by, amended_at, reason) "
    "VALUES (1, 1, 'doc', 2, 'side was wrong');"
    "INSERT INTO amendment_changes (amendment_id, seq, field, old_value, new_value) "
    "VALUES (1, 0, 'side', '1', '2');";

TEST_F(ClinicalRecordSchemaTest, AppendOnlyTablesRefuseUpdateDeleteAndTruncateAsSqliteDoes) {
  auto sqlite = OpenSqlite();
  ExpectAcceptedByBoth(*sqlite, kSquadAndPlayer);
  ExpectAcceptedByBoth(*sqlite, kComplaintAndAmendment);

  ExpectRefusedByBoth(*sqlite, "UPDATE amendments SET reason = 'rewritten'",
                      "amendments are append-only: UPDATE is not allowed");
  ExpectRefusedByBoth(*sqlite, "DELETE FROM amendments",
                      "amendments are append-only: DELETE is not allowed");
  ExpectRefusedByBoth(*sqlite, "UPDATE amendment_changes SET new_value = '3'",
                      "amendments are append-only: UPDATE is not allowed");
  ExpectRefusedByBoth(*sqlite, "DELETE FROM amendment_changes WHERE seq = 0",
                      "amendments are append-only: DELETE is not allowed");

  // TRUNCATE skips row triggers; its own trigger refuses it, also when a cascade reaches the table.
  ExpectPgRefuses("TRUNCATE amendments CASCADE", "P0001",
                  "amendments are append-only: TRUNCATE is not allowed");
  ExpectPgRefuses("TRUNCATE amendment_changes", "P0001",
                  "amendments are append-only: TRUNCATE is not allowed");
  ExpectPgRefuses("TRUNCATE squads CASCADE", "P0001");
  EXPECT_EQ(Pg("SELECT count(*) FROM amendments").Value(), "1");
  EXPECT_EQ(Pg("SELECT count(*) FROM amendment_changes").Value(), "1");
  EXPECT_EQ(Pg("SELECT count(*) FROM squads").Value(), "1");

  // A table that is not append-only still changes.
  ExpectAcceptedByBoth(*sqlite, "UPDATE complaints SET resolved_at = 5 WHERE id = 1");
}

TEST_F(ClinicalRecordSchemaTest, TheStoreIdentityIsSetOnceAndClosesTheOldAuditLog) {
  auto sqlite = OpenSqlite();
  const PgAnswer store_id = Pg("SELECT store_id FROM store_identity WHERE only_row = 1");
  ASSERT_TRUE(store_id.ok) << store_id.error;
  EXPECT_TRUE(Pg("SELECT store_id ~ '^[0-9a-f]{32}$' FROM store_identity").Value() == "t")
      << "store_id " << store_id.Value() << " is not 32 lowercase hex digits, as SQLite's";
  EXPECT_EQ(Pg("SELECT count(*) FROM store_identity").Value(), "1");

  ExpectRefusedByBoth(*sqlite, "UPDATE store_identity SET store_id = 'another'",
                      "the store identity is set once");
  ExpectRefusedByBoth(*sqlite, "DELETE FROM store_identity",
                      "the store identity cannot be deleted");
  ExpectPgRefuses("TRUNCATE store_identity", "P0001", "the store identity cannot be deleted");

  // Before the move the old audit tables take events; the move is recorded once; after it they
  // take none.
  constexpr char kAuditEvent[] =
      "INSERT INTO audit_events (occurred_at, user_name, role, method, outcome) "
      "VALUES (1, 'doc', 1, '/touchline.v1.PlayerService/GetPlayer', 'OK');";
  ExpectAcceptedByBoth(*sqlite, kAuditEvent);
  ExpectAcceptedByBoth(*sqlite, "UPDATE store_identity SET audit_log_moved_at = 5 "
                                "WHERE only_row = 1 AND audit_log_moved_at IS NULL");
  ExpectRefusedByBoth(*sqlite, "UPDATE store_identity SET audit_log_moved_at = 6",
                      "the store identity is set once");
  ExpectRefusedByBoth(*sqlite,
                      "INSERT INTO audit_events (occurred_at, user_name, role, method, outcome) "
                      "VALUES (2, 'doc', 1, 'm', 'OK')",
                      "the audit log has moved to its own file: nothing is appended here");
  ExpectRefusedByBoth(*sqlite,
                      "INSERT INTO audit_event_players (event_id, player_id) VALUES (1, 7)",
                      "the audit log has moved to its own file: nothing is appended here");
  ExpectRefusedByBoth(*sqlite, "DELETE FROM audit_events",
                      "the audit log is append-only: DELETE is not allowed");
}

TEST_F(ClinicalRecordSchemaTest, AStoresOwnIdentityDecidesWhateverTheSearchPath) {
  // Another store whose audit log has moved is first on the search_path; this one's has not.
  const std::string moved = NewSchema(StoreKind::kClinicalRecord);
  ASSERT_FALSE(moved.empty());
  ASSERT_TRUE(Pg("UPDATE store_identity SET audit_log_moved_at = 5").ok);
  const PgAnswer insert = Pg(absl::StrCat(
      "INSERT INTO ", schema_, ".audit_events (occurred_at, user_name, role, method, outcome) "
      "VALUES (1, 'doc', 1, 'm', 'OK')"));
  EXPECT_TRUE(insert.ok) << insert.error;
}

TEST_F(ClinicalRecordSchemaTest, IdsComeFromTheIdentityOrAreGiven) {
  EXPECT_EQ(Pg("INSERT INTO squads (name, created_at, updated_at) VALUES ('first', 1, 1) "
               "RETURNING id").Value(),
            "1");
  // A moved club keeps its ids, then sets the sequence past them.
  EXPECT_EQ(Pg("INSERT INTO squads (id, name, created_at, updated_at) VALUES (100, 'moved', 1, 1) "
               "RETURNING id").Value(),
            "100");
  ASSERT_TRUE(Pg("SELECT setval(pg_get_serial_sequence('squads', 'id'), "
                 "(SELECT max(id) FROM squads))").ok);
  EXPECT_EQ(Pg("INSERT INTO squads (name, created_at, updated_at) VALUES ('next', 1, 1) "
               "RETURNING id").Value(),
            "101");

  ASSERT_TRUE(Pg("INSERT INTO players (squad_id, name, position_group, position_name, "
                 "created_at, updated_at) VALUES (1, 'A. Player', 1, 'prop', 1, 1)").ok);
  EXPECT_EQ(Pg("INSERT INTO flag_changes (squad_id, player_id, change_type, flag_key, "
               "detected_at, flag) VALUES (1, 1, 1, 'k', 1, '\\x0a00') RETURNING sequence").Value(),
            "1");
  EXPECT_EQ(Pg("SELECT pg_get_serial_sequence('flag_changes', 'sequence') IS NOT NULL").Value(),
            "t");
}

TEST_F(ClinicalRecordSchemaTest, ConstraintsRefuseWithTheirSqlstates) {
  const PgAnswer setup = Pg(kSquadAndPlayer);
  ASSERT_TRUE(setup.ok) << setup.error;
  // unique_violation: a UNIQUE column, a partial UNIQUE index.
  ExpectPgRefuses("INSERT INTO squads (name, created_at, updated_at) VALUES ('first team', 1, 1)",
                  "23505");
  const std::string player_with = "INSERT INTO players (squad_id, name, position_group, "
                                  "position_name, external_id, created_at, updated_at) "
                                  "VALUES (1, 'B. Player', 1, 'hooker', ";
  for (const char* external_id : {"NULL", "NULL", "'ext-1'"}) {  // NULLs are not equal
    const PgAnswer player = Pg(absl::StrCat(player_with, external_id, ", 1, 1)"));
    ASSERT_TRUE(player.ok) << player.error;
  }
  ExpectPgRefuses(player_with + "'ext-1', 1, 1)", "23505");
  // check_violation and foreign_key_violation.
  const std::string event = "INSERT INTO contact_events (player_id, kind, occurred_at, "
                            "session_label, awkward, source, note, recorded_at, recorded_by) "
                            "VALUES (";
  ExpectPgRefuses(event + "1, 1, 1, 'training', 2, 1, '', 1, 'doc')", "23514");
  ExpectPgRefuses(event + "99, 1, 1, 'training', 1, 1, '', 1, 'doc')", "23503");
  ExpectPgRefuses(
      "INSERT INTO complaints (player_id, side, onset_at, onset_kind, mechanism, symptom_ache, "
      "  symptom_tightness, symptom_spasm, symptom_pain, symptom_sleep_disturbance, "
      "  symptom_inflexibility, symptom_weakness_against_quadriceps, osiics_code, "
      "  history_lumbar_disc_herniation, history_notes, finding_pelvic_rotation, "
      "  finding_piriformis_spasm, finding_lumbar_stiffness, finding_thoracic_stiffness, "
      "  finding_sciatic_nerve_tension, finding_notes, created_at, created_by, updated_at, "
      "  updated_by, bamic_grade, bamic_site) "
      "VALUES (1, 1, 1, 1, 1, 0, 0, 0, 3, 0, 0, 0, 'LBX', 0, '', 0, 0, 0, 0, 0, '', 1, 'doc', "
      "        1, 'doc', 2, NULL)",
      "23514");
}

TEST_F(ClinicalRecordSchemaTest, TextSortsByBytesAsSqliteBinary) {
  ASSERT_TRUE(Pg("INSERT INTO squads (name, created_at, updated_at) "
                 "VALUES ('a', 1, 1), ('B', 1, 1), ('\xc3\xa9', 1, 1)").ok);
  const PgAnswer names = Pg("SELECT string_agg(name, ',' ORDER BY name) FROM squads");
  ASSERT_TRUE(names.ok) << names.error;
  EXPECT_EQ(names.Value(), "B,a,\xc3\xa9");
}

// ---- the audit log ----

class AuditLogSchemaTest : public SchemaTest {
 protected:
  StoreKind kind() const override { return StoreKind::kAuditLog; }
};

TEST_F(AuditLogSchemaTest, TheLogAndItsOwnerRefuseChangesAsSqliteDoes) {
  auto sqlite = OpenSqlite();
  ExpectAcceptedByBoth(*sqlite, "INSERT INTO audit_log_owner (only_row, store_id, created_at) "
                                "VALUES (1, '0123456789abcdef0123456789abcdef', 1)");
  ExpectAcceptedByBoth(*sqlite,
                       "INSERT INTO audit_events (occurred_at, user_name, role, method, "
                       "squad_id, outcome, records_sent) "
                       "VALUES (1, 'doc', 1, '/touchline.v1.FlagService/WatchFlags', 1, 'OK', 3)");
  EXPECT_EQ(Pg("SELECT id FROM audit_events").Value(), "1") << "the id comes from the identity";
  ExpectAcceptedByBoth(*sqlite,
                       "INSERT INTO audit_event_players (event_id, player_id) VALUES (1, 7)");

  ExpectRefusedByBoth(*sqlite, "UPDATE audit_events SET outcome = 'CANCELLED'",
                      "the audit log is append-only: UPDATE is not allowed");
  ExpectRefusedByBoth(*sqlite, "DELETE FROM audit_events",
                      "the audit log is append-only: DELETE is not allowed");
  ExpectRefusedByBoth(*sqlite, "UPDATE audit_event_players SET player_id = 8",
                      "the audit log is append-only: UPDATE is not allowed");
  ExpectRefusedByBoth(*sqlite, "DELETE FROM audit_event_players",
                      "the audit log is append-only: DELETE is not allowed");
  ExpectRefusedByBoth(*sqlite, "UPDATE audit_log_owner SET store_id = 'another'",
                      "the audit log owner is set once");
  ExpectRefusedByBoth(*sqlite, "DELETE FROM audit_log_owner", "the audit log owner is set once");

  ExpectPgRefuses("TRUNCATE audit_events CASCADE", "P0001",
                  "the audit log is append-only: TRUNCATE is not allowed");
  ExpectPgRefuses("TRUNCATE audit_event_players", "P0001",
                  "the audit log is append-only: TRUNCATE is not allowed");
  ExpectPgRefuses("TRUNCATE audit_log_owner", "P0001", "the audit log owner is set once");
  ExpectPgRefuses("INSERT INTO audit_log_owner (only_row, store_id, created_at) "
                  "VALUES (1, 'another', 2)",
                  "23505");
  ExpectPgRefuses("INSERT INTO audit_log_owner (only_row, store_id, created_at) "
                  "VALUES (2, 'another', 2)",
                  "23514");
  ExpectPgRefuses("INSERT INTO audit_events (id, occurred_at, user_name, role, method, outcome) "
                  "VALUES (1, 2, 'doc', 1, 'm', 'OK')",
                  "23505");
}

}  // namespace
}  // namespace touchline::storage
