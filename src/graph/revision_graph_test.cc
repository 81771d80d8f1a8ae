// RevisionGraph on scripts built in memory: Alembic's heads, bases, merge and branch points, and
// every structural problem the heads check judges.
#include "graph/revision_graph.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace ag::graph {
namespace {

using Ids = std::vector<std::string>;

Declaration literal(std::vector<std::string> items, bool present = true) {
  Declaration declaration;
  declaration.present = present;
  declaration.readable = present;
  declaration.is_sequence = items.size() > 1;
  declaration.items = std::move(items);
  declaration.line = 1;
  declaration.end_line = 1;
  return declaration;
}

/// A script as read from `<id>.py`: down_revision always present (None when `down` is empty).
RevisionScript script(const std::string& id, Ids down = {}, Ids labels = {}, Ids depends_on = {},
                      const std::string& file = "") {
  RevisionScript s;
  s.path = (file.empty() ? id : file) + ".py";
  s.revision = literal({id});
  s.down_revision = literal(std::move(down));
  s.branch_labels = literal(std::move(labels));
  s.depends_on = literal(std::move(depends_on));
  return s;
}

std::vector<RevisionScript> scripts(std::initializer_list<RevisionScript> list) {
  return list;
}

const History* history_with_label(const RevisionGraph& graph, const std::string& label) {
  for (const History& history : graph.histories()) {
    if (std::find(history.branch_labels.begin(), history.branch_labels.end(), label) !=
        history.branch_labels.end()) {
      return &history;
    }
  }
  return nullptr;
}

/// A graph with none of the structural problems.
void check_sound(const RevisionGraph& graph) {
  CHECK(graph.duplicates().empty());
  CHECK(graph.missing().empty());
  CHECK(graph.self_loops().empty());
  CHECK(graph.cycles().empty());
  CHECK(graph.label_clashes().empty());
}

}  // namespace

