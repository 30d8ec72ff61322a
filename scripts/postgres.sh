#!/usr/bin/env bash
# A private PostgreSQL server on loopback for tests and for `make run-cluster`, from Debian's
# postgresql package. Usage:
#   scripts/postgres.sh start [DIR] [PORT]   initialise (once) and start; prints the connection URL
#   scripts/postgres.sh stop  [DIR]
#   scripts/postgres.sh url   [DIR] [PORT]
# The server runs as the `postgres` system user when started by root (PostgreSQL refuses root).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
action=${1:-start}
dir=${2:-$root/build/pg}
port=${3:-${DH_PG_PORT:-54329}}
database=dh

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z $bin ]]; then
  echo "postgres.sh: PostgreSQL server binaries not found; run scripts/setup.sh" >&2
  exit 1
fi

as_owner() {
  # From / : the caller's folder may be one the postgres user cannot enter.
  if [[ $(id -u) -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Where the cluster lives: DIR itself, unless root runs this and the postgres user cannot reach
# DIR (a checkout under /root, which is mode 700); then a private folder under /var/tmp, whose
# path is kept in DIR/cluster so that stop finds it again.
cluster_dir() {
  if [[ -f $dir/cluster ]]; then
    cat "$dir/cluster"
  elif [[ $(id -u) -eq 0 ]] && ! (cd / && runuser -u postgres -- test -w "$dir"); then
    local private
    private=$(mktemp -d /var/tmp/dh-postgres.XXXXXX)
    chown postgres:postgres "$private"
    echo "$private" >"$dir/cluster"
    echo "$private"
  else
    echo "$dir"
  fi
}

url() { echo "postgresql://postgres@127.0.0.1:$port/$database"; }

case $action in
  start)
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$dir"; fi
    cluster=$(cluster_dir)
    if [[ ! -f $cluster/data/PG_VERSION ]]; then
      as_owner "$bin/initdb" -D "$cluster/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log"
    fi
    if ! as_owner "$bin/pg_ctl" -D "$cluster/data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
        -o "-p $port -k $cluster -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on" start >/dev/null
    fi
    if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -Atc "select 1 from pg_database where datname='$database'" postgres | grep -q 1; then
      "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$database"
    fi
    url
    ;;
  stop)
    if [[ -d $dir ]]; then
      as_owner "$bin/pg_ctl" -D "$(cluster_dir)/data" -m fast stop >/dev/null 2>&1 || true
    fi
    ;;
  url)
    url
    ;;
  *)
    echo "usage: $0 start|stop|url [DIR] [PORT]" >&2
    exit 2
    ;;
esac
