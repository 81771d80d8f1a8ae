// lint's findings weighed by the target's table sizes: the words, the lookup, the escalation.
#include "checks/lint/table_weight.h"

#include <doctest/doctest.h>

namespace ag::checks::lint {

TEST_CASE("size_text: rows as estimated, bytes as pg_size_pretty would round them") {
  CHECK(size_text({.rows = 48'200'000, .bytes = 12LL * 1024 * 1024 * 1024}) == "48 M rows, 12 GB");
  CHECK(size_text({.rows = 1, .bytes = 8192}) == "1 row, 8.0 kB");
  CHECK(size_text({.rows = 999, .bytes = 100}) == "999 rows, 100 bytes");
  CHECK(size_text({.rows = -1, .bytes = 0}) == "rows unknown (never analyzed), 0 bytes");
}

TEST_CASE("weigh_by_table_size: found tables said, a large one makes an error, others untouched") {
  DeployState deploy{.database = "db:5432, database shop",
                     .tables = {{"public", "orders", 2'000'000, 5LL << 30},
                                {"audit", "orders", 10, 8192},
                                {"audit", "log", 5, 8192},
                                {"a", "dup", 1, 1},
                                {"b", "dup", 1, 1}}};
  Findings findings = {
      {.rule = "r", .severity = Severity::warning, .message = "m", .tables = {"orders"}},
      {.rule = "r",
       .severity = Severity::warning,
       .message = "m",
       .tables = {"audit.orders", "log"}},
      {.rule = "r", .severity = Severity::warning, .message = "m", .tables = {"dup", "new_table"}},
      {.rule = "r", .severity = Severity::warning, .message = "m"}};
  weigh_by_table_size(findings, deploy, 1'000'000);
  CHECK(findings[0].severity == Severity::error);
  CHECK(findings[0].message ==
        "m (on db:5432, database shop: orders has 2.0 M rows, 5.0 GB); an error there: at least "
        "deploy-large-table-rows (1000000) rows");
  CHECK(findings[1].severity == Severity::warning);
  CHECK(findings[1].message ==
        "m (on db:5432, database shop: audit.orders has 10 rows, 8.0 kB; log has 5 rows, 8.0 kB)");
  CHECK(findings[2].message == "m");  // "dup" is in two schemas, new_table is not there yet
  CHECK(findings[3].message == "m");
}

}  // namespace ag::checks::lint
