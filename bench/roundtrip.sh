#!/usr/bin/env bash
# Time the roundtrip (upgrade every revision, downgrade every revision, upgrade again) four ways,
# in one run, on one throwaway PostgreSQL server, each on a fresh database:
#
#   (a) alembic-gate --checks roundtrip --database-url URL --working-directory DIR --format text
#       (one revision at a time: upgrade, downgrade and upgrade again, the schema compared)
#   (b) the loop a user writes by hand with Alembic's command line: N x `alembic upgrade +1`,
#       N x `alembic downgrade -1`, N x `alembic upgrade +1` (one Python process per step)
#   (c) the full cycle: `alembic upgrade head`, `alembic downgrade base`, `alembic upgrade head`
#   (d) the raw DDL bound: the offline SQL of all revisions (`alembic upgrade base:head --sql`,
#       `alembic downgrade head:base --sql`, generated beforehand, not timed) run through
#       `psql -v ON_ERROR_STOP=1 -q -f`: up, down, up
#
# and prints seconds for each (with the three passes of (b), (c), (d)) and the ratios
# (a)/(d) (issue 4's target at N=500: <= 3) and (b)/(a) (target: >= 5).
#
# usage: bench/roundtrip.sh [--quick] [--gate PATH] [--loop-passes 2|3] [--skip LETTERS] [N ...]
#
#   N ...            history sizes (default: 100 500), linear histories from
#                    bench/gen_roundtrip_history.py (= bench/gen_history.py's revisions:
#                    create table / add column / create index, each with its exact downgrade)
#   --quick          N = 100 only (the CLI loop (b) at N=500 takes ~20 minutes)
#   --gate PATH      the alembic-gate binary (default: build/alembic-gate, relative to the
#                    repository root). Builds nothing. Missing: (a) is reported as n/a and
#                    the rest still runs.
#   --loop-passes 2  run only the first two loops of (b) (up, down); the third (up again) is
#                    taken equal to the first and marked `*` (default: 3, all measured)
#   --skip LETTERS   skip measurements, e.g. --skip b (no CLI loop) or --skip ab
#
# Environment: PYTHON (default /usr/bin/python3; must import Alembic, SQLAlchemy and psycopg2; also
# passed to alembic-gate as --python), KEEP=1 keeps the work folder (logs, SQL) for inspection.
#
# Python's bytecode cache is left on for the generated project (`alembic heads` runs once first),
# the most favourable state for the command-line runs; the work folder is removed at the end.
# Everything (server, databases, generated projects) lives in one temporary folder, removed on
# exit, error or Ctrl-C.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-/usr/bin/python3}
gate=$repo_root/build/alembic-gate
passes=3
skip=""
sizes=()

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while (($#)); do
    case $1 in
        --quick) sizes=(100) ;;
        --gate) gate=${2:?--gate needs a path}; shift ;;
        --gate=*) gate=${1#--gate=} ;;
        --loop-passes) passes=${2:?--loop-passes needs 2 or 3}; shift ;;
        --loop-passes=*) passes=${1#--loop-passes=} ;;
        --skip) skip=${2:?--skip needs letters}; shift ;;
        --skip=*) skip=${1#--skip=} ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "roundtrip.sh: unknown option $1" >&2; exit 2 ;;
        *) [[ $1 =~ ^[1-9][0-9]*$ ]] || { echo "roundtrip.sh: N must be a positive integer: $1" >&2; exit 2; }
           sizes+=("$1") ;;
    esac
    shift
