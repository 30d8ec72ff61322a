#!/usr/bin/env bash
# Task throughput of a cluster on this machine: one API node (`dh serve --workers 0`) and 1, 2
# and 3 `dh worker` processes (one render thread each) on a private PostgreSQL server. Each run
# submits TASKS std tasks with a real 2.2 s voice and times submit-to-last-success.
# Rendering is CPU-bound: on a 2-core machine more than two workers cannot add throughput.
# Usage: bench/cluster_bench.sh [BUILD_DIR] [TASKS] [WORKER_COUNTS]
set -euo pipefail
source "$(dirname "$0")/pg_bench_common.sh"
pg_bench_start "${1:-build}" "${DH_BENCH_PG_PORT:-54351}"
tasks=${2:-24}
counts=${3:-"1 2 3"}
base_url=$db
psql="psql -q -h 127.0.0.1 -p $pg_port -U postgres"
ffmpeg -v error -y -i "$root/tests/data/speech/en_m_jfk.wav" -t 2.2 "$work/voice.wav"

# load_1min: the machine's load average when the run ended (other jobs skew the figures).
printf '%-8s %-6s %-8s %-14s %-19s %-10s %s\n' workers tasks wall_s tasks_per_min video_s_per_wall_s load_1min cores
for n in $counts; do
  $psql -d postgres -c "DROP DATABASE IF EXISTS bench_$n" -c "CREATE DATABASE bench_$n" 2>/dev/null
  db="${base_url%/dh}/bench_$n"
  media="$work/media-$n"
  key=$("$dh" keys --db "$db" ensure-dev --file "$work/key-$n")
  "$dh" serve --port 0 --db "$db" --media-dir "$media" --workers 0 --log-level warn \
    >"$work/api-$n.out" 2>"$work/api-$n.log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q listening "$work/api-$n.out" 2>/dev/null && break; sleep 0.1; done
  api=$(sed -n 's/^listening on //p' "$work/api-$n.out")
  auth="Authorization: Bearer $key"
  image=$(curl -s -H "$auth" -F file=@"$root/tests/data/faces/02_grace_hopper.jpg" "$api/v1/uploads" | json '["data"]["url"]')
  audio=$(curl -s -H "$auth" -F file=@"$work/voice.wav" "$api/v1/uploads" | json '["data"]["audio_id"]')
  worker_pids=()
  for ((w = 0; w < n; ++w)); do
    "$dh" worker --db "$db" --media-dir "$media" --public-url "$api" --threads 1 --log-level warn \
      >"$work/worker-$n-$w.out" 2>"$work/worker-$n-$w.log" &
    worker_pids+=($!)
    pids+=($!)
  done
  for ((w = 0; w < n; ++w)); do
    for _ in $(seq 100); do grep -q ready "$work/worker-$n-$w.out" 2>/dev/null && break; sleep 0.1; done
  done
  start=$(date +%s.%N)
  for ((i = 0; i < tasks; ++i)); do
    curl -s -o /dev/null -H "$auth" -H "Content-Type: application/json" \
      -d "{\"image\":\"$image\",\"audio_id\":\"$audio\",\"mode\":\"std\"}" \
      "$api/v1/videos/avatar/image2video"
  done
  while true; do
    done_count=$($psql -d "bench_$n" -Atc "SELECT COUNT(*) FROM tasks WHERE status IN ('succeed','failed')")
    ((done_count >= tasks)) && break
    sleep 0.2
  done
  end=$(date +%s.%N)
  failed=$($psql -d "bench_$n" -Atc "SELECT COUNT(*) FROM tasks WHERE status = 'failed'")
  seconds=$($psql -d "bench_$n" -Atc "SELECT SUM(video_seconds) FROM tasks")
  python3 - "$n" "$tasks" "$start" "$end" "$seconds" "$(cut -d' ' -f1 /proc/loadavg)" "$(nproc)" <<'PY'
import sys
n, tasks, start, end, video, load, cores = sys.argv[1:]
wall = float(end) - float(start)
print(f"{n:<8} {tasks:<6} {wall:<8.1f} {int(tasks) / wall * 60:<14.1f} {float(video) / wall:<19.2f} {load:<10} {cores}")
PY
  [[ $failed == 0 ]] || echo "  ($failed tasks failed; see $work)" >&2
  for p in "${worker_pids[@]}"; do kill -TERM "$p"; done
  for p in "${worker_pids[@]}"; do wait "$p" 2>/dev/null || true; done
done
