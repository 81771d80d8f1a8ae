#include "util/text.h"

#include <doctest/doctest.h>

namespace ag {

TEST_CASE("last_lines keeps the last non-empty lines, indented") {
  CHECK(last_lines("one\ntwo\n\nthree\n", 2) == "\n  two\n  three");
  CHECK(last_lines("one\ntwo", 5) == "\n  one\n  two");
  CHECK(last_lines("", 3).empty());
  CHECK(last_lines("\n\n", 3).empty());
}

}  // namespace ag
