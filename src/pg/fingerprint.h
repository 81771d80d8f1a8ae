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
  std::string digest;  ///< The sum of the objects' 64-bit hashes, in decimal.
  long objects = 0;    ///< How many objects went into it.

  bool operator==(const Fingerprint&) const = default;
};

/// One query computed on the server. Contract: `connection` is idle; it is left idle, its
/// session settings unchanged (the statement stays prepared on it for the next call).
Result<Fingerprint> take_fingerprint(Connection& connection, const SnapshotOptions& options = {});

}  // namespace ag::pg
