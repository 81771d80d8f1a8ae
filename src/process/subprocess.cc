#include "process/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <system_error>
#include <utility>

#include "process/interrupts.h"

extern char** environ;  // NOLINT: POSIX declares it nowhere

namespace ag::process {
namespace {

using namespace std::chrono_literals;

/// Owns one file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

/// posix_spawn_file_actions_t with its destroy.
class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
};

/// posix_spawnattr_t with its destroy.
class SpawnAttributes {
 public:
  SpawnAttributes() { posix_spawnattr_init(&attributes_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  ~SpawnAttributes() { posix_spawnattr_destroy(&attributes_); }
  posix_spawnattr_t* get() { return &attributes_; }

 private:
  posix_spawnattr_t attributes_{};
};

/// Both ends of a pipe; ours is non-blocking, both are close-on-exec (the child's end loses the
/// flag when dup2'ed onto 0, 1 or 2).
struct PipeEnds {
  UniqueFd read;
  UniqueFd write;
};

Result<PipeEnds> make_pipe(bool parent_reads) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return Error{fmt::format("cannot create a pipe: {}", std::strerror(errno)), ""};
  PipeEnds ends{UniqueFd(fds[0]), UniqueFd(fds[1])};
  int ours = parent_reads ? fds[0] : fds[1];
  ::fcntl(ours, F_SETFL, ::fcntl(ours, F_GETFL) | O_NONBLOCK);
  return ends;
}

/// A child that closes its stdin must not kill us with SIGPIPE: writes fail with EPIPE instead.
/// Leaves a handler someone else installed alone.
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    ::sigaction(SIGPIPE, nullptr, &current);
    if (current.sa_handler == SIG_DFL) ::signal(SIGPIPE, SIG_IGN);
  });
}

/// "NAME=value" strings: our environment with `changes` applied.
std::vector<std::string> child_environment(
    const std::map<std::string, std::optional<std::string>>& changes) {
  std::vector<std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    std::string name(text.substr(0, text.find('=')));
    if (!changes.contains(name)) out.emplace_back(text);
  }
  for (const auto& [name, value] : changes) {
    if (value) out.push_back(name + "=" + *value);
  }
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// The first file named `program` in a folder of the PATH-style list `path` that passes
/// `accept`, or nullopt.
template <class Accept>
std::optional<std::string> find_on_path(const std::string& program, std::string_view path,
                                        Accept accept) {
  while (true) {
    std::size_t colon = path.find(':');
    std::string folder(path.substr(0, colon));
    std::string candidate = (folder.empty() ? std::string(".") : folder) + "/" + program;
    if (accept(candidate)) return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    path.remove_prefix(colon + 1);
  }
}

bool is_executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

/// The error for a failed spawn of `program` searched on `path` (nullopt: not searched).
/// A search fails with EACCES also when only some PATH folder was unreadable.
Error spawn_error(const std::string& program, std::optional<std::string_view> path, int error) {
  bool missing =
      error == ENOENT || (path && error == EACCES && !find_on_path(program, *path, exists));
  if (missing)
    return Error{fmt::format("program not found: {}{}", program, path ? " (not on PATH)" : ""), ""};
  return Error{fmt::format("cannot run {}: {}", program, std::strerror(error)), ""};
}

/// Connects the child's `target` fd (0, 1 or 2) as asked; `child_end` is its end of a pipe.
void connect_stream(FileActions& actions, int target, Stream stream, const UniqueFd& child_end) {
  if (stream == Stream::pipe) {
    posix_spawn_file_actions_adddup2(actions.get(), child_end.get(), target);
  } else if (stream == Stream::null) {
    posix_spawn_file_actions_addopen(actions.get(), target, "/dev/null",
                                     target == 0 ? O_RDONLY : O_WRONLY, 0);
  } else if (stream == Stream::to_stdout) {
    posix_spawn_file_actions_adddup2(actions.get(), 1, target);  // after fd 1 is connected
  }
}

/// Own process group (so a timeout can kill the whole tree and a terminal's Ctrl-C reaches it
/// only through us), an empty signal mask and default dispositions: ignoring SIGPIPE or a
/// blocked SIGTERM of ours must not leak into the child.
void set_attributes(SpawnAttributes& attributes) {
  posix_spawnattr_setflags(attributes.get(),
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(attributes.get(), 0);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(attributes.get(), &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int signo : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM,
                    SIGTSTP, SIGTTIN, SIGTTOU})
    sigaddset(&defaults, signo);
  posix_spawnattr_setsigdefault(attributes.get(), &defaults);
}

