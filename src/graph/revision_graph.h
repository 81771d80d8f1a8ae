// The revision graph as Alembic's RevisionMap builds it, plus every structural fact the `heads`
// check judges. Built from statically read scripts; no Python, no database.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "graph/revision_script.h"

namespace ag::graph {

/// Index into RevisionGraph::scripts().
using ScriptIndex = size_t;

struct Revision {
  std::string id;
  ScriptIndex script = 0;
  std::vector<std::string> down_revisions;  ///< As declared.
  std::vector<std::string> dependencies;    ///< depends_on, resolved to revision ids.
  std::vector<std::string> children;        ///< Revisions naming this one in down_revision.
};

/// A reference to something no file declares.
struct MissingReference {
  ScriptIndex script;
  std::string name;
  bool dependency;  ///< From depends_on rather than down_revision.
};

struct Cycle {
  std::vector<std::string> path;  ///< a, b, c for a -> b -> c -> a (each names the next as parent).
  bool through_dependency;        ///< Only closes when depends_on edges count.
};

struct LabelClash {
  std::string label;
  ScriptIndex script;  ///< The later declaration.
  std::string first_owner;
};

/// Revisions connected through down_revision: one independently deployable history.
struct History {
  std::vector<std::string> heads;
  std::vector<std::string> bases;
  std::vector<std::string> branch_labels;  ///< Declared anywhere in it.
};

class RevisionGraph {
 public:
  /// Builds the graph. Duplicate ids keep the last script in path order, as Alembic's map does
  /// when files load in sorted order; every copy is listed in duplicates().
  explicit RevisionGraph(std::vector<RevisionScript> scripts);

  const std::vector<RevisionScript>& scripts() const { return scripts_; }
  const std::map<std::string, Revision>& revisions() const { return revisions_; }
  const Revision* find(const std::string& id) const;
  const RevisionScript& script_of(const std::string& id) const {
    return scripts_[revisions_.at(id).script];
  }

  // Sorted ids, with Alembic's meanings.
  const std::vector<std::string>& heads() const { return heads_; }  ///< Nobody's down_revision.
  const std::vector<std::string>& real_heads() const { return real_heads_; }  ///< Nor depended on.
  const std::vector<std::string>& bases() const { return bases_; }
  const std::vector<std::string>& merge_points() const { return merge_points_; }
  const std::vector<std::string>& branch_points() const { return branch_points_; }

  const std::map<std::string, std::vector<ScriptIndex>>& duplicates() const { return duplicates_; }
  const std::vector<MissingReference>& missing() const { return missing_; }
  const std::vector<ScriptIndex>& self_loops() const { return self_loops_; }
  const std::vector<Cycle>& cycles() const { return cycles_; }
  const std::vector<LabelClash>& label_clashes() const { return label_clashes_; }
  const std::vector<History>& histories() const { return histories_; }

 private:
  std::vector<RevisionScript> scripts_;
  std::map<std::string, Revision> revisions_;
  std::vector<std::string> heads_, real_heads_, bases_, merge_points_, branch_points_;
  std::map<std::string, std::vector<ScriptIndex>> duplicates_;
  std::vector<MissingReference> missing_;
  std::vector<ScriptIndex> self_loops_;
  std::vector<Cycle> cycles_;
  std::vector<LabelClash> label_clashes_;
  std::vector<History> histories_;

  void index_scripts();
  void link(const std::map<std::string, std::string>& labels);
  void classify();
  void find_cycles();
  void find_histories();
};

}  // namespace ag::graph
