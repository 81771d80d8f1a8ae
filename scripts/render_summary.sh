#!/usr/bin/env bash
# Renders a job summary to HTML through markdown-it (a GitHub-flavoured Markdown renderer from
# npm), so a reviewer can open it in a browser:
#     scripts/render_summary.sh SUMMARY.md OUT.html [BUILD_DIR] [--check]
# markdown-it is installed with `npm ci` from tests/render/package-lock.json into
# BUILD_DIR/render-summary (default build/), never into the source tree.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
input=${1:?usage: render_summary.sh SUMMARY.md OUT.html [BUILD_DIR] [--check]}
output=${2:?usage: render_summary.sh SUMMARY.md OUT.html [BUILD_DIR] [--check]}
build=${3:-$root/build}
check=${4:-}
modules=$build/render-summary
mkdir -p "$modules"
if ! cmp -s "$root/tests/render/package-lock.json" "$modules/package-lock.json" ||
   [ ! -d "$modules/node_modules/markdown-it" ]; then
  cp "$root/tests/render/package.json" "$root/tests/render/package-lock.json" "$modules/"
  (cd "$modules" && npm ci --no-audit --no-fund --loglevel=error)
fi
node "$root/tests/render/render_summary.mjs" "$modules" "$input" "$output" $check