ExitStatus status_from(const siginfo_t& info) {
  if (info.si_code == CLD_EXITED) return ExitStatus{info.si_status, 0};
  return ExitStatus{-1, info.si_status};
}

ExitStatus status_from_wait(int raw) {
  if (WIFEXITED(raw)) return ExitStatus{WEXITSTATUS(raw), 0};
  return ExitStatus{-1, WIFSIGNALED(raw) ? WTERMSIG(raw) : 0};
}

/// Milliseconds for poll() until `deadline` (-1: none), at most `cap` when cap >= 0.
int poll_timeout(Deadline deadline, int cap) {
  int wait = -1;
  if (deadline != kNoDeadline) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    wait = static_cast<int>(std::clamp<long long>(left, 0, INT_MAX));
  }
  if (cap >= 0 && (wait < 0 || wait > cap)) wait = cap;
  return wait;
}

/// Bytes read from a pipe, consumed from the front without moving the rest on every line.
struct Buffer {
  std::string data;
  std::size_t start = 0;  ///< Consumed before this.

  [[nodiscard]] std::string_view unread() const { return std::string_view(data).substr(start); }
  std::string take(std::size_t count) {
    std::string out = data.substr(start, count);
    start += count;
    if (start == data.size()) {
      data.clear();
      start = 0;
    } else if (start > 65536 && start > data.size() / 2) {
      data.erase(0, start);
      start = 0;
    }
    return out;
  }
};

}  // namespace

Deadline deadline_after(std::optional<std::chrono::milliseconds> timeout) {
  if (!timeout) return kNoDeadline;
  Deadline now = Clock::now();
  if (*timeout >= std::chrono::duration_cast<std::chrono::milliseconds>(kNoDeadline - now))
    return kNoDeadline;
  return now + *timeout;
}

std::string ExitStatus::describe() const {
  if (signal == 0) return fmt::format("exit code {}", code);
  const char* name = sigabbrev_np(signal);
  return name != nullptr ? fmt::format("killed by SIG{}", name)
                         : fmt::format("killed by signal {}", signal);
}

struct Subprocess::State {
  pid_t pid = -1;
  std::string program;
  UniqueFd pidfd;  ///< Readable when the child ends; none where pidfd_open is unavailable.
  UniqueFd in;
  std::string input;  ///< Being written to `in`.
  std::size_t input_written = 0;
  bool stdin_broken = false;
  UniqueFd out;
  UniqueFd err;
  Buffer out_data;
  Buffer err_data;
  std::optional<ExitStatus> status;  ///< Seen with WNOWAIT: the zombie still holds the group id.
  bool reaped = false;
  std::chrono::milliseconds kill_grace{2000};
  ProcessGroupGuard group_guard;  ///< Released just before reaping.

  [[nodiscard]] bool input_pending() const { return input_written < input.size(); }

  /// Moves bytes until `done()`; false when the deadline came first.
  template <class Done>
  bool pump(Deadline deadline, Done done) {
    while (!done()) {
      if (!pump_once(deadline)) return done();
    }
    return true;
  }

  /// One poll() round over the open pipes and the pidfd; false when the deadline has passed
  /// or there is nothing left to wait for.
  bool pump_once(Deadline deadline) {
    if (Clock::now() >= deadline) return false;
    std::array<pollfd, 4> fds{};
    std::size_t count = 0;
    auto add = [&](const UniqueFd& fd, short events) {
      fds[count++] = pollfd{fd.get(), events, 0};
    };
    if (in && input_pending()) add(in, POLLOUT);
    if (out) add(out, POLLIN);
    if (err) add(err, POLLIN);
    bool watch_exit = !status && !reaped;
    if (watch_exit && pidfd) add(pidfd, POLLIN);
    if (count == 0 && !watch_exit) return false;
    // Without a pidfd the end of the child is noticed by looking every 10 ms.
    int cap = watch_exit && !pidfd ? 10 : -1;
    int ready = ::poll(fds.data(), count, poll_timeout(deadline, cap));
    if (ready < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "poll");
    for (std::size_t i = 0; ready > 0 && i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in.get())
        write_some();
      else if (fds[i].fd == out.get())
        read_some(out, out_data);
      else if (fds[i].fd == err.get())
        read_some(err, err_data);
    }
    if (watch_exit) observe_exit();
    return true;
  }

  /// Reads what is there (bounded, so one busy pipe cannot starve the other); closes at EOF.
  static void read_some(UniqueFd& fd, Buffer& buffer) {
    std::array<char, 65536> chunk;
    for (int round = 0; round < 16; ++round) {
      ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
      if (n > 0) {
        buffer.data.append(chunk.data(), static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n == 0 || errno != EAGAIN) fd.reset();  // EOF, or an error that no retry fixes
      return;
    }
  }

  void write_some() {
    ssize_t n = ::write(in.get(), input.data() + input_written, input.size() - input_written);
    if (n > 0) {
      input_written += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      stdin_broken = true;  // EPIPE: nobody reads any more
      drop_input();
      in.reset();
    }
  }

  void drop_input() {
    input.clear();
    input_written = 0;
  }

  void observe_exit() {
    if (status || reaped) return;
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid)
      status = status_from(info);
  }

  ExitStatus reap() {
    if (reaped) return *status;
    group_guard.release();  // before the group id can be reused
    int raw = 0;
    while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
    }
    if (!status) status = status_from_wait(raw);
    reaped = true;
    pidfd.reset();
    return *status;
  }

  void signal_group(int signo) const {
    if (!reaped) ::kill(-pid, signo);
  }

  ExitStatus terminate(std::chrono::milliseconds grace) {
    if (reaped) return *status;
    if (!status) {
      signal_group(SIGTERM);
      pump(deadline_after(grace), [&] { return status.has_value(); });
    }
    signal_group(SIGKILL);
    pump(kNoDeadline, [&] { return status.has_value(); });
    return reap();
  }
};

