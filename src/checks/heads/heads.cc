#include "checks/heads/heads.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace ag::checks::heads {
namespace {

using graph::Declaration;
using graph::RevisionGraph;
using graph::RevisionScript;

constexpr std::string_view kIllegalIdCharacters = "@-+";  // Alembic's _revision_illegal_chars

constexpr RuleInfo kRules[] = {
    {"multiple-heads", "heads", Severity::error, "A history has more than one head.",
     "Two revisions name the same parent, usually because two branches each added a migration. "
     "`alembic upgrade head` refuses to run with several heads, so the next deploy fails.",
     "Merge the heads with `alembic merge -m \"merge heads\" HEAD1 HEAD2` and commit the merge "
     "revision."},
    {"unlabelled-branch", "heads", Severity::error,
     "Several independent histories, and this one has no branch label.",
     "The revision files form more than one unconnected history. That is fine only when each "
     "carries a branch label and deploys run `alembic upgrade heads`; without labels "
     "`alembic upgrade head` fails.",
     "Merge the histories with `alembic merge`, or give each base `branch_labels = (\"name\",)`."},
    {"missing-parent", "heads", Severity::error, "down_revision names a revision no file declares.",
     "The parent revision file was deleted, renamed to another id, or never committed. Alembic "
     "cannot build the history and every command fails.",
     "Restore the parent's file, or point down_revision at the revision this one really follows."},
    {"duplicate-revision", "heads", Severity::error, "Two files declare the same revision id.",
     "Alembic keeps only one of the files with a given id; the other one's migration silently "
     "never runs and the history around it breaks.",
     "Give one of the files a new id and update the down_revision that should point at it."},
    {"self-loop", "heads", Severity::error, "A revision names itself as its parent or dependency.",
     "A revision that follows itself cannot be ordered; Alembic fails to load the history.",
     "Point down_revision (or depends_on) at the revision this one follows."},
    {"cycle", "heads", Severity::error, "Revisions form a cycle.",
     "Each revision in the cycle names the next as its parent (through down_revision or "
     "depends_on), so no order exists to run them in. Some such cycles are missed by Alembic's "
     "own check and only fail at upgrade time.",
     "Break the cycle: one of the revisions must follow a revision outside it."},
    {"duplicate-branch-label", "heads", Severity::error,
     "A branch label is used twice, or equals a revision id.",
     "Branch labels name a branch in commands like `alembic upgrade label@head`; a label that is "
     "not unique makes Alembic reject the history.",
     "Choose a label used nowhere else in the history."},
    {"unknown-dependency", "heads", Severity::error,
     "depends_on names neither a revision nor a branch label.",
     "Alembic resolves depends_on when it builds the history; an unknown name makes every command "
     "fail.",
     "Fix the id or label, or restore the revision it names."},
    {"illegal-revision-id", "heads", Severity::error, "A revision id contains '@', '-' or '+'.",
     "Alembic reserves these characters for revision arithmetic (`head-1`, `label@rev`) and "
     "rejects ids containing them.",
     "Use letters, digits and underscores, e.g. the 12-character hex ids `alembic revision` "
     "makes."},
    {"missing-revision-id", "heads", Severity::error,
     "A file in the versions folder declares no revision id.",
     "Alembic loads every Python file in the versions folder as a revision; one without a "
     "module-level `revision` makes it fail.",
     "Declare `revision = \"...\"` at module level, or move the file out of the versions folder."},
    {"missing-down-revision", "heads", Severity::error,
     "A revision file declares no down_revision.",
     "Alembic needs a module-level `down_revision` in every revision file, None for a base.",
     "Add `down_revision = None` for a base, or the parent's id."},
    {"invalid-revision-id", "heads", Severity::error,
     "The revision id is not one non-empty string.",
     "Alembic takes `revision` as a single string id; a tuple, an empty string or None cannot be "
     "loaded.",
     "Write the id as one string literal, e.g. `revision = \"1a2b3c4d5e6f\"`."},
    {"unreadable-value", "heads", Severity::error,
     "A revision's declaration is computed, not a literal.",
     "alembic-gate reads revision files without running them and never guesses: a value built "
     "from a call, an f-string, a concatenation or an unpacking cannot be read that way.",
     "Write revision, down_revision, branch_labels and depends_on as literals, as Alembic's "
     "template does."},
    {"invalid-encoding", "heads", Severity::error, "The file is not valid UTF-8.",
     "Python reads source files as UTF-8 unless a coding cookie says otherwise; invalid bytes "
     "outside comments make the import fail.",
     "Save the file as UTF-8, or declare its encoding with a coding cookie."},
    {"syntax-error", "heads", Severity::error, "The file cannot be parsed as Python.",
     "An unterminated string or unbalanced bracket keeps Python, and so Alembic, from loading "
     "the revision.",
     "Fix the syntax at the reported line."},
    {"unreadable-file", "heads", Severity::error, "A revision file cannot be read.",
     "The file exists in the versions folder but could not be opened or read (permissions, a "
     "broken link).",
     "Make the file readable, or remove it from the versions folder."},
    {"empty-history", "heads", Severity::notice, "No revision files yet.",
     "The versions folder holds no revision scripts, so there is nothing to check.",
     "Create the first revision with `alembic revision -m \"...\"`."},
};

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
      add({.rule = "empty-history",
           .severity = Severity::notice,
           .message = "no revision files found; the history is empty (nothing to check yet)"});
    }
    return std::move(findings_);
  }

 private:
  const project::Project& project_;
  const RevisionGraph& graph_;
  Findings findings_;

  /// A finding before its file is made relative to the project.
  struct Draft {
    std::string_view rule;
    Severity severity = Severity::error;
    std::string message;
    std::filesystem::path file = {};
    int line = 0;
    int end_line = 0;
    std::string revision = {};
    std::string help = {};
  };

  void add(Draft draft) {
    findings_.push_back({.check = "heads",
                         .rule = std::string(draft.rule),
                         .severity = draft.severity,
                         .message = std::move(draft.message),
                         .file = draft.file.empty() ? "" : project_.relative(draft.file),
                         .line = draft.line,
                         .end_line = draft.end_line > draft.line ? draft.end_line : draft.line,
                         .revision = std::move(draft.revision),
                         .help = std::move(draft.help)});
  }

  void at(const RevisionScript& script, const Declaration& where, std::string_view rule,
          std::string message, std::string help = {}) {
    int line = where.present ? where.line : 1;
    add({.rule = rule,
         .message = std::move(message),
         .file = script.path,
         .line = line,
         .end_line = where.end_line,
         .revision = script.id(),
         .help = std::move(help)});
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
      add({.rule = problem.rule,
           .message = problem.message,
           .file = script.path,
           .line = problem.line,
           .end_line = problem.end_line,
           .revision = script.id()});
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
    add({.rule = "multiple-heads",
         .message =
             fmt::format("the history has {} heads: {}", heads.size(), fmt::join(heads, ", ")),
         .help = fmt::format("merge them: alembic merge -m \"merge heads\" {}",
                             fmt::join(heads, " "))});
  }
};

}  // namespace

CheckOutcome run(const CheckContext& context) {
  return {.name = "heads", .status = CheckStatus::passed, .findings = HeadsJudge(context).judge()};
}

std::span<const RuleInfo> rules() {
  return kRules;
}

}  // namespace ag::checks::heads
