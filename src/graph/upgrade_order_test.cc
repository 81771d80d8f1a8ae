// The upgrade order and what a revision builds on, on graphs read from in-memory sources.
#include "graph/upgrade_order.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace ag::graph {
namespace {

using Ids = std::vector<std::string>;

/// A revision file declaring `id` on top of `down` (a Python literal) and `depends_on`.
RevisionScript declare(const std::string& id, const std::string& down,
                       const std::string& depends_on = "None") {
  return read_revision_script(
      "revision = '" + id + "'\ndown_revision = " + down + "\ndepends_on = " + depends_on + "\n",
      id + ".py");
}

}  // namespace

TEST_SUITE("graph/upgrade_order") {
  TEST_CASE("parents come first, whatever the ids, ties go to the smaller id") {
    RevisionGraph graph({declare("c", "None"), declare("a", "'c'"), declare("b", "'c'"),
                         declare("m", "('b', 'a')")});
    CHECK(upgrade_order(graph) == Ids{"c", "a", "b", "m"});
  }

  TEST_CASE("depends_on orders a revision after the one it depends on") {
    RevisionGraph graph({declare("a", "None"), declare("z", "None"), declare("b", "'a'", "'z'")});
    CHECK(upgrade_order(graph) == Ids{"a", "z", "b"});
  }

  TEST_CASE("missing parents are ignored and a cycle comes last") {
    RevisionGraph graph(
        {declare("a", "'gone'"), declare("x", "'y'"), declare("y", "'x'"), declare("b", "'a'")});
    CHECK(upgrade_order(graph) == Ids{"a", "b", "x", "y"});
  }

  TEST_CASE("applied_at: the revision and everything below it, through merges and dependencies") {
    RevisionGraph graph({declare("base", "None"), declare("l", "'base'"), declare("r", "'base'"),
                         declare("m", "('l', 'r')"), declare("other", "None"),
                         declare("d", "'m'", "'other'"), declare("after", "'d'")});
    CHECK(applied_at(graph, "m") == std::set<std::string>{"base", "l", "r", "m"});
    CHECK(applied_at(graph, "d") == std::set<std::string>{"base", "l", "r", "m", "other", "d"});
    CHECK(applied_at(graph, "nothing").empty());
  }

  TEST_CASE("resolve_revision: a full id, or a prefix of exactly one") {
    RevisionGraph graph({declare("abc123", "None"), declare("abd456", "'abc123'")});
    CHECK(resolve_revision(graph, "abc123") == "abc123");
    CHECK(resolve_revision(graph, "abd") == "abd456");
    CHECK(resolve_revision(graph, "ab").empty());
    CHECK(resolve_revision(graph, "zz").empty());
    CHECK(resolve_revision(graph, "").empty());
  }
}

}  // namespace ag::graph
