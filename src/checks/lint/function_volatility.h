// How volatile a function called in a column's default is, as far as alembic-gate knows:
// PostgreSQL's built-ins from the table generated from pg_proc (builtin_functions.cc), and a
// hand-kept list of volatile functions that table cannot hold (built-ins of newer releases than
// the servers it was generated from; the functions of uuid-ossp and pgcrypto that defaults call).
#pragma once

#include <optional>
#include <string_view>

#include "checks/lint/builtin_functions.h"

namespace ag::checks::lint {

/// The volatility of a call to `name` qualified with `schema` ("" when unqualified), as the parse
/// tree spells them. A built-in counts only unqualified or in pg_catalog (another schema's
/// function of that name is the user's); a listed extension function whatever its schema
/// (extensions are created in public, extensions, ...). nullopt when alembic-gate does not know
/// the function (user-defined, from another extension): its volatility is unknown.
std::optional<Volatility> function_volatility(std::string_view schema, std::string_view name);

}  // namespace ag::checks::lint
