#include "project/project.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <map>

#include "util/file.h"
#include "util/ini.h"
#include "util/paths.h"
#include "util/text.h"
#include "util/toml_file.h"

namespace ag::project {
namespace {

constexpr std::string_view kDefaultFileTemplate = "%(rev)s_%(slug)s";  // Alembic's default

/// The settings Alembic reads for the script directory, wherever they were written.
struct ScriptSettings {
  std::optional<std::string> script_location;
  std::optional<std::string> version_locations;  ///< Already split when from TOML (joined by \n).
  std::optional<std::string> separator;          ///< version_path_separator.
  std::string sqlalchemy_url;
  bool recursive = false;
  std::string file_template{kDefaultFileTemplate};
  std::string file;  ///< Where they were read, for errors about script_location.
  int line = 0;
  int separator_line = 0;
};

Result<ScriptSettings> from_ini(const fs::path& path) {
  Result<std::string> text = read_file(path);
  if (!text) return text.error();
  std::string shown = display_path(path);
  Result<IniFile> ini = IniFile::parse(*text, shown);
  if (!ini) return ini.error();
  std::map<std::string, std::string> defaults{{"here", path.parent_path().string()}};
  ScriptSettings out;
  for (auto [key, target] : {std::pair{"script_location", &out.script_location},
                             std::pair{"version_locations", &out.version_locations},
                             std::pair{"version_path_separator", &out.separator}}) {
    Result<std::optional<std::string>> value = ini->get("alembic", key, defaults);
    if (!value) return value.error();
    *target = *value;
  }
  Result<std::optional<std::string>> recursive =
      ini->get("alembic", "recursive_version_locations", defaults);
  if (!recursive) return recursive.error();
  out.recursive = recursive->value_or("false") == "true";
  // Only its driver is used (to keep an async env.py async on the embedded server), so a value
  // that does not interpolate is simply not used.
  Result<std::optional<std::string>> url = ini->get("alembic", "sqlalchemy.url", defaults);
  if (url && *url) out.sqlalchemy_url = **url;
  Result<std::optional<std::string>> file_template = ini->get("alembic", "file_template", defaults);
  if (!file_template) return file_template.error();
  if (*file_template) out.file_template = **file_template;
  out.file = shown;
  out.line = ini->line_of("alembic", out.script_location ? "script_location" : "");
  out.separator_line = ini->line_of("alembic", "version_path_separator");
  return out;
}

std::string replace_here(std::string value, const fs::path& folder) {
  for (size_t at; (at = value.find("%(here)s")) != std::string::npos;) {
    value.replace(at, 8, folder.string());
  }
  return value;
}

/// [tool.alembic] of pyproject.toml (Alembic 1.16+), or nullopt when the file or table is absent.
Result<std::optional<ScriptSettings>> from_pyproject(const fs::path& path) {
  if (!is_present(path)) return std::optional<ScriptSettings>();
  Result<toml::table> table = read_toml(path);
  if (!table) return table.error();
  const toml::table* section = (*table)["tool"]["alembic"].as_table();
  if (section == nullptr || !section->contains("script_location"))
    return std::optional<ScriptSettings>();
  ScriptSettings out;
  fs::path here = path.parent_path();
  if (auto location = (*section)["script_location"].value<std::string>()) {
    out.script_location = replace_here(*location, here);
  }
  if (const toml::array* locations = (*section)["version_locations"].as_array()) {
    std::string joined;
    for (const toml::node& item : *locations) {
      if (auto text = item.value<std::string>()) joined += replace_here(*text, here) + "\n";
    }
    out.version_locations = joined;
    out.separator = "newline";
  }
  out.recursive = (*section)["recursive_version_locations"].value_or(false);
  out.file_template = (*section)["file_template"].value_or(std::string(kDefaultFileTemplate));
  out.file = display_path(path);
  out.line = static_cast<int>((*section)["script_location"].node()->source().begin.line);
  return std::optional<ScriptSettings>(out);
}

/// The characters version_locations is split on for a version_path_separator, as Alembic
/// reads it; nullopt for a value Alembic rejects.
std::optional<std::string> separator_characters(const std::optional<std::string>& separator) {
  if (!separator) return " ,";  // Alembic's legacy behaviour when no separator is configured
  static const std::map<std::string, std::string, std::less<>> known = {
      {"space", " "}, {"newline", "\n"}, {"os", ":"}, {":", ":"}, {";", ";"}};
  auto it = known.find(*separator);
  if (it == known.end()) return std::nullopt;
  return it->second;
}

/// Splits version_locations the way Alembic does for the configured separator.
Result<std::vector<std::string>> split_locations(const ScriptSettings& script) {
  std::optional<std::string> delimiters = separator_characters(script.separator);
  if (!delimiters) {
    return Error{
        fmt::format("version_path_separator '{}' is not one of space, newline, os, ':' or ';'",
                    *script.separator),
        script.file, script.separator_line};
  }
  return split(*script.version_locations, *delimiters + "\n");
}

/// Resolves "package:path" statically: the package's folder under the working directory or src/.
Result<fs::path> resolve_script_location(const std::string& location, const fs::path& cwd,
                                         const ScriptSettings& script) {
  size_t colon = location.find(':');
  if (colon == std::string::npos || fs::path(location).is_absolute()) return cwd / location;
  std::string package = location.substr(0, colon);
  std::replace(package.begin(), package.end(), '.', '/');
  std::error_code ec;
  for (const fs::path& base : {cwd, cwd / "src"}) {
    if (fs::is_directory(base / package, ec)) return base / package / location.substr(colon + 1);
  }
  return Error{fmt::format("script_location '{}' names package '{}', which is not a folder under "
                           "{} or its src/; write the location as a path instead",
                           location, location.substr(0, colon), display_path(cwd)),
               script.file, script.line};
}

/// The revision files of `folder`, and with `recursive` of its subfolders, as Alembic lists them:
/// os.walk() does not descend into a link to a folder (a link back up would loop).
void list_revision_files(const fs::path& folder, bool recursive, std::vector<fs::path>& out) {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory(ec)) {
      if (recursive && name != "__pycache__" && !entry.is_symlink(ec))
        list_revision_files(entry.path(), recursive, out);
    } else if (is_revision_file_name(name)) {
      out.push_back(entry.path());
    }
  }
}

