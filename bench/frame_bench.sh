#!/usr/bin/env bash
# Frame-synthesis benchmark: per-frame time of the talking face (warp + mouth interior + lids),
# without encoding, on one core, for every shared face at std and pro, driven by the motion plan
# of a real 29 s voice. Then the whole `dh render` against the ffmpeg still-image bound.
# Usage: bench/frame_bench.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$root/build}
bench="$build_dir/tests/render/frame_bench"
voice="$root/tests/data/speech/fr_f_asterisk_demo-congrats.mp3"

for mode in std pro; do
  for face in "$root"/tests/data/faces/*; do
    printf '%-36s ' "$(basename "$face")"
    "$bench" --image "$face" --audio "$voice" --mode "$mode" --threads 1 2>/dev/null
  done
done

# The whole render (decode, face analysis, speech, synthesis, encoding) of a 60 s voice.
"$root/bench/render_bench.sh" "$build_dir"
