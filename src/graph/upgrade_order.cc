#include "graph/upgrade_order.h"

#include <map>
#include <queue>

namespace ag::graph {
namespace {

/// The revisions `revision` needs applied first that some file declares.
std::vector<std::string> prerequisites(const RevisionGraph& graph, const Revision& revision) {
  std::vector<std::string> out;
  for (const auto* list : {&revision.down_revisions, &revision.dependencies}) {
    for (const std::string& id : *list) {
      if (graph.find(id) != nullptr && id != revision.id) out.push_back(id);
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> upgrade_order(const RevisionGraph& graph) {
  std::map<std::string, size_t> waiting;  // id -> prerequisites not yet ordered
  std::map<std::string, std::vector<std::string>> unlocks;
  for (const auto& [id, revision] : graph.revisions()) {
    std::vector<std::string> needs = prerequisites(graph, revision);
    waiting[id] = needs.size();
    for (const std::string& need : needs) unlocks[need].push_back(id);
  }
  std::priority_queue<std::string, std::vector<std::string>, std::greater<>> ready;
  for (const auto& [id, count] : waiting) {
    if (count == 0) ready.push(id);
  }
  std::vector<std::string> order;
  while (!ready.empty()) {
    std::string id = ready.top();
    ready.pop();
    order.push_back(id);
    for (const std::string& next : unlocks[id]) {
      if (--waiting[next] == 0) ready.push(next);
    }
  }
  for (const auto& [id, count] : waiting) {
    if (count > 0) order.push_back(id);  // in a cycle, or after one
  }
  return order;
}

std::set<std::string> applied_at(const RevisionGraph& graph, const std::string& id) {
  std::set<std::string> seen;
  std::vector<std::string> stack{id};
  while (!stack.empty()) {
    std::string current = std::move(stack.back());
    stack.pop_back();
    const Revision* revision = graph.find(current);
    if (revision == nullptr || !seen.insert(current).second) continue;
    for (std::string& need : prerequisites(graph, *revision)) stack.push_back(std::move(need));
  }
  return seen;
}

std::string resolve_revision(const RevisionGraph& graph, const std::string& name) {
  if (name.empty()) return {};
  if (graph.find(name) != nullptr) return name;
  std::string found;
  for (auto it = graph.revisions().lower_bound(name);
       it != graph.revisions().end() && it->first.starts_with(name); ++it) {
    if (!found.empty()) return {};  // ambiguous
    found = it->first;
  }
  return found;
}

}  // namespace ag::graph
