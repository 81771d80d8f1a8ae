#!/usr/bin/env bash
# Time the roundtrip on histories shaped like real ones (bench/gen_realistic_history.py: tables
# with foreign keys, add/drop/alter/rename column, renamed and dropped tables, indexes, unique and
# check constraints, enums and enum values, server defaults, data migrations, views, functions,
# a trigger; every downgrade exact), four ways, in one run, on one throwaway PostgreSQL server
# with its default durability (fsync and synchronous_commit on), each on a fresh database:
#
#   (a) alembic-gate --checks roundtrip --database-url URL --working-directory DIR --format text
#       (one revision at a time: upgrade, downgrade and upgrade again, the schema compared)
#   (b) pytest-alembic's test_up_down_consistency alone (the same three passes, one revision
#       at a time, no catalog comparison): pytest -p pytest_alembic.plugin --test-alembic with
#       the plugin's own selection, -o pytest_alembic_include=up_down_consistency, and a
#       tests/conftest.py whose alembic_engine fixture is an engine on the database
#   (c) the unchecked full cycle: `alembic upgrade head`, `alembic downgrade base`,
#       `alembic upgrade head`
#   (d) the raw DDL bound: the offline SQL of all revisions (`alembic upgrade base:head --sql`,
#       `alembic downgrade head:base --sql`, generated beforehand, not timed) run through
#       `psql -v ON_ERROR_STOP=1 -q -f`: up, down, up
#
# and prints seconds for each and the ratios (b)/(a) (target: >= 3) and (a)/(c) (target:
# <= 1.2), with (a)/(d) for comparison with bench/roundtrip.sh. What alembic-gate reports is
# listed under the table: on these histories every finding is a false one.
#
# usage: bench/roundtrip_realistic.sh [--gate PATH] [--skip LETTERS] [--repeat R] [--keep] [N ...]
#
#   N ...            history sizes (default: 500): linear histories from
#                    bench/gen_realistic_history.py DIR N (its default seed)
#   --gate PATH      the alembic-gate binary (default: build/alembic-gate, relative to the
#                    repository root). Builds nothing. Missing: (a) is reported as n/a and
#                    the rest still runs.
#   --skip LETTERS   skip measurements, e.g. --skip b (no pytest-alembic) or --skip bd
#   --repeat R       measure R rounds of (a) (b) (c) (d), interleaved so that a slow phase of the
#                    machine weighs on all of them alike, and report each one's median (the
#                    single measurements are listed under the table); default 1
#   --keep           keep the work folder (projects, logs, SQL, the server's log)
#
# Environment: PYTHON (default /usr/bin/python3; must import Alembic, SQLAlchemy, psycopg2 and
# pytest; also passed to alembic-gate as --python), GATE_ARGS (more arguments for alembic-gate,
# split at spaces, e.g. "--roundtrip-jobs 1"), PYTEST_ALEMBIC (pytest-alembic's source
# folder, default ../shared/peers/pytest-alembic/src next to the repository), KEEP=1 as --keep.
#
# Python's bytecode cache is left on for the generated project (`alembic heads` runs once first),
# the most favourable state for the Python runs. Everything (server, databases, projects) lives
# in one temporary folder, removed on exit, error or Ctrl-C.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-/usr/bin/python3}
pytest_alembic=${PYTEST_ALEMBIC:-$repo_root/../shared/peers/pytest-alembic/src}
gate=$repo_root/build/alembic-gate
keep=${KEEP:-0}
skip=""
repeat=1
sizes=()

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while (($#)); do
    case $1 in
        --gate) gate=${2:?--gate needs a path}; shift ;;
        --gate=*) gate=${1#--gate=} ;;
        --skip) skip=${2:?--skip needs letters}; shift ;;
        --skip=*) skip=${1#--skip=} ;;
        --repeat) repeat=${2:?--repeat needs a count}; shift ;;
        --repeat=*) repeat=${1#--repeat=} ;;
        --keep) keep=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "roundtrip_realistic.sh: unknown option $1" >&2; exit 2 ;;
        *) [[ $1 =~ ^[1-9][0-9]*$ ]] || { echo "roundtrip_realistic.sh: N must be a positive integer: $1" >&2; exit 2; }
           sizes+=("$1") ;;
    esac
    shift
