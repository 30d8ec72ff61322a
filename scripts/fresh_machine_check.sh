#!/usr/bin/env bash
# Repeats the README's quick start on a fresh Debian 12 machine: debootstraps a minimal bookworm
# root (minbase plus git, make, ca-certificates and sudo, like a new server), clones the repository
# into it with ../shared beside it, runs `make test`, then starts `make run`, waits for /healthz,
# runs the demo command it printed, checks the video with ffprobe and stops the service.
# Run it whenever scripts/setup.sh's package list changes. Needs root, network access to the
# Debian archive, about 6 GB of disk and, for the full check, 20-40 minutes of both CPU cores.
#
#   scripts/fresh_machine_check.sh [--bootstrap-only] [--remove] [WORK_DIR [REPO]]
#
#   WORK_DIR          where the root (WORK_DIR/rootfs) and the logs (WORK_DIR/logs) go;
#                     default .fresh-root in the repository. It must not exist yet.
#   REPO              what to clone: a path or URL; default this checkout. Only committed work
#                     is tested (a clone takes HEAD).
#   --bootstrap-only  stop once the minimal root has git, make, ca-certificates and sudo
#                     (also shows that curl is not there before scripts/setup.sh runs).
#   --remove          delete WORK_DIR at the end (after every mount under it is gone).
#
# Environment: DH_DEBIAN_MIRROR (http://deb.debian.org/debian), DH_DEBIAN_SECURITY_MIRROR
# (http://deb.debian.org/debian-security), DH_FRESH_PORT (port of the `make run` probe, 18099),
# JOBS (passed to make, default the Makefile's).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bootstrap_only=0
remove=0
args=()
for a in "$@"; do
  case "$a" in
    --bootstrap-only) bootstrap_only=1 ;;
    --remove) remove=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fresh-check: unknown option $a (see --help)" >&2; exit 2 ;;
    *) args+=("$a") ;;
  esac
