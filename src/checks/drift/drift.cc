#include "checks/drift/drift.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <chrono>
#include <optional>

#include "alembic/error_summary.h"
#include "checks/drift/drift_strict.h"
#include "checks/drift/model_places.h"
#include "checks/missing_module.h"
#include "util/stopwatch.h"

namespace ag::checks::drift {
namespace {

using alembic::ModelComparison;
using alembic::ModelDifference;

constexpr std::string_view kCheck = "drift";

// The catalog is data: one entry per rule, laid out to be read as a table.
// clang-format off
constexpr std::array kRules = {
    RuleInfo{"drift-missing-table", kCheck, Severity::error,
             "a table is in the models but no migration creates it",
             "Deploys run the migrations, not the models: the table will not exist in production "
             "and the first query on it fails.",
             "generate the migration (`alembic revision --autogenerate`) and review it, or remove "
             "the model"},
    RuleInfo{"drift-extra-table", kCheck, Severity::error,
             "a table exists in the migrations but not in the models",
             "A model was removed without a migration dropping its table, or the table is managed "
             "elsewhere; the next autogenerate proposes to drop it, with its data.",
             "drop it in a migration, restore the model, or leave the table out with "
             "include_object in env.py"},
    RuleInfo{"drift-missing-column", kCheck, Severity::error,
             "a column is in the models but no migration creates it",
             "Every query that selects the model fails after the deploy: the column does not exist.",
             "generate the migration (`alembic revision --autogenerate`) and review it"},
    RuleInfo{"drift-extra-column", kCheck, Severity::error,
             "a column exists in the migrations but not in the models",
             "Inserts from the application fail when it is NOT NULL without a default, and the "
             "next autogenerate proposes to drop it, with its data.",
             "drop it in a migration, or restore it in the model"},
    RuleInfo{"drift-type", kCheck, Severity::error,
             "a column's type differs between the models and the migrations",
             "Values the application accepts may not fit the column, or the reverse. Reported when "
             "env.py sets compare_type (on by default from Alembic 1.12).",
             "alter the column in a migration, or change the model's type"},
    RuleInfo{"drift-nullable", kCheck, Severity::error,
             "a column's nullability differs between the models and the migrations",
             "Inserts without the value fail on a NOT NULL column the models think optional, or "
             "the database accepts NULLs the models rule out.",
             "alter the column in a migration, or change the model's nullable="},
    RuleInfo{"drift-server-default", kCheck, Severity::error,
             "a column's server default differs between the models and the migrations",
             "Rows inserted without the value get another default than the models say. Reported "
             "when env.py sets compare_server_default.",
             "alter the column's server_default in a migration, or change the model"},
    RuleInfo{"drift-index", kCheck, Severity::error,
             "an index is in the models or in the migrations only",
             "An index the models declare but production lacks makes queries slow; one the models "
             "lack is dropped by the next autogenerate.",
             "create or drop the index in a migration, or change the model"},
    RuleInfo{"drift-foreign-key", kCheck, Severity::error,
             "a foreign key is in the models or in the migrations only",
             "The database enforces other references than the models promise.",
             "create or drop the foreign key in a migration, or change the model"},
    RuleInfo{"drift-constraint", kCheck, Severity::error,
             "a unique, check or primary key constraint is in the models or in the migrations only",
             "Writes the application expects to be rejected are accepted, or the reverse.",
             "create or drop the constraint in a migration, or change the model"},
    RuleInfo{"drift-comment", kCheck, Severity::error,
             "a table or column comment differs between the models and the migrations",
             "The next autogenerate proposes to change it.",
             "set the comment in a migration, or change the model"},
    RuleInfo{"drift-other", kCheck, Severity::error,
             "autogenerate reports another difference",
             "A comparator of the project (or of a newer Alembic) reports a difference that "
             "alembic-gate has no rule of its own for.",
             "run `alembic revision --autogenerate` and review what it generates"},
    RuleInfo{"drift-no-metadata", kCheck, Severity::notice,
             "env.py gives autogenerate no target_metadata, so drift cannot be checked",
             "Without target_metadata Alembic cannot compare the models with the migrations; the "
             "check says so instead of passing.",
             "set target_metadata in env.py to the models' MetaData (e.g. Base.metadata), or "
             "remove drift from `checks`"},
    RuleInfo{"drift-env-failed", kCheck, Severity::error,
             "env.py or the models fail while loading",
             "`alembic revision --autogenerate` fails the same way.",
             "import the models module locally to reproduce"},
    RuleInfo{"drift-upgrade-failed", kCheck, Severity::error,
             "the migrations cannot bring an empty database to the heads, so drift was not checked",
             "Drift is compared on a database at the heads; the roundtrip check shows the failing "
             "revision too.",
             "run `alembic upgrade heads` on an empty database"},
    RuleInfo{"drift-strict", kCheck, Severity::warning,
             "the schema the models build differs from the one the migrations build",
             "Found with drift-strict only: metadata.create_all() in a second scratch database, "
             "its catalog compared with the migrations' (server defaults, CHECK constraints, enum "
             "values, sequences, index details: what autogenerate does not compare).",
             "make the migrations and the models agree; drift-strict-severity sets the severity"},
};
// clang-format on

const RuleInfo& rule(std::string_view id) {
  for (const RuleInfo& info : kRules) {
    if (info.id == id) return info;
  }
  throw std::logic_error(fmt::format("drift: no rule '{}'", id));
}

std::string qualified(const std::string& schema, const std::string& name) {
  return schema.empty() ? name : schema + "." + name;
}

std::string or_none(const std::optional<std::string>& value) {
  return value ? *value : "none";
}

/// How a message names an index or constraint: "index ix_a on posts (slug)",
/// "foreign key on posts (user_id) referencing users (id)".
std::string describe_object(const ModelDifference& difference, std::string_view noun) {
  std::string text(noun);
  if (!difference.name.empty()) text += " " + difference.name;
  text += " on " + qualified(difference.schema, difference.table);
  if (!difference.columns.empty())
    text += fmt::format(" ({})", fmt::join(difference.columns, ", "));
  if (!difference.referred_table.empty()) {
    text += fmt::format(" referencing {} ({})", difference.referred_table,
                        fmt::join(difference.referred_columns, ", "));
  }
  return text;
}

/// What a difference says, the rule it falls under, and the message for `alembic revision -m`.
struct Wording {
  std::string_view rule;
  std::string message;
  std::string slug;
};

constexpr std::string_view kOnlyInModels = "is in the models but no migration creates it";
constexpr std::string_view kOnlyInMigrations = "exists in the migrations but not in the models";

Wording word_object(const ModelDifference& d, bool added) {
  std::string_view presence = added ? kOnlyInModels : kOnlyInMigrations;
  std::string_view verb = added ? "add" : "drop";
  if (d.op.ends_with("_index")) {
    std::string noun = d.kind == "unique" ? "unique index" : "index";
    return {"drift-index", fmt::format("{} {}", describe_object(d, noun), presence),
            fmt::format("{} index {}", verb, d.name.empty() ? d.table : d.name)};
  }
  if (d.op.ends_with("_fk")) {
    return {"drift-foreign-key", fmt::format("{} {}", describe_object(d, "foreign key"), presence),
            fmt::format("{} foreign key on {}", verb, d.table)};
  }
  return {"drift-constraint",
          fmt::format("{} {}", describe_object(d, d.kind + " constraint"), presence),
          fmt::format("{} {} constraint on {}", verb, d.kind, d.table)};
}

Wording word(const ModelDifference& d) {
  std::string table = qualified(d.schema, d.table);
  std::string column = table + "." + d.name;
  if (d.op == "add_table")
    return {"drift-missing-table", fmt::format("table {} {}", table, kOnlyInModels),
            "create table " + table};
  if (d.op == "remove_table")
    return {"drift-extra-table", fmt::format("table {} {}", table, kOnlyInMigrations),
            "drop table " + table};
  if (d.op == "add_column")
    return {"drift-missing-column",
            fmt::format("column {} ({}) {}", column, or_none(d.to), kOnlyInModels),
            "add " + column};
  if (d.op == "remove_column")
    return {"drift-extra-column", fmt::format("column {} {}", column, kOnlyInMigrations),
            "drop " + column};
  if (d.op == "modify_type")
    return {"drift-type",
            fmt::format("column {} has type {} in the migrations but {} in the models", column,
                        or_none(d.from), or_none(d.to)),
            "change type of " + column};
  if (d.op == "modify_nullable")
    return {"drift-nullable",
            fmt::format("column {} is {} in the migrations but {} in the models", column,
                        or_none(d.from), or_none(d.to)),
            fmt::format("make {} {}", column, or_none(d.to))};
  if (d.op == "modify_default")
    return {"drift-server-default",
            fmt::format("column {} has server default {} in the migrations but {} in the models",
                        column, or_none(d.from), or_none(d.to)),
            "change server default of " + column};
  if (d.op == "modify_comment" || d.op.ends_with("_table_comment")) {
    std::string subject = d.op == "modify_comment" ? "column " + column : "table " + table;
    return {"drift-comment",
            fmt::format("{} has comment {} in the migrations but {} in the models", subject,
                        or_none(d.from), or_none(d.to)),
            "change comment of " + subject.substr(subject.find(' ') + 1)};
  }
  if (d.op.starts_with("add_") || d.op.starts_with("remove_"))
    if (d.op.ends_with("_index") || d.op.ends_with("_fk") || d.op.ends_with("_constraint"))
      return word_object(d, d.op.starts_with("add_"));
  return {"drift-other", "autogenerate finds a difference: " + (d.text.empty() ? d.op : d.text),
          "sync models"};
}

/// Where a difference points: what the models define (the new column's line, the index's
/// name), else the model of the table it is in (a column the models lack), else env.py.
SourceLine place_of(const ModelDifference& d, const ModelPlaces& places) {
  if (d.op == "add_table" || d.op == "remove_column" || d.op.ends_with("_table_comment"))
    return places.table(d.schema, d.table);
  if (d.op == "remove_table") return places.env_py();
  if (d.op == "add_column" || d.op.starts_with("modify_"))
    return places.column(d.schema, d.table, d.name);
  if (d.op.starts_with("add_")) return places.object(d.schema, d.table, d.name, d.columns);
  return places.table(d.schema, d.table);
}

class Drift {
 public:
  explicit Drift(const CheckContext& context) : context_(context) {
    outcome_.name = std::string(kCheck);
  }

