#!/usr/bin/env bash
# The input-check tests against a release build of libhone.so, the configuration users
# get: the core targets are compiled with -Ounchecked there (Package.swift's `fast`),
# where `precondition` is not evaluated, so only checks that throw (or that hold in every
# build) stop bad input. Builds the library product in release and runs
# tests/native/run.sh on it.
#
#   tests/native/release.sh [TEST_FILE...]    (default: tests/c/checks_*.c)
#
# SCRATCH=DIR builds in DIR instead of .build (e.g. to leave a debug build's lock free).
# A release build of the hone product from clean took about 2 minutes on a 2-core VM.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
scratch="${SCRATCH:-$root/.build}"
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(tests/c/checks_*.c)
swift build -c release --product hone --scratch-path "$scratch"
exec tests/native/run.sh "$scratch/release" "${tests[@]}"
