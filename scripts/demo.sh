#!/usr/bin/env bash
# Sets up, builds, and runs alembic-gate on the bundled example project (examples/blog).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" "$root/build" >/dev/null
exec "$root/build/alembic-gate" --working-directory "$root/examples/blog" "$@"
