#include "report/workflow_commands.h"

namespace ag {
namespace {

std::string escape(std::string_view text, bool property) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      case ':':
        out += property ? "%3A" : ":";
        break;
      case ',':
        out += property ? "%2C" : ",";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string escape_data(std::string_view text) {
  return escape(text, false);
}

std::string escape_property(std::string_view text) {
  return escape(text, true);
}

std::string verbatim(std::string_view text, std::string_view token) {
  std::string out = "::stop-commands::" + std::string(token) + "\n";
  out += text;
  if (!text.ends_with('\n')) out += '\n';
  return out + "::" + std::string(token) + "::\n";
}

std::string add_mask(std::string_view value) {
  return "::add-mask::" + escape_data(value) + "\n";
}

}  // namespace ag
