// AuditTrail: every caller's record is committed exactly once, whatever batch it lands in, and
// Append returns only once its own record is committed.
#include "server/access/audit_trail.h"

#include <map>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/lib/test_store.h"
#include "tests/storage/test_util.h"

namespace touchline::access {
namespace {

storage::AuditRecord RecordOf(int caller, int call) {
  storage::AuditRecord r;
  r.occurred_at = absl::FromUnixSeconds(1'790'000'000 + call);
  r.user = absl::StrCat("physio-", caller);
  r.role = 1;
  r.method = absl::StrCat("/touchline.v1.ComplaintService/GetComplaint#", call);
  r.squad_id = caller + 1;
  r.outcome = "OK";
  // Some name one player (a row each), some a whole board (packed in the event's own row).
  const int players = call % 3 == 0 ? 50 : 1 + call % 4;
  for (int p = 0; p < players; ++p) r.player_ids.push_back(100 * caller + p + 1);
  return r;
}

TEST(AuditTrailTest, ConcurrentCallersAreEachCommittedOnceAndBeforeAppendReturns) {
  storage::testing::TempDbPath path;
  storage::DatabaseOptions options = touchline::testing::TestStoreOptions(path.path());
  options.kind = storage::StoreKind::kAuditLog;
  auto db = storage::Database::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  AuditTrail trail(**db);

  constexpr int kCallers = 24;
  constexpr int kCalls = 60;
  std::vector<std::thread> callers;
  std::vector<int> failures(kCallers, 0);
  std::vector<int> unseen_after_return(kCallers, 0);
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int i = 0; i < kCalls; ++i) {
        const storage::AuditRecord record = RecordOf(c, i);
        if (!trail.Append(record).ok()) {
          ++failures[c];
          continue;
        }
        // Committed before Append returned: a fresh read transaction sees it.
        storage::AuditFilter filter;
        filter.user = record.user;
        filter.method = record.method;
        absl::Status read = (*db)->Read([&](storage::Transaction& conn) {
          if (storage::ListAuditEvents(conn, filter, 0, 2).size() != 1) ++unseen_after_return[c];
          return absl::OkStatus();
        });
        if (!read.ok()) ++unseen_after_return[c];
      }
    });
  }
  for (auto& t : callers) t.join();
  for (int c = 0; c < kCallers; ++c) {
    EXPECT_EQ(failures[c], 0) << "caller " << c;
    EXPECT_EQ(unseen_after_return[c], 0) << "caller " << c;
  }

  // Exactly one row per call, with the players it named.
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> stored;
  ASSERT_TRUE((*db)
                  ->Read([&](storage::Transaction& conn) {
                    for (const auto& e : storage::ListAuditEvents(conn, {}, 0, 1'000'000)) {
                      EXPECT_TRUE(stored.emplace(std::pair(e.user, e.method), e.player_ids).second)
                          << "twice: " << e.user << " " << e.method;
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_EQ(stored.size(), static_cast<size_t>(kCallers * kCalls));
  for (int c = 0; c < kCallers; ++c) {
    for (int i = 0; i < kCalls; ++i) {
      const storage::AuditRecord expected = RecordOf(c, i);
      const auto it = stored.find({expected.user, expected.method});
      ASSERT_NE(it, stored.end()) << expected.user << " " << expected.method;
      EXPECT_EQ(it->second, expected.player_ids) << expected.user << " " << expected.method;
    }
  }
}

}  // namespace
}  // namespace touchline::access
