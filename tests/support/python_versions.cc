#include "support/python_versions.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <charconv>
#include <sstream>

#include "process/subprocess.h"

namespace ag::test {
namespace {

PythonVersions ask_python() {
  Result<process::Completed> asked = process::run(
      {"/usr/bin/python3", "-c",
       "import alembic, sqlalchemy; print(alembic.__version__); print(sqlalchemy.__version__)"});
  REQUIRE_MESSAGE(asked, "/usr/bin/python3 cannot import Alembic and SQLAlchemy");
  REQUIRE_MESSAGE(asked->success(), asked->err);
  PythonVersions versions;
  std::istringstream lines(asked->out);
  std::getline(lines, versions.alembic);
  std::getline(lines, versions.sqlalchemy);
  return versions;
}

int number_at(std::string_view text, size_t& at) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data() + at, text.data() + text.size(), value);
  at = static_cast<size_t>(end - text.data()) + 1;  // past the dot
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
