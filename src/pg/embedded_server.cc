#include "pg/embedded_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "process/subprocess.h"
#include "util/file.h"
#include "util/text.h"

namespace ag::pg {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kPortAttempts = 3;  // another process may take the free port before the server
constexpr std::size_t kSocketPathLimit = 107;  // sun_path, less the terminating NUL

/// Who runs initdb and the server, and how argv is prefixed to become them.
struct ServerUser {
  std::string name;
  std::vector<std::string> prefix;  ///< setpriv ... -- as root; empty otherwise.
  uid_t uid = 0;
  gid_t gid = 0;
  bool switch_user = false;
};

/// What the cleanup needs, captured by value (it may run on the interrupt watcher thread).
struct Cluster {
  ServerUser user;
  ServerPrograms programs;
  fs::path folder;

  [[nodiscard]] fs::path data() const { return folder / "data"; }
  [[nodiscard]] fs::path log() const { return folder / "server.log"; }
};

bool is_executable(const fs::path& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

std::optional<ServerPrograms> programs_in(const fs::path& folder) {
  ServerPrograms programs{folder, folder / "initdb", folder / "pg_ctl", folder / "postgres"};
  if (is_executable(programs.initdb) && is_executable(programs.pg_ctl) &&
      is_executable(programs.postgres))
    return programs;
  return std::nullopt;
}

/// "15" -> {15}, "9.6" -> {9, 6}; nullopt for anything else.
std::optional<std::vector<int>> parse_version(const std::string& name) {
  std::vector<int> parts;
  std::istringstream in(name);
  std::string part;
  while (std::getline(in, part, '.')) {
    bool digits =
        std::all_of(part.begin(), part.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    if (part.empty() || !digits || part.size() > 6) return std::nullopt;
    parts.push_back(std::stoi(part));
  }
  if (parts.empty()) return std::nullopt;
  return parts;
}

std::optional<ServerPrograms> newest_installed(const fs::path& root) {
  std::optional<std::vector<int>> best_version;
  std::optional<ServerPrograms> best;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(root, ec)) {
    std::optional<std::vector<int>> version = parse_version(entry.path().filename().string());
    if (!version || (best_version && *version <= *best_version)) continue;
    if (std::optional<ServerPrograms> programs = programs_in(entry.path() / "bin")) {
      best_version = version;
      best = programs;
    }
  }
  return best;
}

std::optional<passwd> user_named(const char* name, std::vector<char>& buffer) {
  passwd entry{};
  passwd* found = nullptr;
  buffer.resize(16384);
  if (::getpwnam_r(name, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr)
    return std::nullopt;
  return entry;
}

std::string own_name(std::vector<char>& buffer) {
  passwd entry{};
  passwd* found = nullptr;
  buffer.resize(16384);
  if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr)
    return fmt::format("uid {}", ::geteuid());
  return entry.pw_name;
}

/// Ourselves unless we are root; then postgres, else nobody (initdb refuses to run as root).
Result<ServerUser> server_user() {
  std::vector<char> buffer;
  if (::geteuid() != 0) return ServerUser{own_name(buffer), {}, ::geteuid(), ::getegid(), false};
  for (const char* name : {"postgres", "nobody"}) {
    std::optional<passwd> entry = user_named(name, buffer);
    if (!entry) continue;
    std::string setpriv = is_executable("/usr/bin/setpriv") ? "/usr/bin/setpriv" : "setpriv";
    return ServerUser{name,
                      {setpriv, fmt::format("--reuid={}", entry->pw_uid),
                       fmt::format("--regid={}", entry->pw_gid), "--init-groups", "--"},
                      entry->pw_uid,
                      entry->pw_gid,
                      true};
  }
  return Error{
      "running as root, and there is no postgres (or nobody) user to run the embedded "
      "PostgreSQL server as (initdb refuses to run as root): create one (apt-get install "
      "postgresql does) or pass database-url",
      ""};
}

/// $TMPDIR (or `requested`), unless the socket path in it would be too long for a unix socket.
fs::path temp_root(const fs::path& requested) {
  fs::path root = requested;
  if (root.empty()) {
    const char* tmpdir = std::getenv("TMPDIR");
    root = tmpdir != nullptr && *tmpdir != '\0' ? fs::path(tmpdir) : fs::path("/tmp");
  }
  std::string socket = (root / "alembic-gate-pg.XXXXXX" / ".s.PGSQL.65535").string();
  return socket.size() <= kSocketPathLimit ? root : fs::path("/tmp");
}

Result<fs::path> make_folder(const fs::path& root) {
  std::string pattern = (root / "alembic-gate-pg.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    return Error{fmt::format("cannot create a temporary folder in {}: {}", root.string(),
                             std::strerror(errno)),
                 ""};
  return fs::path(pattern);
}

/// A loopback port nobody listens on right now.
Result<int> free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{fmt::format("cannot create a socket: {}", std::strerror(errno)), ""};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  bool bound = ::bind(fd, generic, length) == 0 && ::getsockname(fd, generic, &length) == 0;
  int error = errno;
  ::close(fd);
  if (!bound)
    return Error{fmt::format("cannot find a free loopback port: {}", std::strerror(error)), ""};
  return static_cast<int>(ntohs(address.sin_port));
}

