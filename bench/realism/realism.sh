#!/usr/bin/env bash
# Realism benchmark: for each real talking clip (video with its own sound), its first frame scaled
# to 448 px and its sound go through `dh render`; then the same stabilised 68-point tracker
# measures the real clip and the render, and realism_bench prints the comparison table (per clip
# and the median) and draws a sheet per clip (real over ours at six moments, the opening curves).
# Usage: bench/realism/realism.sh [BUILD_DIR] [CLIPS_DIR] [OUT_DIR] [-- extra dh render options]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${1:-$root/build}
clips=${2:-$root/../shared/media/real}
out=${3:-$build_dir/realism}
shift $(($# < 3 ? $# : 3))
[[ ${1:-} == -- ]] && shift
dh="$build_dir/src/cli/dh"
bench="$build_dir/bench/realism/realism_bench"
work="$out/work"
mkdir -p "$work"
list="$work/clips.tsv"
: >"$list"

for clip in "$clips"/*.mp4; do
  name=$(basename "$clip" .mp4)
  ffmpeg -v error -y -i "$clip" -frames:v 1 -vf "scale=448:448:flags=lanczos" "$work/$name.png"
  ffmpeg -v error -y -i "$clip" -vn -ac 1 -c:a pcm_s16le "$work/$name.wav"
  start=$EPOCHREALTIME
  if "$dh" render --image "$work/$name.png" --audio "$work/$name.wav" --output "$work/$name.mp4" \
    --progress none "$@" 2>"$work/$name.err"; then
    ours="$work/$name.mp4"
    note=""
  else
    ours="-"
    note=$(grep -v '^\s*$' "$work/$name.err" | tail -n 1 | tr '\t' ' ')
  fi
  printf '%-40s %s %.2f s\n' "$name" "${note:-rendered}" "$(awk "BEGIN { print $EPOCHREALTIME - $start }")" >&2
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$clip" "$ours" "$work/$name.wav" "$note" >>"$list"
done

"$bench" --list "$list" --out "$out"
echo "sheets and results.json in $out" >&2
