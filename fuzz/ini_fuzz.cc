// Fuzz target: the ini reader (IniFile::parse) and configparser-style interpolation of the keys
// Alembic reads. Whatever the bytes: a file or an error with a line, no crash, no hang.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "util/ini.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ag::Result<ag::IniFile> ini = ag::IniFile::parse(text, "fuzz.ini");
  if (!ini) return 0;
  const std::map<std::string, std::string> defaults{{"here", "/project"}};
  for (std::string_view key : {"script_location", "version_locations", "sqlalchemy.url",
                               "version_path_separator", "recursive_version_locations"}) {
    (void)ini->get("alembic", key, defaults);
    (void)ini->line_of("alembic", key);
  }
  return 0;
}
