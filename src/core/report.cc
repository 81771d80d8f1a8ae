#include "core/report.h"

#include <algorithm>
#include <tuple>

#include "util/secrets.h"

namespace ag {

std::string_view status_name(CheckStatus status) {
  switch (status) {
    case CheckStatus::passed:
      return "passed";
    case CheckStatus::failed:
      return "failed";
    case CheckStatus::unavailable:
      return "unavailable";
    case CheckStatus::error:
      return "error";
  }
  return "failed";
}

std::string_view fail_on_name(FailOn fail_on) {
  switch (fail_on) {
    case FailOn::error:
      return "error";
    case FailOn::warning:
      return "warning";
    case FailOn::never:
      return "never";
  }
  return "error";
}

bool fails(Severity severity, FailOn fail_on) {
  switch (fail_on) {
    case FailOn::never:
      return false;
    case FailOn::warning:
      return severity != Severity::notice;
    case FailOn::error:
      return severity == Severity::error;
  }
  return severity == Severity::error;
}

Findings Report::findings() const {
  Findings all;
  for (const CheckOutcome& check : checks)
    all.insert(all.end(), check.findings.begin(), check.findings.end());
  return all;
}

Counts count(const Findings& findings) {
  Counts counts;
  for (const Finding& finding : findings) {
    switch (finding.severity) {
      case Severity::error:
        ++counts.errors;
        break;
      case Severity::warning:
        ++counts.warnings;
        break;
      case Severity::notice:
        ++counts.notices;
        break;
    }
  }
  return counts;
}

std::vector<RankedFinding> Report::ranked() const {
  std::vector<RankedFinding> entries;
  for (size_t i = 0; i < checks.size(); ++i)
    for (const Finding& finding : checks[i].findings) entries.push_back({i, &finding});
  std::stable_sort(
      entries.begin(), entries.end(), [](const RankedFinding& a, const RankedFinding& b) {
        const Finding& x = *a.finding;
        const Finding& y = *b.finding;
        int x_rank = -static_cast<int>(x.severity), y_rank = -static_cast<int>(y.severity);
        bool x_nowhere = x.file.empty(), y_nowhere = y.file.empty();
        return std::tie(x_rank, a.check, x_nowhere, x.file, x.line) <
               std::tie(y_rank, b.check, y_nowhere, y.file, y.line);
      });
  return entries;
}

namespace {

/// The SQL quotes what env.py and the migrations print: a password they put in a statement too.
void redact_sql(SqlReview& review, const Secrets& secrets) {
  secrets.redact_in_place(review.unavailable);
  for (RevisionSql& revision : review.revisions) {
    for (std::string* text :
         {&revision.message, &revision.upgrade_failure, &revision.downgrade_failure}) {
      secrets.redact_in_place(*text);
    }
    for (std::vector<SqlText>* texts : {&revision.upgrade, &revision.downgrade})
      for (SqlText& text : *texts) secrets.redact_in_place(text.sql);
  }
}

}  // namespace

std::vector<std::string> newest_for_review(const std::vector<std::string>& revisions,
                                           size_t& left_out) {
  left_out = revisions.size() > kReviewedRevisions ? revisions.size() - kReviewedRevisions : 0;
  return {revisions.begin() + static_cast<std::ptrdiff_t>(left_out), revisions.end()};
}

Report redacted(Report report, const Secrets& secrets) {
  secrets.redact_in_place(report.project);
  for (CheckOutcome& check : report.checks) {
    for (Finding& finding : check.findings) {
      for (std::string* text :
           {&finding.message, &finding.help, &finding.file, &finding.revision}) {
        secrets.redact_in_place(*text);
      }
    }
    if (check.sql_review) redact_sql(*check.sql_review, secrets);
  }
  return report;
}

bool Report::broken() const {
  return std::any_of(checks.begin(), checks.end(),
                     [](const CheckOutcome& check) { return check.status == CheckStatus::error; });
}

bool Report::failed() const {
  return std::any_of(checks.begin(), checks.end(),
                     [](const CheckOutcome& check) { return check.status == CheckStatus::failed; });
}

}  // namespace ag
