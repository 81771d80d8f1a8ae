// The job summary's section of the deploy gate (the pending check): the database at a glance.
#pragma once

#include <string>

#include "core/report.h"

namespace ag {

/// Where the database stands and what the deploy will run: a table of the database, its
/// version table, its revisions and the history's heads, then the pending revisions in order
/// with their messages and whether each has a way back. "" when the pending check did not read
/// a database.
std::string deploy_section(const Report& report);

}  // namespace ag