std::vector<std::string> as_user(const ServerUser& user, std::vector<std::string> argv) {
  argv.insert(argv.begin(), user.prefix.begin(), user.prefix.end());
  return argv;
}

std::string describe_user(const ServerUser& user) {
  return user.switch_user ? fmt::format(" (as user {})", user.name) : std::string();
}

/// Runs a server program as the server's user in its folder, in the C locale so that its
/// messages (which we search) are English.
Result<process::Completed> run_tool(const Cluster& cluster, std::vector<std::string> argv,
                                    std::chrono::milliseconds timeout) {
  process::Options options;
  options.cwd = cluster.folder;  // our own cwd may be unreadable for the server's user
  options.env = {{"LC_ALL", "C"}, {"LANG", "C"}, {"PGDATA", std::nullopt}};
  options.timeout = timeout;
  return process::run(as_user(cluster.user, std::move(argv)), options);
}

/// "initdb failed (exit code 1):" plus the tail of what it said.
std::string failure(const std::string& what, const process::Completed& done,
                    const std::string& output) {
  std::string how = done.timed_out ? "timed out" : done.status.describe();
  return fmt::format("{} failed ({}):{}", what, how, last_lines(output, 15));
}

Status init_cluster(const Cluster& cluster, std::chrono::seconds timeout) {
  Result<process::Completed> done =
      run_tool(cluster,
               {cluster.programs.initdb.string(), "-D", cluster.data().string(), "-A", "trust",
                "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"},
               timeout);
  if (!done) return done.error();
  if (!done->success())
    return Error{failure("initdb" + describe_user(cluster.user), *done, done->out + done->err), ""};
  return ok();
}