done
((${#sizes[@]})) || sizes=(500)
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "roundtrip_realistic.sh: --repeat must be a positive integer: $repeat" >&2; exit 2; }
[[ $gate == /* ]] || gate=$repo_root/$gate
skipped() { [[ $skip == *$1* ]]; }
"$python" -c 'import alembic, sqlalchemy, psycopg2' 2>/dev/null \
    || { echo "roundtrip_realistic.sh: $python cannot import alembic, sqlalchemy and psycopg2 (set PYTHON)" >&2; exit 2; }
if ! skipped b; then
    "$python" -c 'import pytest' 2>/dev/null \
        || { echo "roundtrip_realistic.sh: $python cannot import pytest (apt-get install python3-pytest, or --skip b)" >&2; exit 2; }
    [[ -d $pytest_alembic/pytest_alembic ]] \
        || { echo "roundtrip_realistic.sh: no pytest-alembic at $pytest_alembic (set PYTEST_ALEMBIC, or --skip b)" >&2; exit 2; }
    pytest_alembic=$(cd "$pytest_alembic" && pwd)
fi
command -v psql >/dev/null || { echo "roundtrip_realistic.sh: psql not found" >&2; exit 2; }
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x $pg_bin/initdb ]] || { echo "roundtrip_realistic.sh: no PostgreSQL server (apt-get install postgresql)" >&2; exit 2; }

work=$(mktemp -d /tmp/alembic-gate-bench-realistic.XXXXXX)
as_owner=()
if (($(id -u) == 0)); then  # initdb refuses root: the server runs as postgres
    as_owner=(runuser -u postgres --)
    chmod 711 "$work"
fi
cleanup() {
    [[ -d $work/pg/data ]] && "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    if [[ $keep == 1 ]]; then echo "roundtrip_realistic.sh: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The server: PostgreSQL's defaults but for where it listens (no fsync=off, unlike
# tests/postgres_cluster.sh: a CI database is durable, and durability is part of the cost).
# initdb --no-sync only skips flushing initdb's own files; the server's settings are untouched.
start_server() {
    local port
    mkdir "$work/pg"
    ((${#as_owner[@]} == 0)) || chown postgres "$work/pg"
    port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as_owner[@]}" "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres --no-sync >"$work/initdb.log" 2>&1 \
        || { cat "$work/initdb.log" >&2; exit 1; }
    "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -w -l "$work/pg/server.log" \
        -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null \
        || { cat "$work/pg/server.log" >&2; exit 1; }
    server=postgresql://postgres@127.0.0.1:$port
}
start_server
psql_admin() { psql -X -q -At -v ON_ERROR_STOP=1 "$server/postgres" "$@"; }

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
sum() { awk 'BEGIN { s = 0; for (i = 1; i < ARGC; i++) s += ARGV[i]; printf "%.2f", s }' "$@"; }
median() {  # median X...: the middle value (the mean of the two middle ones), or n/a if any is n/a
    printf '%s\n' "$@" | sort -g | awk '!/^[0-9.]+$/ { bad = 1 } { v[NR] = $1 }
        END { if (bad || NR == 0) print "n/a"; else if (NR % 2) printf "%.2f", v[(NR + 1) / 2];
              else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() {  # ratio A B: A/B with two decimals, or n/a
    [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] || { echo "n/a"; return; }
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}
progress() { printf '%s\n' "roundtrip_realistic.sh: $*" >&2; }

db_counter=0
fresh_db() {  # prints the URL of a new empty database
    db_counter=$((db_counter + 1))
    psql_admin -c "CREATE DATABASE bench_$db_counter" >/dev/null
    echo "$server/bench_$db_counter"
}
drop_db() { psql_admin -c "DROP DATABASE IF EXISTS ${1##*/} WITH (FORCE)" >/dev/null; }
current_revision() { psql -X -q -At "$1" -c "SELECT coalesce(string_agg(version_num, ','), '') FROM alembic_version"; }

# alembic URL ARGS...: Alembic's command line in the project, on database URL; stops the
# benchmark with the log's tail when a command fails.
alembic() {
    local url=$1
    shift
    if ! (cd "$project" && DATABASE_URL=$url "$python" -m alembic "$@") >"$work/alembic.log" 2>&1; then
        echo "roundtrip_realistic.sh: alembic $* failed (N=$n):" >&2
        tail -n 20 "$work/alembic.log" >&2
        exit 1
    fi
}

# pytest-alembic's side: the conftest.py a project has (tests/conftest.py, where the plugin
# binds its built-in tests by default), its engine on DATABASE_URL, Alembic's config the
# project's alembic.ini.
mkdir -p "$work/pytest/tests"
cat >"$work/pytest/tests/conftest.py" <<'EOF'
import os

import pytest
import sqlalchemy


@pytest.fixture
def alembic_config():
    return {"file": os.environ["ALEMBIC_INI"]}


@pytest.fixture
def alembic_engine():
    engine = sqlalchemy.create_engine(os.environ["DATABASE_URL"])
    try:
        yield engine
    finally:
        engine.dispose()
EOF

# run_gate N: (a), sets result[N,a] and result[N,a_note]; the findings go to result[N,a_findings].
run_gate() {
    local url before after rc elapsed log=$work/gate_$n.log
    url=$(fresh_db)
    before=$(psql_admin -c "SELECT count(*) FROM pg_database")
    progress "N=$n: (a) alembic-gate roundtrip"
    local t
    t=$(now)
    set +e
    # shellcheck disable=SC2086 # GATE_ARGS is split at spaces on purpose
    "$gate" --checks roundtrip --database-url "$url" --working-directory "$project" \
        --format text --python "$python" ${GATE_ARGS:-} >"$log" 2>&1
    rc=$?
    set -e
    elapsed=$(since "$t")
    after=$(psql_admin -c "SELECT count(*) FROM pg_database")
    drop_db "$url"
    result[$n,a]=$elapsed
    # Exit 1 is findings: timed unless the run was cut short (an upgrade that failed: "J of N
    # revisions judged" with J < N, or "revisions ... were not judged"); exit 2/3 measured nothing.
    local short
    short=$(grep -E 'roundtrip: .*(were not judged|[0-9]+ of [0-9]+ revisions judged)' "$log" \
        | grep -Ev "roundtrip: $n of $n revisions judged" | head -n 1 || true)
    if ((rc > 1)); then
        result[$n,a]=n/a; result[$n,a_note]="exit $rc after ${elapsed}s: $(tail -n 1 "$log")"
    elif [[ -n $short ]]; then
        result[$n,a]=n/a; result[$n,a_note]="exit $rc after ${elapsed}s, cut short: $short"
    else
        result[$n,a_note]=$( ((rc == 0)) || echo "exit 1: findings below")
    fi
    ((after == before)) || result[$n,a_note]+="${result[$n,a_note]:+; }$((after - before)) database(s) left behind"
    # Finding lines read "file:line: severity: message [rule]" (continuations indented).
    result[$n,a_findings]=$(grep -E '(^|: )(error|warning|note): .*\[[a-z-]+\]$' "$log" || true)
    result[$n,a_verdict]=$(tail -n 1 "$log")
}

# run_pytest_alembic N: (b), sets result[N,b] and result[N,b_note].
run_pytest_alembic() {
    local url t rc log=$work/pytest_$n.log
    url=$(fresh_db)
    progress "N=$n: (b) pytest-alembic test_up_down_consistency"
    t=$(now)
    set +e
    (cd "$work/pytest" && DATABASE_URL=$url ALEMBIC_INI=$project/alembic.ini PYTHONPATH=$pytest_alembic \
        "$python" -m pytest -p pytest_alembic.plugin -p no:cacheprovider --test-alembic \
        -o pytest_alembic_include=up_down_consistency -q tests) >"$log" 2>&1
    rc=$?
    set -e
    result[$n,b]=$(since "$t")
    drop_db "$url"
    # The plugin's selection must leave exactly the one test, and it must pass.
    if ((rc != 0)) || ! grep -Eq '^1 passed' "$log"; then
        result[$n,b_note]="exit $rc: $(tail -n 1 "$log")"
        ((rc == 0)) || result[$n,b]=n/a
    else
        result[$n,b_note]=$(tail -n 1 "$log")
    fi
}

# run_cycle N: (c), sets result[N,c] and result[N,c_parts].
run_cycle() {
    local url t c1 c2 c3
    url=$(fresh_db)
    progress "N=$n: (c) upgrade head, downgrade base, upgrade head"
    t=$(now); alembic "$url" upgrade head; c1=$(since "$t")
    t=$(now); alembic "$url" downgrade base; c2=$(since "$t")
    t=$(now); alembic "$url" upgrade head; c3=$(since "$t")
    [[ $(current_revision "$url") == "$head" ]] || { echo "roundtrip_realistic.sh: (c) not at head" >&2; exit 1; }
    drop_db "$url"
    result[$n,c]=$(sum "$c1" "$c2" "$c3")
    result[$n,c_parts]="$c1 / $c2 / $c3"
}

# offline_sql FILE ARGS...: `alembic ARGS --sql` into FILE (the URL only picks the dialect).
offline_sql() {
    local file=$1
    shift
    (cd "$project" && DATABASE_URL=$server/postgres "$python" -m alembic "$@" --sql) >"$file" 2>"$work/alembic.log" \
        || { echo "roundtrip_realistic.sh: alembic $* --sql failed (N=$n):" >&2; tail -n 20 "$work/alembic.log" >&2; exit 1; }
}

# run_sql FILE URL: prints the seconds psql takes to run FILE on URL.
run_sql() {
    local t
    t=$(now)
    psql -X -v ON_ERROR_STOP=1 -q -f "$1" "$2" >/dev/null
    since "$t"
}

# run_raw_ddl N: (d), sets result[N,d] and result[N,d_parts].
run_raw_ddl() {
    local url t d1 d2 d3
    progress "N=$n: (d) offline SQL through psql"
    if [[ ! -s $work/down_$n.sql ]]; then  # made once, in the first round
        t=$(now)
        offline_sql "$work/up_$n.sql" upgrade base:head
        offline_sql "$work/down_$n.sql" downgrade head:base
        sql_seconds[$n]=$(since "$t")
    fi
    url=$(fresh_db)
    d1=$(run_sql "$work/up_$n.sql" "$url")
    d2=$(run_sql "$work/down_$n.sql" "$url")
    d3=$(run_sql "$work/up_$n.sql" "$url")
    [[ $(current_revision "$url") == "$head" ]] || { echo "roundtrip_realistic.sh: (d) not at head" >&2; exit 1; }
    drop_db "$url"
    result[$n,d]=$(sum "$d1" "$d2" "$d3")
    result[$n,d_parts]="$d1 / $d2 / $d3 (SQL generation, not counted: ${sql_seconds[$n]}s)"
}

declare -A result samples sql_seconds
started=$(now)
for n in "${sizes[@]}"; do
    project=$work/history_$n
    head=$("$python" "$repo_root/bench/gen_realistic_history.py" "$project" "$n")
    (cd "$project" && "$python" -m alembic heads >/dev/null 2>&1)  # warm the bytecode cache
    progress "N=$n: history generated (head $head)"

    for ((round = 1; round <= repeat; round++)); do
        ((repeat == 1)) || progress "N=$n: round $round of $repeat"
        result[$n,a]=n/a
        if skipped a; then result[$n,a_note]="skipped"
        elif [[ ! -x $gate ]]; then result[$n,a_note]="no binary at $gate"
        else run_gate
        fi
        if skipped b; then result[$n,b]=n/a; result[$n,b_note]="skipped"; else run_pytest_alembic; fi
        if skipped c; then result[$n,c]=n/a; result[$n,c_parts]="skipped"; else run_cycle; fi
        if skipped d; then result[$n,d]=n/a; result[$n,d_parts]="skipped"; else run_raw_ddl; fi
        for m in a b c d; do samples[$n,$m]+="${samples[$n,$m]:+ }${result[$n,$m]}"; done
    done
    for m in a b c d; do
        # shellcheck disable=SC2086  # the samples are words
        result[$n,$m]=$(median ${samples[$n,$m]})
    done
done

echo
echo "Roundtrip benchmark, realistic linear histories: one fresh database per measurement, seconds$( ((repeat == 1)) || echo ", median of $repeat rounds")"
echo "(PostgreSQL $(psql_admin -c 'SHOW server_version'), fsync $(psql_admin -c 'SHOW fsync'), synchronous_commit $(psql_admin -c 'SHOW synchronous_commit'); Alembic $("$python" -c 'import alembic; print(alembic.__version__)'), SQLAlchemy $("$python" -c 'import sqlalchemy; print(sqlalchemy.__version__)'); $(nproc) CPUs)"
echo
printf '| %5s | %16s | %18s | %14s | %11s | %16s | %16s | %7s |\n' N "(a) alembic-gate" "(b) pytest-alembic" "(c) full cycle" "(d) raw DDL" "(b)/(a) (>= 3)" "(a)/(c) (<= 1.2)" "(a)/(d)"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "------:" "-----------------:" "-------------------:" "---------------:" "------------:" "-----------------:" "-----------------:" "--------:"
for n in "${sizes[@]}"; do
    printf '| %5s | %16s | %18s | %14s | %11s | %16s | %16s | %7s |\n' "$n" "${result[$n,a]}" "${result[$n,b]}" \
        "${result[$n,c]}" "${result[$n,d]}" "$(ratio "${result[$n,b]}" "${result[$n,a]}")" \
        "$(ratio "${result[$n,a]}" "${result[$n,c]}")" "$(ratio "${result[$n,a]}" "${result[$n,d]}")"
done
echo
for n in "${sizes[@]}"; do
    echo "N=$n"
    echo "  (a) ${result[$n,a_verdict]:-}${result[$n,a_note]:+ [${result[$n,a_note]}]}"
    echo "  (b) ${result[$n,b_note]}"
    echo "  (c) upgrade head / downgrade base / upgrade head: ${result[$n,c_parts]}"
    echo "  (d) psql up / down / up: ${result[$n,d_parts]}"
    ((repeat == 1)) || echo "  rounds (a) ${samples[$n,a]}; (b) ${samples[$n,b]}; (c) ${samples[$n,c]}; (d) ${samples[$n,d]}"
    if [[ -n ${result[$n,a_findings]:-} ]]; then
        # Every downgrade of these histories is exact: a downgrade-leaves-trace is a false one.
        echo "  alembic-gate's findings, by rule:"
        grep -Eo '\[[a-z-]+\]$' <<<"${result[$n,a_findings]}" | sort | uniq -c | sed 's/^/   /'
        head -n 30 <<<"${result[$n,a_findings]}" | sed 's/^/    /'
        (($(wc -l <<<"${result[$n,a_findings]}") <= 30)) || echo "    ... (all in gate_$n.log: --keep)"
    fi
done
echo
echo "total $(since "$started")s"
