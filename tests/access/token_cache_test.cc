// TokenCache: a kept token is checked without reading the database, and a token issued or revoked
// by another process (another connection to the same file) is seen after the next Refresh.
#include "server/access/credentials.h"

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/storage/test_util.h"

namespace touchline::access {
namespace {

using storage::testing::OpenOrDie;
using storage::testing::TempDbPath;

TEST(TokenCacheTest, KeptTokensAreCheckedFromMemoryUntilAnotherProcessRevokesThem) {
  TempDbPath path;
  auto server_db = OpenOrDie(path.path());
  auto other_process = OpenOrDie(path.path());
  auto physio = IssueToken(*server_db, "physio.anna", common::Role::kPhysio, absl::Now());
  auto coach = IssueToken(*server_db, "coach.sam", common::Role::kCoach, absl::Now());
  ASSERT_TRUE(physio.ok() && coach.ok());
  TokenCache tokens(*server_db);

  for (int i = 0; i < 5; ++i) {
    auto caller = tokens.Authenticate("Bearer " + *physio);
    ASSERT_TRUE(caller.ok()) << caller.status();
    EXPECT_EQ(caller->user, "physio.anna");
    EXPECT_EQ(caller->role, common::Role::kPhysio);
    EXPECT_EQ(caller->credential, Sha256Hex(*physio));
  }
  EXPECT_EQ(tokens.database_reads(), 1u);  // the first check only
  ASSERT_TRUE(tokens.Authenticate("bearer " + *coach).ok());
  EXPECT_EQ(tokens.database_reads(), 2u);

  // Unknown and malformed tokens are refused, and never kept.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(tokens.Authenticate("Bearer tl_made_up").status().code(),
              absl::StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(tokens.database_reads(), 5u);
  EXPECT_EQ(tokens.Authenticate("Basic abc").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(tokens.Authenticate("Bearer ").status().code(), absl::StatusCode::kUnauthenticated);

  // Another process revokes the physio's token: kept until the table's stamp is read again.
  ASSERT_EQ(RevokeTokens(*other_process, "physio.anna", absl::Now()).value_or(0), 1);
  EXPECT_TRUE(tokens.Authenticate("Bearer " + *physio).ok());
  ASSERT_TRUE(tokens.Refresh().ok());
  EXPECT_EQ(tokens.Authenticate("Bearer " + *physio).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(tokens.Authenticate("Bearer " + *coach).ok());  // read again, kept again
  const uint64_t reads = tokens.database_reads();
  EXPECT_TRUE(tokens.Authenticate("Bearer " + *coach).ok());
  EXPECT_EQ(tokens.database_reads(), reads);

  // A token issued by another process is read on first use, with no refresh needed.
  auto analyst = IssueToken(*other_process, "analyst.lee", common::Role::kAnalyst, absl::Now());
  ASSERT_TRUE(analyst.ok());
  auto caller = tokens.Authenticate("Bearer " + *analyst);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->role, common::Role::kAnalyst);
}

// A revocation that lands between a first check's read and the refresh that sees it is never
// lost: the entry read before the revocation is tagged with the old stamp and dropped with it.
TEST(TokenCacheTest, ARefreshWithNoChangeKeepsEverythingAndAChangeDropsEverything) {
  TempDbPath path;
  auto db = OpenOrDie(path.path());
  auto other_process = OpenOrDie(path.path());
  auto a = IssueToken(*db, "physio.a", common::Role::kPhysio, absl::Now());
  ASSERT_TRUE(a.ok());
  TokenCache tokens(*db);
  ASSERT_TRUE(tokens.Refresh().ok());
  ASSERT_TRUE(tokens.Authenticate("Bearer " + *a).ok());
  ASSERT_TRUE(tokens.Refresh().ok());
  ASSERT_TRUE(tokens.Authenticate("Bearer " + *a).ok());
  EXPECT_EQ(tokens.database_reads(), 1u);
  // Any change of the table (here: a new token for someone else) drops what was kept.
  ASSERT_TRUE(IssueToken(*other_process, "coach.b", common::Role::kCoach, absl::Now()).ok());
  ASSERT_TRUE(tokens.Refresh().ok());
  ASSERT_TRUE(tokens.Authenticate("Bearer " + *a).ok());
  EXPECT_EQ(tokens.database_reads(), 2u);
  tokens.Clear();
  ASSERT_TRUE(tokens.Authenticate("Bearer " + *a).ok());
  EXPECT_EQ(tokens.database_reads(), 3u);
}

}  // namespace
}  // namespace touchline::access