  CheckOutcome run() {
    std::optional<ModelComparison> comparison = compare_at_heads();
    if (!comparison) return std::move(outcome_);
    ModelPlaces places(*comparison, context_.project);
    if (!comparison->has_metadata()) {
      outcome_.status = CheckStatus::unavailable;
      add("drift-no-metadata", places.env_py(),
          "env.py gives autogenerate no target_metadata, so drift cannot be checked: the models "
          "were not compared with the migrations",
          std::string(rule("drift-no-metadata").help));
      return std::move(outcome_);
    }
    for (const ModelDifference& difference : comparison->differences) report(difference, places);
    if (context_.settings.drift_strict) strict(*comparison, places);
    std::string log = fmt::format(
        "drift: {} differences from autogenerate; comparing through env.py took {:.2f} s",
        comparison->differences.size(), cost_.compare);
    if (cost_.upgrade > 0) log += fmt::format(", upgrading to the heads {:.2f} s", cost_.upgrade);
    if (cost_.strict > 0) log += fmt::format(", the strict comparison {:.2f} s", cost_.strict);
    context_.log(log);
    return std::move(outcome_);
  }

 private:
  const CheckContext& context_;
  sandbox::Sandbox* sandbox_ = nullptr;    ///< Where the comparison runs.
  std::unique_ptr<sandbox::Sandbox> own_;  ///< A fresh sandbox, when the shared one would not do.
  CheckOutcome outcome_;
  struct {
    double compare = 0, upgrade = 0, strict = 0;
  } cost_;  ///< Where the time went, for the log.

