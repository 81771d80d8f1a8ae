#include "checks/fingerprint_queue.h"

#include <doctest/doctest.h>

#include "pg/pg_test_support.h"

namespace ag::checks {
namespace {

using pg::testing::open;
using pg::testing::run;

std::vector<size_t> tags(const std::vector<FingerprintQueue::Done>& done) {
  std::vector<size_t> found;
  for (const FingerprintQueue::Done& one : done) found.push_back(one.tag);
  return found;
}

}  // namespace

TEST_CASE("the fingerprint queue: each state as pinned, oldest first, one per connection") {
  pg::ScratchDatabase scratch = pg::testing::scratch_database();
  pg::Connection migration = open(scratch.params());
  pg::Connection first = open(scratch.params());
  pg::Connection second = open(scratch.params());
  run(migration, "CREATE TABLE account (id serial PRIMARY KEY, name text)");

  std::vector<FingerprintQueue::Done> done;
  {
    FingerprintQueue queue({&first, &second});
    REQUIRE(queue.push(0, done).ok());
    run(migration, "CREATE TABLE invoice (id serial PRIMARY KEY)");
    REQUIRE(queue.push(1, done).ok());
    CHECK(done.empty());  // two connections, two in flight
    run(migration, "DROP TABLE invoice");
    REQUIRE(queue.push(2, done).ok());  // waits for the oldest first
    CHECK(tags(done) == std::vector<size_t>{0});
    run(migration, "ALTER TABLE account ADD COLUMN email text");
    queue.drain(done);
    CHECK(queue.count() == 3);
  }
  REQUIRE(tags(done) == std::vector<size_t>{0, 1, 2});
  for (const FingerprintQueue::Done& one : done) REQUIRE(one.fingerprint.ok());
  CHECK(*done[0].fingerprint != *done[1].fingerprint);
  CHECK(*done[0].fingerprint == *done[2].fingerprint);  // invoice made and dropped again
  CHECK(first.idle());
  CHECK(second.idle());
}

}  // namespace ag::checks
