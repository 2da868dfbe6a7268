#!/usr/bin/env bash
# Installs what Hone needs to build and run on Debian (run as root, or with sudo available).
# Safe to run again: it installs only what is missing.
set -euo pipefail

APT_PACKAGES=(liblua5.4-dev libopenblas-dev libsqlite3-dev libpq-dev zlib1g-dev pkg-config
              dataset-fashion-mnist postgresql
              valgrind binutils gcc g++     # the native C/C++ tests of libhone.so
              chromium)                     # renders the HTML report in its test

missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
