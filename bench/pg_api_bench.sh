#!/usr/bin/env bash
# Submit and GET throughput of the API on PostgreSQL, with wrk on loopback: one API node, then two
# API nodes driven at once (one wrk each, figures summed), no render workers (only the HTTP path and
# the store are measured). Submits use upload URLs of this server and an audio_id, so a submit is
# auth + checks + one transaction (task insert + balance hold + ledger + NOTIFY).
# Usage: bench/pg_api_bench.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
set -euo pipefail
source "$(dirname "$0")/pg_bench_common.sh"
pg_bench_start "${1:-build}" "${DH_BENCH_PG_PORT:-54352}"
seconds=${2:-10}
connections=${3:-32}
key=$("$dh" keys --db "$db" ensure-dev --file "$work/key")
auth="Authorization: Bearer $key"

# start_node INDEX [PUBLIC_URL]: sets node_url. Nodes share the first node's public URL, as behind
# one load balancer, so upload URLs are recognised as local media by every node.
start_node() {
  local i=$1
  "$dh" serve --port 0 --db "$db" --media-dir "$work/media" --workers 0 ${2:+--public-url "$2"} \
    --http-threads "${DH_BENCH_HTTP_THREADS:-$((connections + 4))}" --log-level warn >"$work/api-$i.out" 2>"$work/api-$i.log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q listening "$work/api-$i.out" 2>/dev/null && break; sleep 0.1; done
  node_url=$(sed -n 's/^listening on //p' "$work/api-$i.out")
}
start_node 0
node0=$node_url
image=$(curl -s -H "$auth" -F file=@"$root/tests/data/faces/02_grace_hopper.jpg" "$node0/v1/uploads" | json '["data"]["url"]')
audio=$(curl -s -H "$auth" -F file=@"$root/tests/data/speech/en_m_librivox_0870.wav" "$node0/v1/uploads" | json '["data"]["audio_id"]')
task=$(curl -s -H "$auth" -H "Content-Type: application/json" \
  -d "{\"image\":\"$image\",\"audio_id\":\"$audio\"}" "$node0/v1/videos/avatar/image2video" | json '["data"]["task_id"]')
cat >"$work/submit.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
wrk.body = '{"image":"$image","audio_id":"$audio","mode":"std"}'
LUA

# run NAME URL [wrk args...] over the given nodes at once; prints requests/s (sum) and p50/p99 of the first.
run() {
  local name=$1 path=$2
  shift 2
  local nodes=("$@") outs=() i=0
  for n in "${nodes[@]}"; do
    wrk -t1 -c"$connections" -d"${seconds}s" --latency -H "$auth" ${script:+-s "$script"} "$n$path" >"$work/wrk-$i.txt" &
    outs+=($!)
    i=$((i + 1))
  done
  for p in "${outs[@]}"; do wait "$p"; done
  local total=0 non2xx=0
  for ((j = 0; j < i; ++j)); do
    total=$(python3 -c "print($total + $(sed -n 's/^Requests\/sec: *//p' "$work/wrk-$j.txt"))")
    local bad
    bad=$(sed -n 's/.*Non-2xx or 3xx responses: *//p' "$work/wrk-$j.txt")
    non2xx=$((non2xx + ${bad:-0}))
  done
  local p50 p99
  p50=$(awk '$1=="50%"{print $2}' "$work/wrk-0.txt")
  p99=$(awk '$1=="99%"{print $2}' "$work/wrk-0.txt")
  printf '%-7s %-6s %10.0f %9s %9s %8s\n' "$name" "${#nodes[@]}" "$total" "$p50" "$p99" "$non2xx"
}

printf '%-7s %-6s %10s %9s %9s %8s\n' request nodes req_per_s p50 p99 non2xx
script="" run GET "/v1/videos/avatar/image2video/$task" "$node0"
script="$work/submit.lua" run submit "/v1/videos/avatar/image2video" "$node0"
start_node 1 "$node0"
node1=$node_url
script="" run GET "/v1/videos/avatar/image2video/$task" "$node0" "$node1"
script="$work/submit.lua" run submit "/v1/videos/avatar/image2video" "$node0" "$node1"
echo "tasks stored: $(psql -h 127.0.0.1 -p "$pg_port" -U postgres -d dh -Atc 'SELECT COUNT(*) FROM tasks')"
echo "($connections connections per node, ${seconds} s per run, $(nproc) cores shared by wrk, dh and PostgreSQL)"
