#!/usr/bin/env bash
# Starts the product from a build directory: `dh serve` on SQLite under ./data, with a development
# API key (created once, kept in data/dev-api-key). Prints the web console's URL first, then the
# key, the API's URLs and one command that renders a demo video through the API (scripts/demo.sh).
# Environment: DH_PORT (default 8080), DH_HOST (127.0.0.1), DH_DATA_DIR (./data); every other
# `dh serve` flag also reads DH_* (see `dh serve --help`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-build}
[[ "$build_dir" = /* ]] || build_dir="$root/$build_dir"
dh="$build_dir/src/cli/dh"
if [[ ! -x "$dh" ]]; then
  echo "run: $dh is not built yet; \`make run\` builds it first" >&2
  exit 1
fi
data_dir=${DH_DATA_DIR:-$root/data}
host=${DH_HOST:-127.0.0.1}
port=${DH_PORT:-8080}
mkdir -p "$data_dir"
db="$data_dir/dh.sqlite"
# The store's first-run log lines are shown only if making the key fails, so the console's URL
# is the first line printed.
log=$(mktemp)
if ! key=$("$dh" keys --db "$db" ensure-dev --file "$data_dir/dev-api-key" 2>"$log"); then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
# A wildcard listen address is reached through loopback.
case "$host" in 0.0.0.0 | "::" | "[::]") url_host=127.0.0.1 ;; *) url_host=$host ;; esac
base="http://$url_host:$port"
demo=$(printf '%q %q %q' "$root/scripts/demo.sh" "$key" "$base")
cat <<INFO
Digital Human web console: $base/   (open it in a browser and paste the dev API key)
  dev API key:   $key   (kept in $data_dir/dev-api-key)
  API base:      $base
  health:        $base/healthz   metrics: $base/metrics
  Kling dialect: POST $base/v1/videos/avatar/image2video   (also under $base/kling/...)
  Unified:       POST $base/v1/video/generations
  Uploads:       POST $base/v1/uploads
  Docs:          $root/docs/API.md
  dh command:    $dh   (\`make install\` puts it on PATH)

Render a demo video from another terminal (uploads a photo and a voice with the key above,
submits a Kling task, waits for it and prints the MP4's URL; usually a few seconds):
  $demo

Stop the service with Ctrl-C.
INFO
exec "$dh" serve --host "$host" --port "$port" --db "$db" --media-dir "$data_dir/media"