/// A single-quoted postgresql.conf string.
std::string conf_string(const std::string& value) {
  std::string out = "'";
  for (char c : value) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

/// Appends to postgresql.conf; a later line for the same setting wins.
Status append_settings(const Cluster& cluster, const std::string& lines) {
  std::ofstream conf(cluster.data() / "postgresql.conf", std::ios::app);
  conf << lines;
  conf.flush();
  if (!conf) return Error{"cannot write the embedded server's postgresql.conf", ""};
  return ok();
}

Status configure(const Cluster& cluster) {
  // Throwaway data: durability off; autovacuum off so that only the migrations take locks.
  return append_settings(cluster, fmt::format("\n# alembic-gate: a throwaway cluster\n"
                                              "listen_addresses = '127.0.0.1'\n"
                                              "unix_socket_directories = {}\n"
                                              "fsync = off\n"
                                              "full_page_writes = off\n"
                                              "synchronous_commit = off\n"
                                              "autovacuum = off\n",
                                              conf_string(cluster.folder.string())));
}

std::string read_log(const Cluster& cluster) {
  Result<std::string> text = read_file(cluster.log());
  return text ? *text : std::string();
}

/// Starts the server on a free port; retries with another port when that one was taken.
Result<int> start_server(const Cluster& cluster, std::chrono::seconds timeout) {
  for (int attempt = 1;; ++attempt) {
    Result<int> port = free_port();
    if (!port) return port.error();
    if (Status set = append_settings(cluster, fmt::format("port = {}\n", *port)); !set)
      return set.error();
    Result<process::Completed> done =
        run_tool(cluster,
                 {cluster.programs.pg_ctl.string(), "start", "-D", cluster.data().string(), "-l",
                  cluster.log().string(), "-w", "-s", "-t", std::to_string(timeout.count())},
                 timeout + 10s);
    if (!done) return done.error();
    if (done->success()) return *port;
    std::string log = read_log(cluster);
    bool port_taken = log.find("could not bind") != std::string::npos;
    if (!port_taken || attempt == kPortAttempts)
      return Error{failure("starting the embedded PostgreSQL server" + describe_user(cluster.user),
                           *done, done->err + log),
                   ""};
  }
}

pid_t read_postmaster_pid(const Cluster& cluster) {
  std::ifstream in(cluster.data() / "postmaster.pid");
  long pid = -1;
  in >> pid;
  return in ? static_cast<pid_t>(pid) : -1;
}

/// The cleanup: stop the server if it runs, then delete the folder. Tolerates every stage of a
/// half-made cluster.
void stop_and_remove(const Cluster& cluster) {
  pid_t pid = read_postmaster_pid(cluster);
  if (pid > 0) {
    Result<process::Completed> done =
        run_tool(cluster,
                 {cluster.programs.pg_ctl.string(), "stop", "-D", cluster.data().string(), "-m",
                  "immediate", "-w", "-s", "-t", "10"},
                 15s);
    if (!done || !done->success())
      ::kill(pid, SIGKILL);  // last resort: never leave a server behind
  }
  std::error_code ec;
  fs::remove_all(cluster.folder, ec);
}

}  // namespace

ServerSearch ServerSearch::from_environment() {
  const char* path = std::getenv("PATH");
  return ServerSearch{path != nullptr ? path : "", "/usr/lib/postgresql"};
}

Result<ServerPrograms> find_server_programs(const ServerSearch& search) {
  std::istringstream folders(search.path);
  for (std::string folder; std::getline(folders, folder, ':');) {
    if (folder.empty()) continue;
    if (std::optional<ServerPrograms> programs = programs_in(folder)) return *programs;
  }
  if (std::optional<ServerPrograms> programs = newest_installed(search.versions_root))
    return *programs;
  return Error{fmt::format("no PostgreSQL server found for the embedded database: initdb, pg_ctl "
                           "and postgres are neither on PATH nor in {}/<version>/bin; install "
                           "them (apt-get install postgresql) or set database-url",
                           search.versions_root.string()),
               ""};
}

Result<EmbeddedServer> EmbeddedServer::start(const EmbeddedOptions& options) {
  Result<ServerPrograms> programs = find_server_programs(options.search);
  if (!programs) return programs.error();
  Result<ServerUser> user = server_user();
  if (!user) return user.error();
  Result<fs::path> folder = make_folder(temp_root(options.temp_root));
  if (!folder) return folder.error();

  Cluster cluster{*user, *programs, *folder};
  EmbeddedServer server;
  server.folder_ = cluster.folder;
  server.os_user_ = user->name;
  server.cleanup_ =
      process::CleanupGuard("stop the embedded PostgreSQL server in " + cluster.folder.string(),
                            [cluster] { stop_and_remove(cluster); });
  if (user->switch_user && ::chown(cluster.folder.c_str(), user->uid, user->gid) != 0)
    return Error{fmt::format("cannot give {} to user {}: {}", cluster.folder.string(), user->name,
                             std::strerror(errno)),
                 ""};

  if (Status made = init_cluster(cluster, options.start_timeout); !made) return made.error();
  if (Status configured = configure(cluster); !configured) return configured.error();
  Result<int> port = start_server(cluster, options.start_timeout);
  if (!port) return port.error();
  server.port_ = *port;
  server.postmaster_pid_ = read_postmaster_pid(cluster);
  server.url_ = fmt::format("postgresql://postgres@127.0.0.1:{}/postgres", *port);
  return server;
}

}  // namespace ag::pg
