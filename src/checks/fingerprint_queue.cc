#include "checks/fingerprint_queue.h"

#include "util/stopwatch.h"

namespace ag::checks {

FingerprintQueue::FingerprintQueue(std::vector<pg::Connection*> connections)
    : idle_(std::move(connections)) {}

FingerprintQueue::~FingerprintQueue() {
  std::vector<Done> ignored;
  drain(ignored);
}

Status FingerprintQueue::push(size_t tag, std::optional<std::vector<uint32_t>> locked,
                              std::vector<Done>& done) {
  if (idle_.empty()) finish_oldest(done);
  pg::Connection* connection = idle_.back();
  Result<pg::PinnedFingerprint> pinned =
      pg::PinnedFingerprint::pin(*connection, {}, std::move(locked));
  if (!pinned) return pinned.error();
  idle_.pop_back();
  ++count_;
  // The future is taken before the promise moves into the lambda: captures are initialized in
  // no order the language promises.
  std::promise<void> ready;
  std::shared_future<void> before = std::exchange(sums_ready_, ready.get_future().share());
  auto compute = [this, pinned = std::move(*pinned), before = std::move(before),
                  ready = std::move(ready)]() mutable {
    if (before.valid()) before.wait();  // the sums are at the state pushed before
    Stopwatch stopwatch;
    Result<pg::Fingerprint> fingerprint = pinned.compute(sums_);
    ready.set_value();
    return std::pair{std::move(fingerprint), stopwatch.seconds()};
  };
  in_flight_.push_back({tag, connection, std::async(std::launch::async, std::move(compute))});
  return ok();
}

void FingerprintQueue::drain(std::vector<Done>& done) {
  while (!in_flight_.empty()) finish_oldest(done);
}

void FingerprintQueue::finish_oldest(std::vector<Done>& done) {
  InFlight& oldest = in_flight_.front();
  Stopwatch waiting;
  auto [fingerprint, seconds] = oldest.computing.get();
  wait_seconds_ += waiting.seconds();
  compute_seconds_ += seconds;
  done.push_back({oldest.tag, std::move(fingerprint)});
  idle_.push_back(oldest.connection);
  in_flight_.pop_front();
}

}  // namespace ag::checks
