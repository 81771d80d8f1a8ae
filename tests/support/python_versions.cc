#include "support/python_versions.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <sstream>

#include "alembic/worker.h"
#include "process/subprocess.h"

namespace ag::test {
namespace {

/// The versions `python` imports, or nullopt when it cannot import both.
std::optional<PythonVersions> ask(const std::string& python) {
  Result<process::Completed> asked = process::run(
      {python, "-c",
       "import alembic, sqlalchemy; print(alembic.__version__); print(sqlalchemy.__version__)"});
  if (!asked || !asked->success()) return std::nullopt;
  PythonVersions versions;
  std::istringstream lines(asked->out);
  std::getline(lines, versions.alembic);
  std::getline(lines, versions.sqlalchemy);
  return versions;
}

/// As the gate picks its interpreter without a python setting: python3 on PATH, else
/// /usr/bin/python3.
PythonVersions ask_python() {
  for (const std::string& python : alembic::interpreter_candidates(""))
    if (std::optional<PythonVersions> versions = ask(python)) return *versions;
  FAIL("neither python3 on PATH nor /usr/bin/python3 imports Alembic and SQLAlchemy");
  return {};
}

/// The number at `at` in `version`, moving `at` past it and its dot; 0 when there is none.
int number_at(std::string_view version, size_t& at) {
  if (at >= version.size()) return 0;
  int value = 0;
  auto [end, error] = std::from_chars(version.data() + at, version.data() + version.size(), value);
  at = static_cast<size_t>(end - version.data()) + 1;
  return error == std::errc() ? value : 0;
}

}  // namespace

const PythonVersions& python_versions() {
  static const PythonVersions versions = ask_python();
  return versions;
}

bool at_least(std::string_view version, int major, int minor) {
  size_t at = 0;
  int found_major = number_at(version, at);
  int found_minor = number_at(version, at);
  return found_major > major || (found_major == major && found_minor >= minor);
}

std::string versions_in_log() {
  return fmt::format("Alembic {}, SQLAlchemy {}", python_versions().alembic,
                     python_versions().sqlalchemy);
}

}  // namespace ag::test
