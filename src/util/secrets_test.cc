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

  TEST_CASE("no secrets: the text is unchanged but for passwords in URLs and password=") {
    CHECK(Secrets().redact("nothing postgres here: postgres:5432") ==
          "nothing postgres here: postgres:5432");
    CHECK(Secrets().redact("postgresql://postgres:postgres@postgres:5432/postgres") ==
          "postgresql://postgres:***@postgres:5432/postgres");
  }

  TEST_CASE("the password of every URL is redacted, split as SQLAlchemy splits it") {
    Secrets none;
    CHECK(none.redact("a 'postgresql+psycopg://u:p/a?s#s@h/db' and http://x:y@z/w@v") ==
          "a 'postgresql+psycopg://u:***@h/db' and http://x:***@z/w@v");
    CHECK(none.redact("postgresql://u@h/db postgresql://h:5432/db postgresql://u:@h/db") ==
          "postgresql://u@h/db postgresql://h:5432/db postgresql://u:@h/db");
    CHECK(none.redact("postgresql://u:***@h/db") == "postgresql://u:***@h/db");
    CHECK(none.redact("://:p@") == "://:***@");
    CHECK(none.redact("scheme://u:pass") == "scheme://u:pass");  // no '@': no password
    CHECK(none.redact("ends with ://") == "ends with ://");
  }

  TEST_CASE("password=VALUE is redacted in key=value strings and query parameters") {
    Secrets none;
    CHECK(none.redact("host=h password=test dbname=x") == "host=h password=*** dbname=x");
    CHECK(none.redact("?sslpassword=k&ssl=1 password=") == "?sslpassword=***&ssl=1 password=");
    CHECK(none.redact("host=h password = 'a b' dbname=x") == "host=h password = '***' dbname=x");
    CHECK(none.redact("PGPASSWORD=abc psql; Password=\"x y\"") ==
          "PGPASSWORD=*** psql; Password=\"***\"");
    CHECK(none.redact("the password is wrong; password='unclosed") ==
          "the password is wrong; password='***");
  }

  TEST_CASE("a secret and a URL's password together") {
    Secrets secrets;
    secrets.add("Pw-Xy7Kq2");
    CHECK(secrets.redact("said Pw-Xy7Kq2 to postgresql://u:Pw-Xy7Kq2@h/db") ==
          "said *** to postgresql://u:***@h/db");
  }
}

}  // namespace ag