Result<ScriptSettings> read_script_settings(const config::Settings& settings,
                                            fs::path& config_file) {
  fs::path ini = fs::path(settings.working_directory) / settings.alembic_config;
  fs::path pyproject = fs::path(settings.working_directory) / "pyproject.toml";
  Result<std::optional<ScriptSettings>> toml = from_pyproject(pyproject);
  if (!toml) return toml.error();
  if (is_present(ini)) {
    config_file = ini;
    Result<ScriptSettings> from_file = from_ini(ini);
    if (!from_file || from_file->script_location) return from_file;
    if (!*toml)
      return Error{"no script_location in the [alembic] section", from_file->file, from_file->line};
  }
  if (*toml) {  // Alembic 1.16+: script settings live in pyproject.toml.
    config_file = pyproject;
    return **toml;
  }
  return Error{fmt::format("Alembic config '{}' not found (and no [tool.alembic] in "
                           "pyproject.toml); set alembic-config or working-directory",
                           display_path(ini)),
               display_path(ini)};
}

}  // namespace

std::string Project::relative(const fs::path& path) const {
  return relative_inside(path, repository_root);
}

bool is_revision_file_name(const std::string& name) {
  // Alembic: (?!\.#|__init__)(.*\.py)$
  return name.size() > 3 && name.ends_with(".py") && !name.starts_with(".#") &&
         !name.starts_with("__init__");
}

fs::path find_repository_root(const fs::path& folder, const std::string& github_workspace) {
  fs::path start = fs::absolute(folder).lexically_normal();
  if (!github_workspace.empty()) {
    fs::path workspace = fs::absolute(github_workspace).lexically_normal();
    std::string relative = relative_inside(start, workspace);
    if (!fs::path(relative).is_absolute()) return workspace;
  }
  std::error_code ec;
  for (fs::path at = start; !at.empty(); at = at.parent_path()) {
    if (fs::exists(at / ".git", ec)) return at;
    if (at == at.parent_path()) break;
  }
  return start;
}

Result<Project> discover(const config::Settings& settings, const fs::path& repository_root) {
  Project project;
  project.working_directory = settings.working_directory;
  project.repository_root = repository_root;
  Result<ScriptSettings> script = read_script_settings(settings, project.config_file);
  if (!script) return script.error();
  Result<fs::path> location =
      resolve_script_location(*script->script_location, project.working_directory, *script);
  if (!location) return location.error();
  project.script_location = location->lexically_normal();
  project.recursive_version_locations = script->recursive;
  project.file_template = script->file_template;
  project.sqlalchemy_url = script->sqlalchemy_url;
  if (script->version_locations) {
    Result<std::vector<std::string>> parts = split_locations(*script);
    if (!parts) return parts.error();
    for (const std::string& part : *parts) {
      project.version_locations.push_back((project.working_directory / part).lexically_normal());
    }
  } else {
    project.version_locations.push_back(project.script_location / "versions");
  }
  std::error_code ec;
  for (const fs::path& folder : project.version_locations) {
    if (!fs::is_directory(folder, ec)) {
      return Error{fmt::format("versions folder '{}' does not exist", display_path(folder)),
                   script->file, script->line};
    }
    list_revision_files(folder, project.recursive_version_locations, project.revision_files);
  }
  // By string: path::compare works per component and is many times slower on long lists.
  std::sort(project.revision_files.begin(), project.revision_files.end(),
            [](const fs::path& a, const fs::path& b) { return a.native() < b.native(); });
  return project;
}

}  // namespace ag::project
