#include "checks/pending/pending.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <set>

#include "alembic/revision_sql.h"
#include "alembic/worker.h"
#include "checks/missing_module.h"
#include "config/resolve.h"
#include "graph/upgrade_order.h"
#include "pg/connection.h"
#include "pg/database_url.h"
#include "util/stopwatch.h"

namespace ag::checks::pending {
namespace {

constexpr std::string_view kCheck = "pending";

// env.py runs offline (offline_worker_options()): it is never given the target's URL.

const std::array<RuleInfo, 5> kRules = {{
    {"pending-unknown-revision", kCheck, Severity::error,
     "The database is at a revision this history does not have.",
     "It was migrated from code that is not here: a branch deployed and then rolled back, or a "
     "revision file deleted or renamed since. `alembic upgrade head` fails there (\"Can't locate "
     "revision\").",
     "Find the code that migrated it (the message names the revision): restore that revision "
     "file, or downgrade the database with that code before deploying this one."},
    {"pending-multiple-heads", kCheck, Severity::error, "The history has several heads.",
     "`alembic upgrade head` refuses to run (\"Multiple head revisions are present\"), so the "
     "deploy's migration step fails.",
     "Merge the heads (`alembic merge heads -m \"merge\"`) before deploying."},
    {"pending-revisions", kCheck, Severity::notice, "Revisions the deploy will run.",
     "What `alembic upgrade head` runs on this database, in order, with their SQL in the job "
     "summary and the sql-file. Nothing pending is a pass without this notice.",
     "Review their SQL before the migration step runs."},
    {"pending-no-downgrade", kCheck, Severity::warning, "A pending revision has no way back.",
     "Its downgrade runs nothing or raises NotImplementedError: if the deploy has to be rolled "
     "back, the schema stays as this revision left it, and the old code meets it.",
     "Write the downgrade, or plan the roll-forward fix before deploying."},
    {"pending-env-failed", kCheck, Severity::error,
     "env.py cannot run in offline mode, so the gate cannot read the history.",
     "The gate runs env.py offline (as `alembic upgrade --sql` does) to learn the version table "
     "and render the pending SQL; it never hands env.py the target's URL.",
     "Make env.py's offline branch (run_migrations_offline) work: `alembic upgrade head --sql` "
     "reproduces it."},
}};

const RuleInfo& rule(std::string_view id) {
  return *std::find_if(kRules.begin(), kRules.end(), [&](const RuleInfo& r) { return r.id == id; });
}

Finding finding(std::string_view id, std::string message) {
  const RuleInfo& info = rule(id);
  return {.check = std::string(kCheck),
          .rule = std::string(id),
          .severity = info.severity,
          .message = std::move(message),
          .help = std::string(info.help)};
}

/// Every ordinary, partitioned and materialized table with its row estimate and pages (its own,
/// its TOAST table's, its indexes'), a partitioned table with the sums of its leaf partitions
/// (whose own statistics are empty): catalog rows only, no lock on any table.
constexpr std::string_view kTableSizes = R"(
WITH RECURSIVE
  own AS (
    SELECT c.oid, c.relkind, c.reltuples,
           c.relpages::bigint + COALESCE(t.relpages, 0)
             + COALESCE((SELECT sum(i.relpages) FROM pg_index x
                         JOIN pg_class i ON i.oid = x.indexrelid
                         WHERE x.indrelid = c.oid), 0) AS pages
    FROM pg_class c LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
    WHERE c.relkind IN ('r', 'p', 'm')),
  tree AS (
    SELECT oid AS root, oid AS member FROM own WHERE relkind = 'p'
    UNION ALL
    SELECT tree.root, i.inhrelid FROM tree JOIN pg_inherits i ON i.inhparent = tree.member),
  leaves AS (
    SELECT tree.root, sum(own.reltuples) FILTER (WHERE own.reltuples >= 0) AS tuples,
           sum(own.pages) AS pages
    FROM tree JOIN own ON own.oid = tree.member AND own.relkind <> 'p'
    GROUP BY tree.root)
SELECT n.nspname, c.relname,
       COALESCE(CASE WHEN own.relkind = 'p' THEN leaves.tuples ELSE own.reltuples END, -1)::bigint,
       (CASE WHEN own.relkind = 'p' THEN COALESCE(leaves.pages, 0) ELSE own.pages END)
         * current_setting('block_size')::bigint
FROM own JOIN pg_class c ON c.oid = own.oid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN leaves ON leaves.root = own.oid
WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_')";

/// The rows of one column.
std::vector<std::string> column(const pg::QueryResult& result) {
  std::vector<std::string> values;
  for (int row = 0; row < result.rows(); ++row) values.emplace_back(result.text(row, 0));
  return values;
}

/// One deploy gate run on `url`'s database.
class Gate {
 public:
  Gate(const CheckContext& context, const pg::DatabaseUrl& url)
      : context_(context), params_(url.libpq()) {
    params_.set("application_name", "alembic-gate pending");
    state_.database = params_.describe();
  }

