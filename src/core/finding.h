// The one type every check produces and every reporter renders.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ag {

enum class Severity { notice, warning, error };

/// "notice", "warning" or "error".
std::string_view severity_name(Severity severity);

/// Something a check found, at the best location available. Built by name (designated
/// initialisers): every field has a default, so a finding names only what it has.
struct Finding {
  std::string check = {};  ///< "heads", "lint", ...; "settings" or "project" for set-up problems.
  std::string rule = {};   ///< Stable rule id, e.g. "multiple-heads".
  Severity severity = Severity::error;
  std::string message = {};   ///< One sentence a reviewer can act on.
  std::string file = {};      ///< Relative to the repository root; empty when no file applies.
  int line = 0;               ///< 1-based; 0 when unknown.
  int end_line = 0;           ///< 0 means the same as line.
  std::string revision = {};  ///< The revision concerned, when there is one.
  std::string help = {};      ///< How to fix it.
  int column = 0;             ///< 1-based column on `line`; 0 when unknown.
  int end_column = 0;         ///< 1-based, inclusive, on `end_line`; 0 when unknown.
  /// Existing tables whose size sets how long this finding's statement holds its lock (lint's
  /// rules of index builds, table rewrites and validating scans), as the SQL names them
  /// ("orders", "shop.orders"): the deploy gate weighs them against the target's.
  std::vector<std::string> tables = {};
  /// When set, one problem of the project that several checks meet (a module env.py imports is
  /// missing): the pipeline keeps one finding per cause (say_each_cause_once).
  std::string cause = {};
};

using Findings = std::vector<Finding>;

/// `finding` as readers that point into the repository take it (annotations, SARIF, the job
/// summary's links, the JSON report). The checks make every path inside the repository relative
/// (Project::relative), so an absolute `file` lies outside it (a model in an installed package,
/// a project whose migrations live elsewhere): GitHub can neither map nor link it. Such a
/// finding loses its location (file, lines, columns), and its message ends with the path and
/// line instead. Other findings come back unchanged.
Finding located_in_repository(Finding finding);

}  // namespace ag
