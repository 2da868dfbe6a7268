#!/usr/bin/env bash
# Native tests of libhone.so: compiles and runs every tests/c/*.c (C99) and
# tests/cpp/*.cpp (C++17) against the library in BUILD_DIR, after checking that the
# header compiles on its own and that the library exports exactly hone.h's functions.
#
#   tests/native/run.sh BUILD_DIR [--asan | --valgrind] [TEST_FILE...]
#
# Each test is a standalone program run in a fresh temporary directory with
# HONE_TEST_ROOT (the package root) and HONE_TEST_BUILD (BUILD_DIR) set; exit 0 = pass.
# --asan builds the test programs with AddressSanitizer (the Swift library itself is
# not instrumented; leak checking is off because the Swift runtime keeps caches for the
# life of the process). --valgrind runs them under memcheck with
# tests/native/valgrind.supp. TEST_FILEs limit the run to those tests (and skip the
# header and export checks).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [--asan|--valgrind] [TEST_FILE...]" >&2; exit 2; }
build="$(cd "$1" && pwd)"; shift
mode=plain
case "${1:-}" in --asan) mode=asan; shift ;; --valgrind) mode=valgrind; shift ;; esac
selected=("$@")

lib="$build/libhone.so"
[ -f "$lib" ] || { echo "native: $lib not found (run swift build first)" >&2; exit 1; }
# Programs linked with -lhone record the SONAME (libhone.so.1); give the loader that name.
soname="$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
if [ -n "$soname" ] && [ "$soname" != libhone.so ]; then ln -sf libhone.so "$build/$soname"; fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cflags=(-std=c99 -Wall -Wextra -pedantic -Werror -I"$root/include")
cxxflags=(-std=c++17 -Wall -Wextra -pedantic -Werror -I"$root/include" -I"$root/bindings/cpp")
link=(-L"$build" -lhone -Wl,-rpath,"$build" -lpthread -lm)
san=()
[ "$mode" = asan ] && san=(-fsanitize=address -fno-omit-frame-pointer)
failed=0; passed=0

check() {  # NAME COMMAND...: a check that passes when COMMAND exits 0
    local name="$1"; shift
    if "$@" >"$work/$name.log" 2>&1; then
        passed=$((passed + 1)); echo "native: ok   $name"
    else
        failed=$((failed + 1)); echo "native: FAIL $name"; sed 's/^/    /' "$work/$name.log" | tail -40
    fi
}

header_alone() {
    printf '#include <hone.h>\nint main(void) { return hone_abi_version() == HONE_ABI_VERSION ? 0 : 1; }\n' >"$work/h.c"
    cc "${cflags[@]}" -c "$work/h.c" -o "$work/h_c.o"
    cp "$work/h.c" "$work/h.cpp"
    c++ "${cxxflags[@]}" -c "$work/h.cpp" -o "$work/h_cpp.o"
}

exports_match_header() {
    # Exported symbols (global or weak: nm's upper-case types; gold leaves some Swift
    # metadata in .dynsym with LOCAL binding, which no other object can bind to; the "A"
    # entry is the version node HONE_1): every one must be a function of the header, and
    # every function the header declares must be there.
    nm -D --defined-only "$lib" | awk '$2 ~ /^[B-Z]$/ {print $3}' | sed 's/@.*//' | sort -u >"$work/exported"
    cc -E -P -I"$root/include" "$root/include/hone.h" | tr '\n' ' ' | tr ';' '\n' \
        | grep -v '^ *typedef' | grep -oE '\bhone_[a-z0-9_]+ *\([^*]' | sed 's/ *(.$//' | sort -u >"$work/declared"
    local extra missing
    extra="$(comm -23 "$work/exported" "$work/declared")"
    missing="$(comm -13 "$work/exported" "$work/declared")"
    [ -n "$extra" ] && { echo "exported but not in hone.h:"; echo "$extra"; }
    [ -n "$missing" ] && { echo "declared in hone.h but not exported:"; echo "$missing"; }
    [ -z "$extra" ] && [ -z "$missing" ] && [ "$(wc -l <"$work/declared")" -gt 40 ]
}

run_test() {  # SOURCE
    local src="$1" name exe dir
    name="$(basename "$src")"; exe="$work/${name%.*}"
    case "$src" in
        *.c) cc "${cflags[@]}" "${san[@]}" "$src" -o "$exe" "${link[@]}" ;;
        *.cpp) c++ "${cxxflags[@]}" "${san[@]}" "$src" -o "$exe" "${link[@]}" ;;
    esac
    dir="$(mktemp -d "$work/run.XXXX")"
    local runner=()
    if [ "$mode" = valgrind ]; then
        runner=(valgrind --tool=memcheck --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
                --show-leak-kinds=definite --suppressions="$root/tests/native/valgrind.supp" --num-callers=30 -q)
    fi
    (cd "$dir" && HONE_TEST_ROOT="$root" HONE_TEST_BUILD="$build" ASAN_OPTIONS=detect_leaks=0 \
        timeout 600 "${runner[@]}" "$exe")
}

if [ ${#selected[@]} -eq 0 ]; then
    check header-c99-cxx17 header_alone
    check exports exports_match_header
    shopt -s nullglob
    selected=("$root"/tests/c/*.c "$root"/tests/cpp/*.cpp)
fi
for src in "${selected[@]}"; do
    check "$(basename "$src")$([ "$mode" = plain ] || echo "[$mode]")" run_test "$src"
done
echo "native: $passed passed, $failed failed ($mode)"
[ "$failed" -eq 0 ]
