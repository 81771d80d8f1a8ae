#include "process/interrupts.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace ag::process {
namespace {

using namespace std::chrono_literals;

// What ends a run with its cleanup: Ctrl-C, kill, a closed terminal, Ctrl-\.
constexpr int kInterrupts[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr auto kGroupGrace = 1s;      // for forwarded children to exit before SIGKILL
constexpr auto kInFlightLimit = 10s;  // for cleanups other threads were running

// Touched by the signal handler: lock-free atomics and a file descriptor only.
std::atomic<int> g_signal{0};
std::atomic<int> g_pipe_write{-1};
static_assert(std::atomic<int>::is_always_lock_free);

// Cleanup code (the watcher, or a thread inside CleanupGuard::run) is never parked.
thread_local int t_cleaning = 0;

struct Cleanup {
  std::string what;
  std::function<void()> fn;
};

// Everything registered; ids grow, so map order is registration order.
class Registry {
 public:
  std::uint64_t add_cleanup(Cleanup cleanup) {
    std::unique_lock lock = enter();
    std::uint64_t id = next_id_++;
    cleanups_.emplace(id, std::move(cleanup));
    return id;
  }

  std::uint64_t add_group(pid_t pgid) {
    std::unique_lock lock = enter();
    std::uint64_t id = next_id_++;
    groups_.emplace(id, pgid);
    return id;
  }

  void remove_group(std::uint64_t id) {
    std::unique_lock lock = enter();
    groups_.erase(id);
  }

  /// Takes the cleanup out (nullopt when it is gone) and counts it as running.
  std::optional<Cleanup> start_cleanup(std::uint64_t id) {
    std::unique_lock lock = enter();
    auto it = cleanups_.find(id);
    if (it == cleanups_.end()) return std::nullopt;
    Cleanup cleanup = std::move(it->second);
    cleanups_.erase(it);
    ++in_flight_;
    return cleanup;
  }

  void finish_cleanup() {
    std::lock_guard lock(mutex_);
    --in_flight_;
    idle_.notify_all();
  }

  void drop_cleanup(std::uint64_t id) {
    std::unique_lock lock = enter();
    cleanups_.erase(id);
  }

  /// Marks the interrupt and hands over everything registered so far.
  std::pair<std::vector<pid_t>, std::vector<Cleanup>> begin_interrupt() {
    std::lock_guard lock(mutex_);
    interrupting_ = true;
    std::vector<pid_t> groups;
    for (auto& [id, pgid] : groups_) groups.push_back(pgid);
    std::vector<Cleanup> cleanups;
    for (auto& [id, cleanup] : cleanups_) cleanups.push_back(std::move(cleanup));
    groups_.clear();
    cleanups_.clear();
    return {std::move(groups), std::move(cleanups)};
  }

  void wait_for_running_cleanups() {
    std::unique_lock lock(mutex_);
    idle_.wait_for(lock, kInFlightLimit, [&] { return in_flight_ == 0; });
  }

 private:
  /// The lock, unless an interrupt is being handled and this thread is not cleaning up: then
  /// the thread stops here until the watcher exits the process.
  std::unique_lock<std::mutex> enter() {
    std::unique_lock lock(mutex_);
    if (interrupting_ && t_cleaning == 0) {
      lock.unlock();
      for (;;) std::this_thread::sleep_for(1h);
    }
    return lock;
  }

  std::mutex mutex_;
  std::condition_variable idle_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Cleanup> cleanups_;
  std::map<std::uint64_t, pid_t> groups_;
  int in_flight_ = 0;
  bool interrupting_ = false;
};

// Never destroyed: the watcher may use it while static destructors run.
Registry& registry() {
  static Registry* instance = new Registry;
  return *instance;
}

extern "C" void on_interrupt(int signo) {
  int saved_errno = errno;
  int none = 0;
  g_signal.compare_exchange_strong(none, signo);
  char byte = 1;
  ssize_t written = ::write(g_pipe_write.load(), &byte, 1);
  (void)written;  // a full pipe already holds a wake-up
  errno = saved_errno;
}

bool leader_exited(pid_t pgid) {
  siginfo_t info{};
  // WNOWAIT: the zombie keeps the group id reserved until its owner reaps it.
  if (::waitid(P_PID, static_cast<id_t>(pgid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
    return true;  // not our child (any more): nothing to wait for
  return info.si_pid != 0;
}

void stop_groups(const std::vector<pid_t>& groups, int signo) {
  for (pid_t pgid : groups) ::kill(-pgid, signo);
  auto give_up = std::chrono::steady_clock::now() + kGroupGrace;
  auto all_exited = [&] {
    for (pid_t pgid : groups) {
      if (!leader_exited(pgid)) return false;
    }
    return true;
  };
  while (!all_exited() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(10ms);
  // Also reaches grandchildren that outlive their parent in the group.
  for (pid_t pgid : groups) ::kill(-pgid, SIGKILL);
}

void say(const char* text) {
  std::fputs(text, stderr);
  std::fflush(stderr);
}

[[noreturn]] void handle_interrupt(int signo) {
  say(signo == SIGINT    ? "alembic-gate: interrupted (SIGINT), cleaning up\n"
      : signo == SIGHUP  ? "alembic-gate: hung up (SIGHUP), cleaning up\n"
      : signo == SIGQUIT ? "alembic-gate: quit (SIGQUIT), cleaning up\n"
                         : "alembic-gate: terminated (SIGTERM), cleaning up\n");
  auto [groups, cleanups] = registry().begin_interrupt();
  // Children get SIGINT or SIGTERM: SIGQUIT would make a Python dump core in the project.
  stop_groups(groups, signo == SIGINT ? SIGINT : SIGTERM);
  for (auto it = cleanups.rbegin(); it != cleanups.rend(); ++it) {
    try {
      it->fn();
    } catch (...) {
      say(("alembic-gate: cleanup failed: " + it->what + "\n").c_str());
    }
  }
  registry().wait_for_running_cleanups();
  std::fflush(stdout);
  std::fflush(stderr);
  ::_exit(128 + signo);
}

void watch(int read_fd) {
  t_cleaning = 1;
  char byte = 0;
  for (;;) {
    ssize_t n = ::read(read_fd, &byte, 1);
    if (n == 1 && g_signal.load() != 0) handle_interrupt(g_signal.load());
    if (n == 0 || (n < 0 && errno != EINTR))
      return;  // cannot happen while we hold the write end; nothing left to watch
  }
}

}  // namespace

void install_interrupt_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "interrupt pipe");
    ::fcntl(fds[1], F_SETFL, O_NONBLOCK);  // the handler must never block
    g_pipe_write.store(fds[1]);
    std::thread(watch, fds[0]).detach();
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int signo : kInterrupts) sigaddset(&action.sa_mask, signo);
    for (int signo : kInterrupts) {
      // A signal ignored at start stays ignored (nohup, a shell's background job).
      struct sigaction was {};
      ::sigaction(signo, nullptr, &was);
      if (was.sa_handler != SIG_IGN) ::sigaction(signo, &action, nullptr);
    }
  });
}

