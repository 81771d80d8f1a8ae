// Every format on the same findings (support/sample_report.cc), compared byte for byte with the
// files in tests/golden/. After an intended change, regenerate them and review the diff:
//     AG_UPDATE_GOLDEN=1 build/alembic-gate-tests -ts='golden files'
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "checks/registry/registry.h"
#include "report/reporters.h"
#include "support/sample_report.h"
#include "util/file.h"
#include "version.h"

namespace ag::test {
namespace {

const std::filesystem::path kGolden = AG_SOURCE_DIR "/tests/golden";

/// The tool's version as a placeholder, so a release does not change the golden files.
std::string without_version(std::string text) {
  std::string_view version = kVersion;
  for (size_t at = text.find(version); at != std::string::npos; at = text.find(version, at))
    text.replace(at, version.size(), "@VERSION@");
  return text;
}

/// The first line where `actual` and `expected` differ, for the failure message.
std::string first_difference(const std::string& actual, const std::string& expected) {
  std::istringstream a(actual), e(expected);
  std::string left, right;
  for (int line = 1;; ++line) {
    bool more_a = static_cast<bool>(std::getline(a, left));
    bool more_e = static_cast<bool>(std::getline(e, right));
    if (!more_a && !more_e) return "no difference";
    if (left != right || more_a != more_e) {
      return "line " + std::to_string(line) + ":\n  actual:   " + (more_a ? left : "<end>") +
             "\n  expected: " + (more_e ? right : "<end>");
    }
  }
}

void check_golden(const std::string& name, const std::string& rendered) {
  std::string actual = without_version(rendered);
  std::filesystem::path path = kGolden / name;
  if (std::getenv("AG_UPDATE_GOLDEN") != nullptr) {
    REQUIRE(write_file(path, actual).ok());
    MESSAGE("rewrote " << path.string());
    return;
  }
  Result<std::string> expected = read_file(path);
  REQUIRE_MESSAGE(expected.ok(),
                  "missing golden file " << path.string() << "; run with AG_UPDATE_GOLDEN=1");
  INFO(name << " differs at " << first_difference(actual, *expected));
  CHECK(actual == *expected);
}

/// Text paths are shown relative to the current directory: run from the source folder.
class InSourceFolder {
 public:
  InSourceFolder() : before_(std::filesystem::current_path()) {
    std::filesystem::current_path(AG_SOURCE_DIR);
  }
  ~InSourceFolder() { std::filesystem::current_path(before_); }

 private:
  std::filesystem::path before_;
};

template <class Render>
std::string render(Render render) {
  std::ostringstream out;
  render(out);
  return out.str();
}

}  // namespace

TEST_SUITE("golden files") {
  TEST_CASE("text") {
    InSourceFolder here;
    Report report = sample_report();
    check_golden("text.txt", render([&](std::ostream& out) { write_text(report, out); }));
    check_golden("text-color.txt",
                 render([&](std::ostream& out) { write_text(report, out, {true}); }));
  }

  TEST_CASE("github") {
    Report report = sample_report();
    check_golden("github.txt",
                 render([&](std::ostream& out) { write_github(report, out, {"TOKEN"}); }));
  }

  TEST_CASE("json") {
    Report report = sample_report();
    check_golden("report.json", render([&](std::ostream& out) { write_json(report, out); }));
  }

  TEST_CASE("sarif") {
    Report report = sample_report();
    check_golden("report.sarif", render([&](std::ostream& out) {
                   write_sarif(report, checks::registry::all_rules(), out);
                 }));
  }

  TEST_CASE("job summary") {
    check_golden("summary.md",
                 job_summary(sample_report(), {"https://github.com/octo/shop/blob/0123abc"}));
    check_golden("summary-hostile.md",
                 job_summary(hostile_report(), {"https://github.com/octo/shop/blob/0123abc"}));
  }

  TEST_CASE("step outputs") {
    check_golden("outputs.txt", step_outputs(sample_report(),
                                             {.json = "backend/reports/alembic gate.json",
                                              .sarif = "backend/reports/alembic gate.sarif"},
                                             "DELIM"));
  }
}

}  // namespace ag::test