Result<Subprocess> Subprocess::spawn(const std::vector<std::string>& argv, const Options& options) {
  if (argv.empty()) return Error{"no program to run", ""};
  const std::string& program = argv.front();
  std::error_code ec;
  if (!options.cwd.empty() && !std::filesystem::is_directory(options.cwd, ec))
    return Error{fmt::format("cannot run {}: no such directory: {}", program, options.cwd.string()),
                 ""};
  ignore_sigpipe_once();

  auto state = std::make_unique<State>();
  PipeEnds in_pipe, out_pipe, err_pipe;
  for (auto [stream, ends, parent_reads] : {std::tuple{options.stdin_stream, &in_pipe, false},
                                            std::tuple{options.stdout_stream, &out_pipe, true},
                                            std::tuple{options.stderr_stream, &err_pipe, true}}) {
    if (stream != Stream::pipe) continue;
    Result<PipeEnds> made = make_pipe(parent_reads);
    if (!made) return made.error();
    *ends = std::move(*made);
  }
  FileActions actions;
  connect_stream(actions, 0, options.stdin_stream, in_pipe.read);
  connect_stream(actions, 1, options.stdout_stream, out_pipe.write);
  connect_stream(actions, 2, options.stderr_stream, err_pipe.write);
  if (!options.cwd.empty())
    posix_spawn_file_actions_addchdir_np(actions.get(), options.cwd.c_str());
  SpawnAttributes attributes;
  set_attributes(attributes);

  std::vector<std::string> args = argv;
  std::vector<std::string> env = child_environment(options.env);
  std::vector<char*> c_args = c_strings(args);
  std::vector<char*> c_env = c_strings(env);
  // posix_spawnp searches our PATH; a PATH given to the child is searched here instead.
  std::string file = program;
  std::optional<std::string> search_path;
  if (program.find('/') == std::string::npos) {
    auto path_override = options.env.find("PATH");
    const char* own_path = std::getenv("PATH");
    search_path = path_override != options.env.end() ? path_override->second.value_or("")
                  : own_path != nullptr              ? own_path
                                                     : "/bin:/usr/bin";
  }
  bool spawnp = search_path && !options.env.contains("PATH");
  if (search_path && !spawnp) {
    std::optional<std::string> found = find_on_path(program, *search_path, is_executable);
    if (!found) return spawn_error(program, search_path, ENOENT);
    file = *found;
  }
  pid_t pid = -1;
  int error = spawnp ? posix_spawnp(&pid, file.c_str(), actions.get(), attributes.get(),
                                    c_args.data(), c_env.data())
                     : posix_spawn(&pid, file.c_str(), actions.get(), attributes.get(),
                                   c_args.data(), c_env.data());
  if (error != 0) return spawn_error(program, search_path, error);

  state->pid = pid;
  state->group_guard = ProcessGroupGuard(pid);
  state->program = program;
  state->pidfd = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  state->in = std::move(in_pipe.write);
  state->out = std::move(out_pipe.read);
  state->err = std::move(err_pipe.read);
  state->kill_grace = options.kill_grace;
  return Subprocess(std::move(state));
}

Subprocess::Subprocess(std::unique_ptr<State> state) : state_(std::move(state)) {}

