#include "pg/database_url.h"
#include "util/text.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <span>

namespace ag::pg {
namespace {

constexpr std::string_view kExample = "postgresql://user:password@host:5432/database";
constexpr std::array<std::string_view, 4> kDrivers = {"psycopg2", "psycopg", "asyncpg", "pg8000"};
constexpr std::array<std::string_view, 6> kSslModes = {"disable", "allow",     "prefer",
                                                       "require", "verify-ca", "verify-full"};

/// What a query parameter becomes on the libpq side.
enum class Mapping {
  same,         ///< The libpq keyword of the same name.
  sslmode,      ///< asyncpg's ssl=MODE.
  timeout,      ///< Seconds, possibly fractional -> connect_timeout.
  unix_socket,  ///< pg8000's unix_sock=/dir/.s.PGSQL.PORT -> host and port.
  python_only,  ///< Understood by the driver; libpq does not need it.
};

struct QueryKey {
  std::string_view name;
  Mapping mapping;
  bool secret = false;  ///< Redacted in messages and redacted().
};

// Keywords libpq 12..15 understands and a CI run might need; user, password and dbname belong in
// the URL itself. client_encoding stays Python's business: the C++ side always reads UTF-8.
constexpr std::array kLibpqKeys = {
    QueryKey{"application_name", Mapping::same},
    QueryKey{"channel_binding", Mapping::same},
    QueryKey{"client_encoding", Mapping::python_only},
    QueryKey{"connect_timeout", Mapping::same},
    QueryKey{"fallback_application_name", Mapping::same},
    QueryKey{"gssencmode", Mapping::same},
    QueryKey{"host", Mapping::same},
    QueryKey{"hostaddr", Mapping::same},
    QueryKey{"keepalives", Mapping::same},
    QueryKey{"keepalives_count", Mapping::same},
    QueryKey{"keepalives_idle", Mapping::same},
    QueryKey{"keepalives_interval", Mapping::same},
    QueryKey{"krbsrvname", Mapping::same},
    QueryKey{"options", Mapping::same},
    QueryKey{"passfile", Mapping::same},
    QueryKey{"port", Mapping::same},
    QueryKey{"service", Mapping::same},
    QueryKey{"ssl_max_protocol_version", Mapping::same},
    QueryKey{"ssl_min_protocol_version", Mapping::same},
    QueryKey{"sslcert", Mapping::same},
    QueryKey{"sslcompression", Mapping::same},
    QueryKey{"sslcrl", Mapping::same},
    QueryKey{"sslcrldir", Mapping::same},
    QueryKey{"sslkey", Mapping::same},
    QueryKey{"sslmode", Mapping::same},
    QueryKey{"sslpassword", Mapping::same, true},
    QueryKey{"sslrootcert", Mapping::same},
    QueryKey{"sslsni", Mapping::same},
    QueryKey{"target_session_attrs", Mapping::same},
    QueryKey{"tcp_user_timeout", Mapping::same},
};

// SQLAlchemy's asyncpg dialect passes the query to asyncpg.connect(), which knows these.
constexpr std::array kAsyncpgKeys = {
    QueryKey{"async_fallback", Mapping::python_only},
    QueryKey{"command_timeout", Mapping::python_only},
    QueryKey{"direct_tls", Mapping::python_only},
    QueryKey{"host", Mapping::same},
    QueryKey{"krbsrvname", Mapping::same},
    QueryKey{"max_cacheable_statement_size", Mapping::python_only},
    QueryKey{"max_cached_statement_lifetime", Mapping::python_only},
    QueryKey{"passfile", Mapping::same},
    QueryKey{"port", Mapping::same},
    QueryKey{"prepared_statement_cache_size", Mapping::python_only},
    QueryKey{"ssl", Mapping::sslmode},
    QueryKey{"statement_cache_size", Mapping::python_only},
    QueryKey{"target_session_attrs", Mapping::same},
    QueryKey{"timeout", Mapping::timeout},
};

// SQLAlchemy's pg8000 dialect passes the query to pg8000.connect().
constexpr std::array kPg8000Keys = {
    QueryKey{"application_name", Mapping::same},
    QueryKey{"tcp_keepalive", Mapping::python_only},
    QueryKey{"timeout", Mapping::timeout},
    QueryKey{"unix_sock", Mapping::unix_socket},
};

std::span<const QueryKey> keys_for(std::string_view driver) {
  if (driver == "asyncpg") return kAsyncpgKeys;
  if (driver == "pg8000") return kPg8000Keys;
  return kLibpqKeys;
}

std::string scheme_for(std::string_view driver) {
  return driver.empty() ? "postgresql://" : fmt::format("postgresql+{}://", driver);
}

Error url_error(std::string message) {
  return Error{"database-url: " + std::move(message), "", 0};
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view trim(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

// ---- ConnectionParams -------------------------------------------------------------------------

std::string ConnectionParams::get(std::string_view keyword) const {
  auto it = values_.find(keyword);
  return it == values_.end() ? std::string() : it->second;
}

void ConnectionParams::erase(std::string_view keyword) {
  auto it = values_.find(keyword);
  if (it != values_.end()) values_.erase(it);
}

ConnectionParams ConnectionParams::with_database(std::string database) const {
  ConnectionParams copy = *this;
  copy.set("dbname", std::move(database));
  return copy;
}

std::string ConnectionParams::server() const {
  std::string host = get("host");
  std::string port = get("port");
  if (host.empty()) host = get("hostaddr");
  if (host.empty()) return port.empty() ? "the default socket" : "the default socket, port " + port;
  if (host.front() == '/' || host.front() == '@') {
    return port.empty() ? "socket " + host : fmt::format("socket {} port {}", host, port);
  }
  if (host.find(':') != std::string::npos) host = "[" + host + "]";  // IPv6
  return port.empty() ? host : host + ":" + port;
}

std::string ConnectionParams::describe() const {
  std::string text = server();
  if (std::string database = get("dbname"); !database.empty()) text += ", database " + database;
  if (std::string user = get("user"); !user.empty()) text += ", user " + user;
  return text;
}

// ---- percent escapes --------------------------------------------------------------------------

// ---- the parser -------------------------------------------------------------------------------

/// One pass over the URL text, left to right: scheme, user info, host and port, database, query.
class UrlParser {
 public:
  explicit UrlParser(std::string_view text) : text_(trim(text)) {}

  Result<DatabaseUrl> parse() {
    for (auto step :
         {&UrlParser::parse_scheme, &UrlParser::parse_user_info, &UrlParser::parse_host_and_port,
          &UrlParser::parse_database, &UrlParser::parse_query}) {
      if (std::optional<Error> error = (this->*step)()) return *error;
    }
    build_libpq_params();
    url_.text_ = std::move(normalised_);
    return std::move(url_);
  }

 private:
  std::string_view text_;
  size_t at_ = 0;           ///< Position in text_.
  std::string normalised_;  ///< text_ with the scheme normalised; spans index into it.
  ptrdiff_t shift_ = 0;     ///< normalised_ position minus text_ position, past the scheme.
  DatabaseUrl url_;
  std::vector<std::pair<std::string, std::string>> libpq_query_;

  size_t out(size_t position) const {
    return static_cast<size_t>(static_cast<ptrdiff_t>(position) + shift_);
  }

  std::optional<Error> parse_scheme() {
    size_t separator = text_.find("://");
    if (text_.empty()) return url_error(fmt::format("is empty; expected a URL like {}", kExample));
    if (separator == std::string_view::npos) {
      // The text may be a key=value DSN holding a password: never echo it.
      return url_error(fmt::format("is not a URL; expected one like {}", kExample));
    }
    std::string_view scheme = text_.substr(0, separator);
    std::string_view dialect = scheme.substr(0, scheme.find('+'));
    if (dialect != "postgresql" && dialect != "postgres") {
      return url_error(fmt::format(
          "scheme '{}' is not PostgreSQL; use postgresql:// or postgresql+DRIVER:// ({})", scheme,
          fmt::join(kDrivers, ", ")));
    }
    if (size_t plus = scheme.find('+'); plus != std::string_view::npos) {
      std::string_view driver = scheme.substr(plus + 1);
      if (std::find(kDrivers.begin(), kDrivers.end(), driver) == kDrivers.end()) {
        return url_error(fmt::format("unknown driver '{}' in '{}://'; supported: {}", driver,
                                     scheme, fmt::join(kDrivers, ", ")));
      }
      url_.driver_ = std::string(driver);
    }
    at_ = separator + 3;
    normalised_ = scheme_for(url_.driver_);
    shift_ = static_cast<ptrdiff_t>(normalised_.size()) - static_cast<ptrdiff_t>(at_);
    normalised_ += text_.substr(at_);
    return std::nullopt;
  }

  // SQLAlchemy's rule: user info is everything up to the first '@', the user name stops at ':',
  // the password may hold anything but '@' (so '@' must be written %40).
  std::optional<Error> parse_user_info() {
    size_t at_sign = text_.find('@', at_);
    if (at_sign == std::string_view::npos) return std::nullopt;
    std::string_view info = text_.substr(at_, at_sign - at_);
    size_t colon = info.find(':');
    std::string_view user = info.substr(0, colon);
    if (user.find_first_of("/?") != std::string_view::npos) return std::nullopt;  // '@' is later
    url_.user_ = percent_decode(user);
    if (colon != std::string_view::npos) {
      size_t begin = at_ + colon + 1;
      url_.password_ = percent_decode(info.substr(colon + 1));
      url_.password_span_ = {out(begin), out(at_sign)};
    }
    at_ = at_sign + 1;
    return std::nullopt;
  }

  std::optional<Error> parse_host_and_port() {
    size_t end = text_.find_first_of("/?", at_);
    if (end == std::string_view::npos) end = text_.size();
    std::string_view authority = text_.substr(at_, end - at_);
    at_ = end;
    if (authority.find('@') != std::string_view::npos) {
      return url_error(
          "more than one '@' before the host; write '@' inside the user name or password as %40");
    }
    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
      size_t close = authority.find(']');
      if (close == std::string_view::npos) return url_error("IPv6 host lacks its closing ']'");
      host = authority.substr(1, close - 1);
      std::string_view rest = authority.substr(close + 1);
      if (!rest.empty() && rest.front() != ':') {
        return url_error("expected ':PORT' after the IPv6 host's ']'");
      }
      if (!rest.empty()) port = rest.substr(1);
    } else if (size_t colon = authority.find(':'); colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (host.find(',') != std::string_view::npos || port.find(',') != std::string_view::npos) {
      return url_error("several hosts are not supported; name one server");
    }
    if (!port.empty() && !valid_port(port)) {
      return url_error(fmt::format("port '{}' is not a number from 1 to 65535", port));
    }
    url_.host_ = percent_decode(host);
    url_.port_ = std::string(port);
    return std::nullopt;
  }

  std::optional<Error> parse_database() {
    size_t end = text_.find('?', at_);
    if (end == std::string_view::npos) end = text_.size();
    url_.database_span_ = {out(at_), out(end)};
    if (at_ < end) url_.database_ = percent_decode(text_.substr(at_ + 1, end - at_ - 1));
    at_ = end;
    return std::nullopt;
  }

  std::optional<Error> parse_query() {
    if (at_ >= text_.size()) return std::nullopt;
    ++at_;  // '?'
    std::span<const QueryKey> allowed = keys_for(url_.driver_);
    while (at_ <= text_.size()) {
      size_t end = text_.find('&', at_);
      if (end == std::string_view::npos) end = text_.size();
      std::string_view pair = text_.substr(at_, end - at_);
      size_t begin = at_;
      at_ = end + 1;
      if (pair.empty()) continue;
      if (std::optional<Error> error = parse_parameter(pair, begin, allowed)) return error;
    }
    return std::nullopt;
  }

  std::optional<Error> parse_parameter(std::string_view pair, size_t begin,
                                       std::span<const QueryKey> allowed) {
    size_t equals = pair.find('=');
    // parse_qsl semantics ('+' is a space), which is how SQLAlchemy reads the same text.
    std::string name = percent_decode(pair.substr(0, equals), true);
    const QueryKey* key = nullptr;
    for (const QueryKey& candidate : allowed) {
      if (candidate.name == name) key = &candidate;
    }
    if (key == nullptr) return unknown_parameter(name, allowed);
    if (equals == std::string_view::npos || equals + 1 == pair.size()) {
      return url_error(fmt::format("query parameter '{}' has no value", name));
    }
    for (const auto& [seen, unused] : url_.query_) {
      if (seen == name) return url_error(fmt::format("query parameter '{}' is given twice", name));
    }
    std::string value = percent_decode(pair.substr(equals + 1), true);
    if (key->secret)
      url_.secret_spans_.emplace_back(out(begin + equals + 1), out(begin + pair.size()));
    url_.query_.emplace_back(name, value);
    return map_parameter(*key, value);
  }

  Error unknown_parameter(const std::string& name, std::span<const QueryKey> allowed) const {
    std::vector<std::string_view> names;
    for (const QueryKey& key : allowed) names.push_back(key.name);
    std::string kind =
        url_.driver_.empty() ? "a postgresql:// URL" : scheme_for(url_.driver_) + " URLs";
    std::string hint;
    if (name == "sslmode" && url_.driver_ == "asyncpg") hint = " (asyncpg takes ssl=MODE instead)";
    if (name == "ssl" && url_.driver_ != "asyncpg") hint = " (libpq takes sslmode=MODE instead)";
    if (name == "user" || name == "password" || name == "dbname" || name == "database") {
      hint = fmt::format(" (write it in the URL itself: {})", kExample);
    }
    return url_error(fmt::format("unknown query parameter '{}' for {}{}; allowed: {}", name, kind,
                                 hint, fmt::join(names, ", ")));
  }

  std::optional<Error> map_parameter(const QueryKey& key, const std::string& value) {
    switch (key.mapping) {
      case Mapping::same:
        if (key.name == "sslmode") return add_sslmode("sslmode", value);
        libpq_query_.emplace_back(key.name, value);
        return std::nullopt;
      case Mapping::sslmode:
        return add_sslmode("ssl", value);
      case Mapping::timeout:
        return add_timeout(key.name, value);
      case Mapping::unix_socket:
        return add_unix_socket(value);
      case Mapping::python_only:
        return std::nullopt;
    }
    return std::nullopt;
  }

  std::optional<Error> add_sslmode(std::string_view name, const std::string& value) {
    if (std::find(kSslModes.begin(), kSslModes.end(), value) == kSslModes.end()) {
      return url_error(
          fmt::format("{} '{}' is not one of {}", name, value, fmt::join(kSslModes, ", ")));
    }
    libpq_query_.emplace_back("sslmode", value);
    return std::nullopt;
  }

  // libpq wants whole seconds; round up so a short timeout never becomes 0 (= wait forever).
  std::optional<Error> add_timeout(std::string_view name, const std::string& value) {
    double seconds = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error != std::errc() || end != value.data() + value.size() || seconds <= 0) {
      return url_error(fmt::format("{} '{}' is not a positive number of seconds", name, value));
    }
    libpq_query_.emplace_back("connect_timeout",
                              std::to_string(static_cast<long>(std::ceil(seconds))));
    return std::nullopt;
  }

  // pg8000: unix_sock=/var/run/postgresql/.s.PGSQL.5432 is libpq's host=/var/run/postgresql
  // port=5432.
  std::optional<Error> add_unix_socket(const std::string& value) {
    size_t slash = value.rfind('/');
    constexpr std::string_view kPrefix = ".s.PGSQL.";
    std::string_view file =
        slash == std::string::npos ? std::string_view() : std::string_view(value).substr(slash + 1);
    if (file.substr(0, kPrefix.size()) != kPrefix || !all_digits(file.substr(kPrefix.size()))) {
      return url_error(fmt::format(
          "unix_sock '{}' is not a socket path like /var/run/postgresql/.s.PGSQL.5432", value));
    }
    libpq_query_.emplace_back("host", value.substr(0, slash));
    libpq_query_.emplace_back("port", std::string(file.substr(kPrefix.size())));
    return std::nullopt;
  }

  static bool valid_port(std::string_view port) {
    if (!all_digits(port) || port.size() > 5) return false;
    int number = 0;
    std::from_chars(port.data(), port.data() + port.size(), number);
    return number >= 1 && number <= 65535;
  }

  void build_libpq_params() {
    ConnectionParams& params = url_.libpq_;
    auto set_if = [&](const char* keyword, const std::string& value) {
      if (!value.empty()) params.set(keyword, value);
    };
    set_if("host", url_.host_);
    set_if("port", url_.port_);
    set_if("user", url_.user_);
    set_if("password", url_.password_);
    set_if("dbname", url_.database_);
    params.set("fallback_application_name", "alembic-gate");
    for (auto& [keyword, value] : libpq_query_) params.set(keyword, value);
    params.set("client_encoding", "UTF8");  // every string this side reads is UTF-8
  }
};

Result<DatabaseUrl> parse_database_url(std::string_view url) {
  return UrlParser(url).parse();
}

bool is_guessable(std::string_view password, std::initializer_list<std::string_view> other_parts) {
  static constexpr std::string_view kWellKnown[] = {
      "postgres", "postgresql", "password", "passw0rd", "changeme", "12345678", "123456789"};
  constexpr size_t kShortest = 8;
  std::string lowered = lower(password);
  return password.size() < kShortest ||
         std::find(std::begin(kWellKnown), std::end(kWellKnown), lowered) != std::end(kWellKnown) ||
         std::any_of(other_parts.begin(), other_parts.end(),
                     [&](std::string_view part) { return lower(part) == lowered; });
}

std::vector<std::string> url_secrets(std::string_view url) {
  if (Result<DatabaseUrl> parsed = parse_database_url(url)) return parsed->secrets();
  std::vector<std::string> out;
  auto keep = [&out](std::string_view written) {
    std::string decoded = percent_decode(written);
    if (is_guessable(decoded, {})) return;
    out.push_back(std::move(decoded));
    out.emplace_back(written);
  };
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    std::string_view rest = url.substr(scheme + 3);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
    size_t at_sign = authority.rfind('@');
    std::string_view info = authority.substr(0, at_sign == std::string_view::npos ? 0 : at_sign);
    if (size_t colon = info.find(':'); colon != std::string_view::npos)
      keep(info.substr(colon + 1));
  }
  // key=value DSNs and query strings: password=..., sslpassword=...
  for (size_t at = url.find("password="); at != std::string_view::npos;
       at = url.find("password=", at + 1)) {
    std::string_view value = url.substr(at + 9);
    keep(value.substr(0, value.find_first_of(" &")));
  }
  return out;
}

// ---- other forms ------------------------------------------------------------------------------

std::string DatabaseUrl::python_url() const {
  return text_;
}

std::string DatabaseUrl::redacted() const {
  std::vector<std::pair<size_t, size_t>> spans = secret_spans_;
  if (password_span_.second > password_span_.first) spans.push_back(password_span_);
  std::sort(spans.begin(), spans.end());
  std::string out = text_;
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    out.replace(it->first, it->second - it->first, "***");
  }
  return out;
}

std::vector<std::string> DatabaseUrl::secrets() const {
  std::vector<std::string> out;
  auto written = [this](std::pair<size_t, size_t> span) {
    return text_.substr(span.first, span.second - span.first);
  };
  auto keep = [&](std::string decoded, std::pair<size_t, size_t> span) {
    if (is_guessable(decoded, {user_, host_, database_})) return;
    out.push_back(std::move(decoded));
    out.push_back(written(span));
  };
  if (password_span_.second > password_span_.first) keep(password_, password_span_);
  for (std::pair<size_t, size_t> span : secret_spans_)
    keep(percent_decode(written(span), true), span);  // query values: parse_qsl semantics
  return out;
}

DatabaseUrl DatabaseUrl::with_database(const std::string& database) const {
  DatabaseUrl copy = *this;
  std::string segment = "/" + percent_encode(database);
  auto [begin, end] = database_span_;
  copy.text_ = text_.substr(0, begin) + segment + text_.substr(end);
  copy.database_ = database;
  copy.database_span_ = {begin, begin + segment.size()};
  auto moved = [&](std::pair<size_t, size_t> span) {
    if (span.first < end) return span;
    size_t delta_plus = segment.size(), delta_minus = end - begin;
    return std::pair{span.first + delta_plus - delta_minus, span.second + delta_plus - delta_minus};
  };
  for (auto& span : copy.secret_spans_) span = moved(span);
  copy.libpq_.set("dbname", database);
  return copy;
}

}  // namespace ag::pg
