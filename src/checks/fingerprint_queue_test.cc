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
    pg::testing::StepSession steps(migration);
    REQUIRE(queue.push(0, std::nullopt, done).ok());
    auto locked = steps.step("CREATE TABLE invoice (id serial PRIMARY KEY)");
    REQUIRE(queue.push(1, locked, done).ok());
    CHECK(done.empty());  // two connections, two in flight
    locked = steps.step("DROP TABLE invoice");
    REQUIRE(queue.push(2, locked, done).ok());  // waits for the oldest first
    CHECK(tags(done) == std::vector<size_t>{0});
    locked = steps.step("ALTER TABLE account ADD COLUMN email text");
    REQUIRE(queue.push(3, locked, done).ok());
    // A step that committed midway: what it locked before is unknown.
    run(migration, "ALTER TABLE account DROP COLUMN email");
    REQUIRE(queue.push(4, std::nullopt, done).ok());
    queue.drain(done);
    CHECK(queue.count() == 5);
  }
  REQUIRE(tags(done) == std::vector<size_t>{0, 1, 2, 3, 4});
  for (const FingerprintQueue::Done& one : done) REQUIRE(one.fingerprint.ok());
  CHECK(*done[0].fingerprint != *done[1].fingerprint);
  CHECK(*done[0].fingerprint == *done[2].fingerprint);  // invoice made and dropped again
  CHECK(*done[3].fingerprint != *done[2].fingerprint);
  CHECK(*done[4].fingerprint == *done[2].fingerprint);  // the column dropped again
  CHECK(first.idle());
  CHECK(second.idle());
}

}  // namespace ag::checks
