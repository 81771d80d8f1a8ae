// Runs alembic-gate in-process, as main() would, with a given environment.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ag::test {

struct GateRun {
  int exit_code = 0;
  std::string out;
  std::string err;

  /// stdout parsed as the JSON report (run with --format json).
  nlohmann::json report() const;
  /// The findings of the JSON report with this rule.
  std::vector<nlohmann::json> findings(std::string_view rule) const;
};

/// Runs with `args` (without argv[0]) and only the variables in `env` set. With a JSON report on
/// stdout, also checks that every finding's rule is in the rule catalog.
/// `terminal`: run as if stdout were a terminal (colours allowed).
GateRun run_gate(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env = {}, bool terminal = false);

/// The flags of a roundtrip-only run with a JSON report, on the test server, in `project`.
std::vector<std::string> roundtrip_args(const std::string& project);

/// Absolute path of a fixture under tests/fixtures.
std::string fixture(std::string_view relative);

/// A project in `folder` with the shared env.py (tests/fixtures/env_templates/convention.py) and
/// one revision, a1, whose file is `revision_file`; returns the folder's path as text.
std::string one_revision_project(const std::filesystem::path& folder,
                                 std::string_view revision_file);

}  // namespace ag::test
