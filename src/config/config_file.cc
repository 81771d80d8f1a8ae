#include "config/config_file.h"

#include <fmt/format.h>

#include <toml++/toml.h>

#include <algorithm>

#include "config/settings.h"
#include "util/file.h"
#include "util/paths.h"
#include "util/toml_file.h"

namespace ag::config {
namespace {

int line_of(const toml::node& node) {
  return static_cast<int>(node.source().begin.line);
}

/// A TOML value as the text the typed parser reads: scalars as written, arrays comma-joined,
/// tables of strings as comma-joined name=value items.
Result<std::string> value_text(const toml::node& node, const std::string& file) {
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (auto b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (const toml::array* array = node.as_array()) {
    std::string joined;
    for (const toml::node& item : *array) {
      if (!item.is_string()) return Error{"list items must be strings", file, line_of(item)};
      if (!joined.empty()) joined += ",";
      joined += *item.value<std::string>();
    }
    return joined;
  }
  const toml::table* table = node.as_table();
  if (table != nullptr && std::all_of(table->begin(), table->end(),
                                      [](const auto& e) { return e.second.is_string(); })) {
    std::string joined;  // [lint.severity] with `rule = "warning"`: "rule=warning,..."
    for (const auto& [name, item] : *table) {
      if (!joined.empty()) joined += ",";
      joined += fmt::format("{}={}", name.str(), *item.value<std::string>());
    }
    return joined;
  }
  return Error{"expected a string, boolean, integer or list of strings", file, line_of(node)};
}

/// Reads `table`'s keys into `values`. A sub-table whose name is no key groups keys under its
/// name: `[lint]` with `since = "x"` sets lint-since.
Status read_table(const toml::table& table, const std::string& file, const std::string& prefix,
                  RawValues& values) {
  for (const auto& [name, node] : table) {
    std::string full = prefix + std::string(name.str());
    const Key* key = find_key(full);
    if (key == nullptr && node.is_table()) {
      if (Status s = read_table(*node.as_table(), file, full + "-", values); !s) return s;
      continue;
    }
    if (key == nullptr) {
      return Error{fmt::format("unknown key '{}'; see alembic-gate --help for the keys", full),
                   file, line_of(node)};
    }
    if (!key->allowed_in_file) {
      return Error{fmt::format("'{}' cannot be set in the config file (it decides where the file "
                               "is read from); use the flag or the action input",
                               full),
                   file, line_of(node)};
    }
    Result<std::string> text = value_text(node, file);
    if (!text) return text.error();
    values[full] = {*text, fmt::format("{}:{}", file, line_of(node))};
  }
  return ok();
}

Result<RawValues> read_table(const toml::table& table, const std::string& file) {
  RawValues values;
  if (Status s = read_table(table, file, "", values); !s) return s.error();
  return values;
}

}  // namespace

Result<RawValues> read_config_file(const std::filesystem::path& folder) {
  if (is_present(folder / "alembic-gate.toml")) {
    std::string shown = display_path(folder / "alembic-gate.toml");
    Result<toml::table> table = read_toml(folder / "alembic-gate.toml");
    if (!table) return table.error();
    return read_table(*table, shown);
  }
  if (is_present(folder / "pyproject.toml")) {
    std::string shown = display_path(folder / "pyproject.toml");
    Result<toml::table> table = read_toml(folder / "pyproject.toml");
    if (!table) return table.error();
    toml::node_view<toml::node> section = (*table)["tool"]["alembic-gate"];
    if (!section) return RawValues{};
    if (!section.is_table()) {
      return Error{"[tool.alembic-gate] must be a table", shown, line_of(*section.node())};
    }
    return read_table(*section.as_table(), shown);
  }
  return RawValues{};
}

}  // namespace ag::config
