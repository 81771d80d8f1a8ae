#include "support/scratch.h"

#include <doctest/doctest.h>

#include <regex>

#include "pg/database_url.h"
#include "support/postgres.h"

namespace ag::test {

pg::Connection connect_to(const std::string& url) {
  Result<pg::DatabaseUrl> parsed = pg::parse_database_url(url);
  REQUIRE(parsed.ok());
  Result<pg::Connection> connection = pg::connect(parsed->libpq());
  REQUIRE(connection.ok());
  return std::move(*connection);
}

pg::Connection connect_to_server() {
  return connect_to(postgres_url());
}

void check_scratch_dropped(const GateRun& run) {
  static const std::regex name("alembic_gate_[0-9a-f]+");
  auto names = std::sregex_iterator(run.err.begin(), run.err.end(), name);
  REQUIRE(names != std::sregex_iterator());
  pg::Connection connection = connect_to_server();
  for (auto match = names; match != std::sregex_iterator(); ++match) {
    Result<pg::QueryResult> found =
        connection.exec("select count(*) from pg_database where datname = $1", {match->str()});
    REQUIRE(found.ok());
    CHECK_MESSAGE(found->text(0, 0) == "0", match->str());
  }
}

}  // namespace ag::test
