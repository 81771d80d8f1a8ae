#include "graph/strongly_connected.h"

#include <algorithm>

namespace ag::graph {

std::vector<std::vector<int>> strongly_connected_components(const Adjacency& edges) {
  const int count = static_cast<int>(edges.size());
  std::vector<int> index(count, -1), low(count, 0);
  std::vector<bool> on_stack(count, false);
  std::vector<int> stack;
  std::vector<std::vector<int>> components;
  int next_index = 0;
  struct Frame {
    int node;
    size_t edge;
  };
  for (int start = 0; start < count; ++start) {
    if (index[start] >= 0) continue;
    std::vector<Frame> frames{{start, 0}};
    index[start] = low[start] = next_index++;
    stack.push_back(start);
    on_stack[start] = true;
    while (!frames.empty()) {
      Frame& frame = frames.back();
      int node = frame.node;
      if (frame.edge < edges[node].size()) {
        int next = edges[node][frame.edge++];
        if (index[next] < 0) {
          index[next] = low[next] = next_index++;
          stack.push_back(next);
          on_stack[next] = true;
          frames.push_back({next, 0});
        } else if (on_stack[next]) {
          low[node] = std::min(low[node], index[next]);
        }
        continue;
      }
      if (low[node] == index[node]) {
        std::vector<int> component;
        int member = -1;
        while (member != node) {
          member = stack.back();
          stack.pop_back();
          on_stack[member] = false;
          component.push_back(member);
        }
        components.push_back(std::move(component));
      }
      frames.pop_back();
      if (!frames.empty()) low[frames.back().node] = std::min(low[frames.back().node], low[node]);
    }
  }
  return components;
}

}  // namespace ag::graph
