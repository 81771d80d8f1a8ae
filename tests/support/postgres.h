// The test suite's PostgreSQL server, started by ctest (tests/postgres_cluster.sh, a fixture).
#pragma once

#include <string>

namespace ag::test {

/// libpq URL of the test server's superuser database, e.g.
/// postgresql://postgres@127.0.0.1:PORT/postgres. Fails the calling test with instructions when
/// the server was not started (run the tests through ctest).
std::string postgres_url();

}  // namespace ag::test
