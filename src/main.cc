// alembic-gate: all logic lives in the library; this only maps the truly fatal to an exit code.
#include <exception>
#include <iostream>

#include "app/run.h"

int main(int argc, char** argv) {
  try {
    return static_cast<int>(
        ag::run(argc, argv, ag::config::process_environment(), std::cout, std::cerr));
  } catch (const std::exception& e) {
    std::cerr << "alembic-gate: internal error: " << e.what() << "\n";
    return static_cast<int>(ag::ExitCode::infrastructure);
  }
}