  CheckOutcome run() {
    Stopwatch stopwatch;
    Result<alembic::Worker> worker = alembic::Worker::start(offline_worker_options(context_));
    if (!worker) return infrastructure_failure(kCheck, worker.error());
    Result<std::vector<alembic::RevisionInfo>> known = worker->revisions();
    if (!known) return env_failed(known.error(), "Alembic cannot load the revisions");
    std::vector<std::string> order;
    for (const alembic::RevisionInfo& revision : *known) order.push_back(revision.id);
    Result<alembic::OfflineSql> sql = worker->offline_sql(order);
    if (!sql) return env_failed(sql.error(), "env.py cannot run in offline mode");
    if (Status read = read_database(sql->version_table); !read)
      return infrastructure_failure(kCheck, read.error());
    outcome_.deploy = std::move(state_);  // what the database says, for lint and the reports
    judge(*known);
    show_pending(*worker, *sql, *known);
    context_.log(fmt::format("pending: {} read-only in {:.2f} s: at {}; {} pending",
                             state().database, stopwatch.seconds(),
                             state().current.empty()
                                 ? "no revision"
                                 : fmt::format("{}", fmt::join(state().current, ", ")),
                             state().pending.size()));
    return std::move(outcome_);
  }

 private:
  const CheckContext& context_;
  pg::ConnectionParams params_;
  CheckOutcome outcome_{.name = std::string(kCheck)};
  DeployState state_;  ///< Read so far; the outcome's once the database has been read.

  DeployState& state() { return outcome_.deploy ? *outcome_.deploy : state_; }

  /// The version table and the tables' sizes, in one short read-only transaction (the server
  /// refuses a write, whatever a pooler does with session settings), ended with the connection
  /// before anything slow runs.
  Status read_database(const alembic::VersionTable& table) {
    pg::ConnectOptions options;
    options.timeout = std::chrono::seconds(context_.settings.connect_timeout);
    options.log = context_.log;
    options.setting = "target-database-url";
    // The advice about a workflow's services is for database-url: the target is no service.
    options.container_action = false;
    Result<pg::Connection> connection = pg::connect_with_retry(params_, options);
    if (!connection) return connection.error();
    Status read = connection->run(
        "BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = '30s'; "
        "SET LOCAL lock_timeout = '5s'");
    if (read) read = read_current(*connection, table);
    if (read) read = read_table_sizes(*connection);
    if (read) read = connection->run("COMMIT");
    return read;
  }

  CheckOutcome env_failed(const Error& error, std::string_view why) {
    context_.log("pending: " + error.describe() +
                 (error.detail.empty() ? "" : "\n" + error.detail));
    Finding failed =
        finding("pending-env-failed",
                fmt::format("{}, so the gate cannot tell what the deploy would run: {}", why,
                            error.message.substr(0, error.message.find('\n'))));
    failed.file = error.where.empty() ? "" : context_.project.relative(error.where);
    failed.line = error.line;
    explain_missing_module(failed, error, context_);
    outcome_.findings.push_back(std::move(failed));
    return std::move(outcome_);
  }

