// INI files the way Python's configparser reads alembic.ini: sections, `key = value` or
// `key: value`, keys lower-cased, full-line # and ; comments, indented continuation lines,
// and %(name)s interpolation (%% is a literal %).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace ag {

class IniFile {
 public:
  struct Entry {
    std::string value;  ///< Raw, before interpolation.
    int line = 0;
  };

  /// Parses `text`; `name` is used in error locations ("name:line").
  static Result<IniFile> parse(std::string_view text, const std::string& name);

  /// The interpolated value of `key` in `section`, or nullopt. Names resolve in the section, then
  /// [DEFAULT], then `defaults` (configparser's defaults, e.g. "here"). Errors name file:line.
  Result<std::optional<std::string>> get(std::string_view section, std::string_view key,
                                         const std::map<std::string, std::string>& defaults) const;

  /// The line of `key` in `section` (0 when absent), or of the section header when key is empty.
  int line_of(std::string_view section, std::string_view key = {}) const;

  bool has_section(std::string_view section) const {
    return sections_.count(std::string(section)) > 0;
  }

 private:
  using Section = std::map<std::string, Entry, std::less<>>;
  std::map<std::string, Section, std::less<>> sections_;
  std::map<std::string, int, std::less<>> section_lines_;
  std::string name_;

  const Entry* find(std::string_view section, std::string_view key) const;
  Result<std::string> interpolate(std::string_view section, const Entry& entry,
                                  const std::map<std::string, std::string>& defaults,
                                  int depth) const;
};

}  // namespace ag
