#include "pg/fingerprint.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

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

template <typename Number>
Number number_of(std::string_view text) {
  Number number = 0;
  std::from_chars(text.data(), text.data() + text.size(), number);
  return number;
}

/// Columns `sum` and `count` of a row.
Fingerprint fingerprint_in(const QueryResult& rows, int row, int sum, int count) {
  return {sum_of(rows.text(row, sum)), number_of<long>(rows.text(row, count))};
}

Error failed(const Error& error) {
  return Error{"catalog fingerprint failed: " + error.message, "", 0};
}

/// The rows of a relation (or the rest) summed: its parts' sum of hashes and count of rows.
constexpr int kRelation = 0, kSum = 1, kCount = 2;
/// The row that sums up the relations' OIDs.
constexpr int64_t kRelationsCheck = -1;

}  // namespace

Result<Fingerprint> take_fingerprint(Connection& connection, const SnapshotOptions& options) {
  Result<QueryResult> row =
      query_catalog(connection, fingerprint_query(options, connection.server_version()));
  if (!row) return failed(row.error());
  return fingerprint_in(*row, 0, 0, 1);
}

bool RelationSums::take(const QueryResult& rows, const std::vector<uint32_t>* touched) {
  if (touched == nullptr) {
    relations_.clear();
    ++whole_reads_;
  } else {
    for (uint32_t relation : *touched) relations_.erase(relation);  // those still there have rows
  }
  rest_ = {};  // the rest is always read whole (and has no row when there is none)
  Fingerprint check;
  for (int row = 0; row < rows.rows(); ++row) {
    Fingerprint part = fingerprint_in(rows, row, kSum, kCount);
    if (rows.is_null(row, kRelation)) {
      rest_ = part;
      continue;
    }
    auto relation = number_of<int64_t>(rows.text(row, kRelation));
    if (relation == kRelationsCheck)
      check = part;
    else
      relations_[relation] = part;
  }
  __extension__ unsigned __int128 oids = 0;
  for (const auto& [relation, part] : relations_) oids += static_cast<uint64_t>(relation);
  known_ = check == Fingerprint{oids, static_cast<long>(relations_.size())};
  return known_;
}

Fingerprint RelationSums::total() const {
  Fingerprint total = rest_;
  for (const auto& [relation, part] : relations_) total = total.plus(part);
  return total;
}

Result<PinnedFingerprint> PinnedFingerprint::pin(Connection& connection, SnapshotOptions options,
                                                 std::optional<std::vector<uint32_t>> touched) {
  if (Status pinned = pin_catalog(connection, !touched); !pinned) return failed(pinned.error());
  return PinnedFingerprint(connection, std::move(options), std::move(touched));
}

PinnedFingerprint::PinnedFingerprint(PinnedFingerprint&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)),
      options_(std::move(other.options_)),
      touched_(std::move(other.touched_)) {}

PinnedFingerprint::~PinnedFingerprint() {
  if (connection_ != nullptr) (void)connection_->run("ROLLBACK");
}

Status PinnedFingerprint::read(RelationSums& sums) {
  Connection& connection = *connection_;
  int version = connection.server_version();
  if (touched_ && sums.known()) {
    Result<QueryResult> rows =
        connection.exec_cached(stored_fingerprint_query(options_, version, true),
                               {fmt::format("{{{}}}", fmt::join(*touched_, ","))});
    if (!rows) return rows.error();
    if (sums.take(*rows, &*touched_)) return ok();
  }
  // Everything: the first state, or a change made without a lock (in another session, say).
  if (touched_) {
    if (Status planned = plan_for_whole_catalogs(connection); !planned) return planned;
  }
  Result<QueryResult> rows =
      connection.exec_cached(stored_fingerprint_query(options_, version, false));
  if (!rows) return rows.error();
  sums.take(*rows, nullptr);
  return ok();
}

Result<Fingerprint> PinnedFingerprint::compute(RelationSums& sums) {
  Status done = read(sums);
  Connection& connection = *std::exchange(connection_, nullptr);
  Status ended = done ? end_catalog_read(connection) : connection.run("ROLLBACK");
  if (!done || !ended) {
    sums.forget();
    return failed(done ? ended.error() : done.error());
  }
  return sums.total();
}

Result<Fingerprint> PinnedFingerprint::compute() {
  RelationSums sums;
  return compute(sums);
}

}  // namespace ag::pg