Subprocess::Subprocess(Subprocess&& other) noexcept = default;

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    if (state_) state_->terminate(state_->kill_grace);
    state_ = std::move(other.state_);
  }
  return *this;
}

Subprocess::~Subprocess() {
  if (state_) state_->terminate(state_->kill_grace);
}

pid_t Subprocess::pid() const {
  return state_->pid;
}

const std::string& Subprocess::program() const {
  return state_->program;
}

Status Subprocess::write(std::string_view data, Deadline deadline) {
  State& s = *state_;
  if (!s.in)
    return Error{fmt::format("cannot write to {}: its standard input is not open", s.program), ""};
  s.input.assign(data);
  s.input_written = 0;
  bool written = s.pump(deadline, [&] { return !s.input_pending() || s.stdin_broken; });
  if (s.stdin_broken) return Error{fmt::format("{} closed its standard input", s.program), ""};
  if (!written) {
    s.drop_input();
    return Error{fmt::format("timed out writing to {}", s.program), ""};
  }
  s.drop_input();
  return ok();
}

void Subprocess::close_stdin() {
  state_->in.reset();
  state_->drop_input();
}

Result<std::optional<std::string>> Subprocess::read_line(Deadline deadline) {
  State& s = *state_;
  std::size_t scanned = 0;  // of unread(), known to hold no '\n'
  std::size_t newline = std::string_view::npos;
  auto line_or_eof = [&] {
    std::string_view unread = s.out_data.unread();
    newline = unread.find('\n', scanned);
    scanned = unread.size();
    return newline != std::string_view::npos || !s.out;
  };
  if (!s.pump(deadline, line_or_eof))
    return Error{fmt::format("timed out waiting for output from {}", s.program), ""};
  if (newline != std::string_view::npos) {
    std::string line = s.out_data.take(newline + 1);
    line.pop_back();
    return std::optional<std::string>(std::move(line));
  }
  if (s.out_data.unread().empty()) return std::optional<std::string>();
  return std::optional<std::string>(s.out_data.take(s.out_data.unread().size()));
}

bool Subprocess::read_to_end(Deadline deadline) {
  State& s = *state_;
  return s.pump(deadline, [&] { return !s.out && !s.err; });
}

std::string_view Subprocess::stdout_buffer() const {
  return state_->out_data.unread();
}

std::string_view Subprocess::stderr_buffer() const {
  return state_->err_data.unread();
}

std::string Subprocess::take_stdout() {
  return state_->out_data.take(state_->out_data.unread().size());
}

std::string Subprocess::take_stderr() {
  return state_->err_data.take(state_->err_data.unread().size());
}

std::optional<ExitStatus> Subprocess::wait(Deadline deadline) {
  State& s = *state_;
  if (!s.pump(deadline, [&] { return s.status.has_value(); })) return std::nullopt;
  return s.reap();
}

std::optional<ExitStatus> Subprocess::wait_and_end_group(Deadline deadline) {
  State& s = *state_;
  if (!s.pump(deadline, [&] { return s.status.has_value(); })) return std::nullopt;
  s.signal_group(SIGKILL);  // the exited leader keeps the group id until it is reaped
  return s.reap();
}

ExitStatus Subprocess::terminate(std::chrono::milliseconds grace) {
  return state_->terminate(grace);
}

void Subprocess::signal_group(int signo) const {
  state_->signal_group(signo);
}

bool Subprocess::running() {
  state_->observe_exit();
  return !state_->status.has_value();
}

Result<Completed> run(const std::vector<std::string>& argv, const Options& options) {
  Options spawn_options = options;
  if (!options.input.empty()) spawn_options.stdin_stream = Stream::pipe;
  Result<Subprocess> child = Subprocess::spawn(argv, spawn_options);
  if (!child) return child.error();
  Deadline deadline = deadline_after(options.timeout);
  Completed done;
  bool fed = true;
  if (!options.input.empty()) {
    // A child that exits without reading all of its input is not an error here.
    Status written = child->write(options.input, deadline);
    fed = written.ok() || Clock::now() < deadline;
  }
  if (spawn_options.stdin_stream == Stream::pipe) child->close_stdin();
  std::optional<ExitStatus> status;
  if (fed && child->read_to_end(deadline)) status = child->wait(deadline);
  if (status) {
    done.status = *status;
  } else {
    done.timed_out = true;
    done.status = child->terminate(options.kill_grace);
    child->read_to_end(deadline_after(100ms));  // what the killed group wrote last
  }
  done.out = child->take_stdout();
  done.err = child->take_stderr();
  return done;
}

}  // namespace ag::process
