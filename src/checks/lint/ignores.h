// Ignore comments: `# alembic-gate: ignore[rule-id, ...] reason` silences those rules on the
// statement it is written on (any of its lines) or on the statement right below the block of
// comment lines it stands in; on a `with op.batch_alter_table(...)` statement, also on every
// statement of its block (the batch_op calls whose findings sit on their own lines);
// `# alembic-gate: ignore-file[rule-id, ...] reason` silences them in the whole file. A reason is
// required. An ignore without a reason, naming a rule that does not exist, or not written as above
// silences nothing and is itself a `bad-ignore` finding.
#pragma once

#include <set>
#include <span>
#include <string>
#include <vector>

#include "checks/lint/migration_file.h"
#include "core/finding.h"
#include "core/rule_info.h"

namespace ag::checks::lint {

/// One valid ignore comment.
struct Ignore {
  std::vector<std::string> rules;
  std::string reason;
  int line = 0;
  bool whole_file = false;
};

class Ignores {
 public:
  /// Reads the ignore comments of `file`, which is at `path` (relative to the repository root).
  /// `rules` are the rule ids an ignore may name.
  Ignores(const MigrationFile& file, std::string path, std::span<const RuleInfo> rules);

  /// True when a valid ignore of this file silences `finding` (bad-ignore findings never are).
  bool covers(const Finding& finding) const;

  const std::vector<Ignore>& ignores() const { return ignores_; }
  /// The bad-ignore findings: one per comment that could not be used.
  const Findings& problems() const { return problems_; }

 private:
  /// The lines of a statement.
  struct Lines {
    int first = 0;
    int last = 0;
  };

  const MigrationFile& file_;
  std::string path_;
  std::vector<Ignore> ignores_;
  Findings problems_;
  std::set<int> comment_lines_;  ///< Lines holding nothing but a comment.

  void read(const python::Comment& comment, std::string_view directive,
            std::span<const RuleInfo> rules);
  void bad(int line, std::string message);
  bool above(int comment_line, int statement_line) const;
  /// Where an ignore for a finding at `line` may stand: its statement, and the `with` statement
  /// of each batch block around it (or the line alone, outside every statement).
  std::vector<Lines> places_for(int line) const;
};

/// The bad-ignore rule's catalog entry.
std::span<const RuleInfo> ignore_rules();

}  // namespace ag::checks::lint
