// Tarjan's strongly connected components, iterative.
#include "graph/strongly_connected.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

namespace ag::graph {
namespace {

using Component = std::vector<int>;

/// The components with their members sorted, in order of their smallest member.
std::vector<Component> normalized(const Adjacency& edges) {
  std::vector<Component> components = strongly_connected_components(edges);
  for (Component& component : components) std::sort(component.begin(), component.end());
  std::sort(components.begin(), components.end());
  return components;
}

}  // namespace

TEST_SUITE("graph/strongly_connected") {
  TEST_CASE("no nodes, no components") {
    CHECK(strongly_connected_components({}).empty());
  }

  TEST_CASE("nodes on no cycle are components of their own") {
    Adjacency edges{{1}, {2}, {}};  // 0 -> 1 -> 2
    CHECK(normalized(edges) == std::vector<Component>{{0}, {1}, {2}});
  }

  TEST_CASE("a self-edge makes no bigger component") {
    Adjacency edges{{0, 1}, {}};
    CHECK(normalized(edges) == std::vector<Component>{{0}, {1}});
  }

  TEST_CASE("a cycle is one component, nodes leading into it are not in it") {
    Adjacency edges{{1}, {2}, {3}, {1}, {0}};  // 4 -> 0 -> 1 -> 2 -> 3 -> 1
    CHECK(normalized(edges) == std::vector<Component>{{0}, {1, 2, 3}, {4}});
  }

  TEST_CASE("two cycles joined one way stay two components") {
    // {0, 1} -> {2, 3}
    Adjacency edges{{1}, {0, 2}, {3}, {2}};
    CHECK(normalized(edges) == std::vector<Component>{{0, 1}, {2, 3}});
  }

  TEST_CASE("two cycles joined both ways are one component") {
    Adjacency edges{{1}, {0, 2}, {3}, {2, 1}};
    CHECK(normalized(edges) == std::vector<Component>{{0, 1, 2, 3}});
  }

  TEST_CASE("disconnected parts, and a diamond, which has no cycle") {
    Adjacency edges{{1, 2}, {3}, {3}, {}, {5}, {4}};
    CHECK(normalized(edges) == std::vector<Component>{{0}, {1}, {2}, {3}, {4, 5}});
  }

  TEST_CASE("every node is in exactly one component") {
    Adjacency edges{{1, 5}, {2}, {0, 3}, {4}, {3}, {6}, {5, 7}, {}};
    std::vector<Component> components = normalized(edges);
    std::vector<int> all;
    for (const Component& component : components)
      all.insert(all.end(), component.begin(), component.end());
    std::sort(all.begin(), all.end());
    CHECK(all == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
    CHECK(components == std::vector<Component>{{0, 1, 2}, {3, 4}, {5, 6}, {7}});
  }

  TEST_CASE("a 100000-node chain does not overflow the stack") {
    const int count = 100000;
    Adjacency edges(count);
    for (int i = 0; i + 1 < count; ++i) edges[i].push_back(i + 1);
    std::vector<Component> components = strongly_connected_components(edges);
    REQUIRE(components.size() == static_cast<size_t>(count));
    CHECK(std::all_of(components.begin(), components.end(),
                      [](const Component& component) { return component.size() == 1; }));
  }

  TEST_CASE("a 100000-node cycle is one component") {
    const int count = 100000;
    Adjacency edges(count);
    for (int i = 0; i < count; ++i) edges[i].push_back((i + 1) % count);
    std::vector<Component> components = strongly_connected_components(edges);
    REQUIRE(components.size() == 1);
    CHECK(components[0].size() == static_cast<size_t>(count));
  }
}

}  // namespace ag::graph
