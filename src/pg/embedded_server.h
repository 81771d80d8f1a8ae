// The embedded throwaway PostgreSQL server, used when database-url is empty: a fresh cluster in
// a temporary folder (trust authentication, a unix socket in that folder and a free loopback
// port, fsync off), started with pg_ctl and removed at the end, also on errors and on
// SIGINT/SIGTERM (it registers a cleanup with process/interrupts.h).
//
// As root, initdb refuses to run, so initdb and pg_ctl (and so the server) run as an
// unprivileged user, postgres when it exists, else nobody, and the folder is owned by it. The
// switch is `setpriv --reuid --regid --init-groups --` from util-linux (essential on Debian):
// posix_spawn cannot change users, and unlike runuser/su, setpriv execs in place (no PAM
// session, no fork, no new session), so the pid we spawn is the program itself and stays in the
// process group that our timeouts and signal forwarding reach.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "process/interrupts.h"
#include "util/result.h"

namespace ag::pg {

/// Where the server programs are looked for; injectable for tests.
struct ServerSearch {
  std::string path;  ///< A PATH-style list of folders, searched first.
  std::filesystem::path versions_root = "/usr/lib/postgresql";  ///< Then <root>/<version>/bin.

  /// $PATH and /usr/lib/postgresql.
  static ServerSearch from_environment();
};

/// initdb, pg_ctl and postgres, from one folder (so one PostgreSQL version).
struct ServerPrograms {
  std::filesystem::path folder;
  std::filesystem::path initdb;
  std::filesystem::path pg_ctl;
  std::filesystem::path postgres;
};

/// The first folder on search.path that holds all three programs, else the bin folder of the
/// newest version under search.versions_root that holds them. The error names the package to
/// install (apt-get install postgresql); callers map it to exit code 3.
Result<ServerPrograms> find_server_programs(const ServerSearch& search);

struct EmbeddedOptions {
  ServerSearch search = ServerSearch::from_environment();
  /// Where the temporary folder is made; empty: $TMPDIR, or /tmp when that is unset or too long
  /// for a unix socket path.
  std::filesystem::path temp_root;
  std::chrono::seconds start_timeout{60};  ///< For initdb and for the server to accept connections.
};

/// A running throwaway server. Move-only; the destructor (or stop()) stops it and deletes its
/// folder.
class EmbeddedServer {
 public:
  /// Finds the programs, creates the cluster and starts it (pg_ctl -w: it accepts connections
  /// when this returns). Errors: no programs (names the package), no user to run it as (root
  /// without postgres or nobody), initdb or pg_ctl failing (with their output or the server
  /// log). Nothing is left behind on an error.
  static Result<EmbeddedServer> start(const EmbeddedOptions& options = {});

  /// libpq URL of the superuser's database: postgresql://postgres@127.0.0.1:PORT/postgres.
  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] int port() const { return port_; }
  /// The temporary folder: the data directory (data/), the server log (server.log) and the
  /// unix socket live in it.
  [[nodiscard]] const std::filesystem::path& folder() const { return folder_; }
  [[nodiscard]] pid_t postmaster_pid() const { return postmaster_pid_; }
  /// The OS user the server runs as.
  [[nodiscard]] const std::string& os_user() const { return os_user_; }

  /// Stops the server (pg_ctl stop -m immediate; SIGKILL if that fails) and deletes the folder.
  /// Idempotent; the destructor does it too.
  void stop() { cleanup_.run(); }

 private:
  EmbeddedServer() = default;

  std::string url_;
  int port_ = 0;
  std::filesystem::path folder_;
  pid_t postmaster_pid_ = -1;
  std::string os_user_;
  process::CleanupGuard cleanup_;
};

}  // namespace ag::pg
