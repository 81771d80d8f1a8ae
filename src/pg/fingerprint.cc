#include "pg/fingerprint.h"

#include <charconv>

namespace ag::pg {

Result<Fingerprint> take_fingerprint(Connection& connection, const SnapshotOptions& options) {
  Result<QueryResult> row = query_catalog(connection, fingerprint_query(options, connection.server_version()));
  if (!row) return Error{"catalog fingerprint failed: " + row.error().message, "", 0};
  Fingerprint fingerprint;
  fingerprint.digest = std::string(row->text(0, 0));
  std::string_view count = row->text(0, 1);
  std::from_chars(count.data(), count.data() + count.size(), fingerprint.objects);
  return fingerprint;
}

}  // namespace ag::pg
