#!/usr/bin/env bash
# scripts/release_action.sh, run on a scratch copy of the repository's action.yml: the release's
# action.yml differs only in runs.image (docker://IMAGE:VERSION), is valid YAML, is written in
# place with -o, and a bad VERSION or IMAGE is refused with exit 2 and a message, nothing written.
# Needs neither root nor the image; scripts/test.sh runs it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/alembic-gate-release.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "release_action_test: FAIL: $*" >&2
  failures=$((failures + 1))
}

# The scratch copy: the script finds action.yml beside its own folder.
mkdir "$work/repo" "$work/repo/scripts"
cp "$root/action.yml" "$work/repo/action.yml"
cp "$root/scripts/release_action.sh" "$work/repo/scripts/"
script=$work/repo/scripts/release_action.sh
before=$(sha256sum <"$root/action.yml")

line=$(grep -nx '  image: Dockerfile' "$root/action.yml" | cut -d: -f1)
[ -n "$line" ] || { echo "release_action_test: action.yml has no '  image: Dockerfile' line" >&2; exit 1; }

# Python with PyYAML (Debian's python3-yaml), when there is one: PATH's python3 may be another.
yaml_python=
for candidate in /usr/bin/python3 python3; do
  if "$candidate" -c 'import yaml' 2>/dev/null; then yaml_python=$candidate; break; fi
done

# release_is VERSION IMAGE FILE: FILE is action.yml with only runs.image set to IMAGE:VERSION.
release_is() {
  local expected="docker://$2:$1" file=$3 changes
  changes=$(diff "$root/action.yml" "$file" || true)
  [ "$changes" = "${line}c$line
<   image: Dockerfile
---
>   image: $expected" ] || fail "$1: expected only line $line to change, to $expected; got:
$changes"
  if [ -n "$yaml_python" ]; then
    "$yaml_python" - "$root/action.yml" "$file" "$expected" <<'EOF' || fail "$1: not the same YAML but runs.image"
import sys, yaml
main, release = (yaml.safe_load(open(path)) for path in sys.argv[1:3])
assert main["runs"] == {"using": "docker", "image": "Dockerfile"}, main["runs"]
assert release["runs"] == {"using": "docker", "image": sys.argv[3]}, release["runs"]
release["runs"]["image"] = "Dockerfile"
assert release == main
EOF
  else
    # Without PyYAML: every other line is the main action.yml's (above), and the new one is a
    # plain scalar (no ': ', ' #', quotes) in the same place.
    grep -qxE '  image: docker://[a-z0-9._/:-]+' "$file" || fail "$1: the image line is no plain scalar"
  fi
}

# To stdout, the default image.
"$script" v1.2.3 >"$work/default.yml" 2>"$work/default.err" || fail "v1.2.3: exit $?: $(cat "$work/default.err")"
[ -s "$work/default.err" ] && fail "v1.2.3: wrote to stderr: $(cat "$work/default.err")"
release_is v1.2.3 ghcr.io/alembic-gate/alembic-gate "$work/default.yml"

# What the release workflow checks for: the owner's image, into action.yml itself (-o).
chmod 644 "$work/repo/action.yml"
"$script" -o "$work/repo/action.yml" v10.0.12 ghcr.io/acme-corp/alembic-gate ||
  fail "-o action.yml: exit $?"
release_is v10.0.12 ghcr.io/acme-corp/alembic-gate "$work/repo/action.yml"
[ "$(stat -c %a "$work/repo/action.yml")" = 644 ] || fail "-o changed action.yml's mode"
grep -qxF "  image: docker://ghcr.io/acme-corp/alembic-gate:v10.0.12" "$work/repo/action.yml" ||
  fail "the line .github/workflows/release.yml looks for is missing"
# Run again on a release's action.yml: refused, exit 1, the file unchanged.
cp "$work/repo/action.yml" "$work/released.yml"
code=0
"$script" -o "$work/repo/action.yml" v10.0.13 >"$work/again.out" 2>"$work/again.err" || code=$?
[ "$code" = 1 ] || fail "a release's action.yml: exit $code, expected 1"
grep -qF "no single '  image: Dockerfile' line" "$work/again.err" || fail "a release's action.yml: message: $(cat "$work/again.err")"
cmp -s "$work/released.yml" "$work/repo/action.yml" || fail "a refused run changed action.yml"
cp "$root/action.yml" "$work/repo/action.yml"

# refused EXPECTED_MESSAGE ARGUMENT...: exit 2, the message on stderr, nothing on stdout, and
# the -o file untouched.
refused() {
  local message=$1 code=0
  shift
  echo keep >"$work/target.yml"
  "$script" "$@" >"$work/refused.out" 2>"$work/refused.err" || code=$?
  [ "$code" = 2 ] || fail "$*: exit $code, expected 2"
  grep -qF -- "$message" "$work/refused.err" || fail "$*: stderr lacks '$message': $(cat "$work/refused.err")"
  [ -s "$work/refused.out" ] && fail "$*: wrote to stdout"
  "$script" -o "$work/target.yml" "$@" 2>/dev/null && fail "-o $*: accepted"
  [ "$(cat "$work/target.yml")" = keep ] || fail "-o $*: the file was written"
}
for version in 1.2.3 v1.2 v1.2.3.4 v01.2.3 v1.2.3-rc.1 V1.2.3 "v1.2.3 " '' 'v1.2.3;id'; do
  refused "VERSION must look like v1.2.3" "$version"
done
for image in GHCR.io/acme/alembic-gate ghcr.io/acme/alembic-gate:v1 'ghcr.io/acme/alembic-gate@sha256:00' \
  alembic-gate ghcr.io/acme/ 'ghcr.io/acme/a b' 'ghcr.io/acme/x"y'; do
  refused "IMAGE must be a lower-case image name" v1.2.3 "$image"
done
refused "expected VERSION" v1.2.3 ghcr.io/a/b extra
code=0
"$script" >/dev/null 2>"$work/none.err" || code=$?
{ [ "$code" = 2 ] && grep -qF "usage:" "$work/none.err"; } || fail "no arguments: exit $code, $(cat "$work/none.err")"

[ "$(sha256sum <"$root/action.yml")" = "$before" ] || fail "the repository's action.yml changed"
if [ "$failures" -gt 0 ]; then
  echo "release_action_test: $failures failure(s)"
  exit 1
fi
echo "release_action_test: passed (YAML parsed with ${yaml_python:-no PyYAML: line checks only})"
