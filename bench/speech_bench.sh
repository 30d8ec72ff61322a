#!/usr/bin/env bash
# Speech analysis speed on one core: `dh analyze` (decode, acoustic track, PocketSphinx phone
# recognition, articulation track) on a 60 s voice of real recorded English, and on the French
# clip; plus espeak-ng synthesis of a 1000-character text. Reports the median of 3 runs.
# Usage: bench/speech_bench.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$root/build}
dh="$build_dir/src/cli/dh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A 60 s voice: the two English recordings alternated, looped and cut at 60 s.
printf "file '%s'\nfile '%s'\n" "$root/tests/data/speech/en_m_jfk.wav" \
  "$root/tests/data/speech/en_m_librivox_0870.wav" >"$work/list.txt"
ffmpeg -v error -f concat -safe 0 -stream_loop 3 -i "$work/list.txt" -t 60 -ar 16000 -ac 1 \
  -c:a pcm_s16le "$work/voice60.wav"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

# analyse NAME AUDIO: one core (taskset), 3 runs, median analysis time and x real time.
analyse() {
  local name=$1 audio=$2
  : >"$work/times.txt"
  for _ in 1 2 3; do
    taskset -c 0 "$dh" analyze --audio "$audio" >"$work/out.json"
    field analysis_seconds <"$work/out.json" >>"$work/times.txt"
  done
  local seconds audio_s
  seconds=$(median <"$work/times.txt")
  audio_s=$(field audio_seconds <"$work/out.json")
  printf '%-28s %8.2f %10.3f %8.1f %6s\n' "$name" "$audio_s" "$seconds" \
    "$(python3 -c "print($audio_s / $seconds)")" "$(field phone_count <"$work/out.json")"
}

printf '%-28s %8s %10s %8s %6s\n' input audio_s analysis_s x_rt phones
analyse "60 s English (jfk+librivox)" "$work/voice60.wav"
analyse "29 s French (asterisk)" "$root/tests/data/speech/fr_f_asterisk_demo-congrats.mp3"

# Text to speech: 1000 characters of English, wall time on one core.
text=$(python3 -c "
s = 'The quick brown fox jumps over the lazy dog while the band plays by the bay. '
print((s * 20)[:1000])")
: >"$work/tts.txt"
for _ in 1 2 3; do
  /usr/bin/time -f "%e" -o "$work/t.txt" taskset -c 0 "$dh" tts --text "$text" -o "$work/t.wav" 2>/dev/null
  cat "$work/t.txt" >>"$work/tts.txt"
done
tts_audio=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$work/t.wav")
printf 'tts 1000 chars: %.1f s of audio in %s s wall (median of 3, one core)\n' "$tts_audio" \
  "$(median <"$work/tts.txt")"
