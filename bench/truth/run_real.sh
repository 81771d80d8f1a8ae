#!/usr/bin/env bash
# Runs alembic-gate's roundtrip on a real history made runnable (see bench/truth/README.md) and
# compares its findings with the isolated per-revision truth (truth.json, from isolated_truth.py).
#
# usage: bench/truth/run_real.sh GATE PROJECT_DIR DATABASE_URL [TRUTH_JSON] [-- compare.py options]
#
#   GATE          the alembic-gate binary (e.g. build/alembic-gate)
#   PROJECT_DIR   the project (alembic.ini, env.py, stubs/, versions/), e.g. /work/real/ckan
#   DATABASE_URL  a server URL whose role may CREATE DATABASE (alembic-gate works in a scratch
#                 database of its own), e.g. postgresql://postgres@127.0.0.1:55441/postgres
#   TRUTH_JSON    default: PROJECT_DIR/truth.json
#
# If PROJECT_DIR/compat exists it is put on PYTHONPATH (a sitecustomize.py shimming what the
# revisions need from a newer SQLAlchemy: see the README). DATABASE_URL is removed from the
# environment, so that the project's env.py uses the URL alembic-gate gives it.
# Writes PROJECT_DIR/gate-report.json and the gate's stderr to PROJECT_DIR/gate.log; prints the
# gate's exit code and time, then compare.py's output. Exit status: compare.py's.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if (($# < 3)); then
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
gate=$(realpath "$1")
project=$(realpath "$2")
url=$3
shift 3
truth=$project/truth.json
if (($#)) && [[ $1 != -- ]]; then truth=$(realpath "$1"); shift; fi
[[ ${1:-} == -- ]] && shift
python=${PYTHON:-/usr/bin/python3}

[[ -x $gate ]] || { echo "run_real.sh: no alembic-gate binary at $gate" >&2; exit 2; }
[[ -f $project/alembic.ini ]] || { echo "run_real.sh: no alembic.ini in $project" >&2; exit 2; }
[[ -f $truth ]] || { echo "run_real.sh: no truth at $truth (run isolated_truth.py)" >&2; exit 2; }

unset DATABASE_URL
if [[ -d $project/compat ]]; then
    export PYTHONPATH=$project/compat${PYTHONPATH:+:$PYTHONPATH}
fi

report=$project/gate-report.json
start=$EPOCHREALTIME
set +e
"$gate" --checks roundtrip --database-url "$url" --working-directory "$project" \
    --format json --python "$python" >"$report" 2>"$project/gate.log"
code=$?
set -e
seconds=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "alembic-gate exit code $code in $seconds s (report $report, log $project/gate.log)"
if ((code >= 2)); then
    echo "run_real.sh: alembic-gate could not run the check; last lines of its log:" >&2
    tail -n 20 "$project/gate.log" >&2
    exit 2
fi
"$python" "$here/compare.py" "$@" "$truth" "$report"
