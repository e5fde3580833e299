#!/usr/bin/env bash
# The plain build + ctest pass on Debian 13 (trixie: OpenSSL 3.5, tpm2-tss 4),
# in a minimal chroot made with debootstrap from Debian's archive.
#   scripts/trixie.sh [BUILD_DIR]     default BUILD_DIR: build-trixie
#   scripts/trixie.sh --bench [--quick] [BUILD_DIR]
#                                     the same build, then tests/bench/run.sh there (OpenSSL 3.5 numbers)
#                                     instead of ctest
# The chroot is cached in BUILD_DIR/chroot and reused; the source tree is
# bind-mounted read-only at /src, the build goes to /build inside the chroot.
# /proc, a private /dev (tmpfs) and /dev/pts are mounted for the run and always unmounted.
# Exits 0 with one "skipped" line only when debootstrap cannot reach the archive.
# Needs root (debootstrap, chroot, mount).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
bench=0 bench_args=()
if [ "${1:-}" = --bench ]; then
    bench=1
    shift
    if [ "${1:-}" = --quick ]; then bench_args=(--quick); shift; fi
fi
out=${1:-build-trixie}
mkdir -p "$out"
out=$(cd "$out" && pwd)
root=$out/chroot
jobs=$(nproc 2>/dev/null || echo 2)

# scripts/install-deps.sh's list, less the sanitizer toolchain (that leg runs on the host).
pkgs=(cmake gcc make pkg-config libssl-dev openssl libtss2-dev libjson-c-dev libcmocka-dev zlib1g-dev
      swtpm swtpm-tools tpm2-tools tpm2-openssl python3)

mounts=()
cleanup() {
    local i
    # swtpm instances a failed test left behind hold /dev and /src open.
    [ -x "$root/src/scripts/swtpm-lab.sh" ] && chroot "$root" /src/scripts/swtpm-lab.sh stop-all >/dev/null 2>&1 || true
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A mount left by a run that was killed: take it down before reusing the chroot.
for m in src dev/pts dev proc; do
    if [ -d "$root/$m" ] && mountpoint -q "$root/$m"; then
        umount "$root/$m" 2>/dev/null || umount -l "$root/$m"
    fi
done

mnt() { # mnt TARGET MOUNT-ARGS...
    local target=$1
    shift
    mkdir -p "$target"
    mount "$@" "$target"
    mounts+=("$target")
}

if [ ! -x "$root/usr/bin/apt-get" ]; then
    command -v debootstrap >/dev/null || { echo "trixie: debootstrap is not installed" >&2; exit 1; }
    rm -rf "$root.tmp"
    echo "trixie: debootstrap --variant=minbase trixie (log: $out/debootstrap.log)"
    if ! debootstrap --variant=minbase trixie "$root.tmp" >"$out/debootstrap.log" 2>&1; then
        if grep -qE 'Failed getting release file|Couldn.t download|Temporary failure resolving|Could not resolve|unable to fetch' \
                "$out/debootstrap.log"; then
            echo "trixie: skipped: debootstrap cannot reach Debian's archive ($(grep -m1 -E '^E:' "$out/debootstrap.log" || echo 'no answer'))"
            rm -rf "$root.tmp"
            exit 0
        fi
        echo "trixie: debootstrap failed:" >&2
        tail -5 "$out/debootstrap.log" >&2
        exit 1
    fi
    mv "$root.tmp" "$root"
fi

# A /dev of its own (tmpfs with the few nodes the tests use), never the host's: a package script
# or a test in the chroot that replaces /dev/null must not reach the machine's /dev.
mkdev() {
    local d=$root/dev
    mknod -m 666 "$d/null" c 1 3
    mknod -m 666 "$d/zero" c 1 5
    mknod -m 666 "$d/full" c 1 7
    mknod -m 666 "$d/random" c 1 8
    mknod -m 666 "$d/urandom" c 1 9
    mknod -m 666 "$d/tty" c 5 0
    ln -s /proc/self/fd "$d/fd"
    ln -s /proc/self/fd/0 "$d/stdin"
    ln -s /proc/self/fd/1 "$d/stdout"
    ln -s /proc/self/fd/2 "$d/stderr"
    mkdir -m 1777 "$d/shm"
    mkdir "$d/pts"
}
mnt "$root/proc" -t proc proc
mnt "$root/dev" -t tmpfs -o mode=755,nosuid tmpfs
mkdev
mnt "$root/dev/pts" -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts
ln -s pts/ptmx "$root/dev/ptmx"
mnt "$root/src" --bind "$src"
mount -o remount,bind,ro "$root/src"

in_root() {
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive CI="${CI:-}" "$@"
}

# Packages: installed once, again only when the list changes.
want="${pkgs[*]}"
if [ "$(cat "$root/var/lib/attest-pkgs" 2>/dev/null)" != "$want" ]; then
    echo "trixie: apt-get install ${pkgs[*]}"
    if ! in_root sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"' sh "${pkgs[@]}" \
            >"$out/apt.log" 2>&1; then
        if grep -qE 'Temporary failure resolving|Could not resolve|Failed to fetch|Unable to connect' "$out/apt.log"; then
            echo "trixie: skipped: apt-get cannot reach Debian's archive ($(grep -m1 -E '^(E|W):' "$out/apt.log"))"
            exit 0
        fi
        echo "trixie: apt-get install failed:" >&2
        tail -5 "$out/apt.log" >&2
        exit 1
    fi
    echo "$want" >"$root/var/lib/attest-pkgs"
fi

echo "trixie: $(in_root openssl version), tpm2-tss $(in_root pkg-config --modversion tss2-esys)"
in_root sh -c "cmake -S /src -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build /build -j$jobs"
if [ "$bench" = 1 ]; then
    # The benchmark's work directory and swtpm live in the chroot's /tmp; it stops its swtpm by PID.
    in_root env ATTEST_BUILD=/build BENCH_HOSTILE=0 /src/tests/bench/run.sh "${bench_args[@]}"
else
    in_root ctest --test-dir /build --output-on-failure -j"$jobs"
fi