TEST_SUITE("graph/revision_graph") {
  TEST_CASE("a linear history: one head, one base, one history") {
    RevisionGraph graph(scripts({script("c", {"b"}), script("a"), script("b", {"a"})}));
    check_sound(graph);
    CHECK(graph.revisions().size() == 3);
    CHECK(graph.heads() == Ids{"c"});
    CHECK(graph.real_heads() == Ids{"c"});
    CHECK(graph.bases() == Ids{"a"});
    CHECK(graph.merge_points().empty());
    CHECK(graph.branch_points().empty());
    REQUIRE(graph.find("b") != nullptr);
    CHECK(graph.find("b")->children == Ids{"c"});
    CHECK(graph.find("b")->down_revisions == Ids{"a"});
    CHECK(graph.find("b")->script == 2);
    CHECK(graph.script_of("c").path == "c.py");
    CHECK(graph.find("zzz") == nullptr);
    REQUIRE(graph.histories().size() == 1);
    CHECK(graph.histories()[0].heads == Ids{"c"});
    CHECK(graph.histories()[0].bases == Ids{"a"});
    CHECK(graph.histories()[0].branch_labels.empty());
  }

  TEST_CASE("a branch merged again: one head, a branch point and a merge point") {
    RevisionGraph graph(scripts({script("a"), script("b", {"a"}), script("c", {"a"}),
                                 script("d", {"b", "c"}), script("e", {"d"})}));
    check_sound(graph);
    CHECK(graph.heads() == Ids{"e"});
    CHECK(graph.real_heads() == Ids{"e"});
    CHECK(graph.bases() == Ids{"a"});
    CHECK(graph.merge_points() == Ids{"d"});
    CHECK(graph.branch_points() == Ids{"a"});
    std::vector<std::string> children = graph.find("a")->children;
    std::sort(children.begin(), children.end());
    CHECK(children == Ids{"b", "c"});
    CHECK(graph.histories().size() == 1);
  }

  TEST_CASE("a branch never merged: two heads, sorted") {
    RevisionGraph graph(scripts({script("a"), script("z", {"a"}), script("m", {"a"})}));
    check_sound(graph);
    CHECK(graph.heads() == Ids{"m", "z"});
    CHECK(graph.real_heads() == Ids{"m", "z"});
    CHECK(graph.branch_points() == Ids{"a"});
    CHECK(graph.merge_points().empty());
    REQUIRE(graph.histories().size() == 1);
    CHECK(graph.histories()[0].heads == Ids{"m", "z"});
  }

  TEST_CASE("a revision depended on is a head but not a real head") {
    RevisionGraph graph(scripts({script("a"), script("b", {"a"}), script("x", {}, {}, {"b"})}));
    check_sound(graph);
    CHECK(graph.heads() == Ids{"b", "x"});
    CHECK(graph.real_heads() == Ids{"x"});
    CHECK(graph.bases() == Ids{"a", "x"});
    CHECK(graph.find("x")->dependencies == Ids{"b"});
    // A dependency is not a child.
    CHECK(graph.find("b")->children.empty());
    CHECK(graph.branch_points().empty());
  }

  TEST_CASE("a down_revision that could not be read makes no base") {
    RevisionScript unreadable = script("b");
    unreadable.down_revision.readable = false;
    RevisionScript absent = script("c");
    absent.down_revision = Declaration{};
    RevisionGraph graph(scripts({script("a"), unreadable, absent}));
    CHECK(graph.bases() == Ids{"a"});
    CHECK(graph.heads() == Ids{"a", "b", "c"});
  }

  TEST_CASE("scripts without a readable id stay out of the map") {
    RevisionScript no_revision = script("x", {"a"});
    no_revision.revision = Declaration{};
    RevisionScript computed = script("y", {"a"});
    computed.revision.readable = false;
    RevisionGraph graph(scripts({script("a"), no_revision, computed}));
    CHECK(graph.revisions().size() == 1);
    CHECK(graph.scripts().size() == 3);
    CHECK(graph.heads() == Ids{"a"});
    CHECK(graph.find("a")->children.empty());
  }

  TEST_CASE("duplicate ids: the map keeps the last copy, and every copy is listed") {
    RevisionGraph graph(scripts({script("a"), script("b", {"a"}, {}, {}, "b_first"),
                                 script("c", {"b"}), script("b", {"c"}, {}, {}, "b_second")}));
    REQUIRE(graph.duplicates().size() == 1);
    CHECK(graph.duplicates().at("b") == std::vector<ScriptIndex>{1, 3});
    CHECK(graph.revisions().size() == 3);
    CHECK(graph.find("b")->script == 3);
    CHECK(graph.script_of("b").path == "b_second.py");
    CHECK(graph.find("b")->down_revisions == Ids{"c"});
    CHECK(graph.scripts().size() == 4);
  }

  TEST_CASE("a parent nobody declares is missing, with the script that names it") {
    RevisionGraph graph(scripts({script("a"), script("b", {"a", "ghost"})}));
    REQUIRE(graph.missing().size() == 1);
    CHECK(graph.missing()[0].script == 1);
    CHECK(graph.missing()[0].name == "ghost");
    CHECK_FALSE(graph.missing()[0].dependency);
    CHECK(graph.heads() == Ids{"b"});
    CHECK(graph.bases() == Ids{"a"});
    CHECK(graph.merge_points() == Ids{"b"});
  }

  TEST_CASE("a dependency nobody declares is missing, marked as a dependency") {
    RevisionGraph graph(scripts({script("a"), script("b", {"a"}, {}, {"nowhere"})}));
    REQUIRE(graph.missing().size() == 1);
    CHECK(graph.missing()[0].script == 1);
    CHECK(graph.missing()[0].name == "nowhere");
    CHECK(graph.missing()[0].dependency);
    CHECK(graph.find("b")->dependencies.empty());
  }

  TEST_CASE("a dependency on a branch label resolves to the revision carrying it") {
    RevisionGraph graph(scripts({script("a1", {}, {"auth"}), script("a2", {"a1"}),
                                 script("b1", {}, {"billing"}, {"auth"})}));
    check_sound(graph);
    CHECK(graph.find("b1")->dependencies == Ids{"a1"});
    CHECK(graph.real_heads() == Ids{"a2", "b1"});
  }

  TEST_CASE("a revision naming itself in down_revision is a self-loop, not a cycle") {
    RevisionGraph graph(scripts({script("a"), script("b", {"b"})}));
    CHECK(graph.self_loops() == std::vector<ScriptIndex>{1});
    CHECK(graph.cycles().empty());
    CHECK(graph.missing().empty());
  }

  TEST_CASE("a revision depending on itself is a self-loop, by id or by its own label") {
    RevisionGraph by_id(scripts({script("a"), script("b", {"a"}, {}, {"b"})}));
    CHECK(by_id.self_loops() == std::vector<ScriptIndex>{1});
    CHECK(by_id.cycles().empty());
    CHECK(by_id.find("b")->dependencies.empty());
    RevisionGraph by_label(scripts({script("a"), script("b", {"a"}, {"mine"}, {"mine"})}));
    CHECK(by_label.self_loops() == std::vector<ScriptIndex>{1});
    CHECK(by_label.cycles().empty());
  }

  TEST_CASE("a cycle through down_revision, as a path from its smallest member") {
    // a -> b -> c -> a: each names the next as its parent.
    RevisionGraph graph(scripts({script("b", {"c"}), script("c", {"a"}), script("a", {"b"}),
                                 script("base"), script("tip", {"base"})}));
    REQUIRE(graph.cycles().size() == 1);
    CHECK(graph.cycles()[0].path == Ids{"a", "b", "c"});
    CHECK_FALSE(graph.cycles()[0].through_dependency);
    CHECK(graph.self_loops().empty());
    // Nothing on the cycle is a head or a base.
    CHECK(graph.heads() == Ids{"tip"});
    CHECK(graph.bases() == Ids{"base"});
  }

  TEST_CASE("a path from a cycle's smallest member when it hangs off a longer walk") {
    // x -> a -> b -> a: x leads into the cycle but is not on it.
    RevisionGraph graph(scripts({script("x", {"a"}), script("a", {"b"}), script("b", {"a"})}));
    REQUIRE(graph.cycles().size() == 1);
    CHECK(graph.cycles()[0].path == Ids{"a", "b"});
  }

  TEST_CASE("a cycle closed only by depends_on is marked as through a dependency") {
    // b's parent is a; a depends on b.
    RevisionGraph graph(scripts({script("a", {}, {}, {"b"}), script("b", {"a"})}));
    REQUIRE(graph.cycles().size() == 1);
    CHECK(graph.cycles()[0].path == Ids{"a", "b"});
    CHECK(graph.cycles()[0].through_dependency);
    CHECK(graph.self_loops().empty());
  }

  TEST_CASE("a down_revision cycle is not reported again through its dependencies") {
    RevisionGraph graph(
        scripts({script("a", {"b"}), script("b", {"a"}, {}, {"c"}), script("c", {}, {}, {"a"})}));
    REQUIRE(graph.cycles().size() == 1);
    CHECK(graph.cycles()[0].path == Ids{"a", "b"});
    CHECK_FALSE(graph.cycles()[0].through_dependency);
  }

  TEST_CASE("two separate cycles are two reports") {
    RevisionGraph graph(
        scripts({script("a", {"b"}), script("b", {"a"}), script("c", {"d"}), script("d", {"c"})}));
    REQUIRE(graph.cycles().size() == 2);
    Ids starts{graph.cycles()[0].path.front(), graph.cycles()[1].path.front()};
    std::sort(starts.begin(), starts.end());
    CHECK(starts == Ids{"a", "c"});
  }

  TEST_CASE("a branch label declared twice clashes, the later script is named") {
    RevisionGraph graph(scripts({script("a", {}, {"shared"}), script("b", {}, {"shared", "own"})}));
    REQUIRE(graph.label_clashes().size() == 1);
    CHECK(graph.label_clashes()[0].label == "shared");
    CHECK(graph.label_clashes()[0].script == 1);
    CHECK(graph.label_clashes()[0].first_owner == "a");
  }

  TEST_CASE("a branch label equal to a revision id clashes with that revision") {
    RevisionGraph graph(scripts({script("a1"), script("b1", {"a1"}, {"a1"})}));
    REQUIRE(graph.label_clashes().size() == 1);
    CHECK(graph.label_clashes()[0].label == "a1");
    CHECK(graph.label_clashes()[0].script == 1);
    CHECK(graph.label_clashes()[0].first_owner == "a1");
  }

  TEST_CASE("the labels of a duplicate that lost are not counted") {
    RevisionGraph graph(
        scripts({script("a", {}, {"x"}, {}, "a_first"), script("a", {}, {"x"}, {}, "a_second")}));
    CHECK(graph.label_clashes().empty());
    CHECK(graph.duplicates().size() == 1);
  }

  TEST_CASE("two labelled independent histories") {
    RevisionGraph graph(
        scripts({script("a1", {}, {"auth"}), script("a2", {"a1"}), script("b1", {}, {"billing"}),
                 script("b2", {"b1"}), script("b3", {"b2"})}));
    check_sound(graph);
    CHECK(graph.heads() == Ids{"a2", "b3"});
    CHECK(graph.bases() == Ids{"a1", "b1"});
    REQUIRE(graph.histories().size() == 2);
    const History* auth = history_with_label(graph, "auth");
    const History* billing = history_with_label(graph, "billing");
    REQUIRE(auth != nullptr);
    REQUIRE(billing != nullptr);
    CHECK(auth->heads == Ids{"a2"});
    CHECK(auth->bases == Ids{"a1"});
    CHECK(auth->branch_labels == Ids{"auth"});
    CHECK(billing->heads == Ids{"b3"});
    CHECK(billing->bases == Ids{"b1"});
    CHECK(billing->branch_labels == Ids{"billing"});
  }

  TEST_CASE("a dependency does not join two histories") {
    RevisionGraph graph(
        scripts({script("a1", {}, {"auth"}), script("b1", {}, {"billing"}, {"a1"})}));
    CHECK(graph.histories().size() == 2);
  }

  TEST_CASE("two bases merged into one history") {
    RevisionGraph graph(scripts({script("users"), script("settings"),
                                 script("merge", {"users", "settings"}, {"main", "app"}),
                                 script("after", {"merge"}, {"main"})}));
    CHECK(graph.missing().empty());
    CHECK(graph.cycles().empty());
    CHECK(graph.bases() == Ids{"settings", "users"});
    CHECK(graph.merge_points() == Ids{"merge"});
    REQUIRE(graph.histories().size() == 1);
    CHECK(graph.histories()[0].heads == Ids{"after"});
    CHECK(graph.histories()[0].bases == Ids{"settings", "users"});
    // Labels sorted and unique (the clash of "main" is reported separately).
    CHECK(graph.histories()[0].branch_labels == Ids{"app", "main"});
    CHECK(graph.label_clashes().size() == 1);
  }

  TEST_CASE("an empty set of scripts is an empty graph") {
    RevisionGraph graph(std::vector<RevisionScript>{});
    check_sound(graph);
    CHECK(graph.heads().empty());
    CHECK(graph.bases().empty());
    CHECK(graph.histories().empty());
  }

  TEST_CASE("a long linear history builds without trouble") {
    std::vector<RevisionScript> many;
    const int count = 20000;
    for (int i = 0; i < count; ++i) {
      many.push_back(
          script("r" + std::to_string(i), i == 0 ? Ids{} : Ids{"r" + std::to_string(i - 1)}));
    }
    RevisionGraph graph(std::move(many));
    check_sound(graph);
    CHECK(graph.heads() == Ids{"r" + std::to_string(count - 1)});
    CHECK(graph.bases() == Ids{"r0"});
    CHECK(graph.histories().size() == 1);
  }
}

TEST_CASE("a parent named twice is one edge, not a branch point") {
  RevisionGraph graph(scripts({script("a"), script("b", {"a", "a"})}));
  CHECK(graph.branch_points().empty());
  CHECK(graph.revisions().at("a").children == Ids{"b"});
}

}  // namespace ag::graph
