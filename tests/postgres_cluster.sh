#!/usr/bin/env bash
# The test suite's PostgreSQL: a throwaway cluster in a temporary folder, started once per ctest
# run (a ctest fixture) and removed afterwards.
#   postgres_cluster.sh start STATE_DIR   -> writes STATE_DIR/url (postgresql://postgres@127.0.0.1:PORT/postgres)
#   postgres_cluster.sh stop STATE_DIR
# initdb refuses to run as root, so as root the server runs as the postgres user.
set -euo pipefail
action=$1
state=$2

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "postgres_cluster: no PostgreSQL server found (apt-get install postgresql)" >&2; exit 1; }
as_owner=()
[ "$(id -u)" -eq 0 ] && as_owner=(runuser -u postgres --)

stop() {
  [ -f "$state/dir" ] || return 0
  local dir
  dir=$(cat "$state/dir")
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir" "$state/dir" "$state/url"
}

case "$action" in
  start)
    mkdir -p "$state"
    stop
    dir=$(mktemp -d /tmp/alembic-gate-test-pg.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$state/initdb.log" 2>&1 \
      || { cat "$state/initdb.log" >&2; exit 1; }
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -w -l "$dir/server.log" \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "$dir" >"$state/dir"
    echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$state/url"
    echo "postgres_cluster: $(cat "$state/url")"
    ;;
  stop)
    stop
    ;;
  *)
    echo "usage: $0 start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
