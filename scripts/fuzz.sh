#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer + UndefinedBehaviorSanitizer) and runs
# each for a set time. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [BUILD_DIR]
# New crash inputs land in fuzz/crashes/<target>/; copy them into fuzz/corpus/<target>/ once fixed,
# so the replay tests of the ordinary build keep them as regression tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
build_dir=${2:-$root/build-fuzz}
# FUZZ_TARGETS="audio_input jwt" runs only those.
read -r -a targets <<<"${FUZZ_TARGETS:-image_input audio_input kling_request unified_request jwt}"

cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDH_FUZZ=ON \
  -DBUILD_TESTING=OFF -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
  >/dev/null
cmake --build "$build_dir" -j2 --target "${targets[@]/#/fuzz_}"

status=0
for target in "${targets[@]}"; do
  work="$build_dir/fuzz-work/$target"
  crashes="$root/fuzz/crashes/$target"
  mkdir -p "$work" "$crashes"
  # The working corpus grows in the build dir; the committed seed corpus is only read.
  log="$work/fuzz.log"
  if ! ASAN_OPTIONS=detect_leaks=1 "$build_dir/fuzz/fuzz_$target" "$work" "$root/fuzz/corpus/$target" \
    -max_total_time="$seconds" -seed="${FUZZ_SEED:-1}" -rss_limit_mb=2048 -timeout=20 -max_len=262144 \
    -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz_$target: FAILED (see $log and $crashes)"
    tail -n 30 "$log"
    status=1
  fi
  runs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  rate=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
  corpus=$(find "$work" -type f | wc -l)
  echo "fuzz_$target: ${seconds}s, ${runs:-?} executions, ${rate:-?} exec/s, corpus $corpus files"
done
exit $status
