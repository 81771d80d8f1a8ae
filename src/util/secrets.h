// Values a run must never print: GitHub masks them in its log, and every text alembic-gate writes
// (stdout, stderr, report files, the job summary, outputs) has them replaced first. Passwords
// inside URLs and password=VALUE pairs are replaced wherever they appear, secret or not.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ag {

class Secrets {
 public:
  /// Adds `value`; empty values and repeats are ignored.
  void add(std::string value);
  void add(const std::vector<std::string>& values);

  /// The secrets, longest first (so one that contains another is replaced whole).
  const std::vector<std::string>& values() const { return values_; }

  /// `text` with every occurrence of every secret replaced by ***, and the password of every URL
  /// (scheme://user:PASSWORD@, read as SQLAlchemy reads it) and every password=VALUE too.
  std::string redact(std::string_view text) const;
  /// Redacts `text` in place.
  void redact_in_place(std::string& text) const;

 private:
  std::vector<std::string> values_;
};

}  // namespace ag
