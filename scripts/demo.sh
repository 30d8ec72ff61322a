#!/usr/bin/env bash
# Renders a demo video through a running `dh serve`: uploads a portrait and a voice recording,
# submits a Kling avatar task, waits until it has succeeded and prints the MP4's URL (last line of
# stdout; progress goes to stderr). `make run` prints this command with its key and URL filled in.
#
#   scripts/demo.sh API_KEY BASE_URL [IMAGE] [AUDIO]
#
# IMAGE and AUDIO default to tests/data/faces/02_grace_hopper.jpg and
# tests/data/speech/en_m_jfk.wav. Needs curl and python3. DH_DEMO_TIMEOUT (seconds, default 600)
# bounds the wait.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if (($# < 2)); then
  echo "usage: $0 API_KEY BASE_URL [IMAGE] [AUDIO]   (make run prints the key and the URL)" >&2
  exit 2
fi
key=$1
base=${2%/}
image=${3:-$root/tests/data/faces/02_grace_hopper.jpg}
audio=${4:-$root/tests/data/speech/en_m_jfk.wav}
timeout=${DH_DEMO_TIMEOUT:-600}
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "demo: needs $tool (scripts/setup.sh installs it)" >&2; exit 1; }
done
for f in "$image" "$audio"; do
  [[ -f "$f" ]] || { echo "demo: no such file: $f" >&2; exit 1; }
done

# Reads a JSON envelope on stdin; prints the field at the dotted path, or fails with the message.
field() {
  python3 -c 'import json, sys
text = sys.stdin.read()
try:
    v = json.loads(text)
except ValueError:
    sys.exit("demo: not JSON from the server: " + text[:300])
if v.get("code", 0) != 0:
    sys.exit("demo: the server answered code %s: %s" % (v.get("code"), v.get("message")))
for k in sys.argv[1].split("."):
    v = v[int(k)] if k.isdigit() else v[k]
print(v)' "$1"
}

api() { curl -sS -H "Authorization: Bearer $key" "$@"; }

start=$(date +%s)
echo "demo: uploading $(basename "$image") and $(basename "$audio") to $base" >&2
image_url=$(api -F "file=@$image" "$base/v1/uploads" | field data.url)
audio_url=$(api -F "file=@$audio" "$base/v1/uploads" | field data.url)

task_id=$(api -X POST -H "Content-Type: application/json" \
  -d "{\"image\": \"$image_url\", \"sound_file\": \"$audio_url\", \"mode\": \"std\"}" \
  "$base/v1/videos/avatar/image2video" | field data.task_id)
echo "demo: task $task_id submitted; waiting for the render" >&2

last=""
while :; do
  task=$(api "$base/v1/videos/avatar/image2video/$task_id")
  status=$(echo "$task" | field data.task_status)
  if [[ "$status" != "$last" ]]; then echo "demo: $status ($(($(date +%s) - start)) s)" >&2; last=$status; fi
  case "$status" in
    succeed) break ;;
    failed)
      echo "demo: the task failed: $(echo "$task" | field data.task_status_msg)" >&2
      exit 1 ;;
  esac
  if (($(date +%s) - start > timeout)); then
    echo "demo: still $status after $timeout s; giving up (the task keeps running)" >&2
    exit 1
  fi
  sleep 1
done
duration=$(echo "$task" | field data.task_result.videos.0.duration)
echo "demo: done in $(($(date +%s) - start)) s, $duration s of video:" >&2
echo "$task" | field data.task_result.videos.0.url
