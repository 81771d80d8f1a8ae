// Fuzz target: the static reader of revision files (graph::read_revision_script, and the Python
// lexer under it). Whatever the bytes, it returns a script with problems: no crash, no hang, no
// undefined behaviour. Built with libFuzzer under clang (AG_FUZZ_LIBFUZZER), else with driver.cc.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "graph/revision_script.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  ag::graph::RevisionScript script = ag::graph::read_revision_script(source, "versions/fuzz.py");
  (void)script.id();
  return 0;
}
