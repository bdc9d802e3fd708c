// The throwaway PostgreSQL the PostgreSQL backend's tests will run against (issue 21 item 4): it
// starts as a real server on loopback with production durability, answers libpq, can be stopped
// like a crash and started again with what was committed, and leaves nothing behind.
#include "tests/lib/postgres_server.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libpq-fe.h"

namespace touchline::testing {
namespace {

using ::testing::StartsWith;

// One statement's first value, or "error: ...".
std::string Ask(PGconn* conn, const char* sql) {
  PGresult* result = PQexec(conn, sql);
  std::string answer;
  if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0) {
    answer = PQgetvalue(result, 0, 0);
  } else if (PQresultStatus(result) == PGRES_COMMAND_OK) {
    answer = "ok";
  } else {
    answer = std::string("error: ") + PQresultErrorMessage(result);
  }
  PQclear(result);
  return answer;
}

TEST(PostgresServerTest, StartsAnswersSurvivesACrashAndCleansUp) {
  auto server = PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  PGconn* conn = PQconnectdb((*server)->ConnectionString().c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  EXPECT_THAT(Ask(conn, "SHOW server_version"), StartsWith("15."));
  EXPECT_EQ(Ask(conn, "SHOW synchronous_commit"), "on");
  EXPECT_EQ(Ask(conn, "SHOW fsync"), "on");
  EXPECT_EQ(Ask(conn, "SHOW listen_addresses"), "127.0.0.1");
  ASSERT_EQ(Ask(conn, "CREATE TABLE acknowledged (id bigint PRIMARY KEY)"), "ok");
  ASSERT_EQ(Ask(conn, "INSERT INTO acknowledged VALUES (1), (2)"), "ok");

  // Like a crash: no clean shutdown. The connection is gone; what was committed is not.
  ASSERT_TRUE((*server)->Stop("immediate").ok());
  EXPECT_THAT(Ask(conn, "SELECT 1"), StartsWith("error: "));
  PQfinish(conn);
  ASSERT_TRUE((*server)->Restart().ok()) << (*server)->Log();
  conn = PQconnectdb((*server)->ConnectionString().c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  EXPECT_EQ(Ask(conn, "SELECT count(*) FROM acknowledged"), "2");
  PQfinish(conn);

  const int port = (*server)->port();
  server->reset();
  PGconn* after = PQconnectdb(
      ("host=127.0.0.1 port=" + std::to_string(port) + " user=touchline dbname=postgres "
       "connect_timeout=2").c_str());
  EXPECT_NE(PQstatus(after), CONNECTION_OK) << "the server is stopped with its fixture";
  PQfinish(after);
}

TEST(PostgresServerTest, TwoServersRunSideBySide) {
  auto first = PostgresServer::Start({.fsync = false});
  auto second = PostgresServer::Start({.fsync = false});
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE((*first)->port(), (*second)->port());
  for (const auto* server : {&*first, &*second}) {
    PGconn* conn = PQconnectdb((*server)->ConnectionString().c_str());
    EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    PQfinish(conn);
  }
}

}  // namespace
}  // namespace touchline::testing
