#!/usr/bin/env bash
# Writes the action.yml of a release: the repository's action.yml with its one line
#   runs.image: Dockerfile
# replaced by the image .github/workflows/release.yml publishes for the release's tag,
#   runs.image: docker://IMAGE:VERSION
# and nothing else changed. Workflows that use the release then pull that image instead of
# building the Dockerfile on every job.
#
#   scripts/release_action.sh [-o FILE] VERSION [IMAGE]
#
# VERSION: vMAJOR.MINOR.PATCH, the tags the release workflow runs for (e.g. v1.2.3).
# IMAGE:   the image's name without tag, lower case (default ghcr.io/alembic-gate/alembic-gate;
#          the release workflow pushes ghcr.io/<the repository's owner, lower-cased>/alembic-gate).
# -o FILE: write FILE (action.yml itself is fine: it is read whole first) instead of stdout.
#
# Exit 0; 2 for a bad VERSION, IMAGE or usage; 1 when action.yml has no single
# `  image: Dockerfile` line under `runs:` (a release's action.yml already, or a changed layout).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
default_image=ghcr.io/alembic-gate/alembic-gate

usage() {
  echo "release_action: $1" >&2
  echo "usage: scripts/release_action.sh [-o FILE] VERSION [IMAGE]   (e.g. v1.2.3 $default_image)" >&2
  exit 2
}

output=
if [ "${1:-}" = -o ]; then
  [ $# -ge 2 ] || usage "-o needs a file"
  output=$2
  shift 2
fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage "expected VERSION and optionally IMAGE, got $# argument(s)"; fi
version=$1
image=${2:-$default_image}

# The release workflow's tag filter is v[0-9]+.[0-9]+.[0-9]+; no leading zeros, as in semver.
number='(0|[1-9][0-9]*)'
[[ $version =~ ^v$number\.$number\.$number$ ]] ||
  usage "VERSION must look like v1.2.3 (vMAJOR.MINOR.PATCH, the release tag), not '$version'"
# A registry host (optionally :port) and a path, as Docker's reference grammar spells names;
# image names are lower case; the tag is VERSION, so none may be given here.
part='[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*'
[[ $image =~ ^$part(:[0-9]+)?(/$part)+$ ]] ||
  usage "IMAGE must be a lower-case image name without tag or digest (e.g. $default_image), not '$image'"

written=$(mktemp)
trap 'rm -f "$written"' EXIT
if ! awk -v line="  image: docker://$image:$version" '
    /^[^ #]/ { section = $0 }
    section == "runs:" && $0 == "  image: Dockerfile" { print line; replaced++; next }
    { print }
    END { exit replaced == 1 ? 0 : 1 }' "$root/action.yml" >"$written"; then
  echo "release_action: $root/action.yml has no single '  image: Dockerfile' line under 'runs:'" \
    "(is it a release's action.yml already?)" >&2
  exit 1
fi
if [ -n "$output" ]; then
  cat "$written" >"$output"  # into the file itself: it keeps its mode
else
  cat "$written"
fi
