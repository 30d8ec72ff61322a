#!/usr/bin/env bash
# Live sessions through a real `dh serve`: time from `say` to the first fragment holding the new
# speech (p50, p95), from `interrupt` to speaking_ended, and, over about a minute of continuous
# speech, the spread of the fragments' arrival against the media clock (the server draws up to
# 0.08 s ahead: behind real time = spread - 0.08 s - one frame, when positive) and the silence the
# utterance had between its sentences.
# Usage: bench/live_bench.sh [build-dir] [runs] [std|pro]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-build}
[[ "$build_dir" = /* ]] || build_dir="$root/$build_dir"
runs=${2:-20}
mode=${3:-std}
dh="$build_dir/src/cli/dh"
client="$build_dir/tests/live/live_bench_client"
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# About a minute of speech: two `say`s (paragraphs; each under the 1000-character limit), sent at
# once so the second plays right after the first.
cat > "$work/long.txt" <<'TEXT'
Thank you for calling. Today I would like to walk you through the new service from the start.
First, you send one photo of the presenter and a voice, or simply the text you want spoken.
The server finds the face, learns its shape and colours, and prepares everything it needs once.
Then every sentence you type is turned into sound and into the movements of the lips and jaw.
The head nods on the stressed words, the brows rise a little, and the eyes move as people do.
Between sentences the face keeps listening: it blinks, breathes and moves a little, as we all do.
Nothing here needs a graphics card or downloaded weights; two ordinary processor cores are enough.
The picture and the sound leave the server in small pieces, so playback starts almost at once.
If you change your mind, you can interrupt at any moment and the speech stops right away.
That is all for this short tour. Thank you for listening, and have a wonderful day.

One more thing before you go. Sessions are charged only for the seconds of speech they play.
Listening costs nothing, so a session can wait quietly for the next question as long as you like.
When you close the page or the connection, everything the session held is freed at once.
You can also send your own recorded voice, and the face will speak it with the same care.
TEXT

key=$("$dh" keys --db "$work/db.sqlite" ensure-dev --file "$work/key")
"$dh" serve --port 0 --db "$work/db.sqlite" --media-dir "$work/media" --log-level warn \
  > "$work/out" 2> "$work/err" &
server_pid=$!
for _ in $(seq 50); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/out")

ws_url=$(python3 - "$base" "$key" "$root/tests/data/faces/02_grace_hopper.jpg" "$mode" <<'PY'
import base64, json, sys, urllib.request
base, key, photo, mode = sys.argv[1:]
body = {"image": base64.b64encode(open(photo, "rb").read()).decode(), "mode": mode,
        "voice_id": "en_us_female"}
req = urllib.request.Request(base + "/v1/live/sessions", data=json.dumps(body).encode(),
                             headers={"Authorization": "Bearer " + key,
                                      "Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req))["data"]["ws_url"])
PY
)

fps=25
[[ "$mode" == pro ]] && fps=30
"$client" "$ws_url" "$runs" "$work/long.txt" "$fps" | tee "$work/results"
python3 - "$work/results" "$mode" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
for name, column in (("say", 1), ("interrupt", 1), ("interrupt", 2)):
    v = [float(r[column]) * 1000 for r in rows if r and r[0] == name]
    label = "speech drawn past the interrupt" if column == 2 else name
    if v:
        print(f"{label}: n={len(v)} p50={pct(v, 50):.0f} ms p95={pct(v, 95):.0f} ms max={max(v):.0f} ms")
for name in ("spread", "gap"):
    v = [float(r[1]) * 1000 for r in rows if r and r[0] == name]
    if v:
        print(f"{name}: {v[0]:.0f} ms")
        if name == "spread":
            frame = 1000 / (30 if sys.argv[2] == "pro" else 25)
            print(f"behind real time: {max(0.0, v[0] - 80 - frame):.0f} ms")
PY
