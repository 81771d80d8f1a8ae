// The revision graph as mermaid: shapes for heads and merge points, and long histories cut.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <regex>
#include <set>

#include "report/reporters.h"

namespace ag {
namespace {

GraphRevision revision(std::string id, std::vector<std::string> parents, std::string message = "") {
  return {std::move(id), std::move(message), std::move(parents)};
}

/// Node names declared in the chart (r<index>, m<index>).
std::vector<std::string> declared_nodes(const std::string& chart) {
  std::vector<std::string> nodes;
  static const std::regex kNode("^  ([rm][0-9]+)[\\[\\(\\{]", std::regex::multiline);
  for (auto it = std::sregex_iterator(chart.begin(), chart.end(), kNode);
       it != std::sregex_iterator(); ++it)
    nodes.push_back((*it)[1]);
  return nodes;
}

}  // namespace

TEST_SUITE("report/flowchart") {
  TEST_CASE("a branch and its merge: every revision, heads rounded, merge points hexagons") {
    GraphSummary graph{5, {"e"}, {"a"}, {"d"}, {"b"}, {}};
    graph.nodes = {revision("a", {}, "create users"), revision("b", {"a"}), revision("c", {"b"}),
                   revision("d", {"b", "c"}, "merge heads"), revision("e", {"d"})};
    std::string chart = revision_flowchart(graph);
    CHECK(chart.starts_with("flowchart TB\n"));
    CHECK(chart.find("  r0[\"a<br/>create users\"]\n") != std::string::npos);
    CHECK(chart.find("  r1[\"b\"]:::branch\n") != std::string::npos);
    CHECK(chart.find("  r3{{\"d<br/>merge heads\"}}:::merge\n") != std::string::npos);
    CHECK(chart.find("  r4([\"e\"]):::head\n") != std::string::npos);
    for (std::string_view edge : {"r0 --> r1", "r1 --> r2", "r1 --> r3", "r2 --> r3", "r3 --> r4"})
      CHECK(chart.find(edge) != std::string::npos);
    CHECK(declared_nodes(chart).size() == 5);
  }

  TEST_CASE("a parent no file declares is drawn as missing") {
    GraphSummary graph{1, {"b"}, {}, {}, {}, {revision("b", {"gone"})}};
    std::string chart = revision_flowchart(graph);
    CHECK(chart.find("  m0[\"gone (missing)\"]:::missing\n") != std::string::npos);
    CHECK(chart.find("  m0 -.-> r0\n") != std::string::npos);
  }

  TEST_CASE("labels cannot break out of their quotes") {
    GraphSummary graph{1, {"x"}, {"x"}, {}, {}, {revision("x", {}, "a \"b\" <c> #d `e`\nf")}};
    CHECK(revision_flowchart(graph).find(
              "([\"x<br/>a #quot;b#quot; #lt;c#gt; #35;d #96;e#96; f\"]):::head") !=
          std::string::npos);
  }

  TEST_CASE("1,000 revisions with a long-lived branch: the last 30 plus every branch") {
    GraphSummary graph;
    auto id = [](int i) { return fmt::format("m{:04}", i); };
    for (int i = 0; i < 1000; ++i) {
      std::vector<std::string> parents;
      if (i > 0) parents.push_back(id(i - 1));
      if (i == 900) parents.push_back("side");
      graph.nodes.push_back(revision(id(i), parents));
    }
    graph.nodes.push_back(revision("side", {id(100)}));
    graph.revisions = graph.nodes.size();
    graph.heads = {id(999)};
    graph.bases = {id(0)};
    graph.branch_points = {id(100)};
    graph.merge_points = {id(900)};
    std::string chart = revision_flowchart(graph, 30);
    std::vector<std::string> nodes = declared_nodes(chart);
    CHECK(std::set<std::string>(nodes.begin(), nodes.end()).size() == nodes.size());
    CHECK(nodes.size() == 30 + 3);  // the last 30, the base, the branch point, the merge point
    CHECK(chart.find("m0000") != std::string::npos);
    CHECK(chart.find("m0100\"]:::branch") != std::string::npos);
    CHECK(chart.find("{{\"m0900\"}}:::merge") != std::string::npos);
    CHECK(chart.find("([\"m0999\"]):::head") != std::string::npos);
    // Dotted edges count what they stand for: base..branch point, branch point..merge point (on
    // the main line and through the side branch), merge point..the last 30.
    for (std::string_view skipped : {"99", "799", "1", "69"})
      CHECK(chart.find(fmt::format("-. \"{} more\" .->", skipped)) != std::string::npos);
  }

  TEST_CASE("a cycle does not hang the drawing") {
    GraphSummary graph{2, {}, {}, {}, {}, {revision("a", {"b"}), revision("b", {"a"})}};
    std::string chart = revision_flowchart(graph, 1);
    CHECK(chart.starts_with("flowchart TB\n"));
  }
}

}  // namespace ag
