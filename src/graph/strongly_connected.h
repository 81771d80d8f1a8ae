// Strongly connected components of a directed graph (Tarjan's algorithm, iterative so that long
// histories cannot overflow the stack).
#pragma once

#include <vector>

namespace ag::graph {

/// edges[n] lists the successors of node n (0 <= successor < edges.size()).
using Adjacency = std::vector<std::vector<int>>;

/// Every component, each a list of nodes; a node on no cycle is a component of its own.
std::vector<std::vector<int>> strongly_connected_components(const Adjacency& edges);

}  // namespace ag::graph
