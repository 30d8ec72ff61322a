#!/usr/bin/env bash
# HTTP throughput of `dh serve` on loopback with wrk: GET of one task, and Kling submits whose
# inputs are local upload URLs (validated when uploaded, so a submit is auth + checks + insert).
# The server runs without render workers so only the HTTP path is measured.
# Usage: bench/http_bench.sh [build-dir] [seconds] [connections]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-build}
[[ "$build_dir" = /* ]] || build_dir="$root/$build_dir"
seconds=${2:-10}
connections=${3:-32}
dh="$build_dir/src/cli/dh"
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

key=$("$dh" keys --db "$work/db.sqlite" ensure-dev --file "$work/key")
"$dh" serve --port 0 --db "$work/db.sqlite" --media-dir "$work/media" --workers 0 \
  --http-threads "${DH_BENCH_HTTP_THREADS:-64}" --log-level warn > "$work/out" 2> "$work/err" &
server_pid=$!
for _ in $(seq 50); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/out")
auth="Authorization: Bearer $key"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1"; }
image=$(curl -s -H "$auth" -F file=@"$root/tests/data/faces/02_grace_hopper.jpg" "$base/v1/uploads" | json '["data"]["url"]')
audio=$(curl -s -H "$auth" -F file=@"$root/tests/data/speech/en_m_librivox_0870.wav" "$base/v1/uploads" | json '["data"]["url"]')
task=$(curl -s -H "$auth" -H "Content-Type: application/json" \
  -d "{\"image\":\"$image\",\"sound_file\":\"$audio\"}" "$base/v1/videos/avatar/image2video" | json '["data"]["task_id"]')

echo "== GET $base/v1/videos/avatar/image2video/$task ($connections connections, ${seconds}s)"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "$auth" "$base/v1/videos/avatar/image2video/$task"

cat > "$work/submit.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
wrk.body = '{"image":"$image","sound_file":"$audio","mode":"std"}'
LUA
echo "== POST $base/v1/videos/avatar/image2video with local upload URLs ($connections connections, ${seconds}s)"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/submit.lua" "$base/v1/videos/avatar/image2video"
echo "== non-2xx answers during the runs: $(curl -s "$base/metrics" | grep -c 'dh_http_requests_total{route="kling_[a-z]*",status="[^2]' || true) kinds"
