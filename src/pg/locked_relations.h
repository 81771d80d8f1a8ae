// Which relations a transaction changed, as far as its locks tell.
//
// Whatever changes a relation's catalog rows (its columns, indexes, constraints, triggers,
// comments) locks the relation, or one of its indexes, until the transaction ends. Asked from
// inside the transaction, just before it commits, the locks it holds name every relation it may
// have changed, so that a fingerprint of the state after it need read only those again
// (RelationSums). Locks taken in an earlier transaction are gone by then: the answer counts
// only for a transaction that began right after the one asked about before (the session's
// transactions are numbered), so a step that committed midway (an autocommit block) is unknown.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ag::pg {

/// Run last in a transaction: one row of its virtual transaction id ("3/1234") and the OIDs of
/// the user relations (from 16384 up) it holds a lock on, separated by spaces (NULL for none).
std::string_view locked_relations_sql();

/// The successive answers to locked_relations_sql() in one session.
class TransactionLocks {
 public:
  /// The relations from an answer, if its transaction began right after the one of the answer
  /// before (else nullopt: the first answer, or transactions in between went unseen).
  std::optional<std::vector<uint32_t>> take(std::string_view virtual_transaction,
                                            std::string_view relations);

 private:
  std::optional<std::pair<uint64_t, uint64_t>> last_;  ///< (backend, local transaction number)
};

}  // namespace ag::pg
