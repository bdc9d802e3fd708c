// Helpers shared by the storage tests: a fresh database file per test in the gtest temp dir.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/storage/database.h"
#include "tests/lib/test_store.h"

namespace touchline::storage::testing {

using ::touchline::testing::RemoveTestStore;
using ::touchline::testing::TestStoreOptions;

// A unique path (no file yet) under the gtest temporary directory; removed, with its -wal and
// -shm companions and an audit log beside it (<path>.audit), when the fixture goes away. On
// PostgreSQL it names the test's schemas (tests/lib/test_store.h), dropped likewise.
class TempDbPath {
 public:
  TempDbPath() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = absl::StrCat(::testing::TempDir(), "touchline_storage_",
                         info ? info->test_suite_name() : "x", "_", info ? info->name() : "x",
                         "_", ::getpid(), "_", counter++, ".db");
    Remove();
  }
  ~TempDbPath() {
    Remove();
    RemoveTestStore(path_);
  }
  const std::string& path() const { return path_; }

 private:
  void Remove() {
    std::error_code ignored;
    for (const char* file : {"", ".audit"}) {
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        std::filesystem::remove(path_ + file + suffix, ignored);
      }
    }
  }
  std::string path_;
};

inline std::unique_ptr<Database> OpenOrDie(const std::string& path) {
  DatabaseOptions options = TestStoreOptions(path);
  options.reader_connections = 2;
  auto db = Database::Open(options);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

}  // namespace touchline::storage::testing
