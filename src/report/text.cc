#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/reporters.h"
#include "util/file.h"
#include "util/paths.h"
#include "util/text.h"

namespace ag {
namespace {

constexpr size_t kSourceBytes = 160;

/// ANSI styles, all empty without colour.
struct Palette {
  std::string_view bold, dim, red, yellow, cyan, green, reset;

  static Palette of(bool color) {
    if (!color) return {};
    return {"\x1b[1m",    "\x1b[2m",    "\x1b[1;31m", "\x1b[1;33m",
            "\x1b[1;36m", "\x1b[1;32m", "\x1b[0m"};
  }

  std::string_view severity(Severity severity) const {
    return severity == Severity::error ? red : severity == Severity::warning ? yellow : cyan;
  }
};

/// Lines of the files findings point at, read once each.
class SourceLines {
 public:
  explicit SourceLines(std::filesystem::path root) : root_(std::move(root)) {}

  /// Line `line` (1-based) of `file`, without its line break; "" when unavailable.
  std::string line(const std::string& file, int line) {
    if (line <= 0) return "";
    auto [it, added] = lines_.try_emplace(file);
    if (added) {
      if (Result<std::string> text = read_file(root_ / file)) it->second = split_lines(*text);
    }
    const std::vector<std::string>& lines = it->second;
    return static_cast<size_t>(line) <= lines.size() ? lines[line - 1] : "";
  }

 private:
  std::filesystem::path root_;
  std::map<std::string, std::vector<std::string>> lines_;

  static std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = std::min(text.find('\n', start), text.size());
      std::string_view line(text.data() + start, end - start);
      if (line.ends_with('\r')) line.remove_suffix(1);
      lines.emplace_back(line);
      start = end + 1;
    }
    return lines;
  }
};

/// `text` safe for a terminal: control characters (a project's own escape sequences, CR) shown
/// as '?', and continuation lines indented under the first.
std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n') {
      out += "\n    ";
    } else if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) {
      out += c == '\r' ? "" : "?";
    } else {
      out += c;
    }
  }
  return out;
}

class TextWriter {
 public:
  TextWriter(const Report& report, std::ostream& out, const TextOptions& options)
      : report_(report),
        out_(out),
        style_(Palette::of(options.color)),
        sources_(report.repository_root) {}

  void write() {
    std::vector<std::string> files;  // in rank order of each file's first finding
    std::map<std::string, std::vector<const Finding*>> by_file;
    for (const RankedFinding& entry : report_.ranked()) {
      auto [it, added] = by_file.try_emplace(entry.finding->file);
      if (added) files.push_back(entry.finding->file);
      it->second.push_back(entry.finding);
    }
    // Files with findings first, findings without a file last.
    std::stable_partition(files.begin(), files.end(), [](const auto& f) { return !f.empty(); });
    for (const std::string& file : files) {
      std::vector<const Finding*>& findings = by_file[file];
      std::stable_sort(findings.begin(), findings.end(),
                       [](const Finding* a, const Finding* b) { return a->line < b->line; });
      for (const Finding* finding : findings) write(*finding);
      out_ << "\n";
    }
    const std::string_view color = report_.broken()   ? style_.yellow
                                   : report_.failed() ? style_.red
                                                      : style_.green;
    out_ << color << verdict_line(report_) << style_.reset << "\n";
  }

 private:
  const Report& report_;
  std::ostream& out_;
  Palette style_;
  SourceLines sources_;

  void write(const Finding& finding) {
    std::string place;
    if (!finding.file.empty()) {
      place = display_path(report_.repository_root / finding.file);
      if (finding.line > 0) place += fmt::format(":{}", finding.line);
      if (finding.line > 0 && finding.column > 0) place += fmt::format(":{}", finding.column);
      place = fmt::format("{}{}{}: ", style_.bold, place, style_.reset);
    }
    out_ << fmt::format("{}{}{}{}: {} {}[{}]{}\n", place, style_.severity(finding.severity),
                        severity_name(finding.severity), style_.reset, printable(finding.message),
                        style_.dim, finding.rule, style_.reset);
    if (!finding.file.empty()) {
      std::string source = sources_.line(finding.file, finding.line);
      if (!source.empty()) {
        out_ << fmt::format("  {}{:>5} |{} {}\n", style_.dim, finding.line, style_.reset,
                            printable(shorten(source, kSourceBytes)));
      }
    }
    if (!finding.help.empty())
      out_ << fmt::format("  {}help:{} {}\n", style_.cyan, style_.reset, printable(finding.help));
  }
};

}  // namespace

void write_text(const Report& report, std::ostream& out, const TextOptions& options) {
  TextWriter(report, out, options).write();
}

}  // namespace ag
