// database-url: libpq URLs and SQLAlchemy URLs, parsed once into what each side needs.
//
//   postgresql://user:pass@host:5432/db?sslmode=require          libpq, also SQLAlchemy's default
//   postgres://...                                               (Heroku style; normalised)
//   postgresql+psycopg2:// +psycopg:// +asyncpg:// +pg8000://    SQLAlchemy with a driver
//
// The C++ side connects with libpq: ConnectionParams, driver removed, query parameters mapped
// (asyncpg's ssl=require becomes sslmode=require). The Python side gets the URL with its driver.
// Nothing here ever puts the password into an Error: messages use redacted() or describe().
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace ag::pg {

/// libpq connection keywords and values, for PQconnectdbParams (expand_dbname off).
class ConnectionParams {
 public:
  /// The value of `keyword`, or "" when unset.
  [[nodiscard]] std::string get(std::string_view keyword) const;
  void set(std::string keyword, std::string value) {
    values_[std::move(keyword)] = std::move(value);
  }
  void erase(std::string_view keyword);
  [[nodiscard]] bool has(std::string_view keyword) const {
    return values_.find(keyword) != values_.end();
  }

  /// A copy connecting to `database` on the same server with the same settings.
  [[nodiscard]] ConnectionParams with_database(std::string database) const;

  /// "127.0.0.1:5432, database test, user postgres" (never the password), for messages.
  [[nodiscard]] std::string describe() const;

  /// "127.0.0.1:5432", "socket /var/run/postgresql" or "the default socket".
  [[nodiscard]] std::string server() const;

  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

  bool operator==(const ConnectionParams&) const = default;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

/// A database-url, understood. Build with parse_database_url().
class DatabaseUrl {
 public:
  /// "" for a plain libpq URL, else psycopg2, psycopg, asyncpg or pg8000.
  const std::string& driver() const { return driver_; }
  const std::string& user() const { return user_; }          ///< Percent-decoded.
  const std::string& password() const { return password_; }  ///< Percent-decoded.
  const std::string& host() const { return host_; }          ///< Decoded; IPv6 without brackets.
  const std::string& port() const { return port_; }          ///< Digits, or "" for the default.
  const std::string& database() const { return database_; }  ///< Decoded; "" for libpq's default.
  /// Query parameters, decoded, in the order given.
  const std::vector<std::pair<std::string, std::string>>& query() const { return query_; }

  /// What libpq needs to connect; driver-only parameters dropped, the rest mapped.
  const ConnectionParams& libpq() const { return libpq_; }

  /// The URL for the Python side (SQLAlchemy): the text as given, with its driver, except that
  /// postgres:// becomes postgresql:// (SQLAlchemy 1.4+ only knows the latter).
  [[nodiscard]] std::string python_url() const;

  /// python_url() with the password replaced by *** (also password-like query values).
  [[nodiscard]] std::string redacted() const;

  /// The credentials in the URL worth masking wherever they appear, as written and decoded: the
  /// password and secret query values (sslpassword), except guessable ones (is_guessable()).
  /// Passwords inside URLs are redacted anyway (Secrets::redact).
  [[nodiscard]] std::vector<std::string> secrets() const;

  /// The same URL naming `database` instead (driver, credentials and parameters kept), for
  /// scratch databases.
  [[nodiscard]] DatabaseUrl with_database(const std::string& database) const;

 private:
  friend class UrlParser;
  std::string text_;  ///< As given, scheme normalised.
  std::string driver_, user_, password_, host_, port_, database_;
  std::vector<std::pair<std::string, std::string>> query_;
  ConnectionParams libpq_;
  /// Byte spans of the text_ that other forms replace: [begin, end).
  std::pair<size_t, size_t> password_span_{0, 0};
  std::pair<size_t, size_t> database_span_{0, 0};  ///< Includes the leading '/', when present.
  std::vector<std::pair<size_t, size_t>> secret_spans_;  ///< Secret query values (sslpassword).
};

/// Parses `url`. Errors say what is wrong and how to write it, and never contain the password.
Result<DatabaseUrl> parse_database_url(std::string_view url);

/// The credentials in `url` (DatabaseUrl::secrets()); for a URL that does not parse, the text
/// between the first ':' after "://" and the last '@' before the host, and any password=VALUE,
/// unless guessable.
std::vector<std::string> url_secrets(std::string_view url);

/// Whether `password` is no secret worth masking word for word: shorter than 8 characters, one
/// of the defaults everyone knows ("postgres", the password of the README's own service), or
/// one of the URL's `other_parts` (user, host, database: printed anyway). Masking such a word
/// everywhere would ruin every output ("***ql://" for "postgresql://"). A password given in a
/// workflow's text is visible there; one from `secrets.*` is masked by the runner itself.
bool is_guessable(std::string_view password, std::initializer_list<std::string_view> other_parts);

}  // namespace ag::pg