  // -- a database at the heads ------------------------------------------------------------------

  /// The comparison on a database at the heads: the shared sandbox when the roundtrip left it
  /// there, or upgraded when it is still empty; else a fresh one upgraded. nullopt when it
  /// could not be made (a finding says why). Without target_metadata, no upgrade is needed.
  std::optional<ModelComparison> compare_at_heads() {
    Result<sandbox::Sandbox*> shared = context_.workspace.shared();
    if (!shared) return broken(shared.error());
    sandbox_ = *shared;
    if (sandbox_->worker().running()) {  // not stopped by a roundtrip step that timed out
      std::optional<ModelComparison> compared = compare();
      if (!compared || compared->up_to_date() || !compared->has_metadata()) return compared;
      if (compared->nothing_applied()) return upgrade_and_compare();
    }
    // Elsewhere in the history (a roundtrip stopped there): start from an empty database.
    Result<std::unique_ptr<sandbox::Sandbox>> fresh = context_.workspace.open_another();
    if (!fresh) return broken(fresh.error());
    own_ = std::move(*fresh);
    sandbox_ = own_.get();
    return upgrade_and_compare();
  }

  std::optional<ModelComparison> upgrade_and_compare() {
    Stopwatch stopwatch;
    std::chrono::seconds limit = std::chrono::seconds(context_.settings.step_timeout) *
                                 static_cast<int>(context_.graph.revisions().size() + 1);
    Status upgraded = sandbox_->worker().upgrade_to_heads(context_.settings.skip_revisions, limit);
    cost_.upgrade += stopwatch.seconds();
    if (!upgraded) {
      if (alembic::is_alembic_incompatibility(upgraded.error()))
        return broken(Error{upgraded.error().message});
      return failed("drift-upgrade-failed", upgraded.error(),
                    "the migrations cannot bring an empty database to the heads, so drift was "
                    "not checked: ");
    }
    std::optional<ModelComparison> compared = compare();
    if (compared && !compared->up_to_date()) {
      return failed("drift-upgrade-failed",
                    Error{"some database env.py compares is not at the heads after `alembic "
                          "upgrade heads`"},
                    "drift was not checked: ");
    }
    return compared;
  }

