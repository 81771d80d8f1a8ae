// What a run leaves on the test server: nothing. Shared by the tests of the checks that work in
// scratch databases.
#pragma once

#include "pg/connection.h"
#include "support/run_gate.h"

namespace ag::test {

/// A connection to the database at `url` (fails the test when there is none).
pg::Connection connect_to(const std::string& url);

/// A connection to the test server's postgres database (fails the test when there is none).
pg::Connection connect_to_server();

/// Every scratch database the run named in its log (alembic_gate_<hex>) no longer exists; at
/// least one was named.
void check_scratch_dropped(const GateRun& run);

}  // namespace ag::test
