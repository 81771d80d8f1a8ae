// The difference between two catalog snapshots, in words a reviewer understands:
//   index ix_users_email on users exists after the downgrade but did not before
//   column posts.title: type varchar(100) before, varchar(200) after
#pragma once

#include <string>
#include <vector>

#include "catalog/snapshot.h"

namespace ag::catalog {

/// What the two sides are called in diff lines ("before", "after the downgrade", "in the models").
struct DiffSides {
  std::string before = "before";
  std::string after = "after";
};

/// One difference: the object it is about, and its line.
struct Difference {
  ObjectKey key;
  std::string line;
};

/// diff_snapshots() with the object of each line, for callers that place or filter them.
std::vector<Difference> diff_objects(const Snapshot& before, const Snapshot& after,
                                     const DiffSides& sides = {});

/// One line per difference, in object_kinds() order, then by schema, parent and name. Objects of
/// a table (or domain) that exists on one side only are covered by the table's own line.
/// Empty when the snapshots are equal.
std::vector<std::string> diff_snapshots(const Snapshot& before, const Snapshot& after,
                                        const DiffSides& sides = {});

/// How a diff line names `key`: "column users.email", "index ix on app.users".
std::string describe_object(const ObjectKey& key);

/// A format_type() name as people write it: character varying(100) -> varchar(100),
/// timestamp(3) with time zone -> timestamptz(3).
std::string short_type_name(std::string_view type);

}  // namespace ag::catalog
