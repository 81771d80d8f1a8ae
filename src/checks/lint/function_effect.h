// What a migration function does in effect, read from its source: nothing (only pass, guards
// that return, docstrings), only reads (queries, asserts, raising), or changes (any operation,
// any statement alembic-gate cannot tell harmless). The empty-upgrade and empty-downgrade rules
// judge by it.
#pragma once

#include "checks/lint/migration_file.h"

namespace ag::checks::lint {

enum class Effect { nothing, reads, changes };

/// The strongest effect of the function's statements. A statement is harmless when it is
/// `pass`, `...`, a string, `return` without a value, an import, or a block header (`if
/// skip(): return` counts as its `return`); it reads when it asserts or raises (whatever it
/// calls to say why), or calls only
/// what queries (op.get_bind(), execute() of a SELECT, a result's scalar() or fetchall(), an
/// inspector, len, print, logging); anything else changes.
Effect effect_of(const Function& function);

}  // namespace ag::checks::lint
