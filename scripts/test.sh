#!/usr/bin/env bash
# Sets up and runs the whole test suite: warnings as errors, once in a normal build and once with
# AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
for variant in release sanitize; do
  build="$root/build-test-$variant"
  flags=(-DAG_WERROR=ON)
  [ "$variant" = sanitize ] && flags+=(-DAG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  echo "== build ($variant)"
  "$root/scripts/build.sh" "$build" "${flags[@]}"
  echo "== test ($variant)"
  (cd "$build" && ctest --output-on-failure -j"$(nproc)")
done
