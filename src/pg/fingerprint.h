// A catalog fingerprint: one cheap server-side hash of what a snapshot would read.
//
// Later checks compare hundreds of database states per run; they compare fingerprints and take
// full snapshots only to explain a difference. Both are computed from the same catalog facts
// (catalog_facts.h), so equal fingerprints mean equal snapshots.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

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
  Fingerprint plus(const Fingerprint& other) const {
    return {sum + other.sum, objects + other.objects};
  }
};

/// A portable fingerprint (fingerprint_query()): one query computed on the server. Contract:
/// `connection` is idle, and no other session changes the database meanwhile; the connection is
/// left idle, its session settings unchanged (the statement stays prepared on it for the next
/// call).
Result<Fingerprint> take_fingerprint(Connection& connection, const SnapshotOptions& options = {});

/// The parts of a database's stored fingerprint (stored_fingerprint_query()), kept from one state
/// to the next so that the next one reads again only the relations the steps in between locked.
class RelationSums {
 public:
  /// Whether these are the parts of some state (else the next fingerprint reads everything).
  [[nodiscard]] bool known() const { return known_; }

  /// Takes in a stored_fingerprint_query() result: whole (`touched` null: every relation has a
  /// row) or of the touched relations only (relations among `touched` without a row are gone).
  /// False when the result disagrees with what is kept (the relations it counts are not those
  /// kept): a change was made without locking what it changed, and only a whole read is right.
  bool take(const QueryResult& rows, const std::vector<uint32_t>* touched);

  /// The fingerprint of the state last taken in.
  [[nodiscard]] Fingerprint total() const;

  void forget() { known_ = false; }

  /// How many results taken in were whole (the rest were of touched relations only).
  [[nodiscard]] int whole_reads() const { return whole_reads_; }

 private:
  std::unordered_map<int64_t, Fingerprint> relations_;
  Fingerprint rest_;
  bool known_ = false;
  int whole_reads_ = 0;
};

/// A stored fingerprint (for states of one database) in two halves, so that another session
/// can work on the database while it is computed (the roundtrip check runs the next migrations
/// meanwhile): pin() fixes the state it describes, compute() computes it, maybe on another
/// thread, whatever the other session commits in between.
class PinnedFingerprint {
 public:
  /// Pins the database's catalog as it is now (pin_catalog(): one round trip). `touched`: the
  /// OIDs of the relations (and indexes) that the transactions since the state of the sums
  /// compute() will be given locked, if known: only those are read again. Contract:
  /// `connection` is idle and outlives this object, which has it to itself until compute() or
  /// destruction.
  static Result<PinnedFingerprint> pin(Connection& connection, SnapshotOptions options = {},
                                       std::optional<std::vector<uint32_t>> touched = {});

  PinnedFingerprint(PinnedFingerprint&& other) noexcept;
  PinnedFingerprint& operator=(PinnedFingerprint&&) = delete;
  PinnedFingerprint(const PinnedFingerprint&) = delete;
  PinnedFingerprint& operator=(const PinnedFingerprint&) = delete;
  /// Ends the pin if compute() never did.
  ~PinnedFingerprint();

  /// The fingerprint of the catalog as it was when pinned, from `sums`: the parts of the state
  /// before the touched relations were changed (any, when not known), which it brings to this
  /// state (forgotten on failure). Ends the pin and leaves the connection idle. Contract: called
  /// once; `sums` used by nothing else meanwhile.
  Result<Fingerprint> compute(RelationSums& sums);
  /// As compute(sums), reading everything.
  Result<Fingerprint> compute();

 private:
  PinnedFingerprint(Connection& connection, SnapshotOptions options,
                    std::optional<std::vector<uint32_t>> touched)
      : connection_(&connection), options_(std::move(options)), touched_(std::move(touched)) {}

  /// Reads the touched relations into `sums`, or everything when that is not enough.
  Status read(RelationSums& sums);

  Connection* connection_;  ///< Null once the pin has ended (or moved away).
  SnapshotOptions options_;
  std::optional<std::vector<uint32_t>> touched_;
};

}  // namespace ag::pg
