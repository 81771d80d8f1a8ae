// Which table locks a statement takes that block other sessions' reads or writes: PostgreSQL's
// documented lock levels for DDL (see ../shared/research/postgres-migration-safety.md). A lock
// like that on a busy table is the production risk: held for long it stops the application, and
// even waiting for it queues every later query on the table behind it.
#pragma once

#include <string_view>
#include <vector>

#include "checks/lint/schema_model.h"
#include "checks/lint/sql_tree.h"

namespace ag::checks::lint {

/// The lock levels that conflict with ordinary reads or writes, weakest first.
enum class LockMode { share, share_row_exclusive, exclusive, access_exclusive };

struct TableLock {
  TableName table;
  LockMode mode;
};

/// The blocking locks `tree` takes, the strongest per table, in the order the tables appear.
/// `schema` names the table of an index (DROP INDEX names only the index).
std::vector<TableLock> blocking_locks(const Node& tree, const SchemaModel& schema);

/// "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE".
std::string_view lock_name(LockMode mode);

/// What the lock stops: "reads and writes" (ACCESS EXCLUSIVE) or "writes".
std::string_view lock_blocks(LockMode mode);

}  // namespace ag::checks::lint
