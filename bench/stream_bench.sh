#!/usr/bin/env bash
# Time from submit to the first playable frame of a task's live stream: POST a Kling task with a
# 30 s voice, poll it until `task_info.stream_url` appears, then run ffprobe on the stream until it
# decodes a frame. Prints each run and p50/p95 of both times.
# Usage: bench/stream_bench.sh [build-dir] [runs] [std|pro] [url|base64] [renders-already-running]
#   url: the photo and voice are upload URLs of the server; base64: both go in the request body.
#   renders-already-running: tasks submitted first (and kept busy) so the runs compete with them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-build}
[[ "$build_dir" = /* ]] || build_dir="$root/$build_dir"
runs=${2:-10}
mode=${3:-std}
input=${4:-url}
busy=${5:-0}
dh="$build_dir/src/cli/dh"
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# A 30 s voice: the 7 s LibriVox clip four times and a bit, as WAV.
ffmpeg -v error -stream_loop 4 -i "$root/tests/data/speech/en_m_librivox_0870.wav" -t 30 \
  -ac 1 -ar 16000 "$work/voice.wav"

key=$("$dh" keys --db "$work/db.sqlite" ensure-dev --file "$work/key")
"$dh" serve --port 0 --db "$work/db.sqlite" --media-dir "$work/media" \
  --workers $((busy + 1)) --log-level warn > "$work/out" 2> "$work/err" &
server_pid=$!
for _ in $(seq 50); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/out")

python3 - "$base" "$key" "$root/tests/data/faces/02_grace_hopper.jpg" "$work/voice.wav" \
  "$runs" "$mode" "$input" "$busy" <<'PY'
import base64, json, statistics, subprocess, sys, time, urllib.request

base, key, photo, voice, runs, mode, how, busy = sys.argv[1:]
runs, busy = int(runs), int(busy)
auth = {"Authorization": "Bearer " + key}

def call(path, body=None, headers=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    h = dict(auth, **(headers or {}))
    if body is not None:
        h["Content-Type"] = "application/json"
    with urllib.request.urlopen(urllib.request.Request(base + path, data=data, headers=h)) as r:
        return json.load(r)

def upload(path):
    with open(path, "rb") as f:
        raw = f.read()
    return call("/v1/uploads", raw=raw, headers={"Content-Type": "application/octet-stream"})["data"]["url"]

if how == "url":
    inputs = {"image": upload(photo), "sound_file": upload(voice)}
else:
    inputs = {"image": base64.b64encode(open(photo, "rb").read()).decode(),
              "sound_file": base64.b64encode(open(voice, "rb").read()).decode()}

def submit():
    return call("/v1/videos/avatar/image2video", dict(inputs, mode=mode))["data"]["task_id"]

def status(task):
    return call("/v1/videos/avatar/image2video/" + task)["data"]

background = [submit() for _ in range(busy)]
if busy:  # wait until they render
    while not all(status(t)["task_status"] == "processing" for t in background):
        time.sleep(0.05)

def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]

load_before = load()
to_url, to_frame = [], []
for i in range(runs):
    start = time.monotonic()
    task = submit()
    while True:
        data = status(task)
        url = data["task_info"].get("stream_url")
        if url:
            break
        if data["task_status"] in ("succeed", "failed"):
            sys.exit("task ended without a stream: " + json.dumps(data))
        time.sleep(0.01)
    got_url = time.monotonic() - start
    while True:
        out = subprocess.run(["ffprobe", "-v", "error", "-analyzeduration", "0", "-probesize", "32768",
                              "-select_streams", "v:0", "-read_intervals",
                              "%+#1", "-show_entries", "frame=best_effort_timestamp_time",
                              "-of", "csv=p=0", url], capture_output=True, text=True).stdout
        if out.strip():
            break
    got_frame = time.monotonic() - start
    still = status(task)["task_status"]
    to_url.append(got_url)
    to_frame.append(got_frame)
    print(f"run {i + 1}: stream_url after {got_url:.3f} s, first frame read after {got_frame:.3f} s"
          f" (task {still} then)", flush=True)
    while status(task)["task_status"] not in ("succeed", "failed"):
        time.sleep(0.1)
    # Keep the background renders going.
    for j, t in enumerate(background):
        if status(t)["task_status"] in ("succeed", "failed"):
            background[j] = submit()

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

print(f"== {mode}, {how} inputs, {busy} renders already running, {runs} runs"
      f" (load average {load_before} before, {load()} after)")
print(f"stream_url:  p50 {pct(to_url, 50):.3f} s  p95 {pct(to_url, 95):.3f} s")
print(f"first frame: p50 {pct(to_frame, 50):.3f} s  p95 {pct(to_frame, 95):.3f} s")
PY
