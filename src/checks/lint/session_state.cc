#include "checks/lint/session_state.h"

#include <cstdlib>

namespace ag::checks::lint {
namespace {

/// Whether a constant names a zero duration: 0, '0', '0s', '0ms' (lock_timeout = 0 turns it off).
bool zero_duration(const Node& constant) {
  const Node& value = child(constant, "A_Const");
  if (value.contains("ival")) return value["ival"].value("ival", 0) == 0;
  std::string spelled = text(child(value, "sval"), "sval");
  if (spelled.empty()) spelled = text(child(value, "fval"), "fval");
  char* end = nullptr;
  double number = std::strtod(spelled.c_str(), &end);
  return end != spelled.c_str() && number == 0;
}

/// The string a constant spells ('lock_timeout'), "" for anything else.
std::string constant_text(const Node& constant) {
  return text(child(child(constant, "A_Const"), "sval"), "sval");
}

bool constant_true(const Node& constant) {
  return flag(child(child(constant, "A_Const"), "boolval"), "boolval");
}

}  // namespace

void SessionState::begin_revision() {
  revision_timeout_ = false;
}

void SessionState::apply(const Node& tree, SettingLifetime scope) {
  std::string kind = kind_of(tree);
  if (kind.empty()) return;
  const Node& node = tree.begin().value();
  if (kind == "TransactionStmt") {
    std::string what = text(node, "kind");
    if (what == "TRANS_STMT_BEGIN" || what == "TRANS_STMT_START") in_transaction_ = true;
    if (what == "TRANS_STMT_COMMIT" || what == "TRANS_STMT_ROLLBACK" ||
        what == "TRANS_STMT_PREPARE")
      end_transaction();
  } else if (kind == "VariableSetStmt") {
    std::string what = text(node, "kind");
    if (what == "VAR_RESET_ALL") set_lock_timeout(false, false, scope);
    if (text(node, "name") != "lock_timeout") return;
    const Node& args = items(node, "args");
    bool on = what == "VAR_SET_VALUE" && !args.empty() && !zero_duration(args[0]);
    set_lock_timeout(on, flag(node, "is_local"), scope);
  } else if (kind == "SelectStmt") {
    // SELECT set_config('lock_timeout', '5s', false)
    for (const Node& target : items(node, "targetList")) {
      const Node& call = child(child(child(target, "ResTarget"), "val"), "FuncCall");
      const Node& args = items(call, "args");
      if (last_name(items(call, "funcname")) != "set_config" || args.size() != 3 ||
          constant_text(args[0]) != "lock_timeout")
        continue;
      set_lock_timeout(!zero_duration(args[1]), constant_true(args[2]), scope);
    }
  } else if (kind == "AlterTableStmt") {
    note_constraints(node);
  }
}

void SessionState::end_transaction() {
  in_transaction_ = false;
  local_timeout_ = false;
  not_valid_.clear();
}

void SessionState::set_lock_timeout(bool on, bool local, SettingLifetime scope) {
  if (local) {
    local_timeout_ = on && in_transaction_;  // SET LOCAL outside a block does nothing
    return;
  }
  if (on) {
    (scope == SettingLifetime::run ? run_timeout_ : revision_timeout_) = true;
  } else {
    run_timeout_ = revision_timeout_ = local_timeout_ = false;
  }
}

void SessionState::note_constraints(const Node& alter) {
  if (!in_transaction_) return;  // each statement commits on its own
  std::string table = table_name(child(alter, "relation")).key();
  for (const Node& item : items(alter, "cmds")) {
    const Node& command = child(item, "AlterTableCmd");
    const Node& constraint = child(child(command, "def"), "Constraint");
    if (text(command, "subtype") == "AT_AddConstraint" && flag(constraint, "skip_validation"))
      not_valid_[table + "/" + text(constraint, "conname")] = text(constraint, "contype");
  }
}

std::string SessionState::added_not_valid(const TableName& table, const std::string& name) const {
  auto found = not_valid_.find(table.key() + "/" + name);
  return found == not_valid_.end() ? "" : found->second;
}

}  // namespace ag::checks::lint
