#!/usr/bin/env bash
# Starts the product's main job from a build directory. Today: renders the demo video from the
# bundled sample face and voice and prints where it is.
set -euo pipefail
build_dir=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
out_dir="$root/out"
mkdir -p "$out_dir"
out="$out_dir/demo.mp4"
"$build_dir/src/cli/dh" render \
  --image "$root/tests/data/faces/02_grace_hopper.jpg" \
  --audio "$root/tests/data/speech/en_m_jfk.wav" \
  --progress auto -o "$out"
echo "demo video: $out"
