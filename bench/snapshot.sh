#!/usr/bin/env bash
# Times the roundtrip's catalog readings and full snapshots on a 200-table schema, on a
# throwaway PostgreSQL cluster started for the purpose (tests/postgres_cluster.sh) and removed
# afterwards.
#
# usage: bench/snapshot.sh [SNAPSHOT_BENCH] [TABLES]
#
#   SNAPSHOT_BENCH  path to the snapshot-bench binary (default: build/snapshot_bench, relative to
#                   the repository root). Builds nothing.
#   TABLES          tables in the schema (default: 200)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=${1:-$root/build/snapshot_bench}
tables=${2:-200}
[ -x "$bench" ] || { echo "snapshot.sh: no $bench (build the snapshot_bench target)" >&2; exit 2; }
state=$(mktemp -d /tmp/alembic-gate-bench-pg.XXXXXX)
trap '"$root/tests/postgres_cluster.sh" stop "$state"; rm -rf "$state"' EXIT
"$root/tests/postgres_cluster.sh" start "$state" >/dev/null
"$bench" "$(cat "$state/url")" "$tables"
