#!/usr/bin/env bash
# Render benchmark: `dh render` of a 60 s voice at std and pro, wall time, CPU time and peak RSS,
# next to ffmpeg encoding the still photo with the same voice at the same size, rate and x264
# settings (the lower bound for producing such a file).
# Usage: [RUNS=N] [MODES="std pro"] bench/render_bench.sh [BUILD_DIR] [FACE]
# RUNS (default 1): the bound and the render alternate N times per mode; the ratio line gives
# the median of the N ratios (each render against the bound run just before it), which is what
# to quote on a machine whose speed drifts. `idle_core_s` is the machine's idle CPU time during
# the run (from /proc/stat): the cores a run left unused, meaningful on an otherwise quiet machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$root/build}
face=${2:-$root/tests/data/faces/02_grace_hopper.jpg}
runs=${RUNS:-1}
read -r -a modes <<<"${MODES:-std pro}"
dh="$build_dir/src/cli/dh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A 60 s voice made of real recorded speech, looped.
voice="$work/voice60.wav"
ffmpeg -v error -stream_loop -1 -i "$root/tests/data/speech/en_m_jfk.wav" -t 60 -c:a pcm_s16le "$voice"

idle_ticks() { awk '/^cpu / { print $5 + $6 }' /proc/stat; }

# measure NAME CMD...: prints "wall_s cpu_s idle_core_s peak_rss_mb"
measure() {
  local before after
  before=$(idle_ticks)
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || {
    cat "$work/err.txt" >&2
    exit 1
  }
  after=$(idle_ticks)
  read -r wall user sys rss <"$work/time.txt"
  awk -v w="$wall" -v u="$user" -v s="$sys" -v i=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    -v r="$rss" 'BEGIN { printf "%s %.2f %.2f %d\n", w, u + s, i / hz, r / 1024 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-6s %-28s %8s %8s %12s %12s %8s\n' mode run wall_s cpu_s idle_core_s peak_rss_mb ratio
for mode in "${modes[@]}"; do
  # The renderer's settings (src/pipeline/render_settings.cpp).
  if [[ $mode == std ]]; then
    short=720 fps=25 crf=23 preset=veryfast params=(-x264-params subme=1:me=dia)
  else
    short=1080 fps=30 crf=20 preset=faster params=()
  fi
  # Same output size rule as the renderer: short side fixed, aspect kept, even sides.
  read -r w h < <(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$face" | tr x ' ')
  if ((w <= h)); then ow=$short; oh=$(((short * h / w + 1) / 2 * 2)); else oh=$short; ow=$(((short * w / h + 1) / 2 * 2)); fi
  ratios=()
  for ((run = 1; run <= runs; run++)); do
    read -r bwall bcpu bidle brss < <(measure ffmpeg -v error -y -loop 1 -framerate "$fps" -i "$face" -i "$voice" \
      -vf "scale=${ow}:${oh}:flags=area,format=yuv420p" -c:v libx264 -preset "$preset" -crf "$crf" "${params[@]}" \
      -g $((fps * 5)) -colorspace bt709 -color_primaries bt709 -color_trc bt709 \
      -c:a aac -b:a 64k -shortest -movflags +faststart "$work/bound.mp4")
    read -r owall ocpu oidle orss < <(measure "$dh" render --image "$face" --audio "$voice" --mode "$mode" \
      --progress none -o "$work/dh.mp4")
    ratio=$(awk -v a="$owall" -v b="$bwall" 'BEGIN { printf "%.2f", a / b }')
    ratios+=("$ratio")
    printf '%-6s %-28s %8s %8s %12s %12s %8s\n' "$mode" "ffmpeg -loop 1 (${ow}x${oh})" "$bwall" "$bcpu" "$bidle" "$brss" "1.00"
    printf '%-6s %-28s %8s %8s %12s %12s %8s\n' "$mode" "dh render" "$owall" "$ocpu" "$oidle" "$orss" "$ratio"
  done
  if ((runs > 1)); then
    printf '%-6s %-28s %8s %8s %12s %12s %8s\n' "$mode" "median of $runs ratios" "" "" "" "" \
      "$(printf '%s\n' "${ratios[@]}" | median)"
  fi
done

# Memory must not grow with duration: the same render with a 6x shorter voice.
short_voice="$work/voice10.wav"
ffmpeg -v error -i "$voice" -t 10 -c:a pcm_s16le "$short_voice"
read -r w10 c10 i10 r10 < <(measure "$dh" render --image "$face" --audio "$short_voice" --progress none -o "$work/dh10.mp4")
printf '%-6s %-28s %8s %8s %12s %12s\n' std "dh render, 10 s voice" "$w10" "$c10" "$i10" "$r10"
