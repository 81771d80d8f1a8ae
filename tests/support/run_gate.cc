#include "support/run_gate.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/run.h"
#include "checks/registry/registry.h"
#include "support/postgres.h"

namespace ag::test {

nlohmann::json GateRun::report() const {
  return nlohmann::json::parse(out);
}

std::vector<nlohmann::json> GateRun::findings(std::string_view rule) const {
  std::vector<nlohmann::json> matching;
  nlohmann::json parsed = report();
  for (const nlohmann::json& finding : parsed["findings"]) {
    if (finding["rule"].get<std::string>() == rule) matching.push_back(finding);
  }
  return matching;
}

GateRun run_gate(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env, bool terminal) {
  std::vector<const char*> argv{"alembic-gate"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  config::Environment lookup = [&env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  std::ostringstream out, err;
  ExitCode code = run(static_cast<int>(argv.size()), argv.data(), lookup, out, err, terminal);
  // Every rule any integration test sees must be in the catalog (SARIF's rule list).
  nlohmann::json parsed = nlohmann::json::parse(out.str(), nullptr, false);
  if (parsed.is_object() && parsed.contains("findings")) {
    for (const nlohmann::json& finding : parsed["findings"]) {
      std::string rule = finding["rule"].get<std::string>();
      CAPTURE(rule);
      CHECK(checks::registry::find_rule(rule) != nullptr);
    }
  }
  return {static_cast<int>(code), out.str(), err.str()};
}

std::vector<std::string> roundtrip_args(const std::string& project) {
  return {"--format",
          "json",
          "--checks",
          "roundtrip",
          "--database-url",
          postgres_url(),
          "--working-directory",
          project};
}

std::string fixture(std::string_view relative) {
  return std::string(AG_SOURCE_DIR "/tests/fixtures/") + std::string(relative);
}

std::string one_revision_project(const std::filesystem::path& folder,
                                 std::string_view revision_file) {
  std::filesystem::create_directories(folder / "migrations/versions");
  std::filesystem::copy_file(fixture("roundtrip/upgrade_fails/alembic.ini"),
                             folder / "alembic.ini");
  std::ofstream(folder / "migrations/env.py")
      << "import runpy\nrunpy.run_path("
      << nlohmann::json(fixture("env_templates/convention.py")).dump() << ")\n";
  std::ofstream(folder / "migrations/versions/a1_first.py") << revision_file;
  return folder.string();
}

}  // namespace ag::test