  /// The worker's comparison; nullopt when there is none (a finding says why).
  std::optional<ModelComparison> compare() {
    Stopwatch stopwatch;
    Result<ModelComparison> compared =
        sandbox_->worker().compare_models(context_.settings.drift_strict);
    cost_.compare += stopwatch.seconds();
    if (!compared) return env_failed(compared.error());
    if (compared->databases.empty()) return never_ran_migrations();
    return std::move(*compared);
  }

  // -- findings -----------------------------------------------------------------------------------

  void report(const ModelDifference& difference, const ModelPlaces& places) {
    Wording wording = word(difference);
    add(wording.rule, place_of(difference, places), std::move(wording.message),
        fmt::format("if the models are right, generate the migration: `alembic revision "
                    "--autogenerate -m \"{}\"`, and review it; if the migrations are right, "
                    "change the models",
                    wording.slug));
  }

  void strict(const ModelComparison& comparison, const ModelPlaces& places) {
    Stopwatch stopwatch;
    Result<Findings> found = compare_catalogs(context_, *sandbox_, comparison, places);
    if (!found) {
      broken(found.error());
      return;
    }
    cost_.strict += stopwatch.seconds();
    outcome_.findings.insert(outcome_.findings.end(), found->begin(), found->end());
  }

  std::nullopt_t env_failed(const Error& error) {
    alembic::Worker& worker = sandbox_->worker();
    if (!worker.running() && !worker.timed_out()) return broken(error);  // not env.py's fault
    if (alembic::is_alembic_incompatibility(error)) return broken(Error{error.message});
    std::string at =
        error.line > 0
            ? fmt::format(" (at {}:{})", context_.project.relative(error.where), error.line)
            : "";
    return failed("drift-env-failed", error,
                  "env.py failed while comparing the models with the migrations: ", at);
  }

  /// env.py returned without calling context.run_migrations(): no database was compared. Not
  /// "no target_metadata", which would send the user looking in the wrong place.
  std::nullopt_t never_ran_migrations() {
    log_worker_output();
    add("drift-env-failed", env_py(),
        "env.py returned without calling context.run_migrations(), so drift was not checked: no "
        "database was compared with the models",
        "call context.run_migrations() when env.py runs online, as run_migrations_online() in "
        "Alembic's template does (`alembic revision --autogenerate` compares nothing either)");
    return std::nullopt;
  }

  /// A finding at the error's line (env.py when it has none) saying `before` + the error +
  /// `after`; the traceback goes to the log.
  std::nullopt_t failed(std::string_view rule_id, const Error& error, std::string_view before,
                        std::string_view after = "") {
    SourceLine place = env_py();
    if (!error.where.empty()) place = {context_.project.relative(error.where), error.line};
    log_worker_output();
    if (!error.detail.empty()) context_.log(error.detail);
    add(rule_id, place,
        fmt::format("{}{}{}", before, alembic::summarize_error(error.message), after),
        std::string(rule(rule_id).help));
    explain_missing_module(outcome_.findings.back(), error, context_);
    return std::nullopt;
  }

  SourceLine env_py() const {
    return {context_.project.relative(context_.project.script_location / "env.py"), 0};
  }

  void log_worker_output() {
    std::string log = sandbox_ != nullptr ? sandbox_->worker().take_log() : "";
    if (!log.empty()) context_.log(log);
  }

  std::nullopt_t broken(const Error& error) {
    CheckOutcome failure = infrastructure_failure(kCheck, error);
    outcome_.status = CheckStatus::error;
    outcome_.findings.insert(outcome_.findings.end(), failure.findings.begin(),
                             failure.findings.end());
    return std::nullopt;
  }

  void add(std::string_view rule_id, const SourceLine& place, std::string message,
           std::string help) {
    outcome_.findings.push_back({.check = std::string(kCheck),
                                 .rule = std::string(rule_id),
                                 .severity = rule(rule_id).severity,
                                 .message = std::move(message),
                                 .file = place.file,
                                 .line = place.line,
                                 .end_line = place.line,
                                 .help = std::move(help)});
  }
};

}  // namespace

CheckOutcome run(const CheckContext& context) {
  return Drift(context).run();
}

std::span<const RuleInfo> rules() {
  return kRules;
}

}  // namespace ag::checks::drift
