#include "report/progress.h"

#include <fmt/format.h>

#include "report/reporters.h"

namespace ag {

CheckProgress::CheckProgress(Print print, std::chrono::milliseconds after)
    : print_(std::move(print)), after_(after) {}

CheckProgress::~CheckProgress() {
  stop_watching();
}

void CheckProgress::started(const std::string& check) {
  stop_watching();
  {
    std::lock_guard lock(mutex_);
    running_ = true;
    announced_ = false;
  }
  watcher_ = std::thread([this, check] {
    std::unique_lock lock(mutex_);
    if (done_.wait_for(lock, after_, [this] { return !running_; })) return;
    announced_ = true;
    print_(fmt::format("alembic-gate: {} is running", check));
  });
}

void CheckProgress::finished(const CheckOutcome& outcome) {
  stop_watching();
  if (announced_) {
    print_(fmt::format("alembic-gate: {} {} in {}", outcome.name, status_name(outcome.status),
                       duration_text(outcome.seconds)));
  }
  announced_ = false;
}

void CheckProgress::stop_watching() {
  {
    std::lock_guard lock(mutex_);
    running_ = false;
  }
  done_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

}  // namespace ag
