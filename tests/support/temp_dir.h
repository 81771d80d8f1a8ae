// A temporary folder for one test, removed with everything in it when the test ends.
#pragma once

#include <filesystem>
#include <string_view>

namespace ag::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Writes `text` to `relative` inside the folder, creating parent folders; returns the path.
  std::filesystem::path write(std::string_view relative, std::string_view text) const;

  /// Creates the folder `relative` inside (and its parents); returns its path.
  std::filesystem::path folder(std::string_view relative) const;

 private:
  std::filesystem::path path_;
};

}  // namespace ag::test
