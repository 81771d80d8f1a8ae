#include "util/ini.h"

#include "util/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace ag {
namespace {

bool is_comment(std::string_view stripped) {
  return !stripped.empty() && (stripped.front() == '#' || stripped.front() == ';');
}

constexpr int kMaxInterpolationDepth = 10;  // configparser's MAX_INTERPOLATION_DEPTH

}  // namespace

Result<IniFile> IniFile::parse(std::string_view text, const std::string& name) {
  IniFile ini;
  ini.name_ = name;
  std::string section;
  Entry* last = nullptr;
  int number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    std::string_view stripped = trim(line);
    if (stripped.empty() || is_comment(stripped)) continue;
    bool indented = std::isspace(static_cast<unsigned char>(line.front()));
    if (indented && last != nullptr) {  // continuation of the previous value
      last->value += "\n";
      last->value += stripped;
      continue;
    }
    if (stripped.front() == '[') {
      // configparser: `\[(?P<header>.+)\]` matched at the start, so anything after the last ']'
      // (a comment, say) is ignored.
      size_t close = stripped.rfind(']');
      if (close == std::string_view::npos || close < 2)
        return Error{"malformed section header", name, number};
      section = std::string(stripped.substr(1, close - 1));
      ini.sections_[section];
      // configparser (strict, as Alembic reads the file) refuses a section or a key given twice.
      // Except [DEFAULT], which configparser lets a file open again.
      if (auto [first, added] = ini.section_lines_.emplace(section, number);
          !added && section != "DEFAULT") {
        return Error{fmt::format("section [{}] appears twice (first at line {}); Alembic's "
                                 "configparser refuses the file",
                                 section, first->second),
                     name, number};
      }
      last = nullptr;
      continue;
    }
    size_t separator = stripped.find_first_of("=:");
    if (section.empty() || separator == std::string_view::npos) {
      return Error{section.empty() ? "key outside of any [section]" : "expected 'key = value'",
                   name, number};
    }
    std::string key = lower(trim(stripped.substr(0, separator)));
    if (auto given = ini.sections_[section].find(key); given != ini.sections_[section].end()) {
      return Error{fmt::format("key '{}' appears twice in [{}] (first at line {}); Alembic's "
                               "configparser refuses the file",
                               key, section, given->second.line),
                   name, number};
    }
    last = &ini.sections_[section][key];
    *last = Entry{std::string(trim(stripped.substr(separator + 1))), number};
  }
  return ini;
}

const IniFile::Entry* IniFile::find(std::string_view section, std::string_view key) const {
  for (std::string_view where : {section, std::string_view("DEFAULT")}) {
    auto s = sections_.find(where);
    if (s == sections_.end()) continue;
    auto e = s->second.find(lower(key));
    if (e != s->second.end()) return &e->second;
  }
  return nullptr;
}

int IniFile::line_of(std::string_view section, std::string_view key) const {
  if (key.empty()) {
    auto it = section_lines_.find(section);
    return it == section_lines_.end() ? 0 : it->second;
  }
  const Entry* entry = find(section, key);
  return entry == nullptr ? 0 : entry->line;
}

Result<std::optional<std::string>> IniFile::get(
    std::string_view section, std::string_view key,
    const std::map<std::string, std::string>& defaults) const {
  const Entry* entry = find(section, key);
  if (entry == nullptr) return std::optional<std::string>();
  Result<std::string> value = interpolate(section, *entry, defaults, 0);
  if (!value) return value.error();
  return std::optional<std::string>(std::move(*value));
}

Result<std::string> IniFile::interpolate(std::string_view section, const Entry& entry,
                                         const std::map<std::string, std::string>& defaults,
                                         int depth) const {
  auto error = [&](std::string message) { return Error{std::move(message), name_, entry.line}; };
  if (depth > kMaxInterpolationDepth) return error("interpolation nested too deeply");
  std::string out;
  const std::string& raw = entry.value;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out += raw[i];
    } else if (i + 1 < raw.size() && raw[i + 1] == '%') {
      out += '%';
      ++i;
    } else if (i + 1 < raw.size() && raw[i + 1] == '(') {
      size_t close = raw.find(")s", i);
      if (close == std::string::npos) return error("bad interpolation syntax in '" + raw + "'");
      std::string name = lower(raw.substr(i + 2, close - i - 2));
      if (const Entry* other = find(section, name)) {
        Result<std::string> value = interpolate(section, *other, defaults, depth + 1);
        if (!value) return value;
        out += *value;
      } else if (auto d = defaults.find(name); d != defaults.end()) {
        out += d->second;
      } else {
        return error(fmt::format("'%({})s' refers to an unknown option", name));
      }
      i = close + 1;
    } else {
      return error("'%' must be followed by '%' or '(' in '" + raw + "'");
    }
  }
  return out;
}

}  // namespace ag
