// The roundtrip's picture of a scratch database's catalog, kept by readings made inside the
// migrations' own transactions (relation_facts_function()): the objects of each relation apart,
// so that a reading of the relations a step touched replaces just theirs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pg/snapshot.h"
#include "pg/snapshot_diff.h"
#include "util/result.h"

namespace ag::pg {

/// One reading, as relation_facts_function()'s rows tell it.
struct CatalogReading {
  bool whole = false;             ///< Every relation read.
  std::vector<uint32_t> touched;  ///< Not whole: the relations read again, gone ones included.
  std::map<uint32_t, Snapshot> relations;  ///< The objects of each relation read, by its OID.
  Snapshot rest;                           ///< The objects that belong to no relation.
};

/// Reads the rows (relation, kind, schema, parent, name, a1 .. aN; '#touched' rows name a
/// touched relation). Errors: a row too short, an unknown kind, a relation that is no number.
Result<CatalogReading> read_catalog_rows(
    const std::vector<std::vector<std::optional<std::string>>>& rows, bool whole);

class CatalogState {
 public:
  /// The state the reading shows: a whole one replaces everything; another the relations it
  /// touched (a gone one is forgotten) and the objects outside relations.
  void apply(CatalogReading reading);

  /// The differences from this state to `reading`, taken after changes that started here: the
  /// relations the reading touched and the objects outside relations (everything when whole),
  /// as diff lines. Empty when equal.
  std::vector<std::string> differences(const CatalogReading& reading, const DiffSides& sides) const;

 private:
  std::map<uint32_t, Snapshot> relations_;
  Snapshot rest_;
};

}  // namespace ag::pg