done
((${#sizes[@]})) || sizes=(100 500)
[[ $passes == 2 || $passes == 3 ]] || { echo "roundtrip.sh: --loop-passes must be 2 or 3" >&2; exit 2; }
[[ $gate == /* ]] || gate=$repo_root/$gate
"$python" -c 'import alembic, sqlalchemy, psycopg2' 2>/dev/null \
    || { echo "roundtrip.sh: $python cannot import alembic, sqlalchemy and psycopg2 (set PYTHON)" >&2; exit 2; }
command -v psql >/dev/null || { echo "roundtrip.sh: psql not found" >&2; exit 2; }

work=$(mktemp -d /tmp/alembic-gate-bench-roundtrip.XXXXXX)
cleanup() {
    "$repo_root/tests/postgres_cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
    if [[ ${KEEP:-0} == 1 ]]; then echo "roundtrip.sh: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$repo_root/tests/postgres_cluster.sh" start "$work/pg" >/dev/null
server_url=$(cat "$work/pg/url")   # postgresql://postgres@127.0.0.1:PORT/postgres
server=${server_url%/*}
psql_admin() { psql -X -q -At -v ON_ERROR_STOP=1 "$server_url" "$@"; }

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
sum() { awk 'BEGIN { s = 0; for (i = 1; i < ARGC; i++) s += ARGV[i]; printf "%.2f", s }' "$@"; }
ratio() {  # ratio A B: A/B with one decimal, or n/a
    [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] || { echo "n/a"; return; }
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'
}
skipped() { [[ $skip == *$1* ]]; }
progress() { printf '%s\n' "roundtrip.sh: $*" >&2; }

db_counter=0
fresh_db() {  # prints the URL of a new empty database
    db_counter=$((db_counter + 1))
    local name=bench_${db_counter}
    psql_admin -c "CREATE DATABASE $name" >/dev/null
    echo "$server/$name"
}
drop_db() { psql_admin -c "DROP DATABASE IF EXISTS ${1##*/} WITH (FORCE)" >/dev/null; }
current_revision() { psql -X -q -At "$1" -c "SELECT coalesce(string_agg(version_num, ','), '') FROM alembic_version"; }

# alembic URL ARGS...: Alembic's command line in the project, on database URL; stops the
# benchmark with the log's tail when a command fails.
alembic() {
    local url=$1
    shift
    if ! (cd "$project" && DATABASE_URL=$url "$python" -m alembic "$@") >"$work/alembic.log" 2>&1; then
        echo "roundtrip.sh: alembic $* failed (N=$n):" >&2
        tail -n 20 "$work/alembic.log" >&2
        exit 1
    fi
}

declare -A result
for n in "${sizes[@]}"; do
    project=$work/history_$n
    head=$("$python" "$repo_root/bench/gen_roundtrip_history.py" "$project" "$n")
    (cd "$project" && "$python" -m alembic heads >/dev/null 2>&1)  # warm the bytecode cache
    progress "N=$n: history generated (head $head)"

    # (a) alembic-gate's roundtrip check
    a=n/a
    a_note=""
    if skipped a; then
        a_note="skipped"
    elif [[ ! -x $gate ]]; then
        a_note="no binary at $gate"
    else
        url=$(fresh_db)
        before=$(psql_admin -c "SELECT count(*) FROM pg_database")
        progress "N=$n: (a) alembic-gate roundtrip"
        t=$(now)
        set +e
        "$gate" --checks roundtrip --database-url "$url" --working-directory "$project" \
            --format text --python "$python" >"$work/gate_$n.log" 2>&1
        rc=$?
        set -e
        elapsed=$(since "$t")
        after=$(psql_admin -c "SELECT count(*) FROM pg_database")
        if ((rc != 0)); then
            a_note="exit $rc after ${elapsed}s: $(tail -n 1 "$work/gate_$n.log")"
        else
            a=$elapsed
        fi
        ((after == before)) || a_note+="${a_note:+; }$((after - before)) database(s) left behind"
        drop_db "$url"
    fi
    result[$n,a]=$a
    result[$n,a_note]=$a_note

    # (b) the hand-written loop: one `alembic` process per step
    if skipped b; then
        result[$n,b]=n/a
        result[$n,b_parts]="skipped"
    else
        url=$(fresh_db)
        loop() {  # loop LABEL ARGS...: N times `alembic ARGS`, prints seconds
            local label=$1 i t
            shift
            t=$(now)
            for ((i = 1; i <= n; i++)); do
                alembic "$url" "$@"
                ((i % 100 == 0)) && progress "N=$n: (b) $label $i/$n"
            done
            since "$t"
        }
        progress "N=$n: (b) CLI loop, ${passes} passes of $n steps"
        b1=$(loop "upgrade +1" upgrade +1)
        [[ $(current_revision "$url") == "$head" ]] || { echo "roundtrip.sh: (b) not at head after upgrades" >&2; exit 1; }
        b2=$(loop "downgrade -1" downgrade -1)
        [[ -z $(current_revision "$url") ]] || { echo "roundtrip.sh: (b) not at base after downgrades" >&2; exit 1; }
        if ((passes == 3)); then
            b3=$(loop "upgrade +1 again" upgrade +1)
            [[ $(current_revision "$url") == "$head" ]] || { echo "roundtrip.sh: (b) not at head again" >&2; exit 1; }
            b3_shown=$b3
        else
            b3=$b1
            b3_shown="$b1*"
        fi
        drop_db "$url"
        result[$n,b]=$(sum "$b1" "$b2" "$b3")
        [[ $passes == 3 ]] || result[$n,b]+="*"
        result[$n,b_parts]="$b1 / $b2 / $b3_shown"
        result[$n,b_step_ms]=$(awk -v s="$(sum "$b1" "$b2" "$b3")" -v n="$n" 'BEGIN { printf "%.0f", 1000 * s / (3 * n) }')
    fi

    # (c) the full cycle
    if skipped c; then
        result[$n,c]=n/a
        result[$n,c_parts]="skipped"
    else
        url=$(fresh_db)
        progress "N=$n: (c) upgrade head, downgrade base, upgrade head"
        t=$(now); alembic "$url" upgrade head; c1=$(since "$t")
        t=$(now); alembic "$url" downgrade base; c2=$(since "$t")
        t=$(now); alembic "$url" upgrade head; c3=$(since "$t")
        [[ $(current_revision "$url") == "$head" ]] || { echo "roundtrip.sh: (c) not at head" >&2; exit 1; }
        drop_db "$url"
        result[$n,c]=$(sum "$c1" "$c2" "$c3")
        result[$n,c_parts]="$c1 / $c2 / $c3"
    fi

    # (d) the raw DDL bound
    if skipped d; then
        result[$n,d]=n/a
        result[$n,d_parts]="skipped"
    else
        url=$(fresh_db)
        progress "N=$n: (d) offline SQL through psql"
        offline_sql() {  # offline_sql FILE ARGS...: `alembic ARGS --sql` into FILE
            local file=$1
            shift
            (cd "$project" && DATABASE_URL=$url "$python" -m alembic "$@" --sql) >"$file" 2>"$work/alembic.log" \
                || { echo "roundtrip.sh: alembic $* --sql failed (N=$n):" >&2; tail -n 20 "$work/alembic.log" >&2; exit 1; }
        }
        t=$(now)
        offline_sql "$work/up_$n.sql" upgrade base:head
        offline_sql "$work/down_$n.sql" downgrade head:base
        sql_seconds=$(since "$t")
        run_sql() {
            local t
            t=$(now)
            psql -X -v ON_ERROR_STOP=1 -q -f "$1" "$url" >/dev/null
            since "$t"
        }
        d1=$(run_sql "$work/up_$n.sql")
        d2=$(run_sql "$work/down_$n.sql")
        d3=$(run_sql "$work/up_$n.sql")
        [[ $(current_revision "$url") == "$head" ]] || { echo "roundtrip.sh: (d) not at head" >&2; exit 1; }
        drop_db "$url"
        result[$n,d]=$(sum "$d1" "$d2" "$d3")
        result[$n,d_parts]="$d1 / $d2 / $d3 (SQL generation, not counted: ${sql_seconds}s)"
    fi
done

echo
echo "Roundtrip benchmark: linear histories, one fresh database per measurement, seconds"
echo "(PostgreSQL $(psql_admin -c 'SHOW server_version'), Alembic $("$python" -c 'import alembic; print(alembic.__version__)'), SQLAlchemy $("$python" -c 'import sqlalchemy; print(sqlalchemy.__version__)'), $(nproc) CPUs)"
echo
printf '| %5s | %22s | %14s | %14s | %14s | %7s | %7s |\n' N "(a) alembic-gate" "(b) CLI loop" "(c) full cycle" "(d) raw DDL" "(a)/(d)" "(b)/(a)"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "------:" "-----------------------:" "---------------:" "---------------:" "---------------:" "--------:" "--------:"
for n in "${sizes[@]}"; do
    printf '| %5s | %22s | %14s | %14s | %14s | %7s | %7s |\n' "$n" "${result[$n,a]}" "${result[$n,b]}" \
        "${result[$n,c]}" "${result[$n,d]}" "$(ratio "${result[$n,a]}" "${result[$n,d]}")" \
        "$(ratio "${result[$n,b]%\*}" "${result[$n,a]}")"
done
echo
for n in "${sizes[@]}"; do
    echo "N=$n"
    [[ -z ${result[$n,a_note]} ]] || echo "  (a) ${result[$n,a_note]}"
    echo "  (b) upgrade +1 / downgrade -1 / upgrade +1 loops: ${result[$n,b_parts]}${result[$n,b_step_ms]:+ (${result[$n,b_step_ms]} ms a step)}"
    echo "  (c) upgrade head / downgrade base / upgrade head: ${result[$n,c_parts]}"
    echo "  (d) psql up / down / up: ${result[$n,d_parts]}"
    echo "  (b)/(c) $(ratio "${result[$n,b]%\*}" "${result[$n,c]}"), (c)/(d) $(ratio "${result[$n,c]}" "${result[$n,d]}")"
done
[[ $passes == 3 ]] || echo "* the third loop of (b) is not measured: taken equal to the first (--loop-passes 2)"
