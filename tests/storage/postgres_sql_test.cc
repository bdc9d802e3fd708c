// The stores' SQL as PostgreSQL takes it (storage/postgres/postgres_sql.h).
#include "server/storage/postgres/postgres_sql.h"

#include <gtest/gtest.h>

namespace touchline::storage {
namespace {

TEST(PostgresSqlTest, NumbersParametersAsSqliteDoes) {
  const PostgresSql sql = PostgresSqlFromPortable("SELECT a FROM t WHERE b = ? AND c = ?3 AND d = ?");
  EXPECT_EQ(sql.text, "SELECT a FROM t WHERE b = $1 AND c = $3 AND d = $4");
  EXPECT_EQ(sql.parameter_count, 4);
}

TEST(PostgresSqlTest, ANamedParameterUsedTwiceIsOneParameter) {
  const PostgresSql sql = PostgresSqlFromPortable("(?2 IS NULL OR x >= ?2) AND id > ?1 LIMIT ?8");
  EXPECT_EQ(sql.text, "($2 IS NULL OR x >= $2) AND id > $1 LIMIT $8");
  EXPECT_EQ(sql.parameter_count, 8);
}

TEST(PostgresSqlTest, LeavesLiteralsIdentifiersAndCommentsAlone) {
  const PostgresSql sql = PostgresSqlFromPortable(
      "SELECT 'a ? b', \"odd?name\", 'it''s ?' -- why? json_each(x)\nFROM t WHERE x = ?");
  EXPECT_EQ(sql.text,
            "SELECT 'a ? b', \"odd?name\", 'it''s ?' -- why? json_each(x)\nFROM t WHERE x = $1");
  EXPECT_EQ(sql.parameter_count, 1);
}

TEST(PostgresSqlTest, DropsSqlitePlannerHints) {
  EXPECT_EQ(PostgresSqlFromPortable("FROM events e NOT INDEXED CROSS JOIN players p ON p.id = e.pid")
                .text,
            "FROM events e  JOIN players p ON p.id = e.pid");  // white space is harmless
  EXPECT_EQ(PostgresSqlFromPortable("FROM s not   indexed cross\n join p ON 1").text,
            "FROM s  JOIN p ON 1");
  EXPECT_EQ(PostgresSqlFromPortable("JOIN contact_events e INDEXED BY contact_events_awkward ON x")
                .text,
            "JOIN contact_events e  ON x");
  // Only whole words.
  EXPECT_EQ(PostgresSqlFromPortable("SELECT is_not_indexed, across_join FROM t").text,
            "SELECT is_not_indexed, across_join FROM t");
}

TEST(PostgresSqlTest, JsonEachBecomesArrayElements) {
  EXPECT_EQ(PostgresSqlFromPortable(
                "x IN (SELECT CAST(value AS BIGINT) FROM json_each(?)) AND k IN (SELECT value FROM "
                "json_each(?))")
                .text,
            "x IN (SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST($1 AS json))) "
            "AND k IN (SELECT value FROM json_array_elements_text(CAST($2 AS json)))");
  EXPECT_EQ(PostgresSqlFromPortable("EXISTS (SELECT 1 FROM json_each(e.packed_ids) j WHERE "
                                    "j.value = ?2)")
                .text,
            "EXISTS (SELECT 1 FROM json_array_elements_text(CAST(e.packed_ids AS json)) j WHERE "
            "j.value = $2)");
  // Nested parentheses inside the argument.
  EXPECT_EQ(PostgresSqlFromPortable("json_each(coalesce(?, '[]'))").text,
            "json_array_elements_text(CAST(coalesce($1, '[]') AS json))");
}

}  // namespace
}  // namespace touchline::storage
