// The order `alembic upgrade heads` runs revisions in, and what a revision builds on, from the
// statically read graph.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "graph/revision_graph.h"

namespace ag::graph {

/// Every revision, each after the revisions it names in down_revision and depends_on; among the
/// ones ready at the same time, the smaller id first. References to revisions no file declares
/// are ignored; revisions caught in a cycle come last, in id order (the heads check reports them).
std::vector<std::string> upgrade_order(const RevisionGraph& graph);

/// `id` and every revision it builds on (down_revision and depends_on, transitively): what a
/// database at `id` has applied.
std::set<std::string> applied_at(const RevisionGraph& graph, const std::string& id);

/// The revision `name` means, as Alembic resolves a partial id: the id itself, or the one id it
/// is a prefix of. Empty when there is none or several.
std::string resolve_revision(const RevisionGraph& graph, const std::string& name);

}  // namespace ag::graph
