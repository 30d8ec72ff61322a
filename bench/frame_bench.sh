#!/usr/bin/env bash
# Frame-synthesis benchmark: per-frame time of the talking face (warp + mouth interior + lids +
# gaze), without encoding, on one core, for every shared face at std and pro, driven by the motion
# plan of a real 29 s voice. Then the whole `dh render` against the ffmpeg still-image bound.
# Usage: bench/frame_bench.sh [BUILD_DIR]
#        bench/frame_bench.sh BUILD_DIR sheets [REAL_CLIPS_DIR]
# The second form writes the contact sheets (docs/contact_sheets) and, when the real talking
# clips are at hand (default ../shared/media/real), the mouth comparison sheets
# (docs/mouth_comparison) instead of timing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$root/build}
bench="$build_dir/tests/render/frame_bench"
voice="$root/tests/data/speech/fr_f_asterisk_demo-congrats.mp3"

if [[ ${2:-} == sheets ]]; then
  real=${3:-$root/../shared/media/real}
  mkdir -p "$root/docs/contact_sheets" "$root/docs/mouth_comparison"
  for face in "$root"/tests/data/faces/*; do
    name=$(basename "${face%.*}")
    "$bench" --image "$face" --sheet "$root/docs/contact_sheets/$name.png" --mode std 2>/dev/null
    if [[ $name == 02_grace_hopper ]]; then  # pro's finer detail, on the most detailed photo
      "$bench" --image "$face" --sheet "$root/docs/contact_sheets/${name}_pro.png" --mode pro \
        2>/dev/null
    fi
    if [[ -d $real ]]; then
      "$bench" --image "$face" --sheet "$root/docs/mouth_comparison/$name.png" --mode std \
        --compare "$real" 2>/dev/null
    fi
  done
  exit 0
fi

for mode in std pro; do
  for face in "$root"/tests/data/faces/*; do
    printf '%-36s ' "$(basename "$face")"
    "$bench" --image "$face" --audio "$voice" --mode "$mode" --threads 1 2>/dev/null
  done
done

# The whole render (decode, face analysis, speech, synthesis, encoding) of a 60 s voice.
"$root/bench/render_bench.sh" "$build_dir"