int interrupt_signal() {
  return g_signal.load();
}

CleanupGuard::CleanupGuard(std::string what, std::function<void()> cleanup)
    : id_(registry().add_cleanup(Cleanup{std::move(what), std::move(cleanup)})) {}

CleanupGuard::CleanupGuard(CleanupGuard&& other) noexcept : id_(std::exchange(other.id_, 0)) {}

CleanupGuard& CleanupGuard::operator=(CleanupGuard&& other) noexcept {
  if (this != &other) {
    run();
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void CleanupGuard::run() {
  if (id_ == 0) return;
  std::optional<Cleanup> cleanup = registry().start_cleanup(std::exchange(id_, 0));
  if (!cleanup) return;  // the watcher ran it
  ++t_cleaning;
  try {
    cleanup->fn();
  } catch (...) {
    // A cleanup has nowhere to report to; the caller's own error matters more.
  }
  --t_cleaning;
  registry().finish_cleanup();
}

void CleanupGuard::dismiss() {
  if (id_ != 0) registry().drop_cleanup(std::exchange(id_, 0));
}

ProcessGroupGuard::ProcessGroupGuard(pid_t pgid) : id_(registry().add_group(pgid)) {}

ProcessGroupGuard::ProcessGroupGuard(ProcessGroupGuard&& other) noexcept
    : id_(std::exchange(other.id_, 0)) {}

ProcessGroupGuard& ProcessGroupGuard::operator=(ProcessGroupGuard&& other) noexcept {
  if (this != &other) {
    release();
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void ProcessGroupGuard::release() {
  if (id_ != 0) registry().remove_group(std::exchange(id_, 0));
}

}  // namespace ag::process
