#!/usr/bin/env bash
# Contact sheets of the prompt's effect: one face and voice rendered under the API documents'
# example prompts and targeted ones; per prompt, four frames side by side in
# docs/prompt_sheets/<name>.png, the same frames without the prompt above for comparison.
# Expression and gesture rows show the face (CROP); camera rows show the whole frame, so that
# the frame's edges can be checked. Rows at 1, 3, 5 and 7 s unless the entry gives frames.
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

seconds="25 75 125 175"
# name|prompt|view (face or frame)
prompts=(
  "teacher|professional teacher, warm smile, stable camera, natural lip sync|face"
  "news_anchor|news anchor style, formal tone, stable frontal shot, neutral expression|face"
  "spokesperson|premium corporate spokesperson video, clean studio background, confident expression|face"
  "big_smile|a very big smile|face"
  "surprised|surprised|face"
  "concerned|concerned, a little sad|face"
  "lively|excited and energetic|face"
  "zh_smile_calm|微笑，平静|face"
  "nodding|nodding, agreeing|face"
  "head_tilt|curious, head tilt|face"
  "push_in|slow zoom in|frame"
  "pan_left|gentle pan left|frame"
  "handheld|handheld camera|frame"
  "close_up|close-up|frame"
  "medium_shot|medium shot|frame"
  "zh_camera|镜头向左平移，手持，特写|frame"
)

# render NAME PROMPT [TEXT]: the video $work/NAME.mp4, from the recording or from TEXT.
render() {
  local speech=(--audio "$voice")
  [[ -n ${3:-} ]] && speech=(--text "$3")
  "$build_dir/src/cli/dh" render --image "$face" "${speech[@]}" --prompt "$2" \
    --output "$work/$1.mp4" --progress none >/dev/null
}

# row VIDEO VIEW FRAMES -> $work/VIDEO-VIEW.png: the frames side by side, 300 px high.
row() {
  local select="" n
  for n in $3; do select+="${select:+ + }eq(n\\,$n)"; done
  local view="scale=-2:300"
  [[ $2 == face ]] && view="crop=$crop,$view"
  ffmpeg -v error -y -i "$work/$1.mp4" -vf "select=$select,$view,tile=$(wc -w <<<"$3")x1" \
    -frames:v 1 "$work/$1-$2.png"
}

sheet() {  # sheet NAME TOP BOTTOM DESCRIPTION
  ffmpeg -v error -y -i "$work/$2.png" -i "$work/$3.png" -filter_complex vstack "$out/$1.png"
  echo "$out/$1.png: $4" >&2
}

render none ""
row none face "$seconds"
row none frame "$seconds"
for entry in "${prompts[@]}"; do
  IFS='|' read -r name prompt view <<<"$entry"
  render "$name" "$prompt"
  row "$name" "$view" "$seconds"
  sheet "$name" "none-$view" "$name-$view" "\"$prompt\" (below) against no prompt (above)"
done

# Gestures from a synthesised text: the head shakes on "no" (0.5 s) and "not" (1.4 s), frames
# every 0.08 s; above, the same sentence without its negations.
shake_frames="13 15 17 19 21 23"
render negation "" "Well, no. I do not know. Never, not now. No."
render affirmation "" "Well, so. I do now know. Ever, and now. So."
row negation face "$shake_frames"
row affirmation face "$shake_frames"
sheet text_negation affirmation-face negation-face \
  "\"Well, no. I do not know ...\" (below) against the same words without negations (above)"
