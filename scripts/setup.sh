#!/usr/bin/env bash
# Installs the Debian packages the project builds, tests and runs with.
# Idempotent: only missing packages are installed. Needs root (or sudo) when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  ffmpeg libavformat-dev libavcodec-dev libavutil-dev libswresample-dev libswscale-dev
  libopencv-dev libdlib-dev libdlib-data libopenblas-dev liblapack-dev
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us
  libespeak-ng-dev espeak-ng-data
  libcpp-httplib-dev nlohmann-json3-dev libsqlite3-dev libpq-dev
  libcurl4-openssl-dev libssl-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libwebsocketpp-dev libasio-dev
  curl wrk python3 time bc postgresql clang libclang-rt-14-dev
  chromium chromium-driver nodejs
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ! command -v npm >/dev/null; then missing+=(npm); fi

# npm packages, each folder locked by its package-lock.json: the console's HLS player
# (web/console, hls.js; embedded into dh at build time, so the build needs it) and the console's
# browser tests (tests/e2e, playwright-core).
npm_packages() {
  local status=$? root console e2e wanted installed
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  command -v npm >/dev/null || exit "$status"
  console="$root/web/console"
  wanted=$(node -p "require('$console/package-lock.json').packages['node_modules/hls.js'].version")
  installed=$(node -p "require('$console/node_modules/hls.js/package.json').version" 2>/dev/null ||
    true)
  if [[ "$installed" != "$wanted" ]]; then
    if ! (cd "$console" && npm ci --no-audit --no-fund --loglevel=error); then
      echo "setup: npm ci in web/console failed: the build embeds its hls.js into dh;" \
        "run scripts/setup.sh again once the npm registry is reachable" >&2
      status=1
    fi
  fi
  e2e="$root/tests/e2e"
  if [[ ! -d "$e2e/node_modules/playwright-core" ]]; then
    (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error) ||
      echo "setup: npm ci in tests/e2e failed; the e2e test retries it" >&2
  fi
  exit "$status"
}
trap npm_packages EXIT

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
