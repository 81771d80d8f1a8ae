#include "checks/missing_module.h"

#include <doctest/doctest.h>

namespace ag::checks {

TEST_SUITE("checks/missing_module") {
  TEST_CASE("the module a ModuleNotFoundError names, as Python names it") {
    CHECK(missing_module(Error{"ModuleNotFoundError: No module named 'billing'"}) == "billing");
    CHECK(missing_module(Error{"ModuleNotFoundError: No module named 'billing.models'"}) ==
          "billing.models");
    CHECK(missing_module(Error{"ImportError: cannot import name 'x' from 'y'"}).empty());
    CHECK(missing_module(Error{"ModuleNotFoundError: No module named 'cut"}).empty());
    CHECK(missing_module(Error{"RuntimeError: No module named 'billing'"}).empty());
  }
}

}  // namespace ag::checks
