#!/usr/bin/env bash
# Runs the console's end-to-end tests: run_e2e.sh PATH/TO/dh
# Needs node, npm (only when node_modules is missing) and Debian's chromium; scripts/setup.sh
# installs all three and the npm packages.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DH_BINARY="${1:?usage: run_e2e.sh PATH/TO/dh}"
chromium="${DH_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  echo "run_e2e: $chromium is missing; run scripts/setup.sh (Debian package chromium)" >&2
  exit 1
fi
if ! command -v node >/dev/null; then
  echo "run_e2e: node is missing; run scripts/setup.sh" >&2
  exit 1
fi
cd "$here"
if [[ ! -d node_modules/playwright-core ]]; then
  echo "run_e2e: installing the locked npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node --test routes.test.mjs console.test.mjs stream.test.mjs
