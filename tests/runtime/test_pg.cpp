#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ems/runtime/pg.hpp"
#include "ems/testing/servers.hpp"

namespace ems::runtime::pg {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class PgIntegration : public ::testing::Test {
 protected:
  void SetUp() override { url_ = ems::testing::PostgresServer::shared().create_database(); }
  std::string url_;
};

const std::vector<Migration> kTwo = {
    {1, "CREATE TABLE demo.items (id integer PRIMARY KEY, name text NOT NULL)"},
    {2, "ALTER TABLE demo.items ADD COLUMN created timestamptz NOT NULL DEFAULT now()"},
};

TEST_F(PgIntegration, AppliesOnceAndIsIdempotent) {
  auto conn = connect_with_retry(url_);
  EXPECT_TRUE(applied_migrations(*conn, "demo").empty());
  EXPECT_EQ(run_migrations(*conn, "demo", kTwo), 2);
  EXPECT_EQ(run_migrations(*conn, "demo", kTwo), 0);
  auto three = kTwo;
  three.push_back({3, "CREATE INDEX items_name ON demo.items (name)"});
  EXPECT_EQ(run_migrations(*conn, "demo", three), 1);
  EXPECT_EQ(applied_migrations(*conn, "demo"), (std::vector<int>{1, 2, 3}));
  pqxx::work tx(*conn);
  tx.exec("INSERT INTO demo.items (id, name) VALUES (1, 'a')");
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM demo.items")[0].as<int>(), 1);
}

TEST_F(PgIntegration, FailedMigrationLeavesNothingBehind) {
  auto conn = connect_with_retry(url_);
  std::vector<Migration> bad = kTwo;
  bad.push_back({3, "CREATE TABLE demo.half (id int); SELECT no_such_function()"});
  try {
    run_migrations(*conn, "demo", bad);
    FAIL() << "expected the migration to fail";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("demo v3"));
  }
  EXPECT_EQ(applied_migrations(*conn, "demo"), (std::vector<int>{1, 2}));
  pqxx::work tx(*conn);
  EXPECT_FALSE(tx.exec1("SELECT to_regclass('demo.half') IS NOT NULL")[0].as<bool>());
}

TEST_F(PgIntegration, ConcurrentStartsApplyEachVersionExactlyOnce) {
  // Plain CREATE TABLE fails if run twice, so any double application shows as an exception.
  std::vector<Migration> migrations;
  for (int v = 1; v <= 5; ++v) {
    migrations.push_back({v, "CREATE TABLE race.t" + std::to_string(v) + " (id int)"});
  }
  std::atomic<int> applied{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> starters;
  for (int i = 0; i < 4; ++i) {
    starters.emplace_back([&] {
      try {
        auto conn = connect_with_retry(url_);
        applied += run_migrations(*conn, "race", migrations);
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++failures;
      }
    });
  }
  for (auto& t : starters) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(applied.load(), 5);
  auto conn = connect_with_retry(url_);
  EXPECT_EQ(applied_migrations(*conn, "race"), (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST_F(PgIntegration, RejectsBadMigrationLists) {
  auto conn = connect_with_retry(url_);
  EXPECT_THROW(run_migrations(*conn, "demo", {{2, "SELECT 1"}, {1, "SELECT 1"}}),
               std::invalid_argument);
  EXPECT_THROW(run_migrations(*conn, "demo", {{1, "SELECT 1"}, {1, "SELECT 1"}}),
               std::invalid_argument);
  EXPECT_THROW(run_migrations(*conn, "demo", {{0, "SELECT 1"}}), std::invalid_argument);
  EXPECT_THROW(run_migrations(*conn, "Bad-Schema; DROP", {}), std::invalid_argument);
}

TEST(PgUnits, ConnectGivesUpAfterMaxAttempts) {
  const int port = ems::testing::free_loopback_port();
  ConnectOptions o;
  o.max_attempts = 2;
  o.initial_delay = 10ms;
  EXPECT_THROW(
      connect_with_retry("postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/x", o),
      pqxx::broken_connection);
}

TEST(PgUnits, RedactsPasswords) {
  EXPECT_EQ(redact_url("postgresql://ems:s3cret@db:5433/ems"), "postgresql://ems:***@db:5433/ems");
  EXPECT_EQ(redact_url("postgresql://ems@db/ems"), "postgresql://ems@db/ems");
  EXPECT_EQ(redact_url("host=db password=s3cret user=ems"), "host=db password=*** user=ems");
  EXPECT_EQ(redact_url("postgresql://db/ems?password=x&sslmode=off"),
            "postgresql://db/ems?password=***&sslmode=off");
}

}  // namespace
}  // namespace ems::runtime::pg
