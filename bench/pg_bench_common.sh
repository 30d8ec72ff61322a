# Shared set-up of the benchmarks that run on a private PostgreSQL server (sourced, not run):
# `pg_bench_start BUILD_DIR PORT` sets root, build_dir, dh, work, pg_port and db (the server's
# URL), and on exit stops every process in `pids`, the server and the scratch directory.
# `json PATH` prints a field of the JSON on standard input, e.g. json '["data"]["url"]'.
pg_bench_start() {
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  build_dir=$1
  pg_port=$2
  [[ "$build_dir" = /* ]] || build_dir="$root/$build_dir"
  dh="$build_dir/src/cli/dh"
  work=$(mktemp -d)
  chmod 755 "$work"  # the database server runs as the postgres user
  pids=()
  trap pg_bench_cleanup EXIT
  db=$("$root/scripts/postgres.sh" start "$work/pg" "$2")
}

pg_bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$root/scripts/postgres.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1"; }
