// The database session the offline SQL would run in, statement by statement: whether a
// transaction block is open, whether a lock_timeout is in force, and which constraints the open
// transaction added NOT VALID. Read from the SQL itself (BEGIN, COMMIT, SET), as psql would run
// the script: Alembic prints its transactions and an autocommit_block as COMMIT ... BEGIN.
#pragma once

#include <map>
#include <string>

#include "checks/lint/sql_tree.h"

namespace ag::checks::lint {

/// Who ran a statement: a revision's own settings last for that revision only; env.py's (and
/// Alembic's) for the whole run.
enum class SettingLifetime { revision, run };

class SessionState {
 public:
  /// A new revision starts: the previous revision's SET lock_timeout no longer counts.
  void begin_revision();

  /// Records what `tree` (one statement's parse tree) does to the session.
  void apply(const Node& tree, SettingLifetime scope);

  /// A lock_timeout set where the SQL does not show it (env.py's online connection): in force
  /// for the whole run, until the SQL turns it off.
  void set_lock_timeout_for_run() { run_timeout_ = true; }

  /// Whether a transaction block is open (CONCURRENTLY fails inside one).
  bool in_transaction() const { return in_transaction_; }

  /// Whether a non-zero lock_timeout is in force.
  bool lock_timeout_set() const { return run_timeout_ || revision_timeout_ || local_timeout_; }

  /// "CONSTR_CHECK" or "CONSTR_FOREIGN" when the open transaction added constraint `name` on
  /// `table` NOT VALID (validating it now keeps the first lock), else "".
  std::string added_not_valid(const TableName& table, const std::string& name) const;

 private:
  void end_transaction();
  void set_lock_timeout(bool on, bool local, SettingLifetime scope);
  void note_constraints(const Node& alter);

  bool in_transaction_ = false;
  bool run_timeout_ = false;
  bool revision_timeout_ = false;
  bool local_timeout_ = false;                    ///< SET LOCAL: until the transaction ends.
  std::map<std::string, std::string> not_valid_;  ///< "table key/constraint" -> contype.
};

}  // namespace ag::checks::lint
