#include "process/interrupts.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "support/process_probe.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "process/subprocess.h"

namespace ag::process {
namespace {

using test::alive;
using test::gone_within;

using namespace std::chrono_literals;

TEST_CASE("a cleanup guard runs its cleanup exactly once") {
  int runs = 0;
  {
    CleanupGuard guard("count", [&] { ++runs; });
    CHECK(guard.active());
    guard.run();
    guard.run();
    CHECK_FALSE(guard.active());
  }
  CHECK(runs == 1);
  {
    CleanupGuard guard("count", [&] { ++runs; });
  }
  CHECK(runs == 2);
}

TEST_CASE("a dismissed cleanup guard does not run") {
  int runs = 0;
  {
    CleanupGuard guard("count", [&] { ++runs; });
    guard.dismiss();
  }
  CHECK(runs == 0);
}

TEST_CASE("moving a cleanup guard moves the duty, assigning runs the replaced one") {
  std::string log;
  {
    CleanupGuard first("a", [&] { log += "a"; });
    CleanupGuard second(std::move(first));
    CHECK_FALSE(first.active());  // NOLINT(bugprone-use-after-move): checking exactly that
    second = CleanupGuard("b", [&] { log += "b"; });
    CHECK(log == "a");
  }
  CHECK(log == "ab");
}

TEST_CASE("a throwing cleanup is contained") {
  CleanupGuard guard("throws", [] { throw std::runtime_error("boom"); });
  CHECK_NOTHROW(guard.run());
}

/// A forked copy of this test process that installs the handlers, registers `setup`'s guards,
/// reports "ready" on a pipe and waits to be signalled. Returns the child's pid and the read
/// end of the pipe. The child never returns into doctest: it leaves through the interrupt
/// watcher (128+signo) or _exit(99).
template <class Setup>
std::pair<pid_t, int> forked_program(Setup setup) {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  std::fflush(nullptr);  // or the child would write our buffered output a second time
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    int out = fds[1];
    install_interrupt_handlers();
    auto say = [out](const std::string& text) {
      std::string line = text + "\n";
      if (::write(out, line.data(), line.size()) < 0) ::_exit(98);
    };
    setup(say);
    say("ready");
    for (int i = 0; i < 600; ++i) std::this_thread::sleep_for(100ms);
    ::_exit(99);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

/// Reads lines from `fd` until "ready"; returns them (without "ready").
std::vector<std::string> read_until_ready(int fd) {
  std::vector<std::string> lines;
  std::string current;
  char c = 0;
  while (::read(fd, &c, 1) == 1) {
    if (c != '\n') {
      current += c;
      continue;
    }
    if (current == "ready") return lines;
    lines.push_back(current);
    current.clear();
  }
  FAIL("the forked program ended before it was ready");
  return lines;
}

std::string read_rest(int fd) {
  std::string text;
  char buffer[256];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
    text.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  return text;
}

int exit_code_of(pid_t pid) {
  int raw = 0;
  REQUIRE(::waitpid(pid, &raw, 0) == pid);
  REQUIRE_MESSAGE(WIFEXITED(raw), "killed by signal " << WTERMSIG(raw));
  return WEXITSTATUS(raw);
}

TEST_CASE("SIGTERM runs the cleanups once, newest first, and exits with 143") {
  auto [pid, fd] = forked_program([](auto say) {
    // Leaked on purpose: the process leaves through the watcher, not through scope exit.
    new CleanupGuard("first", [say] { say("first"); });
    new CleanupGuard("second", [say] { say("second"); });
    auto* done = new CleanupGuard("ran early", [say] { say("ran early"); });
    done->run();  // already ran: the signal must not run it again
    new CleanupGuard("third", [say] { say("third"); });
  });
  CHECK(read_until_ready(fd) == std::vector<std::string>{"ran early"});
  ::kill(pid, SIGTERM);
  CHECK(read_rest(fd) == "third\nsecond\nfirst\n");
  CHECK(exit_code_of(pid) == 128 + SIGTERM);
}

TEST_CASE("SIGINT stops registered child process groups before the cleanups run") {
  auto [pid, fd] = forked_program([](auto say) {
    // A child whose grandchild ignores SIGINT: the group is SIGKILLed after the grace period.
    auto* child = new Subprocess(std::move(
        Subprocess::spawn({"sh", "-c", "trap '' INT; sleep 60 & echo trapped; sleep 60"}).value()));
    if (!child->read_line(deadline_after(10s)).ok())  // the trap is set
      ::_exit(96);
    say(std::to_string(child->pid()));
    new CleanupGuard("report", [say] { say("cleanup"); });
  });
  std::vector<std::string> lines = read_until_ready(fd);
  REQUIRE(lines.size() == 1);
  pid_t child = std::stoi(lines[0]);
  CHECK(alive(child));
  auto start = std::chrono::steady_clock::now();
  ::kill(pid, SIGINT);
  CHECK(read_rest(fd) == "cleanup\n");
  CHECK(exit_code_of(pid) == 128 + SIGINT);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= 1s);  // the shell ignored SIGINT: SIGKILL came after the grace period
  CHECK(took < 5s);
  CHECK(gone_within(child, 2s));
  // Nothing left of the group, the grandchild included (once init reaped the zombie leader).
  auto end = std::chrono::steady_clock::now() + 2s;
  while (::kill(-child, 0) == 0 && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(10ms);
  CHECK(::kill(-child, 0) != 0);
}

TEST_CASE("a second signal during the cleanups does not cut them short") {
  auto [pid, fd] = forked_program([](auto say) {
    new CleanupGuard("slow", [say] {
      say("slow started");
      std::this_thread::sleep_for(300ms);
      say("slow finished");
    });
  });
  read_until_ready(fd);
  ::kill(pid, SIGTERM);
  std::this_thread::sleep_for(100ms);
  ::kill(pid, SIGINT);
  CHECK(read_rest(fd) == "slow started\nslow finished\n");
  CHECK(exit_code_of(pid) == 128 + SIGTERM);
}

}  // namespace
}  // namespace ag::process
