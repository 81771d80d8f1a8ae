#include "checks/lint/env_lock_timeout.h"

#include <doctest/doctest.h>

#include <string>

namespace ag::checks::lint {

TEST_SUITE("lint/env_lock_timeout") {
  TEST_CASE("SQL in a string literal that sets lock_timeout for the session") {
    for (const char* source : {
             "connection.execute(text(\"SET lock_timeout = '5s'\"))\n",
             "connection.exec_driver_sql('SET SESSION lock_timeout TO 5000')\n",
             "conn.execute(sa.text(\"\"\"\n    SET lock_timeout = '5s';\n\"\"\"))\n",
             "connection.execute(text(\"SELECT set_config('lock_timeout', '5s', false)\"))\n",
             "run(r'SET statement_timeout = 60000; SET lock_timeout = 3000')\n",
         }) {
      CAPTURE(std::string(source));
      CHECK(env_lock_timeout(source).sets);
    }
  }

  TEST_CASE("libpq options that set lock_timeout (connect_args, PGOPTIONS)") {
    for (const char* source : {
             "engine = create_engine(url, connect_args={\"options\": \"-c lock_timeout=5s\"})\n",
             "os.environ['PGOPTIONS'] = '-c statement_timeout=60s -c lock_timeout=5000'\n",
             "connect_args = {'options': '-clock_timeout=5s'}\n",
             "connect_args = {'options': '--lock-timeout=5s'}\n",
         }) {
      CAPTURE(std::string(source));
      CHECK(env_lock_timeout(source).sets);
    }
  }

  TEST_CASE("what does not set it: zero, SET LOCAL, other settings, comments, computed values") {
    for (const char* source : {
             "connection.execute(text(\"SET lock_timeout = 0\"))\n",
             "connect_args={\"options\": \"-c lock_timeout=0\"}\n",
             "connection.execute(text(\"SET LOCAL lock_timeout = '5s'\"))\n",
             "connection.execute(text(\"SET statement_timeout = '5s'\"))\n",
             "# connection.execute(text(\"SET lock_timeout = '5s'\"))\n",
             "connection.execute(text(f\"SET lock_timeout = '{timeout}'\"))\n",
             "\"\"\"Alembic's environment; we should set a lock_timeout some day.\"\"\"\n",
             "connect_args={\"options\": \"-c lock_timeout\"}\n",
         }) {
      CAPTURE(std::string(source));
      CHECK_FALSE(env_lock_timeout(source).sets);
    }
  }

  TEST_CASE("a source the lexer cannot read to its end says where it stopped") {
    EnvLockTimeout read = env_lock_timeout(
        "from alembic import context\n"
        "note = 'unterminated\n"
        "connection.execute(text(\"SET lock_timeout = '5s'\"))\n");
    CHECK_FALSE(read.sets);
    REQUIRE(read.stopped.has_value());
    CHECK(read.stopped->line == 2);
    CHECK_FALSE(read.stopped->message.empty());
    // Found before the lexer stops: nothing to explain.
    read = env_lock_timeout("connect_args = {'options': '-c lock_timeout=5s'}\nnote = 'open\n");
    CHECK(read.sets);
    CHECK_FALSE(read.stopped.has_value());
    CHECK_FALSE(env_lock_timeout("x = 1\n").stopped.has_value());
  }
}

}  // namespace ag::checks::lint
