#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need on a fresh Debian 12 or 13 machine.
# Idempotent: installs only what is missing. Needs root (or sudo) for apt-get.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config
  libfmt-dev libcxxopts-dev libtomlplusplus-dev nlohmann-json3-dev doctest-dev libpq-dev
  libpg-query-dev  # PostgreSQL's parser, for the lint check's SQL rules
  # PostgreSQL server: the embedded default and the tests' throwaway clusters
  postgresql
  # the Python side: Debian's Alembic and SQLAlchemy, run with /usr/bin/python3
  python3 python3-alembic python3-sqlalchemy python3-psycopg2 python3-psycopg python3-asyncpg
  # setpriv (runs the embedded server as an unprivileged user when root)
  util-linux
  # the install setting: virtual environments with pip
  python3-venv python3-pip
  # the container test (tests/container_test.sh): bootstrap Debian 13, build and run the image;
  # PyYAML reads the example workflows (tests/workflow_step.py)
  podman runc debootstrap python3-yaml
  # tests and benchmarks
  git hyperfine
)

# node and npm render the job summary in a test (markdown-it, installed by npm ci); any node will do
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
