#include "checks/heads.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace ag::checks {
namespace {

using graph::Declaration;
using graph::RevisionGraph;
using graph::RevisionScript;

constexpr std::string_view kIllegalIdCharacters = "@-+";  // Alembic's _revision_illegal_chars

class HeadsJudge {
 public:
  explicit HeadsJudge(const CheckContext& context)
      : project_(context.project), graph_(context.graph) {}

  Findings judge() {
    for (const RevisionScript& script : graph_.scripts()) judge_script(script);
    judge_duplicates();
    judge_references();
    judge_cycles();
    judge_labels();
    judge_heads();
    if (graph_.scripts().empty()) {
      add({"empty-history",
           Severity::notice,
           "no revision files found; the history is empty (nothing to check yet)",
           {},
           0,
           0,
           "",
           ""});
    }
    return std::move(findings_);
  }

 private:
  const project::Project& project_;
  const RevisionGraph& graph_;
  Findings findings_;

  struct Draft {
    std::string_view rule;
    Severity severity;
    std::string message;
    std::filesystem::path file;
    int line;
    int end_line;
    std::string revision;
    std::string help;
  };

  void add(Draft draft) {
    findings_.push_back(Finding{"heads", std::string(draft.rule), draft.severity,
                                std::move(draft.message),
                                draft.file.empty() ? "" : project_.relative(draft.file), draft.line,
                                draft.end_line > draft.line ? draft.end_line : draft.line,
                                std::move(draft.revision), std::move(draft.help)});
  }

  void at(const RevisionScript& script, const Declaration& where, std::string_view rule,
          std::string message, std::string help = {}) {
    int line = where.present ? where.line : 1;
    add({rule, Severity::error, std::move(message), script.path, line, where.end_line, script.id(),
         std::move(help)});
  }

  /// `abc123 ("add users")`, or just the id when the file has no message.
  std::string describe(const std::string& id) const {
    const graph::Revision* revision = graph_.find(id);
    if (revision == nullptr) return id;
    const std::string& message = graph_.scripts()[revision->script].message;
    return message.empty() ? id : fmt::format("{} (\"{}\")", id, message);
  }

  void judge_script(const RevisionScript& script) {
    for (const graph::ReadProblem& problem : script.problems) {
      add({problem.rule, Severity::error, problem.message, script.path, problem.line,
           problem.end_line, script.id(), ""});
    }
    const Declaration& revision = script.revision;
    if (!revision.present) {
      at(script, revision, "missing-revision-id",
         "no module-level `revision = \"...\"`: Alembic cannot load this file as a revision",
         "declare the revision id at module level, or move the file out of the versions folder");
    } else if (revision.readable && (revision.is_sequence || revision.items.size() != 1)) {
      at(script, revision, "invalid-revision-id", "revision must be one non-empty string");
    } else if (const std::string& id = script.id();
               id.find_first_of(kIllegalIdCharacters) != std::string::npos) {
      char bad = id[id.find_first_of(kIllegalIdCharacters)];
      at(script, revision, "illegal-revision-id",
         fmt::format("revision id \"{}\" contains '{}'; Alembic rejects '@', '-' and '+' in ids",
                     id, bad),
         "use letters, digits and underscores, e.g. the 12-character hex ids `alembic revision` "
         "makes");
    }
    if (!script.down_revision.present && revision.present) {
      at(script, revision, "missing-down-revision",
         "no module-level `down_revision`: Alembic cannot load this file",
         "add `down_revision = None` for a base, or the parent's id");
    }
  }

  void judge_duplicates() {
    for (const auto& [id, copies] : graph_.duplicates()) {
      for (graph::ScriptIndex index : copies) {
        const RevisionScript& script = graph_.scripts()[index];
        std::vector<std::string> others;
        for (graph::ScriptIndex other : copies) {
          if (other != index) others.push_back(project_.relative(graph_.scripts()[other].path));
        }
        at(script, script.revision, "duplicate-revision",
           fmt::format("revision id {} is also declared in {}; Alembic keeps only one of them and "
                       "the history around it breaks",
                       id, fmt::join(others, ", ")),
           "give one of the files a new id (and update the down_revision that should point at it)");
      }
    }
  }

