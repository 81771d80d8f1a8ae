// Looking at processes from a test: is a pid still running, and waiting for it to go.
#pragma once

#include <sys/types.h>

#include <chrono>

namespace ag::test {

/// True while `pid` exists and is not a zombie.
bool alive(pid_t pid);

/// Waits up to `limit` for `pid` to be gone (a reparented orphan is reaped by someone else).
bool gone_within(pid_t pid, std::chrono::milliseconds limit);

}  // namespace ag::test
