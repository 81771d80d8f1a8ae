// Progress for a terminal: which check is running, once one takes longer than a second.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/report.h"

namespace ag {

/// Watches one check at a time. A check still running `after` its start gets a line
/// ("alembic-gate: roundtrip is running"), and the same check a second one when it ends
/// ("alembic-gate: roundtrip failed in 12.3 s"); quick checks get none. Lines go to `print`,
/// from a watcher thread for the first, so `print` must be safe to call from any thread.
class CheckProgress {
 public:
  using Print = std::function<void(const std::string&)>;

  explicit CheckProgress(Print print, std::chrono::milliseconds after = std::chrono::seconds(1));
  ~CheckProgress();
  CheckProgress(const CheckProgress&) = delete;
  CheckProgress& operator=(const CheckProgress&) = delete;

  void started(const std::string& check);
  void finished(const CheckOutcome& outcome);

 private:
  Print print_;
  std::chrono::milliseconds after_;
  std::mutex mutex_;
  std::condition_variable done_;
  bool running_ = false;
  bool announced_ = false;
  std::thread watcher_;

  void stop_watching();
};

}  // namespace ag
