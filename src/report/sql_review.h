// The job summary's section of the revisions' SQL (the sql-file is reporters.h's sql_file_text).
#pragma once

#include <string>

#include "core/report.h"

namespace ag {

/// The revisions' SQL for review, in at most `room` bytes: per revision a collapsed block with
/// its upgrade SQL, each finding that points at a statement's line marked in a comment above it,
/// and its downgrade SQL. The blocks that do not fit are counted in a note. "" when no check
/// gave SQL (lint did not run, or the SQL was not asked for).
std::string sql_review_section(const Report& report, size_t room);

}  // namespace ag
