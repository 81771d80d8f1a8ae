#include "support/postgres.h"

#include <doctest/doctest.h>

#include <fstream>

namespace ag::test {

std::string postgres_url() {
  std::ifstream file(AG_TEST_POSTGRES_STATE "/url");
  std::string url;
  std::getline(file, url);
  if (url.empty()) {
    FAIL(
        "no test PostgreSQL: run the tests through ctest, which starts one "
        "(tests/postgres_cluster.sh start " AG_TEST_POSTGRES_STATE ")");
  }
  return url;
}

}  // namespace ag::test
