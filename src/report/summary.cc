// The job summary: GitHub-flavoured Markdown appended to GITHUB_STEP_SUMMARY.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "report/deploy_section.h"
#include "report/markdown.h"
#include "report/reporters.h"
#include "report/sql_review.h"
#include "util/text.h"
#include "version.h"

namespace ag {
namespace {

constexpr size_t kVisibleFindings = 20;  // more go inside <details>
constexpr size_t kMessageBytes = 1000;
constexpr size_t kHelpBytes = 500;
constexpr size_t kSlowestRevisions = 20;

std::string_view status_badge(CheckStatus status) {
  switch (status) {
    case CheckStatus::passed:
      return "✅ passed";
    case CheckStatus::failed:
      return "❌ failed";
    case CheckStatus::unavailable:
      return "➖ could not judge";
    case CheckStatus::error:
      return "⚠️ could not run";
  }
  return "";
}

std::string_view severity_badge(Severity severity) {
  switch (severity) {
    case Severity::error:
      return "❌ error";
    case Severity::warning:
      return "⚠️ warning";
    case Severity::notice:
      return "ℹ️ notice";
  }
  return "";
}

/// Text outside code spans: Markdown and HTML have no effect, line breaks become <br>.
void append_plain(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\n':
        out += "<br>";
        break;
      case '\r':
        break;
      case '\\':
      case '*':
      case '_':
      case '[':
      case ']':
      case '~':
      case '|':
      case '`':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
}

/// A table cell: at most `max_bytes` of `text`, all of it literal; what its backticks pair into
/// (`code`) shows as code. The code is written as <code> with its text escaped, never as a code
/// span: CommonMark pairs backtick runs by length, so a span made of user text (```x```) could
/// end elsewhere than where it was meant to and let the rest be read as Markdown and HTML.
std::string cell(std::string_view text, size_t max_bytes) {
  std::string shortened = shorten(text, max_bytes);
  std::string_view rest = shortened;
  std::string out;
  while (!rest.empty()) {
    size_t open = rest.find('`');
    size_t close = open == std::string_view::npos ? open : rest.find('`', open + 1);
    if (close == std::string_view::npos) {
      append_plain(out, rest);
      break;
    }
    append_plain(out, rest.substr(0, open));
    std::string code(rest.substr(open + 1, close - open - 1));
    std::replace_if(
        code.begin(), code.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    out += "<code>";
    append_plain(out, code);
    out += "</code>";
    rest.remove_prefix(close + 1);
  }
  return out;
}

/// An id as a code span in a table cell.
std::string code(std::string_view id) {
  return cell("`" + std::string(id) + "`", 200);
}

class Summary {
 public:
  Summary(const Report& report, const SummaryOptions& options)
      : report_(report), options_(options) {}

  std::string render() const {
    std::string head = verdict() + checks_table() + deploy_section(report_);
    std::string tail = graph_section() + timings_section();
    size_t room = options_.limit > head.size() + tail.size() + 1024
                      ? options_.limit - head.size() - tail.size() - 1024
                      : 0;
    std::string findings = findings_section(room);
    std::string sql = sql_review_section(report_, room - std::min(room, findings.size()));
    std::string out = head + findings + sql + tail;
    if (out.size() > options_.limit) {  // only when even the fixed parts are too long
      out = shorten(out, options_.limit - 200) + "\n\n" + cut_note(0) + "\n";
    }
    return out;
  }

 private:
  const Report& report_;
  const SummaryOptions& options_;

  std::string verdict() const {
    std::string_view icon = report_.broken() ? "⚠️" : report_.failed() ? "❌" : "✅";
    std::string out = fmt::format("### {} {}\n\n", icon, verdict_line(report_));
    std::vector<std::string> facts;
    if (!report_.project.empty()) facts.push_back("project " + code(report_.project));
    facts.push_back("fail-on " + code(fail_on_name(report_.fail_on)));
    facts.push_back(fmt::format("alembic-gate {}", kVersion));
    return out + fmt::format("{}\n\n", fmt::join(facts, " · "));
  }

  std::string checks_table() const {
    std::string out =
        "| check | status | duration | errors | warnings | notices |\n"
        "|---|---|---:|---:|---:|---:|\n";
    for (const CheckOutcome& check : report_.checks) {
      Counts counts = count(check.findings);
      out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", cell(check.name, 100),
                         status_badge(check.status), duration_text(check.seconds), counts.errors,
                         counts.warnings, counts.notices);
    }
    return out + "\n";
  }

  std::string location(const Finding& finding) const {
    std::string text = location_text(finding);
    if (text.empty()) return "";
    if (options_.blob_url.empty()) return cell(text, 300);
    std::string anchor;
    if (finding.line > 0) {
      anchor = fmt::format("#L{}", finding.line);
      if (finding.end_line > finding.line) anchor += fmt::format("-L{}", finding.end_line);
    }
    return fmt::format("[{}]({}/{}{})", cell(text, 300), options_.blob_url, uri_path(finding.file),
                       anchor);
  }

  std::string row(const Finding& finding) const {
    std::string message = cell(finding.message, kMessageBytes);
    if (!finding.help.empty()) message += "<br>**How to fix:** " + cell(finding.help, kHelpBytes);
    return fmt::format("| {} | {} | {} | {} | {} |\n", severity_badge(finding.severity),
                       cell(finding.check, 100), code(finding.rule), location(finding), message);
  }

  static std::string cut_note(size_t left) {
    std::string what = left > 0 ? fmt::format("{} more findings are not listed", left)
                                : std::string("the rest is not shown");
    return fmt::format(
        "> [!NOTE]\n> This summary is cut here: {}, because GitHub limits a step's job summary "
        "to 1 MiB. The log and the JSON report (`json-file`) have every finding.\n",
        what);
  }

  /// The findings table, rows added while they fit in `room` bytes.
  std::string findings_section(size_t room) const {
    std::vector<RankedFinding> ranked = report_.ranked();
    if (ranked.empty()) return "";
    static constexpr std::string_view kHeader =
        "| severity | check | rule | location | message |\n|---|---|---|---|---|\n";
    std::string out = "#### Findings\n\n" + std::string(kHeader);
    size_t shown = 0;
    for (; shown < ranked.size(); ++shown) {
      std::string next = row(located_in_repository(*ranked[shown].finding));
      if (shown == kVisibleFindings) {
        next = fmt::format("\n<details><summary>{} more findings</summary>\n\n{}",
                           ranked.size() - kVisibleFindings, kHeader) +
               next;
      }
      if (out.size() + next.size() > room) break;
      out += next;
    }
    if (shown > kVisibleFindings) out += "\n</details>\n";
    out += "\n";
    if (shown < ranked.size()) out += cut_note(ranked.size() - shown) + "\n";
    return out;
  }

  std::string graph_section() const {
    const GraphSummary& graph = report_.graph;
    if (graph.nodes.empty()) return "";
    std::vector<std::string> heads;
    for (const std::string& head : graph.heads)
      heads.push_back("<code>" + html_text(head) + "</code>");
    std::string summary = fmt::format(
        "Revision graph: {} revision{}, {} {}{}", graph.revisions, graph.revisions == 1 ? "" : "s",
        graph.heads.size() == 1 ? "head" : "heads", fmt::join(heads, ", "),
        graph.merge_points.empty() ? ""
                                   : fmt::format(", {} merge points", graph.merge_points.size()));
    std::string out = fmt::format("<details{}><summary>{}</summary>\n\n",
                                  graph.heads.size() > 1 ? " open" : "", summary);
    constexpr size_t kRecent = 30;
    if (graph.nodes.size() > kRecent) {
      out += fmt::format(
          "The last {} of {} revisions, with every head, base, branch point and merge point; a "
          "dotted edge stands for the revisions in between.\n\n",
          kRecent, graph.nodes.size());
    }
    out += "```mermaid\n" + revision_flowchart(graph, kRecent) + "```\n\n";
    out += "Heads are rounded and green, merge points are hexagons, branch points yellow.\n\n";
    return out + "</details>\n\n";
  }

  std::string timings_section() const {
    for (const CheckOutcome& check : report_.checks) {
      if (check.timings.empty()) continue;
      std::vector<RevisionTiming> slowest = check.timings;
      auto total = [](const RevisionTiming& t) {
        return std::max(t.upgrade_seconds, 0.0) + std::max(t.downgrade_seconds, 0.0);
      };
      std::stable_sort(slowest.begin(), slowest.end(),
                       [&](const auto& a, const auto& b) { return total(a) > total(b); });
      slowest.resize(std::min(slowest.size(), kSlowestRevisions));
      auto seconds = [](double value) {
        return value < 0 ? std::string("–") : duration_text(value);
      };
      std::string out = fmt::format(
          "<details><summary>{}: the {} slowest revisions</summary>\n\n| revision | upgrade | "
          "downgrade |\n|---|---:|---:|\n",
          html_text(check.name), slowest.size());
      for (const RevisionTiming& timing : slowest) {
        out += fmt::format("| {} | {} | {} |\n", code(timing.revision),
                           seconds(timing.upgrade_seconds), seconds(timing.downgrade_seconds));
      }
      return out + "\n</details>\n\n";
    }
    return "";
  }
};

}  // namespace

std::string job_summary(const Report& report, const SummaryOptions& options) {
  return Summary(report, options).render();
}

}  // namespace ag