  /// The version table's revisions, in state().current (none when it does not exist yet).
  Status read_current(pg::Connection& connection, const alembic::VersionTable& table) {
    state().version_table = table.schema.empty() ? table.name : table.schema + "." + table.name;
    std::string name = pg::quote_identifier(table.name);
    if (!table.schema.empty()) name = pg::quote_identifier(table.schema) + "." + name;
    Result<pg::QueryResult> found = connection.exec(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
        "c.relnamespace WHERE c.oid = to_regclass($1)",
        {name});
    if (!found) return unreadable(found.error(), table.schema);
    if (found->rows() == 0) {
      context_.log(fmt::format("pending: {} has no version table {}: no revision applied yet",
                               state().database, state().version_table));
      return ok();
    }
    std::string schema(found->text(0, 0));
    std::string relation(found->text(0, 1));
    state().version_table = schema + "." + relation;
    Result<pg::QueryResult> rows =
        connection.exec("SELECT version_num FROM " + pg::quote_identifier(schema) + "." +
                        pg::quote_identifier(relation) + " ORDER BY version_num");
    if (!rows) return unreadable(rows.error(), schema);
    state().current = column(*rows);
    return ok();
  }

  /// The version table could not be read: why, and the grants a refused role needs.
  Error unreadable(const Error& error, const std::string& schema) {
    std::string hint;
    if (pg::sqlstate_of(error) == "42501") {
      std::string role = params_.get("user").empty() ? "<role>" : params_.get("user");
      hint = fmt::format("; the gate's role needs `GRANT SELECT ON {} TO {}`",
                         state().version_table, role);
      if (!schema.empty() && schema != "public")  // every role may use public
        hint += fmt::format(" and `GRANT USAGE ON SCHEMA {} TO {}`", schema, role);
    }
    return Error{fmt::format("cannot read the version table {} on {}: {}{}", state().version_table,
                             state().database, error.message.substr(0, error.message.find('\n')),
                             hint)};
  }

  /// Every table's size as the planner's statistics have it: pg_class only, so that no table
  /// of the production database is locked, not even for a moment (pg_total_relation_size()
  /// would take an ACCESS SHARE lock on each, and wait behind a migration holding one).
  Status read_table_sizes(pg::Connection& connection) {
    Result<pg::QueryResult> sizes = connection.exec(std::string(kTableSizes));
    if (!sizes) return sizes.error();
    for (int row = 0; row < sizes->rows(); ++row) {
      state().tables.push_back({.schema = std::string(sizes->text(row, 0)),
                                .name = std::string(sizes->text(row, 1)),
                                .rows = std::stoll(std::string(sizes->text(row, 2))),
                                .bytes = std::stoll(std::string(sizes->text(row, 3)))});
    }
    return ok();
  }

  /// Unknown revisions, several heads, and the pending ones in upgrade order.
  void judge(const std::vector<alembic::RevisionInfo>& known) {
    std::map<std::string, const alembic::RevisionInfo*> by_id;
    for (const alembic::RevisionInfo& revision : known) by_id[revision.id] = &revision;
    state().heads = context_.graph.heads();
    if (state().heads.size() > 1) {
      outcome_.findings.push_back(finding(
          "pending-multiple-heads",
          fmt::format("the history has {} heads ({}): `alembic upgrade head` refuses to run",
                      state().heads.size(), fmt::join(state().heads, ", "))));
    }
    bool lost = false;
    for (const std::string& current : state().current) {
      if (by_id.contains(current)) continue;
      lost = true;
      outcome_.findings.push_back(finding(
          "pending-unknown-revision",
          fmt::format("{} is at revision {} ({}), which this history does not have: it was "
                      "migrated from code that is not here; `alembic upgrade head` fails there "
                      "with \"Can't locate revision identified by '{}'\"",
                      state().database, current, state().version_table, current)));
    }
    if (lost) {  // what is pending cannot be told from a revision nobody knows
      state().pending_known = false;
      return;
    }
    std::set<std::string> applied;
    for (const std::string& current : state().current) {
      std::set<std::string> at = graph::applied_at(context_.graph, current);
      applied.insert(at.begin(), at.end());
    }
    for (const alembic::RevisionInfo& revision : known)
      if (!applied.contains(revision.id)) state().pending.push_back(revision.id);
  }

