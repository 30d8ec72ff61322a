#!/usr/bin/env bash
# A small cluster on loopback: one PostgreSQL server holding tasks, queue, keys and ledger, API
# nodes (`dh serve --workers 0`) and render processes (`dh worker`) sharing one media directory.
#   scripts/cluster.sh run   [BUILD_DIR]   start everything, print the URLs and a key, and stop
#                                          it all on Ctrl-C (what `make run-cluster` does)
#   scripts/cluster.sh start [BUILD_DIR]   start in the background
#   scripts/cluster.sh stop                stop the nodes and the database
# Environment: DH_CLUSTER_DIR (default ./data/cluster), DH_CLUSTER_API_NODES (2),
# DH_CLUSTER_WORKERS (2), DH_CLUSTER_PORT (first API port, 8091), DH_CLUSTER_PG_PORT (54339).
# The media directory stands for a shared mount: on several machines every node mounts the same
# directory and points --db at the same server. All nodes hand out URLs under one public base (the
# first node here; a load balancer's address in a real deployment): any node serves any file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
action=${1:-run}
build_dir=${2:-build}
[[ "$build_dir" = /* ]] || build_dir="$root/$build_dir"
dh="$build_dir/src/cli/dh"
dir=${DH_CLUSTER_DIR:-$root/data/cluster}
api_nodes=${DH_CLUSTER_API_NODES:-2}
workers=${DH_CLUSTER_WORKERS:-2}
first_port=${DH_CLUSTER_PORT:-8091}
pg_port=${DH_CLUSTER_PG_PORT:-54339}
pids="$dir/pids"

stop_nodes() {
  [[ -f $pids ]] || return 0
  while read -r pid; do kill -TERM "$pid" 2>/dev/null || true; done <"$pids"
  while read -r pid; do
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done <"$pids"
  rm -f "$pids"
}

wait_for_port() {
  local port=$1
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "cluster.sh: API node on port $port did not come up; see $dir/logs" >&2
  return 1
}

start() {
  [[ -x $dh ]] || { echo "cluster.sh: $dh not built (run make build)" >&2; exit 1; }
  stop_nodes
  mkdir -p "$dir/logs" "$dir/media"
  db=$("$root/scripts/postgres.sh" start "$dir/pg" "$pg_port")
  key=$("$dh" keys --db "$db" ensure-dev --file "$dir/dev-api-key")
  public="http://127.0.0.1:$first_port"
  : >"$pids"
  for ((i = 0; i < api_nodes; ++i)); do
    port=$((first_port + i))
    DH_LOG_LEVEL=${DH_LOG_LEVEL:-info} "$dh" serve --host 127.0.0.1 --port "$port" --db "$db" \
      --media-dir "$dir/media" --workers 0 --public-url "$public" \
      >"$dir/logs/api-$i.out" 2>"$dir/logs/api-$i.log" &
    echo $! >>"$pids"
  done
  for ((i = 0; i < workers; ++i)); do
    "$dh" worker --db "$db" --media-dir "$dir/media" --public-url "$public" \
      >"$dir/logs/worker-$i.out" 2>"$dir/logs/worker-$i.log" &
    echo $! >>"$pids"
  done
  for ((i = 0; i < api_nodes; ++i)); do wait_for_port $((first_port + i)); done
  echo "Digital Human cluster on loopback"
  echo "  database:   $db"
  for ((i = 0; i < api_nodes; ++i)); do
    echo "  API node $i: http://127.0.0.1:$((first_port + i))   (logs: $dir/logs/api-$i.log)"
  done
  echo "  workers:    $workers dh worker processes   (logs: $dir/logs/worker-*.log)"
  echo "  media:      $dir/media (shared by all nodes)"
  echo "  API key:    $key"
  echo "Submit to any node and read the task from any other:"
  echo "  curl -s -H \"Authorization: Bearer $key\" -F file=@tests/data/faces/02_grace_hopper.jpg $public/v1/uploads"
}

case $action in
  start)
    start
    ;;
  run)
    start
    trap 'echo "stopping the cluster"; stop_nodes; "$root/scripts/postgres.sh" stop "$dir/pg"; exit 0' INT TERM
    echo "Ctrl-C stops the cluster."
    while true; do sleep 1; done
    ;;
  stop)
    stop_nodes
    "$root/scripts/postgres.sh" stop "$dir/pg"
    ;;
  *)
    echo "usage: $0 run|start|stop [BUILD_DIR]" >&2
    exit 2
    ;;
esac
