// A catalog snapshot: every user object of a database and the facts compared about it.
#pragma once

#include <compare>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog_facts.h"
#include "pg/connection.h"
#include "util/result.h"

namespace ag::catalog {

/// Identifies an object by names only (never OIDs), so that the same object in two databases
/// built the same way has the same key.
struct ObjectKey {
  std::string kind;    ///< An ObjectKind id: "table", "column", "domain constraint", ...
  std::string schema;  ///< "" for schemas and extensions.
  std::string parent;  ///< The table (or domain) it belongs to; "" when none.
  std::string name;    ///< Routines carry their argument types: "add(integer, integer)".

  auto operator<=>(const ObjectKey&) const = default;
};

/// An object's attribute values, in the order of its kind's attributes; nullopt when absent.
using Attributes = std::vector<std::optional<std::string>>;

struct Snapshot {
  std::map<ObjectKey, Attributes> objects;

  bool operator==(const Snapshot&) const = default;
};

/// The value of the attribute `name` of a snapshot object (by its kind's attribute list); nullopt
/// when the object has none or its kind has no such attribute.
std::optional<std::string> attribute_of(const ObjectKey& key, const Attributes& values,
                                        std::string_view name);

/// Reads every user object's facts (one query; see catalog_facts.h for what is covered).
/// Contract: `connection` is idle; it is left idle, its session settings unchanged.
Result<Snapshot> take_snapshot(pg::Connection& connection, const SnapshotOptions& options = {});

}  // namespace ag::catalog
