#include "pg/scratch_database.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <thread>

#include "pg/pg_test_support.h"
#include "process/interrupts.h"
#include "process/subprocess.h"

namespace ag::pg {
namespace {

using testing::database_exists;
using testing::open;
using testing::query_value;
using testing::run;
using testing::server_url;
using testing::TestDatabase;
using testing::TestRole;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// What the role sees as user objects: the check allow-configured-database relies on.
std::string user_objects_in(Connection& connection) {
  return query_value(
             connection,
             "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
             "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
             "AND n.nspname !~ '^pg_(toast_)?temp_'") +
         "/" +
         query_value(
             connection,
             "SELECT count(*) FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', "
             "'information_schema', 'pg_toast', 'public') AND nspname !~ '^pg_(toast_)?temp_'") +
         "/" +
         query_value(connection,
                     "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                     "WHERE n.nspname = 'public'") +
         "/" +
         query_value(connection,
                     "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                     "WHERE n.nspname = 'public'");
}

/// `pg_dump` of `database` on the test server, by the newest pg_dump installed (the server's),
/// without the \restrict lines whose key is new in every dump.
std::string dump(const std::string& database) {
  std::vector<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql")) {
    if (std::filesystem::exists(entry.path() / "bin/pg_dump")) found.push_back(entry.path());
  }
  REQUIRE_FALSE(found.empty());
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::stoi(a.filename().string()) < std::stoi(b.filename().string());
  });
  DatabaseUrl server = server_url();
  Result<process::Completed> dumped = process::run(
      {(found.back() / "bin/pg_dump").string(),
       fmt::format("postgresql://postgres@{}:{}/{}", server.host(), server.port(), database)});
  REQUIRE(dumped.ok());
  INFO(dumped->err);
  REQUIRE(dumped->success());
  std::string kept;
  for (const std::string& line : split(dumped->out, "\n")) {
    if (!line.starts_with("\\restrict ") && !line.starts_with("\\unrestrict ")) kept += line + "\n";
  }
  return kept;
}

/// The public schema as a migration cannot see it change: owner, privileges, comment.
std::string public_schema_state(Connection& connection) {
  return query_value(
      connection,
      "SELECT pg_get_userbyid(nspowner) || ' ' || coalesce(nspacl::text, '-') || ' ' || "
      "coalesce(obj_description(oid, 'pg_namespace'), '-') FROM pg_namespace WHERE nspname = "
      "'public'");
}

constexpr std::string_view kMigrationLikeDdl = R"sql(
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE, feeling mood, score positive);
CREATE INDEX ix_users_feeling ON users (feeling);
CREATE VIEW happy_users AS SELECT id FROM users WHERE feeling = 'happy';
CREATE FUNCTION add_one(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1 + 1';
CREATE SCHEMA audit;
CREATE TABLE audit.log (id bigint GENERATED ALWAYS AS IDENTITY, at timestamptz DEFAULT now());
INSERT INTO users (email, feeling, score) VALUES ('a@example.com', 'happy', 1);
)sql";

/// Reads one line from `fd` (blocking); "" at end of file.
std::string read_line(int fd) {
  std::string line;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

/// An empty database a role without CREATEDB may use with allow-configured-database.
struct ConfiguredDatabase {
  TestRole role{"LOGIN NOCREATEDB"};
  TestDatabase database;
  Connection admin = database.open_as_superuser();
  DatabaseUrl url = testing::url_as(role.name(), database.name());

  ConfiguredDatabase() { run(admin, fmt::format("GRANT ALL ON SCHEMA public TO {}", role.name())); }

  /// allow_configured_database, waiting at most 1 s for a turn.
  static ScratchOptions options() {
    ScratchOptions options;
    options.allow_configured_database = true;
    options.connect.timeout = std::chrono::seconds(1);
    return options;
  }
};

}  // namespace

