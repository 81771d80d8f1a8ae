#include "app/console.h"

#include "report/workflow_commands.h"
#include "util/random.h"

namespace ag {

Console::Console(std::ostream& out, std::ostream& err, Secrets secrets, bool workflow_commands,
                 std::ostream& masks)
    : out_(out),
      err_(err),
      secrets_(std::move(secrets)),
      workflow_commands_(workflow_commands),
      masks_(masks),
      token_(random_hex(16)) {}

void Console::mask() {
  if (!workflow_commands_) return;
  std::lock_guard lock(mutex_);
  for (const std::string& secret : secrets_.values()) masks_ << add_mask(secret);
  masks_.flush();
}

void Console::log(const std::string& text) {
  to_err(text.ends_with('\n') ? text : text + "\n");
}

void Console::command(const std::string& line) {
  if (!workflow_commands_) return;
  std::string text = secrets_.redact(line) + "\n";
  std::lock_guard lock(mutex_);
  err_ << text;
  err_.flush();
}

void Console::error(const std::string& message) {
  to_err("alembic-gate: " + message + "\n");
  if (workflow_commands_) {  // also an annotation, so it shows on the run's page
    std::string annotation = "::error title=alembic-gate::" + escape_data(secrets_.redact(message));
    std::lock_guard lock(mutex_);
    err_ << annotation << "\n";
    err_.flush();
  }
}

void Console::print(const std::string& text) {
  std::lock_guard lock(mutex_);
  out_ << text;
  out_.flush();
}

void Console::to_err(std::string text) {
  secrets_.redact_in_place(text);
  if (workflow_commands_) text = verbatim(text, token_);
  std::lock_guard lock(mutex_);
  err_ << text;
  err_.flush();
}

}  // namespace ag