  /// The pending revisions' SQL, the notice listing them, and those with no way back.
  void show_pending(alembic::Worker& worker, const alembic::OfflineSql& sql,
                    const std::vector<alembic::RevisionInfo>& known) {
    const std::vector<std::string>& pending = state().pending;
    outcome_.sql_review = SqlReview{
        .title = "SQL the deploy will run",
        .none = state().pending_known ? "nothing is pending" : "what is pending cannot be told"};
    if (pending.empty()) return;
    // Every pending downgrade is rendered (each one's way back); the newest are shown.
    Result<std::vector<alembic::OfflineDowngrade>> downgrades = worker.offline_downgrades(pending);
    std::vector<alembic::OfflineDowngrade> rendered =
        downgrades ? *downgrades : std::vector<alembic::OfflineDowngrade>{};
    SqlReview& review = *outcome_.sql_review;
    std::vector<std::string> shown = newest_for_review(pending, review.left_out);
    review.revisions =
        alembic::revisions_sql(shown, sql, rendered, known, context_.project.repository_root);
    if (!downgrades) {
      context_.log("pending: the downgrades cannot be rendered offline: " +
                   downgrades.error().describe());
      for (RevisionSql& revision : review.revisions) {
        revision.downgrade_failure =
            "env.py cannot run in offline mode for a downgrade: " + downgrades.error().describe();
      }
    }
    outcome_.findings.push_back(finding(
        "pending-revisions",
        fmt::format("{} revision{} will run on {} (from {}): {}", pending.size(),
                    pending.size() == 1 ? "" : "s", state().database,
                    state().current.empty() ? "an empty version table"
                                            : fmt::format("{}", fmt::join(state().current, ", ")),
                    fmt::join(pending, ", "))));
    std::set<std::string> changing;  // revisions whose upgrade runs SQL of its own
    for (const alembic::EmittedSql& text : sql.statements)
      if (text.origin == alembic::SqlOrigin::revision) changing.insert(text.revision);
    for (const alembic::OfflineDowngrade& downgrade : rendered)
      no_way_back(downgrade, changing.contains(downgrade.revision));
  }

  /// A warning when `downgrade` raises NotImplementedError, or runs nothing of its own while
  /// its upgrade (`upgrade_changes`) does: an upgrade that runs nothing here (`pass`, or a
  /// condition this environment does not meet) leaves nothing to undo.
  void no_way_back(const alembic::OfflineDowngrade& downgrade, bool upgrade_changes) {
    bool not_implemented =
        downgrade.failure && downgrade.failure->message.starts_with("NotImplementedError");
    bool empty = upgrade_changes && !downgrade.failure &&
                 std::none_of(downgrade.statements.begin(), downgrade.statements.end(),
                              [](const alembic::EmittedSql& s) {
                                return s.origin == alembic::SqlOrigin::revision;
                              });
    if (!not_implemented && !empty) return;
    state().no_way_back.push_back(downgrade.revision);
    Finding warning =
        finding("pending-no-downgrade",
                fmt::format("{} has no way back: its downgrade() {}", downgrade.revision,
                            not_implemented ? "raises NotImplementedError" : "runs no SQL"));
    for (const graph::RevisionScript& script : context_.graph.scripts()) {
      if (script.id() != downgrade.revision) continue;
      warning.file = context_.project.relative(script.path);
      warning.line = not_implemented && downgrade.failure->line > 0 ? downgrade.failure->line
                                                                    : script.downgrade_line;
    }
    warning.revision = downgrade.revision;
    outcome_.findings.push_back(std::move(warning));
  }
};

}  // namespace

CheckOutcome run(const CheckContext& context) {
  // app/run.cc has put the URL target-database-url-env names here, and checked it parses.
  Result<pg::DatabaseUrl> url = pg::parse_database_url(context.settings.target_database_url);
  if (!url) return infrastructure_failure(kCheck, url.error());
  return Gate(context, *url).run();
}

std::span<const RuleInfo> rules() {
  return kRules;
}

Status validate_settings(const config::Settings& settings) {
  const std::string& variable = settings.target_database_url_env;
  if (!variable.empty() && !config::is_variable_name(variable)) {
    return Error{
        fmt::format("target-database-url-env: '{}' is no name of an environment "
                    "variable (letters, digits and _, not starting with a digit)",
                    variable)};
  }
  if (!settings.target_database_url.empty()) {
    if (Result<pg::DatabaseUrl> url = pg::parse_database_url(settings.target_database_url); !url)
      return Error{"target-database-url: " + url.error().message};
  }
  bool wanted =
      std::find(settings.checks.begin(), settings.checks.end(), kCheck) != settings.checks.end();
  if (wanted && settings.target_database_url.empty() && variable.empty()) {
    return Error{
        "the pending check needs the database the deploy migrates: set target-database-url, or "
        "target-database-url-env to the name of the variable holding its URL"};
  }
  return ok();
}

}  // namespace ag::checks::pending
