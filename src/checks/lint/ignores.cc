#include "checks/lint/ignores.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <optional>

#include "util/text.h"

namespace ag::checks::lint {
namespace {

constexpr std::string_view kMarker = "alembic-gate:";
constexpr std::string_view kSyntax = "# alembic-gate: ignore[rule-id] reason";

constexpr std::array kRules = {
    RuleInfo{"bad-ignore", "lint", Severity::warning, "an ignore comment that cannot be used",
             "An ignore comment must name existing rules and say why they do not apply; one that "
             "does not silences nothing, so the findings it was meant for still show.",
             "write `# alembic-gate: ignore[rule-id] reason` (or ignore-file[...] for the whole "
             "file) with the rule ids of docs/rules/README.md and a reason"},
};

/// The `alembic-gate:` part of a comment (`# alembic-gate: ...`, also after another comment
/// such as `# noqa  # alembic-gate: ...`), without the marker; nullopt when there is none.
std::optional<std::string_view> directive_of(std::string_view comment) {
  for (size_t hash = comment.find('#'); hash != std::string_view::npos;
       hash = comment.find('#', hash + 1)) {
    std::string_view rest = trim(comment.substr(hash + 1));
    if (rest.starts_with(kMarker)) return trim(rest.substr(kMarker.size()));
  }
  return std::nullopt;
}

/// Whether `statement` opens a batch block: `with op.batch_alter_table(...) as batch_op:`.
bool opens_batch(const PythonStatement& statement) {
  return statement.tokens.front().text == "with" &&
         std::any_of(statement.tokens.begin(), statement.tokens.end(),
                     [](const python::Token& token) { return token.text == "batch_alter_table"; });
}

bool is_rule(std::span<const RuleInfo> rules, std::string_view id) {
  return std::any_of(rules.begin(), rules.end(),
                     [&](const RuleInfo& rule) { return rule.id == id; });
}

}  // namespace

Ignores::Ignores(const MigrationFile& file, std::string path, std::span<const RuleInfo> rules)
    : file_(file), path_(std::move(path)) {
  for (const python::Comment& comment : file.comments()) {
    if (comment.own_line) comment_lines_.insert(comment.line);
    if (std::optional<std::string_view> directive = directive_of(comment.text)) {
      read(comment, *directive, rules);
    }
  }
}

void Ignores::read(const python::Comment& comment, std::string_view directive,
                   std::span<const RuleInfo> rules) {
  Ignore ignore;
  ignore.line = comment.line;
  ignore.whole_file = directive.starts_with("ignore-file");
  std::string_view rest;
  if (directive.starts_with("ignore")) rest = trim(directive.substr(ignore.whole_file ? 11 : 6));
  if (!rest.starts_with("[")) {
    bad(comment.line, fmt::format("cannot read the alembic-gate comment \"{}\": write `{}`",
                                  comment.text, kSyntax));
    return;
  }
  size_t close = rest.find(']');
  if (close == std::string_view::npos) {
    bad(comment.line, fmt::format("the rule list of \"{}\" has no closing ]", comment.text));
    return;
  }
  ignore.rules = split(rest.substr(1, close - 1), ",");
  ignore.reason = trim(rest.substr(close + 1));
  ignore.reason.erase(0, ignore.reason.find_first_not_of(":- \t"));  // "] -- reason" reads well
  if (ignore.rules.empty()) {
    bad(comment.line, fmt::format("the ignore \"{}\" names no rule", comment.text));
    return;
  }
  for (const std::string& id : ignore.rules) {
    if (!is_rule(rules, id)) {
      bad(comment.line, fmt::format("the ignore names '{}', which is not a lint rule; it silences "
                                    "nothing",
                                    id));
      return;
    }
  }
  if (ignore.reason.empty()) {
    bad(comment.line, fmt::format("the ignore of {} gives no reason; it silences nothing until it "
                                  "says why the rule does not apply here",
                                  fmt::join(ignore.rules, ", ")));
    return;
  }
  ignores_.push_back(std::move(ignore));
}

void Ignores::bad(int line, std::string message) {
  problems_.push_back({.check = "lint",
                       .rule = "bad-ignore",
                       .severity = kRules[0].severity,
                       .message = std::move(message),
                       .file = path_,
                       .line = line,
                       .end_line = line,
                       .help = std::string(kRules[0].help)});
}

bool Ignores::above(int comment_line, int statement_line) const {
  if (comment_line >= statement_line) return false;
  for (int line = comment_line; line < statement_line; ++line) {
    if (!comment_lines_.contains(line)) return false;
  }
  return true;
}

std::vector<Ignores::Lines> Ignores::places_for(int line) const {
  const PythonStatement* statement = file_.statement_at(line);
  if (statement == nullptr) return {{line, line}};
  std::vector<Lines> places = {{statement->first_line, statement->last_line}};
  for (const PythonStatement* block : file_.enclosing_blocks(*statement))
    if (opens_batch(*block)) places.push_back({block->first_line, block->last_line});
  return places;
}

bool Ignores::covers(const Finding& finding) const {
  if (finding.rule == "bad-ignore") return false;
  std::vector<Lines> places = places_for(finding.line);
  return std::any_of(ignores_.begin(), ignores_.end(), [&](const Ignore& ignore) {
    if (std::find(ignore.rules.begin(), ignore.rules.end(), finding.rule) == ignore.rules.end())
      return false;
    if (ignore.whole_file) return true;
    if (finding.line <= 0) return false;
    return std::any_of(places.begin(), places.end(), [&](const Lines& place) {
      return (place.first <= ignore.line && ignore.line <= place.last) ||
             above(ignore.line, place.first);
    });
  });
}

std::span<const RuleInfo> ignore_rules() {
  return kRules;
}

}  // namespace ag::checks::lint
