#include "checks/lint/table_weight.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <optional>
#include <span>

namespace ag::checks::lint {
namespace {

/// The target's table the SQL names: "schema.name" exactly; an unqualified name in public
/// first, else in the one schema that has it.
std::optional<TableSize> find_table(const DeployState& deploy, const std::string& named) {
  size_t dot = named.find('.');
  std::string schema = dot == std::string::npos ? "" : named.substr(0, dot);
  std::string name = dot == std::string::npos ? named : named.substr(dot + 1);
  std::optional<TableSize> found;
  int matches = 0;
  for (const TableSize& table : deploy.tables) {
    if (table.name != name) continue;
    if (table.schema == (schema.empty() ? "public" : schema)) return table;
    if (schema.empty()) {
      found = table;
      ++matches;
    }
  }
  return matches == 1 ? found : std::nullopt;
}

std::string scaled(double value, std::span<const std::string_view> units, double step) {
  size_t unit = 0;
  while (value >= step && unit + 1 < units.size()) {
    value /= step;
    ++unit;
  }
  int decimals = unit > 0 && value < 10 ? 1 : 0;
  return fmt::format("{:.{}f}{}", value, decimals, units[unit]);
}

}  // namespace

std::string size_text(const TableSize& table) {
  static constexpr std::array<std::string_view, 4> kRows = {"", " k", " M", " G"};
  static constexpr std::array<std::string_view, 5> kBytes = {" bytes", " kB", " MB", " GB", " TB"};
  std::string rows = table.rows < 0 ? "rows unknown (never analyzed)"
                                    : scaled(static_cast<double>(table.rows), kRows, 1000) +
                                          (table.rows == 1 ? " row" : " rows");
  return rows + ", " + scaled(static_cast<double>(table.bytes), kBytes, 1024);
}

void weigh_by_table_size(Findings& findings, const DeployState& deploy, int64_t large_rows) {
  for (Finding& finding : findings) {
    std::vector<std::string> sizes;
    int64_t largest = -1;
    for (const std::string& named : finding.tables) {
      std::optional<TableSize> table = find_table(deploy, named);
      if (!table) continue;
      sizes.push_back(fmt::format("{} has {}", named, size_text(*table)));
      largest = std::max(largest, table->rows);
    }
    if (sizes.empty()) continue;
    finding.message += fmt::format(" (on {}: {})", deploy.database, fmt::join(sizes, "; "));
    if (largest >= large_rows && finding.severity != Severity::error) {
      finding.severity = Severity::error;
      finding.message +=
          fmt::format("; an error there: at least deploy-large-table-rows ({}) rows", large_rows);
    }
  }
}

}  // namespace ag::checks::lint
