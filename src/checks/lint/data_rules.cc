// unbatched-data-change: an UPDATE or DELETE of every row of an existing table in one statement.
#include <fmt/format.h>

#include "checks/lint/sql_rules.h"

namespace ag::checks::lint {
namespace {

void whole_table(const Judgement& judgement, const Node& change, std::string_view verb) {
  if (!child(change, "whereClause").empty()) return;
  TableName table = table_name(child(change, "relation"));
  if (!judgement.existing(table)) return;
  bool update = verb == "UPDATE";
  judgement.report(
      "unbatched-data-change",
      fmt::format("{} {} with no WHERE {} every row in one statement: each row it reaches stays "
                  "locked until the migration commits, so every write to {} waits meanwhile, "
                  "and the transaction runs as long as the whole table takes",
                  verb, table.display(), update ? "changes" : "deletes", table.display()),
      update
          ? fmt::format("change the rows in batches, each committed on its own: in `with "
                        "op.get_context().autocommit_block():`, repeat `op.execute(\"UPDATE {0} "
                        "SET ... WHERE id IN (SELECT id FROM {0} WHERE <not done yet> LIMIT "
                        "10000)\")` until it changes no row (or move the backfill out of the "
                        "migration, into a job)",
                        table.display())
          : fmt::format("delete in batches, each committed on its own: in `with "
                        "op.get_context().autocommit_block():`, repeat `op.execute(\"DELETE FROM "
                        "{0} WHERE id IN (SELECT id FROM {0} LIMIT 10000)\")` until it deletes "
                        "no row; or, when every row must go and nothing references them, "
                        "`op.execute(\"TRUNCATE {0}\")`, which is quick",
                        table.display()));
}

}  // namespace

void judge_data_changes(const Judgement& judgement) {
  std::string kind = judgement.statement.kind();
  if (kind == "UpdateStmt") whole_table(judgement, judgement.statement.node(), "UPDATE");
  if (kind == "DeleteStmt") whole_table(judgement, judgement.statement.node(), "DELETE");
}

}  // namespace ag::checks::lint