  void judge_references() {
    for (const graph::MissingReference& missing : graph_.missing()) {
      const RevisionScript& script = graph_.scripts()[missing.script];
      if (missing.dependency) {
        at(script, script.depends_on, "unknown-dependency",
           fmt::format("depends_on names \"{}\", which is neither a revision id nor a branch label",
                       missing.name),
           "fix the id or label, or restore the revision it names");
      } else {
        at(script, script.down_revision, "missing-parent",
           fmt::format("down_revision names {}, which no revision file declares", missing.name),
           "restore the deleted revision file, or point down_revision at the revision this one "
           "really follows");
      }
    }
    for (graph::ScriptIndex index : graph_.self_loops()) {
      const RevisionScript& script = graph_.scripts()[index];
      bool in_down = std::count(script.down_revision.items.begin(),
                                script.down_revision.items.end(), script.id()) > 0;
      at(script, in_down ? script.down_revision : script.depends_on, "self-loop",
         fmt::format("revision {} names itself in {}", script.id(),
                     in_down ? "down_revision" : "depends_on"),
         "point it at the revision this one follows");
    }
  }

  void judge_cycles() {
    for (const graph::Cycle& cycle : graph_.cycles()) {
      std::vector<std::string> path = cycle.path;
      path.push_back(path.front());
      const RevisionScript& script = graph_.script_of(cycle.path.front());
      at(script, cycle.through_dependency ? script.depends_on : script.down_revision, "cycle",
         fmt::format("revisions form a cycle{}: {} (each names the next as its parent); Alembic "
                     "cannot order them",
                     cycle.through_dependency ? " through depends_on" : "",
                     fmt::join(path, " -> ")),
         "break the cycle: one of these revisions must follow a revision outside it");
    }
  }

  void judge_labels() {
    for (const graph::LabelClash& clash : graph_.label_clashes()) {
      const RevisionScript& script = graph_.scripts()[clash.script];
      bool is_id = clash.first_owner == clash.label;
      at(script, script.branch_labels, "duplicate-branch-label",
         is_id ? fmt::format("branch label \"{}\" is also a revision id", clash.label)
               : fmt::format("branch label \"{}\" is already used by revision {}", clash.label,
                             describe(clash.first_owner)),
         "choose a label used nowhere else in the history");
    }
  }

  /// A broken link splits a history in two; judging the pieces as histories would only add noise.
  bool has_broken_links() const {
    return !graph_.missing().empty() || !graph_.self_loops().empty() || !graph_.cycles().empty() ||
           !graph_.duplicates().empty();
  }

  void judge_heads() {
    const std::vector<graph::History>& histories = graph_.histories();
    bool judge_independence = histories.size() > 1 && !has_broken_links();
    for (const graph::History& history : histories) {
      if (history.heads.size() > 1) judge_multiple_heads(history.heads);
      if (judge_independence && history.branch_labels.empty()) {
        for (const std::string& base : history.bases) {
          const RevisionScript& script = graph_.script_of(base);
          at(script, script.down_revision, "unlabelled-branch",
             fmt::format("base {} starts one of {} independent histories, and none of its "
                         "revisions has a branch label; `alembic upgrade head` fails with "
                         "several heads",
                         describe(base), histories.size()),
             "merge the histories with `alembic merge`, or give this base `branch_labels = "
             "(\"name\",)` "
             "and upgrade with `alembic upgrade heads`");
        }
      }
    }
  }

  void judge_multiple_heads(const std::vector<std::string>& heads) {
    for (const std::string& head : heads) {
      const RevisionScript& script = graph_.script_of(head);
      at(script, script.revision, "multiple-heads",
         fmt::format("revision {} is one of {} heads ({}); `alembic upgrade head` will fail",
                     describe(head), heads.size(), fmt::join(heads, ", ")));
    }
    add({"multiple-heads",
         Severity::error,
         fmt::format("the history has {} heads: {}", heads.size(), fmt::join(heads, ", ")),
         {},
         0,
         0,
         "",
         fmt::format("merge them: alembic merge -m \"merge heads\" {}", fmt::join(heads, " "))});
  }
};

}  // namespace

Findings check_heads(const CheckContext& context) {
  return HeadsJudge(context).judge();
}

}  // namespace ag::checks
