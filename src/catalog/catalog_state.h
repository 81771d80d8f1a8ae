// The roundtrip's picture of a scratch database's catalog, kept by readings made inside the
// migrations' own transactions (relation_facts_function()): the objects of each unit (a
// relation, a type, a routine, a schema, ...) apart, so that a reading of the units a step touched
// replaces just theirs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/snapshot.h"
#include "catalog/snapshot_diff.h"
#include "util/result.h"

namespace ag::catalog {

/// One reading, as relation_facts_function()'s rows tell it.
struct CatalogReading {
  bool whole = false;                  ///< Every unit read.
  std::vector<uint32_t> touched;       ///< Not whole: the units read again, gone ones included.
  std::map<uint32_t, Snapshot> units;  ///< The objects of each unit read, by its OID.
};

/// Reads the rows (unit, kind, schema, parent, name, a1 .. aN; '#touched' rows name a touched
/// unit). Errors: a row too short, an unknown kind, a unit that is no OID.
Result<CatalogReading> read_catalog_rows(
    const std::vector<std::vector<std::optional<std::string>>>& rows, bool whole);

class CatalogState {
 public:
  /// The state the reading shows: a whole one replaces everything; another the units it touched
  /// (a gone one is forgotten).
  void apply(CatalogReading reading);

  /// The differences from this state to `reading`, taken after changes that started here: in the
  /// units the reading touched (everything when whole), as diff lines. Empty when equal.
  std::vector<std::string> differences(const CatalogReading& reading, const DiffSides& sides) const;

 private:
  std::map<uint32_t, Snapshot> units_;
};

}  // namespace ag::catalog
