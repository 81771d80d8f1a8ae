// One revision file, read statically: what Alembic would take from its module-level names.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ag::graph {

/// A module-level assignment of one of Alembic's names.
struct Declaration {
  bool present = false;            ///< Assigned at module level.
  bool readable = false;           ///< Its value is a literal this reader understands.
  std::vector<std::string> items;  ///< None, "", () and [] give no items.
  bool is_sequence = false;        ///< Written as a tuple or list.
  int line = 0;
  int end_line = 0;
};

/// Something in the file that keeps it from being read the way Alembic would load it.
struct ReadProblem {
  std::string rule;  ///< "unreadable-value", "invalid-encoding", "syntax-error", ...
  std::string message;
  int line = 0;
  int end_line = 0;
};

struct RevisionScript {
  std::filesystem::path path;
  Declaration revision;
  Declaration down_revision;
  Declaration branch_labels;
  Declaration depends_on;
  std::string message;  ///< First line of the module docstring.
  int docstring_line = 0;
  int upgrade_line = 0;  ///< Line of `def upgrade`, 0 when absent.
  int downgrade_line = 0;
  std::vector<ReadProblem> problems;

  /// The revision id, or "" when it could not be read.
  const std::string& id() const;
};

/// Reads a revision file's source. Never fails: what cannot be read becomes a ReadProblem.
RevisionScript read_revision_script(std::string_view source, std::filesystem::path path);

}  // namespace ag::graph

namespace ag::graph {

/// Reads every file in `paths`, in order; an unreadable file becomes a script with a problem.
std::vector<RevisionScript> read_revision_scripts(const std::vector<std::filesystem::path>& paths);

}  // namespace ag::graph
