// alembic-gate: all logic lives in the library; this only sets up signal handling and maps the
// truly fatal to an exit code.
#include <unistd.h>

#include <exception>
#include <iostream>

#include "app/run.h"
#include "process/interrupts.h"

int main(int argc, char** argv) {
  try {
    // Before any thread exists: SIGINT/SIGTERM then stop children and drop scratch databases.
    // (As a container's PID 1, the process would otherwise ignore SIGTERM.)
    ag::process::install_interrupt_handlers();
    return static_cast<int>(ag::run(argc, argv, ag::config::process_environment(), std::cout,
                                    std::cerr, isatty(STDOUT_FILENO) == 1));
  } catch (const std::exception& e) {
    std::cerr << "alembic-gate: internal error: " << e.what() << "\n";
    return static_cast<int>(ag::ExitCode::infrastructure);
  }
}
