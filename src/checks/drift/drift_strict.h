// drift-strict: what Alembic's autogenerate does not compare. The models are built directly with
// metadata.create_all() in a second scratch database, and its catalog is compared with the one
// the migrations built, with the snapshot diff: server defaults, CHECK constraints, enum values,
// sequences, index details.
#pragma once

#include "alembic/model_comparison.h"
#include "checks/check.h"
#include "checks/drift/model_places.h"

namespace ag::checks::drift {

/// Compares the catalog of `migrated` (at the heads) with the models built in a fresh sandbox,
/// where the migrations' extensions, enum types and domains the models do not create themselves
/// are recreated first (strict_prerequisites.h). Leaves out what `comparison` (autogenerate)
/// reported already, what env.py's filters exclude (tables, columns, indexes, constraints,
/// schemas), the version tables, schemas other than the default ones (of every database env.py
/// compares) unless env.py sets include_schemas, and kinds that models do not declare (functions,
/// triggers, views, extensions, domains, ...). One drift-strict finding per difference, at the
/// model's line, with the drift-strict-severity; also one when create_all() itself fails. An
/// Error when the second sandbox cannot be had or a catalog cannot be read (an infrastructure
/// problem).
Result<Findings> compare_catalogs(const CheckContext& context, sandbox::Sandbox& migrated,
                                  const alembic::ModelComparison& comparison,
                                  const ModelPlaces& places);

}  // namespace ag::checks::drift
