#!/usr/bin/env bash
# The action as GitHub runs it: builds the image from the Dockerfile with podman on a locally
# bootstrapped debian:trixie-slim (no Docker Hub), then runs it the way the runner starts a
# container action, against example projects in a throwaway workspace:
#
#   podman run --workdir /github/workspace -v WORKSPACE:/github/workspace
#     -v HOME:/github/home -v WORKFLOW:/github/workflow -v FILE_COMMANDS:/github/file_commands
#     -e INPUT_<NAME> for every input of action.yml (its default unless set; hyphens kept)
#     -e GITHUB_ACTIONS=true -e GITHUB_WORKSPACE=... -e GITHUB_OUTPUT=... ... IMAGE
#
# with a PostgreSQL reached by the host name `postgres`, as a workflow's service is (here: a
# throwaway cluster on the host, tests/postgres_cluster.sh, and --add-host postgres:127.0.0.1).
# Also: a workspace owned by the runner's user (uid 1001) gets back what the run wrote, and
# SIGTERM to the container still drops the scratch database (the entrypoint script passes it on).
# Then each workflow of examples/workflows/ as the runner runs its alembic-gate step
# (tests/workflow_step.py gives the step's environment), on a passing and a failing project.
#
# Needs root, podman, runc, debootstrap and psql (scripts/setup.sh installs them), /usr/bin/python3
# with PyYAML (Debian's python3-yaml) and network access to the Debian mirror that apt uses.
# Variables:
#   AG_CONTAINER_BASE_TAR=FILE  reuse (or, when missing, save) the bootstrapped base as a
#                               tarball: for local iteration only; CI bootstraps afresh.
#   AG_CONTAINER_CACHE=1        let podman reuse build layers (local iteration); default: none.
#   AG_CONTAINER_KEEP=1         keep the work folder (logs, workspace) and the image.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
image=localhost/alembic-gate:container-test
base=docker.io/library/debian:trixie-slim
# This host's cgroups (hybrid) and rlimits need runc, cgroupfs and explicit ulimits; a real
# Docker engine, as on GitHub, needs none of this.
podman=(podman --runtime runc --cgroup-manager cgroupfs)
limits=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)

work=$(mktemp -d /tmp/alembic-gate-container.XXXXXX)
failures=0
started=$SECONDS
declare -A took

# Keeps the work folder (logs) when the test failed.
cleanup() {
  local status=$?
  [ -z "${forwarder:-}" ] || kill "$forwarder" 2>/dev/null || true
  "$root/tests/postgres_cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true
  [ -z "${shm:-}" ] || rm -rf "$shm"
  if [ "${AG_CONTAINER_KEEP:-0}" = 1 ] || [ "$status" -ne 0 ]; then
    echo "container_test: kept $work and $image"
  else
    "${podman[@]}" rmi -f "$image" "$base" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
}
trap cleanup EXIT

say() { echo "container_test: $*"; }
fail() {
  echo "container_test: FAIL: $*" >&2
  failures=$((failures + 1))
}
phase_done() { took[$1]=$((SECONDS - $2)); }

for tool in podman runc debootstrap psql; do
  command -v "$tool" >/dev/null || { echo "container_test: $tool is missing (scripts/setup.sh installs it)" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "container_test: needs root (debootstrap, podman)" >&2; exit 2; }
/usr/bin/python3 -c 'import yaml' 2>/dev/null ||
  { echo "container_test: /usr/bin/python3 cannot import yaml (tests/workflow_step.py needs PyYAML: apt-get install python3-yaml)" >&2; exit 2; }

# ---------------------------------------------------------------------------------------------
# 1. The base image: debian:trixie-slim, bootstrapped from the Debian mirror apt already uses.

