#!/bin/bash
# The action image's ENTRYPOINT: runs alembic-gate with the container's arguments, then gives
# what the run wrote into the workspace back to the workspace's owner. GitHub runs the container
# as root, so reports, pip's *.egg-info and __pycache__ folders would stay owned by root and break
# later steps and the runner's cleanup on self-hosted runners.
#
# bash, not sh: the runner passes inputs as INPUT_<NAME> with hyphens kept (INPUT_DATABASE-URL);
# bash passes such variables on to the programs it starts, dash drops them.
set -u

binary=/usr/local/bin/alembic-gate
workspace=${GITHUB_WORKSPACE:-}

# Nothing to give back without a workspace, or when root owns it (then no wrapper at all).
if [ -z "$workspace" ] || [ -L "$workspace" ] || [ ! -d "$workspace" ]; then exec "$binary" "$@"; fi
owner=$(stat -c %u:%g -- "$workspace") || exec "$binary" "$@"
[ "${owner%%:*}" != 0 ] || exec "$binary" "$@"
# The run's start: what changes after it was made (its ctime is newer) is the run's doing.
marker=$(mktemp /tmp/alembic-gate-start.XXXXXX) || exec "$binary" "$@"

# We are PID 1: a signal reaches the binary only through us. It cleans up its scratch databases
# on each of these and exits 128+signal; we wait for that.
child='' pending='' interrupted=0
# shellcheck disable=SC2317  # called by the traps
forward() {
  interrupted=1
  if [ -n "$child" ]; then kill -s "$1" "$child" 2>/dev/null; else pending=$1; fi
}
# shellcheck disable=SC2064  # the signal's name is meant to expand now
for signal in TERM INT HUP QUIT; do trap "forward $signal" "$signal"; done

# A background command of a script starts with SIGINT and SIGQUIT ignored and stdin on /dev/null;
# the binary keeps ignoring what was ignored at its start, so undo both.
( trap - INT QUIT; exec "$binary" "$@" ) <&0 &
child=$!
[ -z "$pending" ] || kill -s "$pending" "$child" 2>/dev/null
# A trapped signal ends `wait` early (128+signal) while the binary runs on: wait again. A child
# already reaped still gives its own status, and 128+signal when a signal killed it.
while :; do
  interrupted=0
  wait "$child"
  status=$?
  [ "$interrupted" = 1 ] || break
done

# Only root's files, only those the run made or changed (status changed after the marker's
# making), only on the workspace's file system (-xdev still lists a mount point inside it: the
# device filter drops it), never through links (find does not follow them; chown -h changes the
# link itself).
device=$(stat -c %d -- "$workspace")
find "$workspace" -xdev -cnewer "$marker" -user 0 -printf '%D %p\0' |
  sed -zn "s|^$device ||p" | xargs -0r chown -h -- "$owner" ||
  echo "alembic-gate: could not give every file written in $workspace back to $owner" >&2
rm -f -- "$marker"
exit "$status"
