#include "pg/locked_relations.h"

#include <charconv>
#include <utility>

namespace ag::pg {
namespace {

/// "3/1234" as (3, 1234); nullopt when it is not two numbers so joined.
std::optional<std::pair<uint64_t, uint64_t>> parse_virtual_transaction(std::string_view text) {
  std::pair<uint64_t, uint64_t> parsed;
  const char* end = text.data() + text.size();
  auto [slash, first_error] = std::from_chars(text.data(), end, parsed.first);
  if (first_error != std::errc{} || slash == end || *slash != '/') return std::nullopt;
  auto [rest, second_error] = std::from_chars(slash + 1, end, parsed.second);
  if (second_error != std::errc{} || rest != end) return std::nullopt;
  return parsed;
}

/// "16384 16390" as OIDs; nullopt when it is not a list of numbers.
std::optional<std::vector<uint32_t>> parse_oids(std::string_view text) {
  std::vector<uint32_t> oids;
  const char* at = text.data();
  const char* end = at + text.size();
  while (at < end) {
    uint32_t oid = 0;
    auto [next, error] = std::from_chars(at, end, oid);
    if (error != std::errc{}) return std::nullopt;
    oids.push_back(oid);
    at = next < end && *next == ' ' ? next + 1 : next;
  }
  return oids;
}

}  // namespace

std::string_view locked_relations_sql() {
  // One read of pg_locks (it gathers every session's locks: not cheap). Every lock mode counts,
  // ACCESS SHARE too: a relation only read costs one read again.
  return "SELECT max(l.virtualxid) FILTER (WHERE l.locktype = 'virtualxid'), "
         "string_agg(DISTINCT l.relation::text, ' ') FILTER (WHERE l.locktype = 'relation' "
         "AND l.relation >= 16384 AND l.database = "
         "(SELECT d.oid FROM pg_database d WHERE d.datname = current_database())) "
         "FROM pg_locks l WHERE l.pid = pg_backend_pid()";
}

std::optional<std::vector<uint32_t>> TransactionLocks::take(std::string_view virtual_transaction,
                                                            std::string_view relations) {
  auto previous = std::exchange(last_, parse_virtual_transaction(virtual_transaction));
  if (!previous || !last_ || last_->first != previous->first ||
      last_->second != previous->second + 1)
    return std::nullopt;
  return parse_oids(relations);
}

}  // namespace ag::pg
