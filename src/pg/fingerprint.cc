#include "pg/fingerprint.h"

#include <charconv>
#include <utility>

namespace ag::pg {
namespace {

/// A sum of 64-bit hashes as PostgreSQL prints it (a numeric, maybe negative; empty for no
/// rows), modulo 2^128.
__extension__ unsigned __int128 sum_of(std::string_view decimal) {
  bool negative = decimal.starts_with('-');
  if (negative) decimal.remove_prefix(1);
  __extension__ unsigned __int128 sum = 0;
  for (char digit : decimal) sum = sum * 10 + static_cast<unsigned>(digit - '0');
  return negative ? 0 - sum : sum;
}

Result<Fingerprint> fingerprint_of(Result<QueryResult> row) {
  if (!row) return Error{"catalog fingerprint failed: " + row.error().message, "", 0};
  Fingerprint fingerprint;
  fingerprint.sum = sum_of(row->text(0, 0));
  std::string_view count = row->text(0, 1);
  std::from_chars(count.data(), count.data() + count.size(), fingerprint.objects);
  return fingerprint;
}

}  // namespace

Result<Fingerprint> take_fingerprint(Connection& connection, const SnapshotOptions& options) {
  return fingerprint_of(
      query_catalog(connection, fingerprint_query(options, connection.server_version())));
}

Result<PinnedFingerprint> PinnedFingerprint::pin(Connection& connection, SnapshotOptions options) {
  if (Status pinned = pin_catalog(connection); !pinned)
    return Error{"catalog fingerprint failed: " + pinned.error().message, "", 0};
  return PinnedFingerprint(connection, std::move(options));
}

PinnedFingerprint::PinnedFingerprint(PinnedFingerprint&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)), options_(std::move(other.options_)) {}

PinnedFingerprint::~PinnedFingerprint() {
  if (connection_ != nullptr) (void)connection_->run("ROLLBACK");
}

Result<Fingerprint> PinnedFingerprint::compute() {
  Connection& connection = *std::exchange(connection_, nullptr);
  return fingerprint_of(finish_catalog_read(
      connection, stored_fingerprint_query(options_, connection.server_version())));
}

}  // namespace ag::pg
