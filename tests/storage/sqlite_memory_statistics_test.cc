// SQLite's memory statistics take one process-wide mutex on every allocation (7 % of the server's
// import CPU in perf), so Database::Open switches them off unless TOUCHLINE_SQLITE_MEMSTATUS=1
// asks for them (a memory investigation reads sqlite3_memory_used()). The switch only works
// before SQLite initialises, so each case runs in a fresh process (a death-test child).
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdlib>

#include "gtest/gtest.h"
#include "server/storage/database.h"
#include "tests/storage/test_util.h"

namespace touchline::storage {
namespace {

// Opens (creating and migrating) a database and exits 0 if SQLite counted the memory it used
// exactly when `expect_counted`; 1 if not, 2 if the database did not open.
void OpenThenExitWithVerdict(bool expect_counted) {
  int verdict = 2;
  {
    testing::TempDbPath path;
    DatabaseOptions options;
    options.path = path.path();
    auto db = Database::Open(options);
    if (db.ok()) verdict = (sqlite3_memory_used() > 0) == expect_counted ? 0 : 1;
  }
  std::exit(verdict);
}

class SqliteMemoryStatisticsTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
  void TearDown() override { unsetenv("TOUCHLINE_SQLITE_MEMSTATUS"); }
};

TEST_F(SqliteMemoryStatisticsTest, OffByDefault) {
  unsetenv("TOUCHLINE_SQLITE_MEMSTATUS");
  EXPECT_EXIT(OpenThenExitWithVerdict(false), ::testing::ExitedWithCode(0), "");
}

TEST_F(SqliteMemoryStatisticsTest, OnWhenAskedFor) {
  setenv("TOUCHLINE_SQLITE_MEMSTATUS", "1", 1);
  EXPECT_EXIT(OpenThenExitWithVerdict(true), ::testing::ExitedWithCode(0), "");
}

TEST_F(SqliteMemoryStatisticsTest, AnythingButOneLeavesThemOff) {
  setenv("TOUCHLINE_SQLITE_MEMSTATUS", "yes", 1);
  EXPECT_EXIT(OpenThenExitWithVerdict(false), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace touchline::storage
