#include "util/secrets.h"

#include <algorithm>
#include <cctype>

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

namespace {

constexpr std::string_view kRedacted = "***";
// Where a URL ends in running text: blanks and quotes; a value also ends where the next begins.
constexpr std::string_view kTokenEnd = " \t\r\n\"'`<>";
constexpr std::string_view kValueEnd = " \t\r\n\"'`<>&;,)";

/// Replaces text[begin, end) by *** unless it is empty or *** already; returns where to go on.
size_t redact_span(std::string& text, size_t begin, size_t end) {
  if (end == begin || text.compare(begin, end - begin, kRedacted) == 0) return end;
  text.replace(begin, end - begin, kRedacted);
  return begin + kRedacted.size();
}

/// The password of every scheme://user:PASSWORD@host, split as SQLAlchemy's make_url splits it:
/// the user runs to the first ':' (and has no '/'), the password to the next '@'.
void redact_url_passwords(std::string& text) {
  for (size_t scheme = text.find("://"); scheme != std::string::npos;
       scheme = text.find("://", scheme + 3)) {
    size_t start = scheme + 3;
    size_t end = std::min(text.find_first_of(kTokenEnd, start), text.size());
    size_t colon = text.find_first_of(":/@", start);
    if (colon >= end || text[colon] != ':') continue;
    size_t at = text.find('@', colon);
    if (at >= end) continue;
    scheme = redact_span(text, colon + 1, at);
  }
}

/// Where "password" next appears in `text` from `from` on, in any case; npos when nowhere.
size_t find_password_key(const std::string& text, size_t from) {
  constexpr std::string_view kKey = "password";
  auto at = std::search(
      text.begin() + static_cast<long>(std::min(from, text.size())), text.end(), kKey.begin(),
      kKey.end(), [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  return at == text.end() ? std::string::npos : static_cast<size_t>(at - text.begin());
}

/// The value of every password=VALUE, in any case and with blanks around '=' (sslpassword=,
/// PGPASSWORD=, libpq's key=value strings and their quoted values, URLs' query parameters).
void redact_password_values(std::string& text) {
  for (size_t key = find_password_key(text, 0); key != std::string::npos;
       key = find_password_key(text, key + 1)) {
    size_t equals = text.find_first_not_of(" \t", key + 8);
    if (equals == std::string::npos || text[equals] != '=') continue;
    size_t begin = std::min(text.find_first_not_of(" \t", equals + 1), text.size());
    size_t end = 0;
    if (begin < text.size() && (text[begin] == '\'' || text[begin] == '"')) {
      end = std::min(text.find(text[begin], begin + 1), text.size());  // a quoted value
      ++begin;
    } else {
      end = std::min(text.find_first_of(kValueEnd, begin), text.size());
    }
    key = redact_span(text, begin, end);
  }
}

}  // namespace

void Secrets::redact_in_place(std::string& text) const {
  for (const std::string& secret : values_) {
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), kRedacted);
    }
  }
  redact_url_passwords(text);
  redact_password_values(text);
}

std::string Secrets::redact(std::string_view text) const {
  std::string out(text);
  redact_in_place(out);
  return out;
}

}  // namespace ag
