#include "checks/lint/function_volatility.h"

#include <algorithm>
#include <array>

namespace ag::checks::lint {
namespace {

// Volatile built-ins of PostgreSQL releases newer than the servers builtin_functions.cc was
// generated from (its header names them: Debian 12, where it is generated, has only 15), from
// the release notes of each version. Once the generated table has a name, drop it here: a test
// (function_volatility_test.cc) fails to say so.
constexpr std::array<std::string_view, 5> kNewerVolatileBuiltins = {
    "array_sample",   // 16
    "array_shuffle",  // 16
    "random_normal",  // 16
    "uuidv4",         // 18
    "uuidv7",         // 18
};

// The VOLATILE functions of the two extensions defaults most often call, as their install
// scripts declare them: uuid-ossp--1.1.sql and pgcrypto--1.3.sql, the versions PostgreSQL 12 to
// 17 ship (share/extension/ of a server). Their other functions (uuid_generate_v3/v5, digest,
// crypt, ...) are IMMUTABLE: not listed, they stay of unknown volatility.
constexpr std::array<std::string_view, 10> kVolatileExtensionFunctions = {
    "gen_random_bytes",       // pgcrypto
    "gen_random_uuid",        // pgcrypto (a built-in since PostgreSQL 13)
    "gen_salt",               // pgcrypto
    "pgp_pub_encrypt",        // pgcrypto
    "pgp_pub_encrypt_bytea",  // pgcrypto
    "pgp_sym_encrypt",        // pgcrypto
    "pgp_sym_encrypt_bytea",  // pgcrypto
    "uuid_generate_v1",       // uuid-ossp
    "uuid_generate_v1mc",     // uuid-ossp
    "uuid_generate_v4",       // uuid-ossp
};

template <size_t N>
bool listed(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::optional<Volatility> function_volatility(std::string_view schema, std::string_view name) {
  if (listed(kVolatileExtensionFunctions, name)) return Volatility::volatile_;
  if (!schema.empty() && schema != "pg_catalog") return std::nullopt;
  if (std::optional<Volatility> builtin = builtin_volatility(name)) return builtin;
  if (listed(kNewerVolatileBuiltins, name)) return Volatility::volatile_;
  return std::nullopt;
}

}  // namespace ag::checks::lint
