#include "graph/revision_graph.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "graph/strongly_connected.h"

namespace ag::graph {
namespace {

void sort_unique(std::vector<std::string>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

/// Dense numbering of the revisions, for the graph algorithms.
struct Numbering {
  std::vector<std::string> ids;
  std::map<std::string, int> number;

  explicit Numbering(const std::map<std::string, Revision>& revisions) {
    for (const auto& [id, revision] : revisions) {
      number[id] = static_cast<int>(ids.size());
      ids.push_back(id);
    }
  }

  /// Edges child -> parent, through down_revision and, when asked, depends_on.
  Adjacency parents(const std::map<std::string, Revision>& revisions,
                    bool with_dependencies) const {
    Adjacency edges(ids.size());
    for (const auto& [id, revision] : revisions) {
      auto add = [&](const std::string& parent) {
        auto it = number.find(parent);
        if (it != number.end() && parent != id) edges[number.at(id)].push_back(it->second);
      };
      std::for_each(revision.down_revisions.begin(), revision.down_revisions.end(), add);
      if (with_dependencies)
        std::for_each(revision.dependencies.begin(), revision.dependencies.end(), add);
    }
    return edges;
  }
};

/// A readable path around the cycle inside `component`, starting at its smallest member.
std::vector<std::string> cycle_path(const std::vector<int>& component, const Adjacency& edges,
                                    const Numbering& numbering) {
  std::set<int> members(component.begin(), component.end());
  std::vector<int> walk{*members.begin()};
  std::vector<int> seen_at(numbering.ids.size(), -1);
  seen_at[walk.back()] = 0;
  while (true) {
    const std::vector<int>& next = edges[walk.back()];
    int step = *std::find_if(next.begin(), next.end(), [&](int n) { return members.count(n) > 0; });
    if (seen_at[step] >= 0) {
      std::vector<std::string> path;
      for (size_t i = static_cast<size_t>(seen_at[step]); i < walk.size(); ++i) {
        path.push_back(numbering.ids[walk[i]]);
      }
      return path;
    }
    seen_at[step] = static_cast<int>(walk.size());
    walk.push_back(step);
  }
}

}  // namespace

RevisionGraph::RevisionGraph(std::vector<RevisionScript> scripts) : scripts_(std::move(scripts)) {
  index_scripts();
  std::map<std::string, std::string> labels;  // label -> owning revision id
  for (ScriptIndex i = 0; i < scripts_.size(); ++i) {
    const RevisionScript& script = scripts_[i];
    if (script.id().empty() || revisions_.at(script.id()).script != i) continue;
    for (const std::string& label : script.branch_labels.items) {
      auto owner = labels.find(label);
      if (owner != labels.end() || revisions_.count(label) > 0) {
        label_clashes_.push_back({label, i, owner != labels.end() ? owner->second : label});
      } else {
        labels[label] = script.id();
      }
    }
  }
  link(labels);
  classify();
  find_cycles();
  find_histories();
}

const Revision* RevisionGraph::find(const std::string& id) const {
  auto it = revisions_.find(id);
  return it == revisions_.end() ? nullptr : &it->second;
}

void RevisionGraph::index_scripts() {
  std::map<std::string, std::vector<ScriptIndex>> copies;
  for (ScriptIndex i = 0; i < scripts_.size(); ++i) {
    const RevisionScript& script = scripts_[i];
    if (script.id().empty()) continue;
    copies[script.id()].push_back(i);
    Revision& revision = revisions_[script.id()];
    revision = Revision{script.id(), i, script.down_revision.items, {}, {}};
  }
  for (auto& [id, indices] : copies) {
    if (indices.size() > 1) duplicates_[id] = indices;
  }
}

void RevisionGraph::link(const std::map<std::string, std::string>& labels) {
  for (auto& [id, revision] : revisions_) {
    for (const std::string& parent : revision.down_revisions) {
      if (parent == id) {
        self_loops_.push_back(revision.script);
      } else if (auto it = revisions_.find(parent); it != revisions_.end()) {
        std::vector<std::string>& children = it->second.children;
        // A parent named twice is still one edge (Alembic keeps children as a set).
        if (std::find(children.begin(), children.end(), id) == children.end())
          children.push_back(id);
      } else {
        missing_.push_back({revision.script, parent, false});
      }
    }
    for (const std::string& name : scripts_[revision.script].depends_on.items) {
      auto label = labels.find(name);
      std::string target = revisions_.count(name)  ? name
                           : label != labels.end() ? label->second
                                                   : "";
      if (target.empty()) {
        missing_.push_back({revision.script, name, true});
      } else if (target == id) {
        self_loops_.push_back(revision.script);
      } else {
        revision.dependencies.push_back(target);
      }
    }
  }
}

void RevisionGraph::classify() {
  std::set<std::string> depended_on;
  for (const auto& [id, revision] : revisions_) {
    depended_on.insert(revision.dependencies.begin(), revision.dependencies.end());
  }
  for (const auto& [id, revision] : revisions_) {
    const RevisionScript& script = scripts_[revision.script];
    if (revision.children.empty()) heads_.push_back(id);
    if (revision.children.empty() && depended_on.count(id) == 0) real_heads_.push_back(id);
    if (script.down_revision.readable && revision.down_revisions.empty()) bases_.push_back(id);
    if (revision.down_revisions.size() > 1) merge_points_.push_back(id);
    if (revision.children.size() > 1) branch_points_.push_back(id);
  }
}

void RevisionGraph::find_cycles() {
  Numbering numbering(revisions_);
  std::set<int> in_versioned_cycle;
  for (bool with_dependencies : {false, true}) {
    Adjacency edges = numbering.parents(revisions_, with_dependencies);
    for (const std::vector<int>& component : strongly_connected_components(edges)) {
      if (component.size() < 2) continue;
      bool already_reported = std::any_of(component.begin(), component.end(),
                                          [&](int n) { return in_versioned_cycle.count(n) > 0; });
      if (with_dependencies && already_reported) continue;
      in_versioned_cycle.insert(component.begin(), component.end());
      cycles_.push_back({cycle_path(component, edges, numbering), with_dependencies});
    }
  }
}

void RevisionGraph::find_histories() {
  Numbering numbering(revisions_);
  std::vector<int> root(numbering.ids.size());
  std::iota(root.begin(), root.end(), 0);
  auto find_root = [&](int n) {
    while (root[n] != n) n = root[n] = root[root[n]];
    return n;
  };
  Adjacency edges = numbering.parents(revisions_, false);
  for (size_t child = 0; child < edges.size(); ++child) {
    for (int parent : edges[child]) root[find_root(static_cast<int>(child))] = find_root(parent);
  }
  std::map<int, History> by_root;
  for (const std::string& head : heads_)
    by_root[find_root(numbering.number.at(head))].heads.push_back(head);
  for (const std::string& base : bases_)
    by_root[find_root(numbering.number.at(base))].bases.push_back(base);
  for (const auto& [id, revision] : revisions_) {
    const std::vector<std::string>& labels = scripts_[revision.script].branch_labels.items;
    std::vector<std::string>& target = by_root[find_root(numbering.number.at(id))].branch_labels;
    target.insert(target.end(), labels.begin(), labels.end());
  }
  for (auto& [r, history] : by_root) {
    sort_unique(history.branch_labels);
    histories_.push_back(std::move(history));
  }
}

}  // namespace ag::graph