done
work=${args[0]:-$here/.fresh-root}
repo=${args[1]:-$here}
mirror=${DH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DH_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
port=${DH_FRESH_PORT:-18099}
make_args=()
[[ -n "${JOBS:-}" ]] && make_args+=("JOBS=$JOBS")

say() { printf '\n==> [%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf 'fresh-check: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, mount and chroot)"
[[ ! -e "$work" ]] || die "$work already exists; remove it (or pass another WORK_DIR)"
if [[ -d "$repo" ]]; then repo=$(cd "$repo" && pwd); fi
if ! command -v debootstrap >/dev/null; then
  say "installing debootstrap on this machine"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
fi
command -v git >/dev/null || die "needs git on this machine to clone $repo"

mkdir -p "$work"
work=$(cd "$work" && pwd)
rootfs=$work/rootfs
logs=$work/logs
mkdir -p "$rootfs" "$logs"
mounts=()
service_pid=""

# Runs a command inside the root with a clean login-like environment (nothing of ours leaks in).
in_root() {
  chroot "$rootfs" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
    TERM="${TERM:-dumb}" LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    "$@"
}

mount_in_root() { # mount_in_root TARGET MOUNT-ARGS...
  local target=$rootfs$1
  shift
  mkdir -p "$target"
  mount "$@" "$target"
  mounts+=("$target")
  # Nothing mounted under the root may propagate back to this machine's own mounts.
  mount --make-rprivate "$target"
}

# Stops what this check started inside the root, then unmounts everything under it.
cleanup() {
  local status=$? pid link i
  set +e
  if [[ -n "$service_pid" ]] && kill -0 "$service_pid" 2>/dev/null; then
    kill -TERM -- "-$service_pid" 2>/dev/null
  fi
  # Processes still running inside the root (e.g. a test's database server) would keep mounts busy.
  for pid in /proc/[0-9]*; do
    link=$(readlink "$pid/root" 2>/dev/null) || continue
    [[ "$link" == "$rootfs" ]] && kill -TERM "${pid#/proc/}" 2>/dev/null
  done
  sleep 1
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null ||
      echo "fresh-check: could not unmount ${mounts[i]}" >&2
  done
  if ((remove)); then
    if findmnt -rn -o TARGET | grep -q "^$work"; then
      echo "fresh-check: something is still mounted under $work; not removing it" >&2
    else
      rm -rf --one-file-system "$work" && echo "fresh-check: removed $work"
    fi
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
say "debootstrap: minimal Debian 12 (bookworm) into $rootfs from $mirror"
nice -n 19 ionice -c3 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$logs/debootstrap.log" 2>&1 ||
  { tail -20 "$logs/debootstrap.log" >&2; die "debootstrap failed (log: $logs/debootstrap.log)"; }

# A Debian 12 install also has the updates and security suites.
cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security_mirror bookworm-security main
SOURCES
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
printf '127.0.0.1 localhost\n127.0.1.1 %s\n::1 localhost ip6-localhost ip6-loopback\n' "$(hostname)" >"$rootfs/etc/hosts"
# Packages must not start daemons in a chroot that shares this machine's network (PostgreSQL's
# default cluster would take port 5432); the project starts its own servers where it needs them.
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 755 "$rootfs/usr/sbin/policy-rc.d"
mount_in_root /proc -t proc proc
mount_in_root /sys -t sysfs sysfs
mount_in_root /dev --bind /dev
mount_in_root /dev/pts --bind /dev/pts
mount_in_root /dev/shm -t tmpfs -o mode=1777 shm

say "inside the root: apt-get install git make ca-certificates sudo"
nice -n 19 ionice -c3 chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  DEBIAN_FRONTEND=noninteractive sh -c \
  'apt-get update -qq && apt-get install -y -qq --no-install-recommends git make ca-certificates sudo' \
  >"$logs/base-packages.log" 2>&1 ||
  { tail -20 "$logs/base-packages.log" >&2; die "installing the base packages failed (log: $logs/base-packages.log)"; }
for tool in git make sudo; do
  in_root sh -c "command -v $tool" >/dev/null || die "$tool is missing in the root"
done
if in_root curl --version >/dev/null 2>&1; then
  curl_before="present"
else
  curl_before="absent (as on a new machine; scripts/setup.sh must install it)"
fi
echo "root ready: $(in_root sh -c '. /etc/os-release; echo "$PRETTY_NAME"'), $(in_root dpkg-query -W -f='.\n' | wc -l) packages, $(du -sh --one-file-system "$rootfs" | cut -f1)"
echo "curl before setup: $curl_before"

if ((bootstrap_only)); then
  say "stopping after the bootstrap (--bootstrap-only); root in $rootfs"
  exit 0
fi

say "clone $repo into /root/dh/main, ../shared beside it"
git clone --quiet "$repo" "$rootfs/root/dh/main"
commit=$(git -C "$rootfs/root/dh/main" log -1 --format='%h %s')
echo "commit: $commit"
shared_src=$(dirname "$repo")/shared
if [[ -d "$shared_src" ]]; then
  cp -a "$shared_src" "$rootfs/root/dh/shared"
else
  echo "fresh-check: no $shared_src; tests that need shared media will say so" >&2
fi

say "make test (log: $logs/make-test.log)"
set +e
in_root bash -c "cd /root/dh/main && make test ${make_args[*]:-}" 2>&1 | tee "$logs/make-test.log"
test_status=${PIPESTATUS[0]}
set -e
test_summary=$(grep -E '^[0-9]+% tests passed' "$logs/make-test.log" | tail -1 || true)
failed_tests=$(sed -n '/The following tests FAILED:/,/^Errors while running/p' "$logs/make-test.log" |
  grep -E '^[[:space:]]+[0-9]+ - ' || true)
[[ -n "$test_summary" ]] || test_summary="no ctest summary (make test exited with $test_status; see the log)"

say "make run probe on port $port (log: $logs/make-run.log)"
demo_status="not run"
demo_url=""
probe=""
in_root curl --version >/dev/null 2>&1 && curl_after=present || curl_after=absent
# Its own process group, so stopping it stops make, run.sh and dh serve together.
setsid chroot "$rootfs" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 DH_PORT="$port" bash -c "cd /root/dh/main && exec make run ${make_args[*]:-}" \
  >"$logs/make-run.log" 2>&1 &
service_pid=$!
healthy=0
for ((i = 0; i < 900; i++)); do
  if ! kill -0 "$service_pid" 2>/dev/null; then break; fi
  if in_root curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then healthy=1; break; fi
  sleep 1
done
console_line=$(grep -m1 'web console:' "$logs/make-run.log" || true)
demo_line=$(grep -m1 '/scripts/demo\.sh ' "$logs/make-run.log" | sed 's/^[[:space:]]*//' || true)
if ((!healthy)); then
  tail -30 "$logs/make-run.log" >&2
  demo_status="FAILED: the service did not answer /healthz"
elif [[ -z "$demo_line" ]]; then
  demo_status="FAILED: make run printed no demo command"
else
  echo "running, as printed: $demo_line"
  set +e
  demo_out=$(in_root bash -c "cd / && $demo_line" 2> >(tee "$logs/demo.log" >&2))
  demo_rc=$?
  set -e
  demo_url=$(printf '%s\n' "$demo_out" | tail -1)
  if ((demo_rc != 0)) || [[ "$demo_url" != http*://*.mp4 ]]; then
    demo_status="FAILED: the demo exited with $demo_rc"
  elif ! in_root curl -fsS -o /root/demo.mp4 "$demo_url"; then
    demo_status="FAILED: could not fetch $demo_url"
  else
    probe=$(in_root ffprobe -v error -show_entries stream=codec_name,width,height:format=duration \
      -of compact=nokey=0 /root/demo.mp4 | tr '\n' ' ' || true)
    if [[ "$probe" == *h264* && "$probe" == *aac* ]]; then demo_status="ok"; else demo_status="FAILED: not an H.264/AAC MP4"; fi
  fi
fi
kill -TERM -- "-$service_pid" 2>/dev/null || true
for ((i = 0; i < 30; i++)); do kill -0 "$service_pid" 2>/dev/null || break; sleep 1; done
kill -KILL -- "-$service_pid" 2>/dev/null || true
wait "$service_pid" 2>/dev/null || true
service_pid=""

say "summary ($(( ($(date +%s) - started) / 60 )) min)"
echo "commit:            $commit"
echo "curl before setup: $curl_before; after: $curl_after"
echo "make test:         $test_summary"
[[ -n "$failed_tests" ]] && printf 'failed tests:\n%s\n' "$failed_tests"
echo "make run:          ${console_line:-no console line printed}"
echo "demo:              $demo_status${demo_url:+ ($demo_url)}"
[[ -n "$probe" ]] && echo "ffprobe:           $probe"
echo "logs:              $logs"
[[ "$test_status" -eq 0 && "$demo_status" == ok ]]
