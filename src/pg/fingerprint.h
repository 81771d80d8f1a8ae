// A catalog fingerprint: one cheap server-side hash of what a snapshot would read.
//
// Later checks compare hundreds of database states per run; they compare fingerprints and take
// full snapshots only to explain a difference. Both are computed from the same catalog facts
// (catalog_facts.h), so equal fingerprints mean equal snapshots.
#pragma once

#include <string>

#include "pg/catalog_facts.h"
#include "pg/connection.h"
#include "util/result.h"

namespace ag::pg {

struct Fingerprint {
  /// The sum of the objects' 64-bit hashes, modulo 2^128. A sum: the difference between the
  /// fingerprints of two states depends only on the rows in which they differ.
  __extension__ unsigned __int128 sum = 0;
  long objects = 0;  ///< How many objects went into it.

  bool operator==(const Fingerprint&) const = default;
  /// The difference between this state and `earlier` (zero when they are equal).
  Fingerprint minus(const Fingerprint& earlier) const {
    return {sum - earlier.sum, objects - earlier.objects};
  }
};

/// A portable fingerprint (fingerprint_query()): one query computed on the server. Contract:
/// `connection` is idle, and no other session changes the database meanwhile; the connection is
/// left idle, its session settings unchanged (the statement stays prepared on it for the next
/// call).
Result<Fingerprint> take_fingerprint(Connection& connection, const SnapshotOptions& options = {});

/// A stored fingerprint (stored_fingerprint_query(): for states of one database) in two halves,
/// so that another session can work on the database while it is computed (the roundtrip check
/// runs the next migrations meanwhile): pin() fixes the state it describes, compute() computes
/// it, maybe on another thread, whatever the other session commits in between.
class PinnedFingerprint {
 public:
  /// Pins the database's catalog as it is now (pin_catalog(): one round trip). Contract:
  /// `connection` is idle and outlives this object, which has it to itself until compute() or
  /// destruction.
  static Result<PinnedFingerprint> pin(Connection& connection, SnapshotOptions options = {});

  PinnedFingerprint(PinnedFingerprint&& other) noexcept;
  PinnedFingerprint& operator=(PinnedFingerprint&&) = delete;
  PinnedFingerprint(const PinnedFingerprint&) = delete;
  PinnedFingerprint& operator=(const PinnedFingerprint&) = delete;
  /// Ends the pin if compute() never did.
  ~PinnedFingerprint();

  /// The fingerprint of the catalog as it was when pinned; ends the pin and leaves the
  /// connection idle. Contract: called once.
  Result<Fingerprint> compute();

 private:
  PinnedFingerprint(Connection& connection, SnapshotOptions options)
      : connection_(&connection), options_(std::move(options)) {}

  Connection* connection_;  ///< Null once the pin has ended (or moved away).
  SnapshotOptions options_;
};

}  // namespace ag::pg
