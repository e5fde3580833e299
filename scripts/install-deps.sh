#!/usr/bin/env bash
# Install what attest needs to build and test on Debian 12, only if missing.
# Runs as root (CI) or through sudo when available.
set -euo pipefail
case ${1:-} in -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac

pkgs=(cmake gcc make pkg-config clang libclang-rt-14-dev libssl-dev openssl
      libtss2-dev libjson-c-dev libcmocka-dev swtpm swtpm-tools tpm2-tools tpm2-openssl
      zlib1g-dev python3 debootstrap)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
