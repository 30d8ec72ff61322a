#!/usr/bin/env bash
# Contact sheets of the prompt's effect: one face and voice rendered under the API documents'
# example prompts and targeted ones; per prompt, four frames (1, 3, 5 and 7 s) side by side in
# docs/prompt_sheets/<name>.png, the empty prompt's frames above for comparison.
# Usage: bench/prompt_sheets.sh [BUILD_DIR] [FACE CROP]
#   CROP: the face's part of the frame, as ffmpeg crop arguments (default: the astronaut's face).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$root/build}
face=${2:-$root/tests/data/faces/01_astronaut_eileen_collins.png}
crop=${3:-iw*0.34:ih*0.29:iw*0.27:ih*0.03}
voice="$root/tests/data/speech/en_m_jfk.wav"
out="$root/docs/prompt_sheets"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# name|prompt
prompts=(
  "none|"
  "teacher|professional teacher, warm smile, stable camera, natural lip sync"
  "news_anchor|news anchor style, formal tone, stable frontal shot, neutral expression"
  "spokesperson|premium corporate spokesperson video, clean studio background, confident expression"
  "big_smile|a very big smile"
  "surprised|surprised"
  "concerned|concerned, a little sad"
  "lively|excited and energetic"
  "zh_smile_calm|微笑，平静"
  "push_in|slow zoom in"
)

row() {  # row NAME PROMPT -> $work/NAME.png (four frames side by side)
  "$build_dir/src/cli/dh" render --image "$face" --audio "$voice" --prompt "$2" \
    --output "$work/$1.mp4" --progress none >/dev/null
  ffmpeg -v error -y -i "$work/$1.mp4" \
    -vf "select=eq(n\,25)+eq(n\,75)+eq(n\,125)+eq(n\,175),crop=$crop,scale=-2:300,tile=4x1" \
    -frames:v 1 "$work/$1.png"
}

for entry in "${prompts[@]}"; do
  row "${entry%%|*}" "${entry#*|}"
done
for entry in "${prompts[@]:1}"; do
  name=${entry%%|*}
  ffmpeg -v error -y -i "$work/none.png" -i "$work/$name.png" -filter_complex vstack \
    "$out/$name.png"
  echo "$out/$name.png: \"${entry#*|}\" (below) against no prompt (above)" >&2
done
