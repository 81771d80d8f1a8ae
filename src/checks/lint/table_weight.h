// lint's findings weighed against the tables of the database a deploy is about to migrate (the
// pending check's reading): "blocks writes on orders" becomes how big orders is there.
#pragma once

#include <cstdint>
#include <string>

#include "core/finding.h"
#include "core/report.h"

namespace ag::checks::lint {

/// "48 M rows, 12 GB" style: rows as the planner estimates them, bytes as pg_size_pretty().
std::string size_text(const TableSize& table);

/// Each finding naming tables (Finding::tables) gets, at the end of its message, how big they
/// are on the target; one whose largest table has at least `large_rows` rows becomes an error,
/// and says why. A table the target does not have (the history creates it before) is left out.
void weigh_by_table_size(Findings& findings, const DeployState& deploy, int64_t large_rows);

}  // namespace ag::checks::lint
