#!/usr/bin/env bash
# Starts the product from a build directory: `dh serve` on SQLite under ./data, with a development
# API key (created once, kept in data/dev-api-key) and the URLs to try printed first.
# Environment: DH_PORT (default 8080), DH_HOST (127.0.0.1), DH_DATA_DIR (./data); every other
# `dh serve` flag also reads DH_* (see `dh serve --help`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-build}
[[ "$build_dir" = /* ]] || build_dir="$root/$build_dir"
dh="$build_dir/src/cli/dh"
data_dir=${DH_DATA_DIR:-$root/data}
host=${DH_HOST:-127.0.0.1}
port=${DH_PORT:-8080}
mkdir -p "$data_dir"
db="$data_dir/dh.sqlite"
key=$("$dh" keys --db "$db" ensure-dev --file "$data_dir/dev-api-key")
base="http://$host:$port"
cat <<INFO
Digital Human service
  API base:      $base
  dev API key:   $key
  health:        $base/healthz   metrics: $base/metrics
  Kling dialect: POST $base/v1/videos/avatar/image2video   (also under $base/kling/...)
  Unified:       POST $base/v1/video/generations
  Uploads:       POST $base/v1/uploads
  Docs:          docs/API.md

Try it (upload a photo and a voice, then submit):
  curl -s -H "Authorization: Bearer $key" -F file=@tests/data/faces/02_grace_hopper.jpg $base/v1/uploads
  curl -s -H "Authorization: Bearer $key" -F file=@tests/data/speech/en_m_jfk.wav $base/v1/uploads
  curl -s -H "Authorization: Bearer $key" -H "Content-Type: application/json" \\
       -d '{"image":"<image url>","sound_file":"<audio url>"}' $base/v1/videos/avatar/image2video

INFO
exec "$dh" serve --host "$host" --port "$port" --db "$db" --media-dir "$data_dir/media"
