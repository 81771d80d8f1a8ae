// The revision graph as a mermaid flowchart for the job summary.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "report/reporters.h"
#include "util/text.h"

namespace ag {
namespace {

/// Beyond this many nodes GitHub's mermaid gives up on a diagram; older branch points go first.
constexpr size_t kMaxNodes = 150;
constexpr size_t kLabelMessage = 40;

/// Text inside a quoted mermaid label: entity codes for what mermaid would read as syntax.
std::string label_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '"':
        out += "#quot;";
        break;
      case '#':
        out += "#35;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '&':
        out += "#amp;";
        break;
      case '`':
        out += "#96;";
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

class Flowchart {
 public:
  Flowchart(const GraphSummary& graph, size_t recent) : graph_(graph) {
    for (size_t i = 0; i < graph.nodes.size(); ++i) index_[graph.nodes[i].id] = i;
    order_ = topological_order();
    select(recent);
  }

  std::string render() const {
    std::string out = "flowchart TB\n";
    for (size_t i : order_) {
      if (selected_.count(i) > 0) out += node(i);
    }
    std::string missing_nodes, edges;
    std::map<std::string, std::string> missing;  // parent id -> node name
    for (size_t i : order_) {
      if (selected_.count(i) == 0) continue;
      for (const std::string& parent : graph_.nodes[i].parents) {
        auto found = index_.find(parent);
        if (found == index_.end()) {
          auto [it, added] = missing.try_emplace(parent, fmt::format("m{}", missing.size()));
          if (added) {
            missing_nodes +=
                fmt::format("  {}[\"{} (missing)\"]:::missing\n", it->second, label_text(parent));
          }
          edges += fmt::format("  {} -.-> r{}\n", it->second, i);
          continue;
        }
        auto [from, skipped] = nearest_selected(found->second);
        if (from == kNone) continue;
        edges += skipped == 0 ? fmt::format("  r{} --> r{}\n", from, i)
                              : fmt::format("  r{} -. \"{} more\" .-> r{}\n", from, skipped, i);
      }
    }
    out += missing_nodes + edges;
    out +=
        "  classDef head fill:#dafbe1,stroke:#1a7f37,stroke-width:2px\n"
        "  classDef merge fill:#ddf4ff,stroke:#0969da\n"
        "  classDef branch fill:#fff8c5,stroke:#9a6700\n"
        "  classDef missing fill:#ffebe9,stroke:#cf222e,stroke-dasharray:4 3\n";
    return out;
  }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);
  const GraphSummary& graph_;
  std::map<std::string, size_t, std::less<>> index_;
  std::vector<size_t> order_;  ///< Base first.
  std::set<size_t> selected_;

  static bool contains(const std::vector<std::string>& ids, const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  }

  /// Kahn's algorithm, ties by id; revisions in a cycle come last, by id.
  std::vector<size_t> topological_order() const {
    size_t n = graph_.nodes.size();
    std::vector<size_t> pending(n, 0);
    std::vector<std::vector<size_t>> children(n);
    for (size_t i = 0; i < n; ++i) {
      for (const std::string& parent : graph_.nodes[i].parents) {
        auto found = index_.find(parent);
        if (found == index_.end()) continue;
        children[found->second].push_back(i);
        ++pending[i];
      }
    }
    std::set<size_t> ready;
    for (size_t i = 0; i < n; ++i)
      if (pending[i] == 0) ready.insert(i);
    std::vector<size_t> order;
    std::vector<bool> placed(n, false);
    while (!ready.empty()) {
      size_t next = *ready.begin();
      ready.erase(ready.begin());
      order.push_back(next);
      placed[next] = true;
      for (size_t child : children[next])
        if (--pending[child] == 0) ready.insert(child);
    }
    for (size_t i = 0; i < n; ++i)
      if (!placed[i]) order.push_back(i);
    return order;
  }

  bool structural(size_t i) const {
    const std::string& id = graph_.nodes[i].id;
    return contains(graph_.heads, id) || contains(graph_.bases, id) ||
           contains(graph_.merge_points, id) || contains(graph_.branch_points, id);
  }

  /// The last `recent` revisions in order, and every head, base, branch and merge point (the
  /// newest kMaxNodes of them when there are more).
  void select(size_t recent) {
    size_t n = order_.size();
    for (size_t k = n - std::min(n, recent); k < n; ++k) selected_.insert(order_[k]);
    for (size_t k = n; k-- > 0 && selected_.size() < kMaxNodes;) {
      if (structural(order_[k])) selected_.insert(order_[k]);
    }
    for (size_t i = 0; i < n; ++i) {  // heads always
      if (contains(graph_.heads, graph_.nodes[i].id)) selected_.insert(i);
    }
  }

  /// The first selected revision down the parent chain from `i`, and how many were passed.
  /// Unselected revisions have at most one parent (merge points are selected).
  std::pair<size_t, size_t> nearest_selected(size_t i) const {
    size_t skipped = 0;
    while (selected_.count(i) == 0 && skipped <= graph_.nodes.size()) {
      ++skipped;
      const std::vector<std::string>& parents = graph_.nodes[i].parents;
      auto found = parents.size() == 1 ? index_.find(parents.front()) : index_.end();
      if (found == index_.end()) return {kNone, skipped};
      i = found->second;
    }
    return {selected_.count(i) > 0 ? i : kNone, skipped};
  }

  std::string node(size_t i) const {
    const GraphRevision& revision = graph_.nodes[i];
    std::string label = label_text(revision.id);
    if (!revision.message.empty())
      label += "<br/>" + label_text(shorten(revision.message, kLabelMessage));
    if (contains(graph_.heads, revision.id))
      return fmt::format("  r{}([\"{}\"]):::head\n", i, label);
    if (contains(graph_.merge_points, revision.id))
      return fmt::format("  r{}{{{{\"{}\"}}}}:::merge\n", i, label);
    if (contains(graph_.branch_points, revision.id))
      return fmt::format("  r{}[\"{}\"]:::branch\n", i, label);
    return fmt::format("  r{}[\"{}\"]\n", i, label);
  }
};

}  // namespace

std::string revision_flowchart(const GraphSummary& graph, size_t recent) {
  return Flowchart(graph, recent).render();
}

}  // namespace ag
