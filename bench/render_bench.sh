#!/usr/bin/env bash
# Render benchmark: `dh render` of a 60 s voice at std and pro, wall time and peak RSS, next to
# ffmpeg encoding the still photo with the same voice at the same size, rate and x264 settings
# (the lower bound for producing such a file).
# Usage: bench/render_bench.sh [BUILD_DIR] [FACE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$root/build}
face=${2:-$root/tests/data/faces/02_grace_hopper.jpg}
dh="$build_dir/src/cli/dh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A 60 s voice made of real recorded speech, looped.
voice="$work/voice60.wav"
ffmpeg -v error -stream_loop -1 -i "$root/tests/data/speech/en_m_jfk.wav" -t 60 -c:a pcm_s16le "$voice"

# measure NAME CMD...: prints "NAME wall_s peak_rss_mb"
measure() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || {
    cat "$work/err.txt" >&2
    exit 1
  }
  read -r wall rss <"$work/time.txt"
  echo "$name $wall $((rss / 1024))"
}

printf '%-6s %-28s %8s %12s %8s\n' mode run wall_s peak_rss_mb ratio
for mode in std pro; do
  # The renderer's settings (src/pipeline/render_settings.cpp).
  if [[ $mode == std ]]; then
    short=720 fps=25 crf=23 preset=veryfast params=(-x264-params subme=1:me=dia)
  else
    short=1080 fps=30 crf=20 preset=faster params=()
  fi
  # Same output size rule as the renderer: short side fixed, aspect kept, even sides.
  read -r w h < <(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$face" | tr x ' ')
  if ((w <= h)); then ow=$short; oh=$(((short * h / w + 1) / 2 * 2)); else oh=$short; ow=$(((short * w / h + 1) / 2 * 2)); fi
  bound=$(measure ffmpeg ffmpeg -v error -y -loop 1 -framerate "$fps" -i "$face" -i "$voice" \
    -vf "scale=${ow}:${oh}:flags=area,format=yuv420p" -c:v libx264 -preset "$preset" -crf "$crf" "${params[@]}" \
    -g $((fps * 5)) -colorspace bt709 -color_primaries bt709 -color_trc bt709 \
    -c:a aac -b:a 64k -shortest -movflags +faststart "$work/bound.mp4")
  ours=$(measure dh "$dh" render --image "$face" --audio "$voice" --mode "$mode" --progress none \
    -o "$work/dh.mp4")
  read -r _ bwall brss <<<"$bound"
  read -r _ owall orss <<<"$ours"
  printf '%-6s %-28s %8s %12s %8s\n' "$mode" "ffmpeg -loop 1 (${ow}x${oh})" "$bwall" "$brss" "1.00"
  printf '%-6s %-28s %8s %12s %8.2f\n' "$mode" "dh render" "$owall" "$orss" "$(echo "$owall / $bwall" | bc -l)"
done

# Memory must not grow with duration: the same render with a 6x shorter voice.
short_voice="$work/voice10.wav"
ffmpeg -v error -i "$voice" -t 10 -c:a pcm_s16le "$short_voice"
ours10=$(measure dh "$dh" render --image "$face" --audio "$short_voice" --progress none -o "$work/dh10.mp4")
read -r _ w10 r10 <<<"$ours10"
printf '%-6s %-28s %8s %12s\n' std "dh render, 10 s voice" "$w10" "$r10"
