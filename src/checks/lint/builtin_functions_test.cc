#include "checks/lint/builtin_functions.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace ag::checks::lint {
TEST_SUITE("lint/builtin_functions") {
  TEST_CASE(
      "the generated table: sorted by byte order, each name once (a binary search reads it)") {
    std::span<const BuiltinFunction> all = builtin_functions();
    REQUIRE(all.size() > 1500);
    CHECK(std::adjacent_find(all.begin(), all.end(), [](const auto& a, const auto& b) {
            return !(a.name < b.name);
          }) == all.end());
  }

  TEST_CASE("pg_proc's volatility, the most volatile of a name's overloads") {
    CHECK(builtin_volatility("random") == Volatility::volatile_);
    CHECK(builtin_volatility("nextval") == Volatility::volatile_);
    CHECK(builtin_volatility("clock_timestamp") == Volatility::volatile_);
    CHECK(builtin_volatility("gen_random_uuid") == Volatility::volatile_);
    CHECK(builtin_volatility("ts_rewrite") == Volatility::volatile_);  // one overload runs a query
    CHECK(builtin_volatility("now") == Volatility::stable);
    CHECK(builtin_volatility("to_tsvector") ==
          Volatility::stable);  // to_tsvector(text) reads a GUC
    CHECK(builtin_volatility("lower") == Volatility::immutable);
    CHECK(builtin_volatility("md5") == Volatility::immutable);
    // Functions only the server calls are left out.
    CHECK_FALSE(builtin_volatility("int4in").has_value());
    CHECK_FALSE(builtin_volatility("my_function").has_value());
  }
}

}  // namespace ag::checks::lint