mirror() {
  local uri
  uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '/^deb / && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# debootstrap's minbase, made like the official slim image: no documentation, manuals or
# translations (also for packages installed later, through dpkg's path excludes), no apt caches.
bootstrap_base() {
  local rootfs=$work/rootfs url
  url=$(mirror)
  say "bootstrapping trixie (minbase) from $url"
  debootstrap --variant=minbase trixie "$rootfs" "$url" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
# as in the official slim images (debuerreotype --slim)
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
// as in the official images: no downloaded packages or caches left behind
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/{groff,info,linda,locale,man}/* "$rootfs"/usr/share/lintian/overrides/*
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/*.log
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $url
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${url%/debian}/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  tar -C "$rootfs" -c . >"$work/base.tar"
  rm -rf "$rootfs"
}

t=$SECONDS
if [ -n "${AG_CONTAINER_BASE_TAR:-}" ] && [ -s "$AG_CONTAINER_BASE_TAR" ]; then
  say "reusing the base tarball $AG_CONTAINER_BASE_TAR"
  cp "$AG_CONTAINER_BASE_TAR" "$work/base.tar"
else
  bootstrap_base
  [ -n "${AG_CONTAINER_BASE_TAR:-}" ] && cp "$work/base.tar" "$AG_CONTAINER_BASE_TAR"
fi
"${podman[@]}" import --quiet "$work/base.tar" "$base" >/dev/null
rm -f "$work/base.tar"
phase_done bootstrap "$t"

# ---------------------------------------------------------------------------------------------
# 2. The image, from the repository's Dockerfile, with the base above and Debian's registry only.

t=$SECONDS
say "building $image"
cache=(--no-cache --layers=false)  # and no intermediate images left behind
[ "${AG_CONTAINER_CACHE:-0}" = 1 ] && cache=()
"${podman[@]}" build --isolation chroot --network host --pull=never --jobs 2 "${cache[@]}" \
  -t "$image" -f "$root/Dockerfile" "$root" >"$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log" >&2; exit 1; }
phase_done build "$t"
size=$("${podman[@]}" image inspect --format '{{.Size}}' "$image")
say "image size: $((size / 1000000)) MB ($size bytes)"
# GitHub's rules for an action's image: no USER (it runs as root), an exec-form ENTRYPOINT with
# an absolute path: scripts/entrypoint.sh, run by bash (sh would drop the INPUT_* names with
# hyphens; the runs below pass INPUT_WORKING-DIRECTORY and INPUT_DATABASE-URL through it).
config=$("${podman[@]}" image inspect --format '{{.Config.User}}|{{json .Config.Entrypoint}}' "$image")
[ "$config" = '|["/usr/local/bin/alembic-gate-entrypoint"]' ] ||
  fail "image config: expected no user and the entrypoint script as exec-form entrypoint, got: $config"
shebang=$("${podman[@]}" run --rm "${limits[@]}" --entrypoint /usr/bin/head "$image" -n 1 \
  /usr/local/bin/alembic-gate-entrypoint 2>&1) || true
[ "$shebang" = "#!/bin/bash" ] || fail "the entrypoint script's first line: $shebang"

# ---------------------------------------------------------------------------------------------
# 3. The runner's surroundings: a workspace (a repository with three projects), the folders it
#    mounts, and the workflow's PostgreSQL service.

workspace=$work/workspace
mkdir -p "$workspace" "$work/home" "$work/workflow" "$work/file_commands"
cp -r "$root/examples/blog" "$workspace/backend"                            # passes every check
cp -r "$root/tests/fixtures/roundtrip/downgrade_fails" "$workspace/broken"  # a failing downgrade
cp -r "$root/tests/fixtures/install/needs_package" "$workspace/needs_package"
mkdir -p "$workspace/drift"  # a model column no migration creates (its alembic.ini: ../shop)
cp -r "$root/tests/fixtures/drift/shop" "$root/tests/fixtures/drift/column_added" "$workspace/drift/"
find "$workspace" -name __pycache__ -prune -exec rm -rf {} +
echo '{"pull_request": {"number": 1}}' >"$work/workflow/event.json"

"$root/tests/postgres_cluster.sh" start "$work/pg" >/dev/null
port=$(sed -E 's|.*:([0-9]+)/.*|\1|' "$work/pg/url")
service_url="postgresql://postgres@postgres:$port/postgres"  # the service's label as host name

# Every input of action.yml with its default, as the runner passes them: INPUT_ + the upper-cased
# name with its hyphens. Values set by a run follow (podman keeps the last of a name).
action_inputs() {
  awk '
    /^inputs:/ { inside = 1; next }
    inside && /^[^ #]/ { inside = 0 }
    inside && /^  [a-z0-9-]+:$/ { name = toupper(substr($1, 1, length($1) - 1)) }
    inside && /^    default:/ {
      value = substr($0, index($0, ":") + 2)
      gsub(/^"|"$/, "", value)
      print "INPUT_" name "=" value
    }' "$root/action.yml"
}
action_inputs >"$work/inputs.env"
grep -q '^INPUT_DATABASE-URL=$' "$work/inputs.env" || fail "action.yml's inputs were not read: $(cat "$work/inputs.env")"

# The Marketplace refuses a description of 125 characters or more (a `>-` block is folded: its
# lines joined by single spaces).
description=$(awk '
  /^description: >-$/ { folded = 1; next }
  /^description: / { sub(/^description: "?/, ""); sub(/"$/, ""); print; exit }
  folded && /^  / { sub(/^ +/, ""); text = text (text == "" ? "" : " ") $0; next }
  folded { print text; exit }' "$root/action.yml")
if [ "${#description}" -lt 20 ] || [ "${#description}" -ge 125 ]; then
  fail "action.yml's description has ${#description} characters (at most 124): $description"
fi

# run NAME EXPECTED_EXIT INPUT=VALUE|--podman-option...: runs the image like the runner; NAME.out
# / NAME.err in $work, NAME's outputs and summary in $work/file_commands. RUN_WORKSPACE=FOLDER
# run ... mounts FOLDER as the workspace instead of $workspace; RUN_SERVICE_ADDRESS=ADDRESS
# run ... makes `postgres` ADDRESS instead of 127.0.0.1.
run() {
  local name=$1 expected=$2 t=$SECONDS
  shift 2
  local env=("${podman[@]}" run --rm "${limits[@]}" --network host
    --add-host "postgres:${RUN_SERVICE_ADDRESS:-127.0.0.1}"
    --workdir /github/workspace
    -v "${RUN_WORKSPACE:-$workspace}:/github/workspace" -v "$work/home:/github/home"
    -v "$work/workflow:/github/workflow" -v "$work/file_commands:/github/file_commands"
    --env-file "$work/inputs.env"
    -e GITHUB_ACTIONS=true -e CI=true -e HOME=/github/home
    -e GITHUB_WORKSPACE=/github/workspace -e GITHUB_EVENT_PATH=/github/workflow/event.json
    -e GITHUB_EVENT_NAME=pull_request -e GITHUB_REPOSITORY=octo/shop -e GITHUB_SHA=0123abc
    -e GITHUB_SERVER_URL=https://github.com
    -e "GITHUB_OUTPUT=/github/file_commands/set_output_$name"
    -e "GITHUB_STEP_SUMMARY=/github/file_commands/step_summary_$name"
    -e "GITHUB_ENV=/github/file_commands/set_env_$name"
    -e "GITHUB_PATH=/github/file_commands/add_path_$name")
  for input in "$@"; do
    case $input in
      --*) env+=("$input") ;;
      *) env+=(-e "$input") ;;
    esac
  done
  # The runner creates the file-command files before the step.
  : >"$work/file_commands/set_output_$name"
  : >"$work/file_commands/step_summary_$name"
  local code=0
  timeout 900 "${env[@]}" "$image" >"$work/$name.out" 2>"$work/$name.err" || code=$?
  took[run:$name]=$((SECONDS - t))
  say "run $name: exit $code in ${took[run:$name]} s"
  [ "$code" -eq "$expected" ] || fail "$name: exit code $code, expected $expected
--- stdout
$(tail -30 "$work/$name.out")
--- stderr
$(tail -30 "$work/$name.err")"
}

# expect FILE TEXT: FILE ($work/FILE) contains TEXT literally.
expect() {
  grep -qF -- "$2" "$work/$1" || fail "$1 lacks: $2
$(tail -20 "$work/$1")"
}
reject() {
  ! grep -qF -- "$2" "$work/$1" || fail "$1 has: $2"
}

# ---------------------------------------------------------------------------------------------
# 4. The runs.

t=$SECONDS

# Debian 13's Python stack inside the image.
"${podman[@]}" run --rm "${limits[@]}" --entrypoint /usr/bin/python3 "$image" -c '
import sys, alembic, sqlalchemy, psycopg, psycopg2, asyncpg
print("python", sys.version.split()[0]); print("alembic", alembic.__version__)
print("sqlalchemy", sqlalchemy.__version__); print("psycopg", psycopg.__version__)' >"$work/versions.out" 2>&1 ||
  fail "the image's Python cannot import its packages: $(cat "$work/versions.out")"
expect versions.out "python 3.13."
expect versions.out "alembic 1.13."
expect versions.out "sqlalchemy 2.0."
expect versions.out "psycopg 3."

# A passing project in a subfolder, on the service: every input at its default but these.
run blog 0 "INPUT_WORKING-DIRECTORY=backend" "INPUT_DATABASE-URL=$service_url" \
  "INPUT_JSON-FILE=alembic-gate.json"
expect blog.err "python: python3 (Python 3.13."
expect blog.err ", Alembic 1.13."
expect blog.err ", SQLAlchemy 2.0."
expect blog.err "on postgresql://postgres@postgres:$port/postgres"
reject blog.out "::error"
[ -s "$workspace/backend/alembic-gate.json" ] && grep -q '"result": "passed"' "$workspace/backend/alembic-gate.json" ||
  fail "backend/alembic-gate.json is missing or does not say passed"
for file in set_output_blog step_summary_blog; do
  [ -f "$work/file_commands/$file" ] || fail "/github/file_commands/$file is gone"
done

# A failing downgrade, through psycopg 3 (SQLAlchemy 2.0's postgresql+psycopg://): exit 1 and
# an annotation at the failing line, with a repository-relative path.
run broken 1 "INPUT_WORKING-DIRECTORY=broken" "INPUT_CHECKS=heads,roundtrip" \
  "INPUT_DATABASE-URL=postgresql+psycopg://postgres@postgres:$port/postgres"
expect broken.out "::error file=broken/migrations/versions/0b24fc083b16_create_tag_table.py,line=30"
expect broken.out "psycopg.errors.UndefinedTable"
reject broken.out "psycopg2"
reject broken.out "/github/workspace"

# Drift with Debian 13's Alembic 1.13 and SQLAlchemy 2.0: a model column without a migration
# fails, annotated at the model's line with a repository-relative path.
run drift 1 "INPUT_WORKING-DIRECTORY=drift/column_added" "INPUT_CHECKS=drift" \
  "INPUT_DATABASE-URL=$service_url"
expect drift.out "::error file=drift/column_added/models.py,line=15,"
expect drift.out "title=alembic-gate drift%3A drift-missing-column::column users.nickname (VARCHAR(50)) is in the models but no migration creates it"
reject drift.out "/github/workspace"
expect file_commands/set_output_drift "failed-checks=drift"

# The embedded server when database-url is empty (the default).
run embedded 0 "INPUT_WORKING-DIRECTORY=backend" "INPUT_CHECKS=roundtrip"
expect embedded.err "on the embedded server"
expect embedded.err "python: python3 (Python 3.13."

# The install input: a local package into a virtual environment, then imported by the project.
run install 0 "INPUT_WORKING-DIRECTORY=needs_package" "INPUT_CHECKS=roundtrip" \
  "INPUT_DATABASE-URL=$service_url" "INPUT_INSTALL=pip install --no-index ./vendor/gate_helper"
expect install.err "::group::install: pip install --no-index ./vendor/gate_helper"
expect install.err "Successfully installed gate-helper-1.0"
expect install.err "::endgroup::"
grep -qE '^python: /tmp/alembic-gate-venv\.[^/]+/bin/python \(Python 3\.13\.' "$work/install.err" ||
  fail "install: Alembic did not run with the virtual environment's python"

# A failing install: one error with pip's last words, exit 3.
run install_fails 3 "INPUT_WORKING-DIRECTORY=needs_package" "INPUT_CHECKS=roundtrip" \
  "INPUT_INSTALL=pip install --no-index no-such-package-for-gate"
expect install_fails.out "::error"
expect install_fails.out "the install command failed (exit code 1)"
expect install_fails.out "No matching distribution found for no-such-package-for-gate"

# Step outputs and the job summary.
expect file_commands/set_output_blog "result=passed"
expect file_commands/set_output_blog "error-count=0"
expect file_commands/set_output_blog "heads=b58f0c71e3d6"
expect file_commands/set_output_blog "report-json=backend/alembic-gate.json"
expect file_commands/step_summary_blog "### ✅ alembic-gate: passed"
expect file_commands/step_summary_blog "| check | status | duration | errors | warnings | notices |"
expect file_commands/step_summary_blog "| roundtrip | ✅ passed | "
expect file_commands/step_summary_blog "| drift | ✅ passed | "
expect file_commands/set_output_broken "result=failed"
expect file_commands/set_output_broken "failed-checks=roundtrip"

# A workspace owned by the runner's user (1001 on GitHub's hosted runners; self-hosted ones
# alike), not root: what the run writes there is given back to that owner, and nothing else
# changes owner: a root file the run does not touch, the mounted folders outside the workspace,
# the target of a link the run makes, a file system mounted inside the workspace.
owned=$work/owned
mkdir -p "$owned/mounted" "$owned/roundtrip"
cp -r "$root/tests/fixtures/install/needs_package" "$owned/needs_package"
# slow_step's env.py runs ../../env_templates/convention.py, as in tests/fixtures/.
cp -r "$root/tests/fixtures/roundtrip/slow_step" "$owned/roundtrip/"
cp -r "$root/tests/fixtures/env_templates" "$owned/"
find "$owned" -name __pycache__ -prune -exec rm -rf {} +
chown -R 1001:1001 "$owned"
echo before >"$owned/untouched-root.txt"  # root's from before the run, not changed: stays root's
echo before >"$owned/changed-root.txt"    # root's from before the run, changed by it: given back
echo outside >"$work/home/outside.txt"
shm=$(mktemp -d /dev/shm/alembic-gate-container.XXXXXX)  # another file system
[ "$(stat -c %d "$shm")" != "$(stat -c %d "$owned")" ] || fail "$shm is on the workspace's file system"
# What a project's install command may write: pip's files, a build folder, a change to a file of
# root's, a link out of the workspace, a file in a mount inside it.
RUN_WORKSPACE=$owned run owned 0 "--volume=$shm:/github/workspace/mounted" \
  "INPUT_WORKING-DIRECTORY=needs_package" "INPUT_CHECKS=heads,roundtrip" \
  "INPUT_DATABASE-URL=$service_url" "INPUT_JSON-FILE=gate.json" "INPUT_SARIF-FILE=gate.sarif" \
  "INPUT_INSTALL=pip install --no-index ./vendor/gate_helper && mkdir -p build/lib \
&& echo new >build/lib/made.txt && echo after >>../changed-root.txt \
&& ln -s /github/home/outside.txt link-out && echo new >../mounted/in-mount.txt"
for file in needs_package/gate.json needs_package/gate.sarif needs_package/build \
  needs_package/build/lib/made.txt needs_package/link-out changed-root.txt; do
  found=$(stat -c %u:%g "$owned/$file" 2>&1)
  [ "$found" = 1001:1001 ] || fail "owned: $file belongs to $found, expected 1001:1001"
done
grep -q '"result": "passed"' "$owned/needs_package/gate.json" || fail "owned: gate.json does not say passed"
[ -f "$shm/in-mount.txt" ] || fail "owned: the install command wrote nothing into the mount"

# SIGTERM to the container (a cancelled job; `docker stop`) while a migration sleeps in
# pg_sleep(): the entrypoint passes it on, the binary drops its scratch database and ends with
# 143, and the entrypoint still gives the workspace back, then exits with that code.
url=$(cat "$work/pg/url")
container=alembic-gate-term-$$
(
  for _ in $(seq 240); do
    scratch=$(psql "$url" -Atc "SELECT datname FROM pg_stat_activity
      WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(30)%'" 2>/dev/null || true)
    if [ -n "$scratch" ]; then
      echo "$scratch" >"$work/term.scratch"
      "${podman[@]}" kill --signal TERM "$container" >/dev/null
      exit
    fi
    sleep 0.5
  done
) &
killer=$!
RUN_WORKSPACE=$owned run term 143 "--name=$container" "INPUT_WORKING-DIRECTORY=roundtrip/slow_step" \
  "INPUT_CHECKS=roundtrip" "INPUT_DATABASE-URL=$service_url"
kill "$killer" 2>/dev/null || true  # still waiting when the run ended too soon
wait "$killer" 2>/dev/null || true
if [ -s "$work/term.scratch" ]; then
  left=$(psql "$url" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'alembic\_gate\_%'")
  [ -z "$left" ] || fail "term: scratch databases left after SIGTERM: $left"
else
  fail "term: the migration's pg_sleep(30) was never seen running"
fi

# After both runs: no file of root's in the workspace but the untouched one; outside it, all
# still root's.
left=$(find "$owned" -user 0 ! -path "$owned/untouched-root.txt")
[ -z "$left" ] || fail "owned: still root's after the runs: $left"
[ "$(stat -c %u:%g "$owned/untouched-root.txt")" = 0:0 ] || fail "owned: untouched-root.txt changed owner"
left=$(find "$work/home" "$work/workflow" "$work/file_commands" "$shm" ! -user 0)
[ -z "$left" ] || fail "owned: outside the workspace, no longer root's: $left"
phase_done runs "$t"

# ---------------------------------------------------------------------------------------------
# 5. The example workflows, each as the runner runs its alembic-gate step. tests/workflow_step.py
#    reads the workflow and gives the step's environment: every input of action.yml as
#    INPUT_<NAME>, the step's `with:` over the defaults (none dropped or changed; an unknown
#    input, an expression or a database-url that names no service of the job is an error).
#    The workspace is laid out as the workflow expects (the project at the step's
#    working-directory) and owned by the runner's uid 1001. Two projects: examples/blog passes;
#    tests/fixtures/roundtrip/downgrade_fails fails (a downgrade drops a table that does not
#    exist). Both get tests/fixtures/workflow_project/'s requirements.txt, pyproject.toml and
#    in-tree build backend: what the workflows' `install` commands (`pip install -r
#    requirements.txt`, `pip install -e .`) need without PyPI. The workflows' service,
#    `postgres:5432` with the password `postgres`, is the throwaway cluster (it trusts every
#    password) behind a forwarder on 127.0.0.2:5432, with --add-host postgres:127.0.0.2: the
#    URL reaches the container as written.

t=$SECONDS
step=(/usr/bin/python3 "$root/tests/workflow_step.py")
if ! "${step[@]}" defaults >"$work/step-defaults.env" 2>&1; then
  fail "tests/workflow_step.py cannot read action.yml: $(cat "$work/step-defaults.env")"
elif ! diff -u "$work/inputs.env" "$work/step-defaults.env" >"$work/step-defaults.diff"; then
  fail "tests/workflow_step.py and this script read action.yml's defaults differently:
$(cat "$work/step-defaults.diff")"
fi

service_address=127.0.0.2
"${step[@]}" forward "$service_address:5432" "127.0.0.1:$port" >"$work/forward.log" 2>&1 &
forwarder=$!
for _ in $(seq 50); do
  grep -q '^listening' "$work/forward.log" && break
  kill -0 "$forwarder" 2>/dev/null || break
  sleep 0.2
done
forwarding=0
if grep -q '^listening' "$work/forward.log"; then
  forwarding=1
else
  fail "no forwarder on $service_address:5432 for the workflows' service: $(cat "$work/forward.log")"
fi

declare -A described
for workflow in "$root"/examples/workflows/*.yml; do
  wf=$(basename "$workflow" .yml)
  if ! "${step[@]}" describe "$workflow" >"$work/$wf.step" 2>&1 ||
    ! "${step[@]}" env -0 "$workflow" >"$work/$wf.env0" 2>>"$work/$wf.step"; then
    fail "$wf: $(cat "$work/$wf.step")"
    continue
  fi
  described=()
  while IFS='=' read -r key value; do described[$key]=$value; done <"$work/$wf.step"
  mapfile -d '' -t step_env <"$work/$wf.env0"
  install=''
  for entry in "${step_env[@]}"; do
    case $entry in INPUT_INSTALL=*) install=${entry#INPUT_INSTALL=} ;; esac
  done
  # The project's folder from the workspace root: "" for ".", else "FOLDER/".
  prefix=${described[working_directory]#./}
  prefix=${prefix%/}
  [ "$prefix" != . ] || prefix=''
  prefix=${prefix:+$prefix/}
  address=127.0.0.1
  if [ -n "${described[database_service]}" ]; then
    if [ "${described[database_service]}" != postgres:5432 ]; then
      fail "$wf: its database-url names the service ${described[database_service]}; this test provides postgres:5432"
      continue
    fi
    [ "$forwarding" = 1 ] || { fail "$wf: not run: nothing forwards postgres:5432"; continue; }
    address=$service_address
  fi

  for project in passing failing; do
    name=workflow_${wf//-/_}_$project
    ws=$work/workflows/$wf-$project
    if [ "$project" = passing ]; then
      source=$root/examples/blog expected=0 verdict=passed
    else
      source=$root/tests/fixtures/roundtrip/downgrade_fails expected=1 verdict=failed
    fi
    mkdir -p "$ws/$prefix"
    cp -r "$source/." "$ws/$prefix"
    cp "$root"/tests/fixtures/workflow_project/{requirements.txt,pyproject.toml,build_backend.py} "$ws/$prefix"
    find "$ws" -name __pycache__ -prune -exec rm -rf {} +
    chown -R 1001:1001 "$ws"
    RUN_WORKSPACE=$ws RUN_SERVICE_ADDRESS=$address run "$name" "$expected" "${step_env[@]}"
    outputs=$work/file_commands/set_output_$name

    # The verdict in the outputs and the job summary.
    result=$("${step[@]}" output "$outputs" result 2>&1) || true
    [ "$result" = "$verdict" ] || fail "$name: the output result is '$result', expected $verdict"
    expect "file_commands/step_summary_$name" "alembic-gate: $verdict"
    # Annotations: the failing downgrade's at its line; every annotated file a file of the
    # workspace (a repository-relative path), none of the container's paths.
    if [ "$project" = failing ]; then
      expect "$name.out" "::error file=${prefix}migrations/versions/0b24fc083b16_create_tag_table.py,line=30,"
    else
      reject "$name.out" "::error"
    fi
    mapfile -t annotated < <(sed -nE 's/^::(error|warning|notice) file=([^,]*),.*/\2/p' "$work/$name.out" | sort -u)
    for file in "${annotated[@]}"; do
      [ -f "$ws/$file" ] || fail "$name: an annotation names $file, no file of the workspace"
    done
    reject "$name.out" "/github/workspace"
    # The database: the workflow's service as its URL names it (its literal password is no
    # secret: no mask that would blot out every "postgres" in the log), or the embedded server.
    if [ -n "${described[database_service]}" ]; then
      expect "$name.err" "@postgres:5432/"
    else
      expect "$name.err" "on the embedded server"
    fi
    reject "$name.out" "::add-mask::postgres"
    reject "$name.err" "::add-mask::postgres"
    [ -z "$install" ] || expect "$name.err" "::group::install: ${install%%$'\n'*}"
    # The reports: report-json / report-sarif name them from the workspace root (what the next
    # step opens, e.g. upload-sarif's sarif_file), as files of the runner's user.
    for kind in json sarif; do
      file=${described[${kind}_file]}
      reported=$("${step[@]}" output "$outputs" "report-$kind" 2>&1) || true
      if [ -z "$file" ]; then
        [ -z "$reported" ] || fail "$name: report-$kind is '$reported' without $kind-file"
        continue
      fi
      [ "$reported" = "$prefix$file" ] || fail "$name: report-$kind is '$reported', expected $prefix$file"
      if [ -z "$reported" ] || [ ! -f "$ws/$reported" ]; then
        fail "$name: report-$kind '$reported' is no file of the workspace"
        continue
      fi
      owner=$(stat -c %u:%g "$ws/$reported")
      [ "$owner" = 1001:1001 ] || fail "$name: $reported belongs to $owner, expected 1001:1001"
      checked=$("${step[@]}" check-report "$ws/$reported" "$kind" "$verdict" "$ws" 2>&1) ||
        fail "$name: $checked"
    done
    # What later steps of the job read from the step's outputs is there.
    for output in ${described[outputs_used]}; do
      value=$("${step[@]}" output "$outputs" "$output" 2>&1) || true
      [ -n "$value" ] || fail "$name: a later step reads the output $output, which is empty"
    done
    left=$(find "$ws" -user 0)
    [ -z "$left" ] || fail "$name: still root's after the run: $left"
  done
done
kill "$forwarder" 2>/dev/null || true
wait "$forwarder" 2>/dev/null || true
forwarder=''
left=$(find "$work/home" "$work/workflow" "$work/file_commands" ! -user 0)
[ -z "$left" ] || fail "workflows: outside the workspace, no longer root's: $left"
phase_done workflows "$t"

# ---------------------------------------------------------------------------------------------
total=$((SECONDS - started))
say "times (s): bootstrap ${took[bootstrap]}, build ${took[build]}, runs ${took[runs]}, workflows ${took[workflows]}, total $total"
if [ "$failures" -gt 0 ]; then
  say "$failures failure(s); logs in $work"
  exit 1
fi
say "passed"
