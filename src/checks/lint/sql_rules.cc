#include "checks/lint/sql_rules.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

#include "checks/lint/sql_lint.h"

namespace ag::checks::lint {
namespace {

constexpr std::string_view kCheck = "lint";

// The catalog: id, check, default severity, summary, description (what happens in production),
// general help (each finding's help names the actual tables and columns).
constexpr std::array kRules = {
    RuleInfo{"require-concurrent-index-creation", kCheck, Severity::error,
             "CREATE INDEX on an existing table without CONCURRENTLY",
             "A plain CREATE INDEX holds a SHARE lock on the table until the index is built: every "
             "INSERT, UPDATE and DELETE on it waits, for minutes on a large table.",
             "Build it concurrently, outside the migration's transaction: `with "
             "op.get_context().autocommit_block(): op.create_index(..., "
             "postgresql_concurrently=True)`."},
    RuleInfo{"require-concurrent-index-deletion", kCheck, Severity::warning,
             "DROP INDEX of an existing index without CONCURRENTLY",
             "A plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table: all reads "
             "and writes of it wait while it waits for running queries and while it drops.",
             "`with op.get_context().autocommit_block(): op.drop_index(..., "
             "postgresql_concurrently=True)`."},
    RuleInfo{"require-concurrent-reindex", kCheck, Severity::error,
             "REINDEX of an existing table's indexes without CONCURRENTLY",
             "REINDEX holds a SHARE lock on the table (every INSERT, UPDATE and DELETE waits) "
             "and an ACCESS EXCLUSIVE lock on each index it rebuilds (queries that would use it "
             "wait), for as long as the rebuild takes.",
             "On PostgreSQL 12+: `with op.get_context().autocommit_block(): "
             "op.execute(\"REINDEX INDEX CONCURRENTLY ix\")`."},
    RuleInfo{"concurrently-in-transaction", kCheck, Severity::error,
             "CONCURRENTLY inside a transaction block",
             "CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY cannot "
             "run inside a transaction block: the migration fails when it reaches them. Alembic "
             "runs migrations in a transaction unless the statement is inside an "
             "autocommit_block (offline SQL shows the block as COMMIT ... BEGIN around it).",
             "Wrap the operation in `with op.get_context().autocommit_block():`; it commits the "
             "migration's transaction first, so keep such a revision to the concurrent operation "
             "(or set transaction_per_migration=True in env.py)."},
    RuleInfo{"constraint-missing-not-valid", kCheck, Severity::error,
             "CHECK constraint added to an existing table without NOT VALID",
             "ADD CONSTRAINT ... CHECK checks every row while holding an ACCESS EXCLUSIVE lock: "
             "all reads and writes of the table wait until the scan ends. Validating it in the "
             "same transaction as a NOT VALID add keeps that lock during the scan.",
             "Add it NOT VALID (`op.create_check_constraint(..., postgresql_not_valid=True)`), "
             "then in a later transaction `op.execute(\"ALTER TABLE t VALIDATE CONSTRAINT c\")`, "
             "which takes a SHARE UPDATE EXCLUSIVE lock only."},
    RuleInfo{"adding-foreign-key-constraint", kCheck, Severity::error,
             "FOREIGN KEY added to an existing table without NOT VALID",
             "Adding a foreign key checks every row against the referenced table while holding "
             "SHARE ROW EXCLUSIVE locks on both: writes to both tables wait until the check ends.",
             "`op.create_foreign_key(..., postgresql_not_valid=True)`, then in a later "
             "transaction `op.execute(\"ALTER TABLE t VALIDATE CONSTRAINT c\")`."},
    RuleInfo{"adding-field-with-default", kCheck, Severity::error,
             "column added to an existing table with a volatile default, serial or identity",
             "Since PostgreSQL 11 a constant (or stable, like now()) default is stored once and "
             "costs nothing; a volatile default (random(), gen_random_uuid(), uuid_generate_v4(), "
             "nextval() of a serial), an identity or a stored generated column rewrites the whole "
             "table under an ACCESS EXCLUSIVE lock instead: all reads and writes wait until it is "
             "done. A function alembic-gate does not know may be volatile: reported as a "
             "warning.",
             "Add the column without that default, set the default for new rows with "
             "`op.alter_column(..., server_default=...)`, and backfill existing rows in batches."},
    RuleInfo{"adding-not-nullable-field", kCheck, Severity::error,
             "SET NOT NULL on a column of an existing table",
             "SET NOT NULL scans every row while holding an ACCESS EXCLUSIVE lock: all reads and "
             "writes of the table wait until the scan ends.",
             "On PostgreSQL 12+, prove it first: a CHECK (c IS NOT NULL) added NOT VALID and "
             "validated in a later transaction lets SET NOT NULL skip the scan; then drop the "
             "check."},
    RuleInfo{"adding-required-field", kCheck, Severity::error,
             "NOT NULL column without a default added to an existing table",
             "ADD COLUMN ... NOT NULL without a default fails as soon as the table has a row: "
             "the existing rows would hold NULL.",
             "Give the column a constant server_default, or add it nullable, backfill it, then "
             "make it NOT NULL."},
    RuleInfo{"disallowed-unique-constraint", kCheck, Severity::error,
             "UNIQUE or PRIMARY KEY constraint added to an existing table without an index",
             "ADD CONSTRAINT ... UNIQUE (or PRIMARY KEY) builds its index while holding an ACCESS "
             "EXCLUSIVE lock: all reads and writes of the table wait until the build ends.",
             "Build a unique index concurrently first, then attach it: `ALTER TABLE t ADD "
             "CONSTRAINT c UNIQUE USING INDEX c` takes the lock only briefly."},
    RuleInfo{"changing-column-type", kCheck, Severity::error,
             "column type change that rewrites an existing table",
             "ALTER COLUMN ... TYPE rewrites the table and rebuilds its indexes under an ACCESS "
             "EXCLUSIVE lock: all reads and writes wait until it is done. Binary-coercible changes "
             "(varchar widened or unlimited, varchar to text, numeric precision raised at the "
             "same scale) need no rewrite and are not reported when the old type is known.",
             "Expand and contract: `op.add_column(\"t\", sa.Column(\"c_new\", <new type>))`, "
             "backfill it in batches, move the application to it, then in a later release "
             "`op.drop_column(\"t\", \"c\")`."},
    RuleInfo{"ban-drop-column", kCheck, Severity::warning, "column dropped from an existing table",
             "Dropping a column is quick, but every running instance of the application that "
             "still reads or writes it fails from that moment until the new code is everywhere.",
             "Remove the column from the models and deploy that first; then in a later release "
             "`op.drop_column(\"t\", \"c\")  # alembic-gate: ignore[ban-drop-column] unused since "
             "<release>`."},
    RuleInfo{"ban-drop-table", kCheck, Severity::warning, "existing table dropped",
             "Dropping a table deletes its data for good and breaks every running instance of "
             "the application that still uses it.",
             "Remove the table's model and deploy that first; then in a later release "
             "`op.drop_table(\"t\")  # alembic-gate: ignore[ban-drop-table] unused since "
             "<release>`."},
    RuleInfo{"renaming-column", kCheck, Severity::warning, "column of an existing table renamed",
             "Running instances of the application use the old name and fail from the rename on "
             "until the new code is everywhere.",
             "Expand and contract: `op.add_column(\"t\", sa.Column(\"new\", <type>))`, write "
             "to both, backfill, move reads to it, then in a later release "
             "`op.drop_column(\"t\", \"old\")`."},
    RuleInfo{"renaming-table", kCheck, Severity::warning, "existing table renamed",
             "Running instances of the application use the old name and fail from the rename on "
             "until the new code is everywhere.",
             "Rename, then create a view under the old name for the transition; drop it in a "
             "later release."},
    RuleInfo{"ban-truncate-cascade", kCheck, Severity::error, "TRUNCATE ... CASCADE",
             "CASCADE also empties every table with a foreign key to the truncated ones, and "
             "theirs in turn: rows of tables the migration never names are deleted for good, "
             "under ACCESS EXCLUSIVE locks.",
             "Name every table to empty in the TRUNCATE, without CASCADE: PostgreSQL then refuses "
             "while another table still references them."},
    RuleInfo{"require-concurrent-partition-detach", kCheck, Severity::warning,
             "DETACH PARTITION of an existing partitioned table without CONCURRENTLY",
             "A plain DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table: "
             "all reads and writes of every partition wait while it waits for running queries.",
             "On PostgreSQL 14+: `with op.get_context().autocommit_block(): op.execute(\"ALTER "
             "TABLE t DETACH PARTITION p CONCURRENTLY\")`."},
    RuleInfo{"ban-cluster", kCheck, Severity::error, "CLUSTER of an existing table",
             "CLUSTER copies the whole table in index order and rebuilds its indexes under an "
             "ACCESS EXCLUSIVE lock: all reads and writes wait until it ends, minutes or hours on "
             "a large table.",
             "Keep physical maintenance out of migrations: pg_repack rebuilds a table online; or "
             "run it in a maintenance window."},
    RuleInfo{"ban-vacuum-full", kCheck, Severity::error, "VACUUM FULL of an existing table",
             "VACUUM FULL copies the whole table and rebuilds its indexes under an ACCESS "
             "EXCLUSIVE lock: all reads and writes wait until it ends. VACUUM cannot run inside "
             "a transaction block either.",
             "Keep physical maintenance out of migrations: pg_repack rebuilds a table online; a "
             "plain VACUUM (no FULL) blocks nothing."},
    RuleInfo{"unbatched-data-change", kCheck, Severity::warning,
             "UPDATE or DELETE of every row of an existing table in one statement",
             "One statement over the whole table locks each row it reaches until the migration "
             "commits: every write to those rows waits, and the transaction lasts as long as the "
             "table takes to go through (dead rows and WAL for all of it at once).",
             "Change rows in batches, each committed on its own (in `autocommit_block()`), or "
             "move the backfill out of the migration; TRUNCATE when every row must go."},
    RuleInfo{"require-lock-timeout", kCheck, Severity::warning,
             "blocking lock on an existing table with no lock_timeout",
             "A statement that needs a lock conflicting with reads or writes queues behind any "
             "long-running transaction on the table, and every later query on the table queues "
             "behind it: the application stalls although the statement itself is quick. A "
             "lock_timeout makes it give up (and the deploy retry) instead.",
             "`op.execute(\"SET lock_timeout = '5s'\")` at the start of upgrade(), or once in "
             "env.py: `context.execute(\"SET lock_timeout = '5s'\")` before "
             "`context.run_migrations()`, or on env.py's connection "
             "(`connect_args={\"options\": \"-c lock_timeout=5s\"}`)."},
    RuleInfo{"prefer-bigint-over-int", kCheck, Severity::warning,
             "new integer or smallint primary key, or a foreign key narrower than its key",
             "An integer key runs out at 2,147,483,647 (smallint at 32,767); widening it later "
             "rewrites the table and every table referencing it under ACCESS EXCLUSIVE locks. A "
             "foreign key column narrower than the key it references (integer referencing "
             "bigint) cannot store references to the key's later values.",
             "`sa.Column(\"id\", sa.BigInteger(), primary_key=True)`; a foreign key column of "
             "the referenced key's type."},
    RuleInfo{"prefer-text-field", kCheck, Severity::notice, "new varchar(n) column",
             "Lowering a varchar limit later is an ALTER COLUMN TYPE that scans the table under an "
             "ACCESS EXCLUSIVE lock; a CHECK constraint on a text column can be replaced NOT VALID "
             "and validated without blocking.",
             "`sa.Text()`, with `sa.CheckConstraint(\"char_length(c) <= n\")` if the limit "
             "matters."},
    RuleInfo{"prefer-timestamptz", kCheck, Severity::warning,
             "new timestamp without time zone column",
             "A timestamp without time zone stores no zone: the same value means different "
             "instants to servers, sessions and clients in different time zones.",
             "`sa.DateTime(timezone=True)`."},
    RuleInfo{"prefer-jsonb", kCheck, Severity::warning, "new json column",
             "json keeps the text as written and reparses it on every access; it cannot be "
             "indexed with GIN nor compared with =. jsonb can.",
             "`postgresql.JSONB()` (from sqlalchemy.dialects import postgresql)."},
    RuleInfo{"identifier-too-long", kCheck, Severity::warning, "name longer than 63 bytes",
             "PostgreSQL keeps the first 63 bytes of a name with only a NOTICE. SQL by the long "
             "name keeps working (PostgreSQL cuts it the same way), but the database reports "
             "the short one: autogenerate and drift keep seeing a difference, and SQLAlchemy "
             "refuses to render an explicit index or constraint name that long "
             "(IdentifierError), so a later op.drop_index() or op.drop_constraint() by it "
             "fails. When SQLAlchemy refuses the name where it is created, the migration fails "
             "there: an error.",
             "Name it in at most 63 bytes where the migration names it "
             "(`op.create_index(\"ix_t_c\", \"t\", [\"c\"])`, `sa.Column(\"short_name\", ...)`); "
             "for generated names, a shorter naming_convention on the MetaData."},
    RuleInfo{"unparsable-sql", kCheck, Severity::notice, "SQL PostgreSQL's parser cannot read",
             "A statement the migration emits is not valid PostgreSQL SQL for the parser (or is "
             "not SQL): the SQL rules could not check it, and PostgreSQL would likely reject it.",
             "Check the statement; the finding quotes it."},
    RuleInfo{"offline-env-failed", kCheck, Severity::notice,
             "env.py cannot run in offline mode; SQL rules skipped",
             "The SQL rules read each revision's SQL from Alembic's offline mode (alembic upgrade "
             "--sql), without a database. This env.py raised or tried to connect in offline "
             "mode, so only the static rules ran.",
             "Support offline mode in env.py as Alembic's template does: "
             "`if context.is_offline_mode(): context.configure(url=..., literal_binds=True)`."},
    RuleInfo{"offline-revision-failed", kCheck, Severity::notice,
             "revision cannot run in offline mode",
             "This revision's upgrade() raised in offline mode (for example it reads rows through "
             "op.get_bind()). When the roundtrip runs too, the SQL rules judge what the upgrade "
             "ran online in its scratch database instead; without it they did not see what it "
             "runs after that line.",
             "Keep data reads out of schema migrations, or guard them with "
             "`if not context.is_offline_mode():`; `# alembic-gate: ignore[...]` silences this."},
};

}  // namespace

std::span<const RuleInfo> sql_rules() {
  return kRules;
}

const RuleInfo& sql_rule(std::string_view id) {
  return *std::find_if(kRules.begin(), kRules.end(),
                       [&](const RuleInfo& rule) { return rule.id == id; });
}

void Judgement::report(std::string_view rule, std::string message, std::string help,
                       std::optional<Severity> severity) const {
  out.push_back({.check = std::string(kCheck),
                 .rule = std::string(rule),
                 .severity = severity.value_or(sql_rule(rule).severity),
                 .message = std::move(message),
                 .file = statement.file,
                 .line = statement.line,
                 .revision = statement.revision,
                 .help = std::move(help)});
}

bool judge(const Judgement& judgement, bool lock_timeout) {
  judge_indexes(judgement);
  judge_constraints(judgement);
  judge_columns(judgement);
  judge_tables(judgement);
  judge_types(judgement);
  judge_identifiers(judgement);
  judge_data_changes(judgement);
  return lock_timeout && judge_lock_timeout(judgement);
}

std::string schema_keyword(const TableName& table) {
  return table.schema.empty() ? "" : fmt::format(", schema=\"{}\"", table.schema);
}

std::string sqlalchemy_type(const TypeRef& type) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kTypes = {{
      {"int2", "sa.SmallInteger()"},
      {"int4", "sa.Integer()"},
      {"int8", "sa.BigInteger()"},
      {"text", "sa.Text()"},
      {"varchar", "sa.String()"},
      {"bpchar", "sa.CHAR()"},
      {"numeric", "sa.Numeric()"},
      {"bool", "sa.Boolean()"},
      {"date", "sa.Date()"},
      {"time", "sa.Time()"},
      {"timestamp", "sa.DateTime()"},
      {"timestamptz", "sa.DateTime(timezone=True)"},
      {"float8", "sa.Float()"},
      {"json", "sa.JSON()"},
      {"jsonb", "postgresql.JSONB()"},
      {"uuid", "postgresql.UUID()"},
      {"bytea", "sa.LargeBinary()"},
  }};
  auto known = std::find_if(kTypes.begin(), kTypes.end(),
                            [&](const auto& entry) { return entry.first == type.name; });
  if (known == kTypes.end()) return "...";
  std::string spelled(known->second);
  if (type.name == "varchar" && !type.modifiers.empty())
    spelled = fmt::format("sa.String(length={})", type.modifiers[0]);
  if (type.name == "bpchar" && !type.modifiers.empty())
    spelled = fmt::format("sa.CHAR(length={})", type.modifiers[0]);
  if (type.name == "numeric" && !type.modifiers.empty())
    spelled = fmt::format("sa.Numeric({})", fmt::join(type.modifiers, ", "));
  return type.array ? fmt::format("postgresql.ARRAY({})", spelled) : spelled;
}

std::string python_list(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& value : names) {
    // An expression, not a column name: Alembic takes sa.text("...") there.
    out += (out.empty() ? "" : ", ") + (value.empty() ? "sa.text(...)" : "\"" + value + "\"");
  }
  return "[" + out + "]";
}

}  // namespace ag::checks::lint
