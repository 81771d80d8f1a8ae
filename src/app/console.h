// Where the run's own lines go: log and errors to stderr, with every secret replaced; in GitHub's
// log, masks first and everything not ours wrapped so that it cannot run a workflow command.
#pragma once

#include <mutex>
#include <ostream>
#include <string>

#include "util/secrets.h"

namespace ag {

class Console {
 public:
  /// `workflow_commands`: the output is read by GitHub's runner (format github, or
  /// GITHUB_ACTIONS=true). `masks` is the stream the ::add-mask:: lines go to (stdout, or stderr
  /// when stdout must stay pure JSON).
  Console(std::ostream& out, std::ostream& err, Secrets secrets, bool workflow_commands,
          std::ostream& masks);

  /// ::add-mask:: for every secret; call before anything else is printed.
  void mask();

  /// A chunk of log text (progress, retries, Alembic's output, a traceback) to stderr.
  /// Safe from any thread.
  void log(const std::string& text);

  /// A line of alembic-gate's own for GitHub's log: a workflow command (e.g. "::group::install")
  /// or a line that frames one (a group's closing line). To stderr as it is (secrets still
  /// replaced); nothing outside GitHub's log.
  void command(const std::string& line);

  /// "alembic-gate: MESSAGE" to stderr; in GitHub's log also an ::error annotation.
  void error(const std::string& message);

  /// Text for stdout as is: a rendered report (made from a redacted Report).
  void print(const std::string& text);

  const Secrets& secrets() const { return secrets_; }
  /// Whether GitHub's runner reads this output for workflow commands.
  bool workflow_commands() const { return workflow_commands_; }
  /// The random token that closes this run's ::stop-commands:: blocks.
  const std::string& token() const { return token_; }

 private:
  std::ostream& out_;
  std::ostream& err_;
  Secrets secrets_;
  bool workflow_commands_;
  std::ostream& masks_;
  std::string token_;
  std::mutex mutex_;

  void to_err(std::string text);
};

}  // namespace ag
