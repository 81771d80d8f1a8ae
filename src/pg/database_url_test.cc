#include "pg/database_url.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

namespace ag::pg {
namespace {

using Params = std::map<std::string, std::string>;

/// libpq parameters without the two every URL gets.
Params libpq_of(const DatabaseUrl& url) {
  Params params(url.libpq().values().begin(), url.libpq().values().end());
  CHECK(params["fallback_application_name"] == "alembic-gate");
  CHECK(params["client_encoding"] == "UTF8");
  params.erase("fallback_application_name");
  params.erase("client_encoding");
  return params;
}

struct Good {
  std::string url;
  std::string driver;
  Params libpq;
  std::string python;    ///< "" = the URL itself
  std::string redacted;  ///< "" = python
};

}  // namespace

TEST_SUITE("pg") {
  TEST_CASE("pg: database-url forms parse into libpq parameters and a Python URL") {
    const std::vector<Good> table = {
        {"postgresql://postgres:test@postgres:5432/test",
         "",
         {{"host", "postgres"},
          {"port", "5432"},
          {"user", "postgres"},
          {"password", "test"},
          {"dbname", "test"}},
         "",
         "postgresql://postgres:***@postgres:5432/test"},
        {"postgres://u:p@h/db",
         "",
         {{"host", "h"}, {"user", "u"}, {"password", "p"}, {"dbname", "db"}},
         "postgresql://u:p@h/db",
         "postgresql://u:***@h/db"},
        {"postgresql+psycopg2://u:p%40ss%2Fw%3A@h:5433/db?sslmode=require",
         "psycopg2",
         {{"host", "h"},
          {"port", "5433"},
          {"user", "u"},
          {"password", "p@ss/w:"},
          {"dbname", "db"},
          {"sslmode", "require"}},
         "",
         "postgresql+psycopg2://u:***@h:5433/db?sslmode=require"},
        {"postgresql+psycopg://u@h/"
         "db?application_name=my+app&options=-c%20search_path%3Dx&connect_timeout=5",
         "psycopg",
         {{"host", "h"},
          {"user", "u"},
          {"dbname", "db"},
          {"application_name", "my app"},
          {"options", "-c search_path=x"},
          {"connect_timeout", "5"}},
         "",
         ""},
        {"postgresql+asyncpg://u:p@h/db?ssl=require",
         "asyncpg",
         {{"host", "h"},
          {"user", "u"},
          {"password", "p"},
          {"dbname", "db"},
          {"sslmode", "require"}},
         "",
         "postgresql+asyncpg://u:***@h/db?ssl=require"},
        {"postgresql+asyncpg://u@h/db?ssl=disable&timeout=2.5&prepared_statement_cache_size=0",
         "asyncpg",
         {{"host", "h"},
          {"user", "u"},
          {"dbname", "db"},
          {"sslmode", "disable"},
          {"connect_timeout", "3"}},
         "",
         ""},
        {"postgresql+pg8000://u@/db?unix_sock=/run/pg/.s.PGSQL.5433&timeout=4",
         "pg8000",
         {{"host", "/run/pg"},
          {"port", "5433"},
          {"user", "u"},
          {"dbname", "db"},
          {"connect_timeout", "4"}},
         "",
         ""},
        {"postgresql://u@[::1]:5432/db",
         "",
         {{"host", "::1"}, {"port", "5432"}, {"user", "u"}, {"dbname", "db"}},
         "",
         ""},
        {"postgresql://[2001:db8::7]/db", "", {{"host", "2001:db8::7"}, {"dbname", "db"}}, "", ""},
        {"postgresql:///db?host=/var/run/postgresql",
         "",
         {{"host", "/var/run/postgresql"}, {"dbname", "db"}},
         "",
         ""},
        {"postgresql://%2Fvar%2Frun%2Fpostgresql/db",
         "",
         {{"host", "/var/run/postgresql"}, {"dbname", "db"}},
         "",
         ""},
        {"postgresql://localhost", "", {{"host", "localhost"}}, "", ""},
        {"postgresql://", "", {}, "", ""},
        {"  postgresql://u@h/db\n",
         "",
         {{"host", "h"}, {"user", "u"}, {"dbname", "db"}},
         "postgresql://u@h/db",
         ""},
        {"postgresql://u:p@h/db?sslpassword=key-secret&sslmode=verify-full",
         "",
         {{"host", "h"},
          {"user", "u"},
          {"password", "p"},
          {"dbname", "db"},
          {"sslpassword", "key-secret"},
          {"sslmode", "verify-full"}},
         "",
         "postgresql://u:***@h/db?sslpassword=***&sslmode=verify-full"},
        {"postgresql://u:@h/db", "", {{"host", "h"}, {"user", "u"}, {"dbname", "db"}}, "", ""},
    };
    for (const Good& row : table) {
      CAPTURE(row.url);
      Result<DatabaseUrl> url = parse_database_url(row.url);
      REQUIRE_MESSAGE(url.ok(), (url.ok() ? "" : url.error().message));
      CHECK(url->driver() == row.driver);
      CHECK(libpq_of(*url) == row.libpq);
      std::string python = row.python.empty() ? row.url : row.python;
      CHECK(url->python_url() == python);
      CHECK(url->redacted() == (row.redacted.empty() ? python : row.redacted));
    }
  }

  TEST_CASE("pg: database-url parts are decoded") {
    Result<DatabaseUrl> url =
        parse_database_url("postgresql+psycopg2://us%20er:p%2Bw+d@h:6543/my%20db?sslmode=prefer");
    REQUIRE(url.ok());
    CHECK(url->user() == "us er");
    CHECK(url->password() == "p+w+d");  // '+' is literal in user info, as in SQLAlchemy and libpq
    CHECK(url->host() == "h");
    CHECK(url->port() == "6543");
    CHECK(url->database() == "my db");
    REQUIRE(url->query().size() == 1);
    CHECK(url->query()[0] == std::pair<std::string, std::string>{"sslmode", "prefer"});
    CHECK(url->libpq().describe() == "h:6543, database my db, user us er");
  }

  TEST_CASE("pg: database-url with another database keeps driver, credentials and parameters") {
    struct Row {
      std::string url, expected;
    };
    const std::vector<Row> table = {
        {"postgresql+asyncpg://u:p@h:5432/app?ssl=require",
         "postgresql+asyncpg://u:p@h:5432/alembic_gate_00ff?ssl=require"},
        {"postgresql://u@h", "postgresql://u@h/alembic_gate_00ff"},
        {"postgresql://u@h?sslmode=require", "postgresql://u@h/alembic_gate_00ff?sslmode=require"},
        {"postgres://u:p@h/app", "postgresql://u:p@h/alembic_gate_00ff"},
        {"postgresql://u:p@h/a?sslpassword=s3",
         "postgresql://u:p@h/alembic_gate_00ff?sslpassword=s3"},
    };
    for (const Row& row : table) {
      CAPTURE(row.url);
      Result<DatabaseUrl> url = parse_database_url(row.url);
      REQUIRE(url.ok());
      DatabaseUrl other = url->with_database("alembic_gate_00ff");
      CHECK(other.python_url() == row.expected);
      CHECK(other.database() == "alembic_gate_00ff");
      CHECK(other.libpq().get("dbname") == "alembic_gate_00ff");
      CHECK(other.libpq().get("host") == "h");
      CHECK(other.driver() == url->driver());
      CHECK(other.redacted().find("p@") == std::string::npos);
      CHECK(other.redacted().find("s3") == std::string::npos);
    }
    Result<DatabaseUrl> odd = parse_database_url("postgresql://h/x");
    REQUIRE(odd.ok());
    CHECK(odd->with_database("a b/c").python_url() == "postgresql://h/a%20b%2Fc");
  }

  TEST_CASE("pg: bad database-urls say what is wrong and never show the password") {
    struct Bad {
      std::string url, message;
    };
    const std::vector<Bad> table = {
        {"",
         "database-url: is empty; expected a URL like "
         "postgresql://user:password@host:5432/database"},
        {"host=db password=hunter2",
         "database-url: is not a URL; expected one like "
         "postgresql://user:password@host:5432/database"},
        {"mysql://u:hunter2@h/db",
         "database-url: scheme 'mysql' is not PostgreSQL; use postgresql:// or "
         "postgresql+DRIVER:// (psycopg2, psycopg, asyncpg, pg8000)"},
        {"postgresql+mysqldb://u:hunter2@h/db",
         "database-url: unknown driver 'mysqldb' in 'postgresql+mysqldb://'; supported: psycopg2, "
         "psycopg, "
         "asyncpg, pg8000"},
        {"postgresql://u:hunter2@h:abc/db",
         "database-url: port 'abc' is not a number from 1 to 65535"},
        {"postgresql://u:hunter2@h:70000/db",
         "database-url: port '70000' is not a number from 1 to 65535"},
        {"postgresql://u:hunter2@x@h/db",
         "database-url: more than one '@' before the host; write '@' inside the user name or "
         "password as %40"},
        {"postgresql://u:hunter2@h1,h2/db",
         "database-url: several hosts are not supported; name one server"},
        {"postgresql://u:hunter2@[::1/db", "database-url: IPv6 host lacks its closing ']'"},
        {"postgresql://u:hunter2@[::1]x/db",
         "database-url: expected ':PORT' after the IPv6 host's ']'"},
        {"postgresql://u:hunter2@h/db?sslmode=bogus",
         "database-url: sslmode 'bogus' is not one of disable, allow, prefer, require, verify-ca, "
         "verify-full"},
        {"postgresql+asyncpg://u:hunter2@h/db?ssl=true",
         "database-url: ssl 'true' is not one of disable, allow, prefer, require, verify-ca, "
         "verify-full"},
        {"postgresql://u:hunter2@h/db?sslmode=require&sslmode=disable",
         "database-url: query parameter 'sslmode' is given twice"},
        {"postgresql://u:hunter2@h/db?connect_timeout=",
         "database-url: query parameter 'connect_timeout' has no value"},
        {"postgresql+asyncpg://u:hunter2@h/db?timeout=soon",
         "database-url: timeout 'soon' is not a positive number of seconds"},
        {"postgresql+pg8000://u:hunter2@/db?unix_sock=/tmp/pg",
         "database-url: unix_sock '/tmp/pg' is not a socket path like "
         "/var/run/postgresql/.s.PGSQL.5432"},
    };
    for (const Bad& row : table) {
      CAPTURE(row.url);
      Result<DatabaseUrl> url = parse_database_url(row.url);
      REQUIRE_FALSE(url.ok());
      CHECK(url.error().message == row.message);
      CHECK(url.error().describe().find("hunter2") == std::string::npos);
    }
  }

  TEST_CASE("pg: unknown query parameters are named with the allowed ones") {
    Result<DatabaseUrl> plain = parse_database_url("postgresql://u:hunter2@h/db?foo=hunter2");
    REQUIRE_FALSE(plain.ok());
    CHECK(plain.error().message.rfind(
              "database-url: unknown query parameter 'foo' for a postgresql:// URL; "
              "allowed: application_name, channel_binding, ",
              0) == 0);
    CHECK(plain.error().message.find("sslmode") != std::string::npos);
    CHECK(plain.error().message.find("hunter2") == std::string::npos);

    Result<DatabaseUrl> asyncpg =
        parse_database_url("postgresql+asyncpg://u:hunter2@h/db?sslmode=require");
    REQUIRE_FALSE(asyncpg.ok());
    CHECK(asyncpg.error().message.rfind(
              "database-url: unknown query parameter 'sslmode' for "
              "postgresql+asyncpg:// URLs (asyncpg takes ssl=MODE instead); allowed: ",
              0) == 0);

    Result<DatabaseUrl> ssl = parse_database_url("postgresql+psycopg2://u@h/db?ssl=require");
    REQUIRE_FALSE(ssl.ok());
    CHECK(ssl.error().message.find("(libpq takes sslmode=MODE instead)") != std::string::npos);

    Result<DatabaseUrl> password = parse_database_url("postgresql://u@h/db?password=hunter2");
    REQUIRE_FALSE(password.ok());
    CHECK(password.error().message.find(
              "(write it in the URL itself: postgresql://user:password@host:5432/"
              "database)") != std::string::npos);
    CHECK(password.error().message.find("hunter2") == std::string::npos);
  }

  TEST_CASE("pg: connection parameters describe the server without the password") {
    Result<DatabaseUrl> url = parse_database_url("postgresql://app:hunter2@db.internal:5432/shop");
    REQUIRE(url.ok());
    CHECK(url->libpq().describe() == "db.internal:5432, database shop, user app");
    CHECK(url->libpq().server() == "db.internal:5432");
    ConnectionParams socket;
    socket.set("host", "/var/run/postgresql");
    CHECK(socket.server() == "socket /var/run/postgresql");
    CHECK(ConnectionParams().server() == "the default socket");
  }

  TEST_CASE("pg: the credentials of a database-url, as written and decoded") {
    using Secrets = std::vector<std::string>;
    CHECK(url_secrets("postgresql://u:p%40ssw0rd@h/db") == Secrets{"p@ssw0rd", "p%40ssw0rd"});
    CHECK(url_secrets("postgresql+asyncpg://u:pw-Xy7Kq2@h/db?sslpassword=k%2By-Zq81&ssl=require") ==
          Secrets{"pw-Xy7Kq2", "pw-Xy7Kq2", "k+y-Zq81", "k%2By-Zq81"});
    CHECK(url_secrets("postgresql://u@h/db").empty());
    CHECK(url_secrets("").empty());
    // Unparseable: the user info's password and password=VALUE are still found.
    CHECK(url_secrets("mysql://u:s%21cret-Q9@h/db") == Secrets{"s!cret-Q9", "s%21cret-Q9"});
    CHECK(url_secrets("host=h password=hunter2-b dbname=x") == Secrets{"hunter2-b", "hunter2-b"});
  }

  TEST_CASE("pg: guessable passwords are not masked word for word") {
    // The README's service: user, password and database all "postgres".
    CHECK(url_secrets("postgresql://postgres:postgres@postgres:5432/postgres").empty());
    CHECK(url_secrets("postgresql://app:test@db/app").empty());           // shorter than 8
    CHECK(url_secrets("postgresql://app:Password@db/app").empty());       // a well-known default
    CHECK(url_secrets("postgresql://blogging:blogging@db/x").empty());    // the user's name
    CHECK(url_secrets("postgresql://u:warehouse@db/warehouse").empty());  // the database's
    CHECK(url_secrets("host=h password=test").empty());
    CHECK(is_guessable("a", {}));
    CHECK_FALSE(is_guessable("Pw@Gate!s3cr3t", {"postgres", "db", "postgres"}));
    CHECK_FALSE(is_guessable("warehouse", {"app"}));
  }

}  // TEST_SUITE

}  // namespace ag::pg
