#include <doctest/doctest.h>

#include "util/secrets.h"

namespace ag {

TEST_SUITE("util/secrets") {
  TEST_CASE("every occurrence is replaced, longer secrets first") {
    Secrets secrets;
    secrets.add("pw");
    secrets.add("p%40pw");
    secrets.add("");
    secrets.add("pw");
    CHECK(secrets.values() == std::vector<std::string>{"p%40pw", "pw"});
    CHECK(secrets.redact("u:p%40pw@h and pw, pwpw") == "u:***@h and ***, ******");
    CHECK(secrets.redact("nothing here") == "nothing here");
  }

  TEST_CASE("a secret that reappears in its own replacement does not loop") {
    Secrets secrets;
    secrets.add("*");
    CHECK(secrets.redact("a*b") == "a***b");
  }

  TEST_CASE("no secrets: the text is unchanged") {
    CHECK(Secrets().redact("postgresql://u:p@h/db") == "postgresql://u:p@h/db");
  }
}

}  // namespace ag
