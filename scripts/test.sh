#!/usr/bin/env bash
# Sets up and runs the whole test suite: warnings as errors, once in a normal build and once with
# AddressSanitizer + UndefinedBehaviorSanitizer; then the release's action.yml
# (tests/release_action_test.sh) and the action's container, built and run the way GitHub runs
# it (tests/container_test.sh; AG_CONTAINER_TEST=0 skips it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
for variant in release sanitize; do
  build="$root/build-test-$variant"
  flags=(-DAG_WERROR=ON)
  [ "$variant" = sanitize ] && flags+=(-DAG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DAG_FUZZ_SECONDS=10 -DAG_VERSION_MATRIX=OFF)
  echo "== build ($variant)"
  "$root/scripts/build.sh" "$build" "${flags[@]}"
  echo "== test ($variant)"
  (cd "$build" && ctest --output-on-failure -j"$(nproc)")
done
echo "== release action test"
"$root/tests/release_action_test.sh"
if [ "${AG_CONTAINER_TEST:-1}" = 0 ]; then
  echo "== container test: skipped (AG_CONTAINER_TEST=0)"
else
  echo "== container test"
  "$root/tests/container_test.sh"
fi
