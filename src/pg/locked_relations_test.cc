#include "pg/locked_relations.h"

#include <doctest/doctest.h>

namespace ag::pg {

TEST_CASE("transaction locks: told only for a transaction right after the one told before") {
  TransactionLocks locks;
  CHECK_FALSE(locks.take("3/10", "16384").has_value());  // nothing before it
  CHECK(locks.take("3/11", "16384 16390") == std::vector<uint32_t>{16384, 16390});
  CHECK(locks.take("3/12", "") == std::vector<uint32_t>{});  // locked nothing
  CHECK_FALSE(locks.take("3/14", "16384").has_value());      // 3/13 went unseen
  CHECK(locks.take("3/15", "20000") == std::vector<uint32_t>{20000});
  CHECK_FALSE(locks.take("4/16", "20000").has_value());  // another session
}

TEST_CASE("transaction locks: an answer that is not understood tells nothing") {
  TransactionLocks locks;
  locks.take("3/10", "");
  CHECK_FALSE(locks.take("3/11", "16384 x").has_value());
  CHECK_FALSE(locks.take("", "16384").has_value());
  CHECK_FALSE(locks.take("3/12", "16384").has_value());  // the one before was not understood
  CHECK_FALSE(locks.take("3-13", "16384").has_value());
}

}  // namespace ag::pg
