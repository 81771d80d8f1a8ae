#include "util/secrets.h"

#include <algorithm>

namespace ag {

void Secrets::add(std::string value) {
  if (value.empty() || std::find(values_.begin(), values_.end(), value) != values_.end()) return;
  values_.push_back(std::move(value));
  std::stable_sort(values_.begin(), values_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Secrets::add(const std::vector<std::string>& values) {
  for (const std::string& value : values) add(value);
}

void Secrets::redact_in_place(std::string& text) const {
  for (const std::string& secret : values_) {
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
}

std::string Secrets::redact(std::string_view text) const {
  std::string out(text);
  redact_in_place(out);
  return out;
}

}  // namespace ag
