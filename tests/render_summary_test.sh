#!/usr/bin/env bash
# ctest: the job summary, as the binary writes it and as the golden file holds it, rendered by
# markdown-it: the tables are tables and the mermaid block is there; in the hostile one
# (hostile_report()) what a project controls stays text.
#     render_summary_test.sh ALEMBIC_GATE BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=$1
build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$work/summary.md GITHUB_WORKSPACE=$root \
  GITHUB_SERVER_URL=https://github.com GITHUB_REPOSITORY=octo/shop GITHUB_SHA=0123abc \
  "$binary" --checks heads --working-directory "$root/tests/fixtures/heads/two_heads" \
  >"$work/log.txt" 2>&1 || [ $? -eq 1 ]  # two heads: the run fails, the summary is written
"$root/scripts/render_summary.sh" "$work/summary.md" "$build/render-summary/binary.html" "$build" --check
"$root/scripts/render_summary.sh" "$root/tests/golden/summary.md" "$build/render-summary/golden.html" "$build" --check
"$root/scripts/render_summary.sh" "$root/tests/golden/summary-hostile.md" "$build/render-summary/hostile.html" "$build" --check
