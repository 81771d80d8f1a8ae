#include "pg/embedded_server.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "support/process_probe.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

namespace ag::pg {
namespace {

using test::alive;
using test::gone_within;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// A fresh temporary folder, removed at the end of the test.
struct TempFolder {
  fs::path path;
  TempFolder() {
    std::string pattern = fs::temp_directory_path() / "ag-embedded-test.XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempFolder() { fs::remove_all(path); }
};

void fake_program(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "#!/bin/sh\n";
  ::chmod(path.c_str(), 0755);
}

void fake_bin(const fs::path& folder) {
  for (const char* name : {"initdb", "pg_ctl", "postgres"}) fake_program(folder / name);
}

/// The value of `select <expression>` over libpq, or the connection error.
std::string query_one(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK)
    return std::string("connection failed: ") + PQerrorMessage(conn.get());
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK)
    return std::string("query failed: ") + PQerrorMessage(conn.get());
  return PQgetvalue(result.get(), 0, 0);
}

EmbeddedServer start_server() {
  Result<EmbeddedServer> server = EmbeddedServer::start();
  REQUIRE_MESSAGE(server.ok(), (server.ok() ? "" : server.error().describe()));
  return std::move(server).value();
}

TEST_CASE("the server programs are found on PATH first") {
  TempFolder tree;
  fake_bin(tree.path / "path-bin");
  fake_bin(tree.path / "lib" / "15" / "bin");
  Result<ServerPrograms> found = find_server_programs(
      ServerSearch{(tree.path / "empty").string() + "::" + (tree.path / "path-bin").string(),
                   tree.path / "lib"});
  REQUIRE(found.ok());
  CHECK(found->folder == tree.path / "path-bin");
  CHECK(found->initdb == tree.path / "path-bin" / "initdb");
  CHECK(found->pg_ctl == tree.path / "path-bin" / "pg_ctl");
  CHECK(found->postgres == tree.path / "path-bin" / "postgres");
}

TEST_CASE("a PATH folder without all three programs is skipped") {
  TempFolder tree;
  fake_program(tree.path / "partial" / "initdb");
  fake_program(tree.path / "partial" / "pg_ctl");
  fake_bin(tree.path / "lib" / "13" / "bin");
  Result<ServerPrograms> found =
      find_server_programs(ServerSearch{(tree.path / "partial").string(), tree.path / "lib"});
  REQUIRE(found.ok());
  CHECK(found->folder == tree.path / "lib" / "13" / "bin");
}

TEST_CASE("the newest complete version folder wins") {
  TempFolder tree;
  fs::path lib = tree.path / "lib";
  fake_bin(lib / "9.6" / "bin");
  fake_bin(lib / "12" / "bin");
  fake_bin(lib / "15" / "bin");
  fake_program(lib / "16" / "bin" / "initdb");  // client-only leftovers: no server
  fake_bin(lib / "not-a-version" / "bin");
  Result<ServerPrograms> found = find_server_programs(ServerSearch{"", lib});
  REQUIRE(found.ok());
  CHECK(found->folder == lib / "15" / "bin");
}

TEST_CASE("no server programs: the error names the package to install") {
  TempFolder tree;
  fs::create_directories(tree.path / "empty-bin");
  fs::create_directories(tree.path / "lib");
  ServerSearch nowhere{(tree.path / "empty-bin").string(), tree.path / "lib"};
  Result<ServerPrograms> found = find_server_programs(nowhere);
  REQUIRE_FALSE(found.ok());
  CHECK(found.error().message.find("apt-get install postgresql") != std::string::npos);

  fs::path temp_root = tree.path / "tmp";
  fs::create_directories(temp_root);
  Result<EmbeddedServer> server = EmbeddedServer::start(EmbeddedOptions{nowhere, temp_root});
  REQUIRE_FALSE(server.ok());
  CHECK(server.error().message.find("apt-get install postgresql") != std::string::npos);
  CHECK(fs::is_empty(temp_root));  // nothing made before the programs were found
}

TEST_CASE("a broken initdb is reported with its output and leaves no folder") {
  TempFolder tree;
  fs::path bin = tree.path / "bin";
  fake_bin(bin);
  std::ofstream(bin / "initdb") << "#!/bin/sh\necho 'initdb: something is wrong' >&2\nexit 1\n";
  fs::path temp_root = tree.path / "tmp";
  fs::create_directories(temp_root);
  ::chmod(tree.path.c_str(), 0755);  // the server's user (as root) must reach the folder
  ::chmod(temp_root.c_str(), 01777);
  Result<EmbeddedServer> server =
      EmbeddedServer::start(EmbeddedOptions{ServerSearch{bin.string(), tree.path}, temp_root});
  REQUIRE_FALSE(server.ok());
  CHECK(server.error().message.find("initdb") != std::string::npos);
  CHECK(server.error().message.find("exit code 1") != std::string::npos);
  CHECK(server.error().message.find("initdb: something is wrong") != std::string::npos);
  CHECK(fs::is_empty(temp_root));
}

TEST_CASE("the embedded server starts, answers, and leaves nothing behind") {
  fs::path folder;
  pid_t postmaster = -1;
  {
    EmbeddedServer server = start_server();
    folder = server.folder();
    postmaster = server.postmaster_pid();
    CHECK(server.url() ==
          "postgresql://postgres@127.0.0.1:" + std::to_string(server.port()) + "/postgres");
    CHECK(fs::is_directory(folder / "data"));
    CHECK(fs::exists(folder / (".s.PGSQL." + std::to_string(server.port()))));
    CHECK(alive(postmaster));
    CHECK(query_one(server.url(), "select 1") == "1");
    CHECK(query_one(server.url(), "show fsync") == "off");
    CHECK(query_one(server.url(), "select current_user") == "postgres");
    // Also over the unix socket in the folder.
    CHECK(query_one("postgresql://postgres@/postgres?host=" + folder.string() +
                        "&port=" + std::to_string(server.port()),
                    "select 2") == "2");
    if (::geteuid() == 0) {
      CHECK(server.os_user() != "root");
      struct stat info {};
      REQUIRE(::stat(folder.c_str(), &info) == 0);
      passwd* user = ::getpwnam(server.os_user().c_str());
      REQUIRE(user != nullptr);
      CHECK(info.st_uid == user->pw_uid);
    }
  }
  CHECK_FALSE(fs::exists(folder));
  CHECK(gone_within(postmaster, 5s));
}

TEST_CASE("stop() is idempotent and a moved server is stopped once") {
  EmbeddedServer server = start_server();
  fs::path folder = server.folder();
  std::string url = server.url();
  EmbeddedServer moved = std::move(server);
  CHECK(query_one(url, "select 1") == "1");
  moved.stop();
  CHECK_FALSE(fs::exists(folder));
  CHECK(query_one(url, "select 1").find("connection failed") == 0);
  moved.stop();
}

TEST_CASE("SIGTERM stops the embedded server and removes its folder") {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  std::fflush(nullptr);  // or the child would write our buffered output a second time
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The forked program: never returns into doctest.
    ::close(fds[0]);
    process::install_interrupt_handlers();
    Result<EmbeddedServer> server = EmbeddedServer::start();
    std::string report = server.ok() ? server->folder().string() + "\n" +
                                           std::to_string(server->postmaster_pid()) + "\n"
                                     : "error\n" + server.error().describe() + "\n";
    if (::write(fds[1], report.data(), report.size()) < 0 || !server.ok()) ::_exit(97);
    for (int i = 0; i < 600; ++i) std::this_thread::sleep_for(100ms);
    ::_exit(99);
  }
  ::close(fds[1]);
  std::string report;
  char buffer[512];
  // Two lines: the folder and the postmaster's pid.
  while (std::count(report.begin(), report.end(), '\n') < 2) {
    ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    report.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  std::istringstream lines(report);
  std::string folder, pid_text;
  std::getline(lines, folder);
  std::getline(lines, pid_text);
  REQUIRE_MESSAGE(folder != "error", report);
  pid_t postmaster = std::stoi(pid_text);
  CHECK(fs::is_directory(folder));
  CHECK(alive(postmaster));

  ::kill(pid, SIGTERM);
  int raw = 0;
  REQUIRE(::waitpid(pid, &raw, 0) == pid);
  REQUIRE(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 128 + SIGTERM);
  CHECK_FALSE(fs::exists(folder));
  CHECK(gone_within(postmaster, 5s));
}

}  // namespace
}  // namespace ag::pg