TEST_SUITE("pg") {
  TEST_CASE("pg: a scratch database is created, usable, and gone after success") {
    DatabaseUrl url = server_url();
    ScratchDatabase scratch = testing::scratch_database(url);
    CHECK(std::regex_match(scratch.name(), std::regex("alembic_gate_[0-9a-f]{16}")));
    CHECK_FALSE(scratch.is_configured_database());
    CHECK(scratch.python_url() == url.with_database(scratch.name()).python_url());
    CHECK(scratch.params().get("dbname") == scratch.name());
    CHECK(database_exists(scratch.name()));
    {
      Connection connection = open(scratch.params());
      run(connection, "CREATE TABLE t (a int); INSERT INTO t VALUES (1)");
      CHECK(query_value(connection, "SELECT current_database()") == scratch.name());
      // Thrown away afterwards: commits need not wait for the disk.
      CHECK(query_value(connection, "SHOW synchronous_commit") == "off");
    }
    CHECK(scratch.drop().ok());
    CHECK_FALSE(database_exists(scratch.name()));
    CHECK(scratch.drop().ok());  // idempotent
  }

  TEST_CASE(
      "pg: the scratch database is gone after an error, even with a session still open on it") {
    std::string name;
    std::optional<Connection> session;  // outlives the scratch database, as a worker process might
    try {
      ScratchDatabase scratch = testing::scratch_database();
      name = scratch.name();
      session.emplace(open(scratch.params()));
      run(*session, "CREATE TABLE t (a int)");
      throw std::runtime_error("a check failed");
    } catch (const std::runtime_error&) {
    }
    REQUIRE_FALSE(name.empty());
    CHECK_FALSE(database_exists(name));
    CHECK_FALSE(session->exec("SELECT 1").ok());  // its backend was terminated
  }

  TEST_CASE("pg: dropping by terminating sessions first (PostgreSQL 12) works too") {
    ScratchDatabase scratch = testing::scratch_database();
    Connection session = open(scratch.params());
    CHECK(
        drop_database(server_url().libpq(), scratch.name(), DropMethod::terminate_then_drop).ok());
    CHECK_FALSE(database_exists(scratch.name()));
    CHECK(
        drop_database(server_url().libpq(), scratch.name(), DropMethod::terminate_then_drop).ok());
    CHECK(drop_database(server_url().libpq(), scratch.name(), DropMethod::force).ok());
    CHECK(scratch.drop().ok());
  }

  TEST_CASE("pg: several scratch databases are open at once, and droppers outlive moves") {
    std::vector<ScratchDatabase> databases;
    for (int i = 0; i < 3; ++i) databases.push_back(testing::scratch_database());
    std::set<std::string> names;
    for (const ScratchDatabase& scratch : databases) names.insert(scratch.name());
    CHECK(names.size() == 3);
    for (const std::string& name : names) CHECK(database_exists(name));

    std::function<void()> dropper = databases[1].dropper();
    ScratchDatabase moved = std::move(databases[1]);
    dropper();
    CHECK_FALSE(database_exists(moved.name()));
    CHECK(moved.drop().ok());
    databases.clear();
    for (const std::string& name : names) CHECK_FALSE(database_exists(name));
  }

  TEST_CASE("pg: register_cleanup hands out the drop before the database exists") {
    std::string what;
    std::function<void()> cleanup;
    ScratchOptions options;
    options.register_cleanup = [&](std::string description, std::function<void()> callable) {
      what = std::move(description);
      cleanup = std::move(callable);
    };
    ScratchDatabase scratch = testing::scratch_database(server_url(), options);
    CHECK(what == "drop scratch database " + scratch.name());
    REQUIRE(cleanup);
    CHECK(database_exists(scratch.name()));
    cleanup();  // as the interrupt watcher would
    CHECK_FALSE(database_exists(scratch.name()));
    CHECK(scratch.drop().ok());
  }

  TEST_CASE("pg: the scratch database is gone after SIGTERM mid-run") {
    DatabaseUrl url = server_url();
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    std::fflush(nullptr);  // or the child would write our buffered output a second time
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {  // the run: never returns into doctest
      ::alarm(60);
      process::install_interrupt_handlers();
      static std::optional<process::CleanupGuard> guard;
      ScratchOptions options;
      options.register_cleanup = [](std::string what, std::function<void()> cleanup) {
        guard.emplace(std::move(what), std::move(cleanup));
      };
      Result<ScratchDatabase> scratch = ScratchDatabase::create(url, options);
      if (!scratch) ::_exit(90);
      Result<Connection> session =
          connect(scratch->params());  // busy in it, as a migration would be
      if (!session || !session->run("CREATE TABLE t (a int)")) ::_exit(91);
      std::string line = scratch->name() + "\n";
      if (::write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        ::_exit(92);
      for (;;) ::pause();
    }
    ::close(fds[1]);
    std::string name = read_line(fds[0]);
    ::close(fds[0]);
    REQUIRE_FALSE(name.empty());
    CHECK(database_exists(name));
    REQUIRE(::kill(pid, SIGTERM) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 128 + SIGTERM);
    CHECK_FALSE(database_exists(name));
  }

  TEST_CASE("pg: a role without CREATEDB is told the privilege it needs") {
    TestRole role("LOGIN NOCREATEDB");
    DatabaseUrl url = testing::url_as(role.name());
    Result<ScratchDatabase> scratch = ScratchDatabase::create(url);
    REQUIRE_FALSE(scratch.ok());
    CHECK(scratch.error().message ==
          fmt::format("role {0} cannot create databases on PostgreSQL at {1}: alembic-gate runs "
                      "migrations in "
                      "scratch databases it creates and drops, which needs the CREATEDB privilege "
                      "(ALTER ROLE "
                      "\"{0}\" CREATEDB), or set allow-configured-database: true to use the empty "
                      "database postgres "
                      "instead",
                      role.name(), url.libpq().server()));
  }

  TEST_CASE("pg: allow-configured-database uses an empty database and empties it again") {
    TestRole role("LOGIN NOCREATEDB");
    TestDatabase database(
        role.name());  // PostgreSQL 15+: its owner owns public (pg_database_owner)
    Connection admin = database.open_as_superuser();
    run(admin, "COMMENT ON SCHEMA public IS 'the public schema, commented'");
    std::string before = public_schema_state(admin);
    std::string empty = user_objects_in(admin);

    DatabaseUrl url = testing::url_as(role.name(), database.name());
    ScratchOptions options;
    options.allow_configured_database = true;
    ScratchDatabase scratch = testing::scratch_database(url, options);
    CHECK(scratch.is_configured_database());
    CHECK(scratch.name() == database.name());
    CHECK(scratch.python_url() == url.python_url());

    Result<ScratchDatabase> second = ScratchDatabase::create(url, options);
    REQUIRE_FALSE(second.ok());
    CHECK(
        contains(second.error().message, "is already in use as the scratch database of this run"));
    {
      Connection migrations = open(scratch.params());
      run(migrations, std::string(kMigrationLikeDdl));
      run(migrations, "GRANT USAGE ON SCHEMA public TO PUBLIC");
    }
    CHECK(user_objects_in(admin) != empty);
    Status emptied = scratch.drop();
    CHECK_MESSAGE(emptied.ok(), (emptied.ok() ? "" : emptied.error().message));
    CHECK(user_objects_in(admin) == empty);
    CHECK(public_schema_state(admin) == before);
    CHECK(database_exists(database.name()));

    ScratchDatabase again = testing::scratch_database(url, options);  // released: usable again
    CHECK(again.is_configured_database());
  }

  TEST_CASE(
      "pg: allow-configured-database empties object by object when the role does not own public") {
    TestRole role("LOGIN NOCREATEDB");
    TestDatabase database;
    Connection admin = database.open_as_superuser();
    run(admin, fmt::format("ALTER SCHEMA public OWNER TO postgres; GRANT USAGE, CREATE ON SCHEMA "
                           "public TO {0}; GRANT CREATE ON DATABASE {1} TO {0}",
                           role.name(), database.name()));
    std::string before = public_schema_state(admin);
    std::string empty = user_objects_in(admin);

    ScratchOptions options;
    options.allow_configured_database = true;
    ScratchDatabase scratch =
        testing::scratch_database(testing::url_as(role.name(), database.name()), options);
    {
      Connection migrations = open(scratch.params());
      run(migrations,
          "CREATE TYPE mood AS ENUM ('sad'); CREATE TABLE users (id serial PRIMARY KEY, feeling "
          "mood); "
          "CREATE VIEW v AS SELECT id FROM users; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS "
          "'SELECT 1'; "
          "CREATE DOMAIN d AS text; CREATE SEQUENCE s");
      // What DROP SCHEMA would have taken along, and what no schema holds.
      run(migrations,
          "CREATE COLLATION c1 (locale = 'C'); CREATE TEXT SEARCH CONFIGURATION cfg1 (COPY = "
          "simple); CREATE OPERATOR === (LEFTARG = int4, RIGHTARG = int4, FUNCTION = int4eq); "
          "CREATE PUBLICATION p1");
    }
    Status emptied = scratch.drop();
    CHECK_MESSAGE(emptied.ok(), (emptied.ok() ? "" : emptied.error().message));
    CHECK(user_objects_in(admin) == empty);
    CHECK(public_schema_state(admin) == before);
    // Nothing of any kind is left: the next run may use the database.
    ScratchDatabase again =
        testing::scratch_database(testing::url_as(role.name(), database.name()), options);
    CHECK(again.is_configured_database());
  }

  TEST_CASE(
      "pg: allow-configured-database refuses a database that holds a table, and leaves it "
      "untouched") {
    TestRole role("LOGIN NOCREATEDB");
    TestDatabase database;
    Connection admin = database.open_as_superuser();
    run(admin,
        fmt::format("CREATE TABLE precious (id int PRIMARY KEY, note text); "
                    "INSERT INTO precious SELECT g, 'row ' || g FROM generate_series(1, 100) g; "
                    "GRANT ALL ON SCHEMA public TO {0}; GRANT ALL ON precious TO {0}",
                    role.name()));
    const std::string checksum_sql =
        "SELECT md5(string_agg(p::text || p.xmin, ',' ORDER BY id)) FROM precious p";
    std::string checksum = query_value(admin, checksum_sql);

    ScratchOptions options;
    options.allow_configured_database = true;
    Result<ScratchDatabase> scratch =
        ScratchDatabase::create(testing::url_as(role.name(), database.name()), options);
    REQUIRE_FALSE(scratch.ok());
    CHECK(contains(
        scratch.error().message,
        fmt::format(
            "allow-configured-database cannot use database {}: it holds user objects "
            "(table public.precious); alembic-gate never runs migrations in a database with "
            "objects in it",
            database.name())));
    CHECK(query_value(admin, checksum_sql) == checksum);
  }

  // Every kind of object pg_dump dumps outside a table; DROP SCHEMA public CASCADE, the emptying
  // of a configured database, would take those in public along, and the rest would meet the
  // run's migrations (an event trigger fires on their DDL).
  TEST_CASE("pg: allow-configured-database refuses a database holding any kind of object") {
    struct Kind {
      std::string_view sql;
      std::string_view described;
    };
    const Kind kinds[] = {
        {"CREATE COLLATION public.c1 (locale = 'C')", "collation c1"},
        {"CREATE CONVERSION public.conv1 FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8",
         "conversion conv1"},
        {"CREATE TEXT SEARCH DICTIONARY public.d1 (TEMPLATE = simple)",
         "text search dictionary d1"},
        {"CREATE TEXT SEARCH CONFIGURATION public.cfg1 (COPY = simple)",
         "text search configuration cfg1"},
        {"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC",
         "default privileges on new relations belonging to role postgres in schema public"},
        {"CREATE OPERATOR public.=== (LEFTARG = int4, RIGHTARG = int4, FUNCTION = int4eq)",
         "operator ===(integer,integer)"},
        {"CREATE CAST (text AS bytea) WITHOUT FUNCTION", "cast from text to bytea"},
        {"CREATE ACCESS METHOD am1 TYPE TABLE HANDLER heap_tableam_handler", "access method am1"},
        {"CREATE FOREIGN DATA WRAPPER w1", "foreign-data wrapper w1"},
        {"CREATE PUBLICATION p1", "publication p1"},
        {"CREATE FUNCTION public.f() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END'; "
         "CREATE EVENT TRIGGER et1 ON ddl_command_start EXECUTE FUNCTION public.f()",
         "function public.f(), event trigger et1"},
        {"SELECT lo_create(4242)", "large object 4242"},
    };
    TestRole role("LOGIN NOCREATEDB");
    for (const Kind& kind : kinds) {
      CAPTURE(kind.sql);
      TestDatabase database;
      Connection admin = database.open_as_superuser();
      run(admin, fmt::format("GRANT ALL ON SCHEMA public TO {}", role.name()));
      run(admin, std::string(kind.sql));
      std::string before = dump(database.name());

      ScratchOptions options;
      options.allow_configured_database = true;
      Result<ScratchDatabase> scratch =
          ScratchDatabase::create(testing::url_as(role.name(), database.name()), options);
      REQUIRE_FALSE(scratch.ok());
      CHECK(contains(scratch.error().message,
                     fmt::format("it holds user objects ({})", kind.described)));
      CHECK(dump(database.name()) == before);
    }
  }

  TEST_CASE("pg: runs on one configured database take turns, the second waiting for the first") {
    ConfiguredDatabase configured;
    Connection& admin = configured.admin;
    const DatabaseUrl& url = configured.url;
    ScratchOptions options = configured.options();
    std::vector<std::string> logged;
    std::atomic<bool> waiting = false;
    options.log = [&](const std::string& line) {
      logged.push_back(line);
      waiting = true;
    };

    // The other run: a session holding the turn, as another process's claim would.
    Connection other = open(url.libpq());
    run(other, "SELECT pg_advisory_lock(7020097439640675117)");
    Result<ScratchDatabase> refused = ScratchDatabase::create(url, options);
    REQUIRE_FALSE(refused.ok());
    CHECK(contains(refused.error().message,
                   fmt::format("database {} stayed in use by another alembic-gate run for 1 s: "
                               "with allow-configured-database, runs on one database take turns",
                               configured.database.name())));
    REQUIRE(logged.size() == 1);
    CHECK(contains(logged[0], "waiting at most 1 s for it to end"));

    // The other run ends once this one waits for it: this one then goes ahead.
    waiting = false;
    options.connect.timeout = std::chrono::seconds(30);
    std::thread ends([&] {
      while (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      run(other, "SELECT pg_advisory_unlock(7020097439640675117)");
    });
    Result<ScratchDatabase> waited = ScratchDatabase::create(url, options);
    ends.join();
    REQUIRE_MESSAGE(waited.ok(), (waited.ok() ? "" : waited.error().message));
    CHECK(waited->is_configured_database());
    REQUIRE(logged.size() == 2);
    CHECK(contains(logged[1], "waiting at most 30 s for it to end"));
    Connection migrations = open(waited->params());
    run(migrations, "CREATE TABLE t (id int)");

    // While it holds the turn, another session cannot take it; another claim in this process is
    // refused at once.
    CHECK(query_value(other, "SELECT pg_try_advisory_lock(7020097439640675117)") == "f");
    Result<ScratchDatabase> second = ScratchDatabase::create(url, options);
    REQUIRE_FALSE(second.ok());
    CHECK(
        contains(second.error().message, "is already in use as the scratch database of this run"));
    REQUIRE(waited->drop().ok());
    CHECK(query_value(admin, "SELECT count(*) FROM pg_class WHERE relname = 't'") == "0");
    // Emptied, the turn is free again.
    CHECK(query_value(other, "SELECT pg_try_advisory_lock(7020097439640675117)") == "t");
    run(other, "SELECT pg_advisory_unlock(7020097439640675117)");
    Result<ScratchDatabase> next = ScratchDatabase::create(url, options);
    CHECK_MESSAGE(next.ok(), (next.ok() ? "" : next.error().message));
  }

  TEST_CASE("pg: a run that renews its configured database keeps its turn meanwhile") {
    ConfiguredDatabase configured;
    Connection& admin = configured.admin;
    const DatabaseUrl& url = configured.url;
    ScratchOptions options = configured.options();
    std::vector<std::string> logged;
    options.log = [&](const std::string& line) { logged.push_back(line); };
    Connection other = open(url.libpq());  // a run queued behind this one

    Result<ScratchDatabase> first = ScratchDatabase::create(url, options);
    REQUIRE_MESSAGE(first.ok(), (first.ok() ? "" : first.error().message));
    {
      Connection migrations = open(first->params());
      run(migrations, "CREATE TABLE t (id int)");
    }
    first->keep_turn();
    REQUIRE(first->drop().ok());
    CHECK(query_value(admin, "SELECT count(*) FROM pg_class WHERE relname = 't'") == "0");
    // Between the drop and the next claim, the queued run still cannot take the turn.
    CHECK(query_value(other, "SELECT pg_try_advisory_lock(7020097439640675117)") == "f");
    Result<ScratchDatabase> renewed = ScratchDatabase::create(url, options);
    REQUIRE_MESSAGE(renewed.ok(), (renewed.ok() ? "" : renewed.error().message));
    CHECK(logged.empty());  // no waiting: the turn was this run's
    CHECK(query_value(other, "SELECT pg_try_advisory_lock(7020097439640675117)") == "f");
    REQUIRE(renewed->drop().ok());
    // Dropped without keep_turn(): the turn is free.
    CHECK(query_value(other, "SELECT pg_try_advisory_lock(7020097439640675117)") == "t");
    run(other, "SELECT pg_advisory_unlock(7020097439640675117)");
  }

  TEST_CASE("pg: the configured database's rows are byte-for-byte untouched by a scratch run") {
    TestDatabase database;
    Connection admin = database.open_as_superuser();
    run(admin,
        "CREATE TABLE precious (id int PRIMARY KEY, note text, at timestamptz DEFAULT now()); "
        "INSERT INTO precious (id, note) SELECT g, md5(g::text) FROM generate_series(1, 500) g");
    const std::string rows_sql =
        "SELECT md5(string_agg(p::text || ' ' || p.xmin || ' ' || p.ctid, ',' ORDER BY id)) FROM "
        "precious p";
    const std::string catalog_sql =
        "SELECT md5(string_agg(oid || ' ' || relname || ' ' || relfilenode || ' ' || xmin, ',' "
        "ORDER BY oid)) "
        "FROM pg_class";
    std::string rows = query_value(admin, rows_sql);
    std::string catalog = query_value(admin, catalog_sql);

    DatabaseUrl url = server_url().with_database(database.name());
    {
      ScratchDatabase scratch = testing::scratch_database(url);
      CHECK(scratch.name() != database.name());
      Connection migrations = open(scratch.params());
      run(migrations, std::string(kMigrationLikeDdl));
      run(migrations,
          "CREATE TABLE precious (id int PRIMARY KEY); INSERT INTO precious VALUES (1)");
    }
    CHECK(query_value(admin, rows_sql) == rows);
    CHECK(query_value(admin, catalog_sql) == catalog);
  }

}  // TEST_SUITE

}  // namespace ag::pg
