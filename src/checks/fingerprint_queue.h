// Stored fingerprints of the successive states of a database that the caller keeps changing.
//
// The roundtrip check fingerprints the catalog after every step. Each fingerprint is pinned on
// the state it describes (pg::PinnedFingerprint) and computed on a thread of its own, on a
// connection of its own, while the next steps run: migrations and fingerprints use both cores.
// Each is computed from the one before (pg::RelationSums), reading again only the relations the
// steps in between locked, so the computations take turns: each waits for the one before to
// have brought the sums to its state.
#pragma once

#include <cstddef>
#include <deque>
#include <future>
#include <optional>
#include <utility>
#include <vector>

#include "pg/connection.h"
#include "pg/fingerprint.h"
#include "util/result.h"

namespace ag::checks {

class FingerprintQueue {
 public:
  /// A fingerprint, computed, with the tag it was asked for with.
  struct Done {
    size_t tag = 0;
    Result<pg::Fingerprint> fingerprint;
  };

  /// At most one fingerprint in flight per connection. Contract: the connections are idle, not
  /// empty, and outlive the queue, which has them to itself.
  explicit FingerprintQueue(std::vector<pg::Connection*> connections);
  FingerprintQueue(const FingerprintQueue&) = delete;
  FingerprintQueue& operator=(const FingerprintQueue&) = delete;
  /// Waits for the fingerprints still in flight.
  ~FingerprintQueue();

  /// Pins the database's state as it is now and starts computing its fingerprint. `locked`: the
  /// relations the transactions since the state last pushed locked (everything is read when
  /// unknown, or for the first state). When every connection is busy it first waits for the
  /// oldest fingerprint, appended to `done`. A pin that fails is the error (nothing started).
  Status push(size_t tag, std::optional<std::vector<uint32_t>> locked, std::vector<Done>& done);

  /// Waits for every fingerprint in flight and appends them to `done`, oldest first.
  void drain(std::vector<Done>& done);

  int count() const { return count_; }
  /// How many of them read the whole catalog (the others only the relations steps locked).
  /// Contract: nothing in flight.
  int whole_reads() const { return sums_.whole_reads(); }
  /// Time spent computing fingerprints (on their threads), and waiting for them (the caller's).
  double compute_seconds() const { return compute_seconds_; }
  double wait_seconds() const { return wait_seconds_; }

 private:
  struct InFlight {
    size_t tag;
    pg::Connection* connection;
    std::future<std::pair<Result<pg::Fingerprint>, double>> computing;  ///< And its seconds.
  };

  /// Waits for the oldest fingerprint in flight and appends it to `done`.
  void finish_oldest(std::vector<Done>& done);

  std::vector<pg::Connection*> idle_;
  std::deque<InFlight> in_flight_;  ///< Oldest first.
  /// The parts of the state last computed: used by one computation at a time, in push order.
  pg::RelationSums sums_;
  std::shared_future<void> sums_ready_;  ///< Set when the last computation pushed is done.
  int count_ = 0;
  double compute_seconds_ = 0, wait_seconds_ = 0;
};

}  // namespace ag::checks
