# ctest registers each doctest test case by name and splits a name at ';' into names that match no
# test case, which then pass without running: fails when a test case's name holds one.
# cmake -DTESTS=<alembic-gate-tests> -P tests/test_names.cmake
execute_process(COMMAND "${TESTS}" --list-test-cases OUTPUT_VARIABLE listed RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "${TESTS} --list-test-cases failed: ${code}")
endif()
string(REPLACE ";" "<semicolon>" listed "${listed}")  # a list would split at each one
string(REGEX MATCHALL "[^\n]*<semicolon>[^\n]*" named "${listed}")
if(named)
  list(JOIN named "\n  " named)
  message(FATAL_ERROR "test case names with a ';' (ctest would not run them), shown as <semicolon>:\n  "
                      "${named}")
endif()
