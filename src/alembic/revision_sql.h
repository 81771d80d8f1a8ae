// Each revision's SQL alone, for review, from the worker's offline runs: what `alembic upgrade
// PARENT:REV --sql` and `alembic downgrade REV:PARENT --sql` print for it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "alembic/worker.h"
#include "core/report.h"

namespace ag::alembic {

/// The SQL of the `wanted` revisions (ids, in upgrade order). `upgrade` is one offline run
/// through them and the revisions before them: a revision's upgrade is what env.py printed
/// before the first step, that revision's texts, and what it printed after the last step, as a
/// run of that revision alone prints them. `downgrades` are their offline downgrades; `known`
/// gives each revision's docstring and file, shown relative to `root` (so are the places of the
/// failures). A revision missing from `downgrades` gets no downgrade SQL.
std::vector<RevisionSql> revisions_sql(const std::vector<std::string>& wanted,
                                       const OfflineSql& upgrade,
                                       const std::vector<OfflineDowngrade>& downgrades,
                                       const std::vector<RevisionInfo>& known,
                                       const std::filesystem::path& root);

}  // namespace ag::alembic
