#include "checks/lint/function_volatility.h"

#include <doctest/doctest.h>

#include <string>

namespace ag::checks::lint {
TEST_SUITE("lint/function_volatility") {
  TEST_CASE("built-ins: from the generated table, unqualified or in pg_catalog only") {
    CHECK(function_volatility("", "random") == Volatility::volatile_);
    CHECK(function_volatility("pg_catalog", "clock_timestamp") == Volatility::volatile_);
    CHECK(function_volatility("", "now") == Volatility::stable);
    CHECK(function_volatility("", "lower") == Volatility::immutable);
    CHECK_FALSE(function_volatility("app", "now").has_value());  // the user's own now()
    CHECK_FALSE(function_volatility("", "my_function").has_value());
  }

  TEST_CASE("volatile built-ins of newer releases, hand-kept while the table lacks them") {
    for (const char* name :
         {"array_sample", "array_shuffle", "random_normal", "uuidv4", "uuidv7"}) {
      CAPTURE(std::string(name));
      // Fails once the table is generated from a server that has it: drop it from the list then.
      CHECK_FALSE(builtin_volatility(name).has_value());
      CHECK(function_volatility("", name) == Volatility::volatile_);
      CHECK(function_volatility("pg_catalog", name) == Volatility::volatile_);
      CHECK_FALSE(function_volatility("app", name).has_value());
    }
  }

  TEST_CASE("uuid-ossp's and pgcrypto's volatile functions, in whatever schema") {
    for (const char* name : {"uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
                             "gen_random_bytes", "gen_salt", "pgp_sym_encrypt"}) {
      CAPTURE(std::string(name));
      CHECK(function_volatility("", name) == Volatility::volatile_);
      CHECK(function_volatility("extensions", name) == Volatility::volatile_);
    }
    // pgcrypto's gen_random_uuid() on PostgreSQL 12, in the schema it was created in.
    CHECK(function_volatility("public", "gen_random_uuid") == Volatility::volatile_);
    // Their IMMUTABLE functions are not listed.
    CHECK_FALSE(function_volatility("", "uuid_generate_v5").has_value());
    CHECK_FALSE(function_volatility("", "crypt").has_value());
  }
}

}  // namespace ag::checks::lint
