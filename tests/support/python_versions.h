// The Alembic and SQLAlchemy the tests' Python imports, PYTHONPATH included: the cell of the
// version matrix a test runs in (tests/README.md).
#pragma once

#include <string>
#include <string_view>

namespace ag::test {

struct PythonVersions {
  std::string alembic;     ///< "1.19.1"
  std::string sqlalchemy;  ///< "2.0.52"
};

/// What the gate's default interpreter imports (python3 on PATH, else /usr/bin/python3), asked
/// once per test run.
const PythonVersions& python_versions();

/// Whether `version` ("1.19.1") is `major`.`minor` or later.
bool at_least(std::string_view version, int major, int minor);

/// "Alembic 1.19.1, SQLAlchemy 2.0.52", as the log's `python:` line names them.
std::string versions_in_log();

}  // namespace ag::test
