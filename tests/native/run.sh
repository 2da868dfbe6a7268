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
libdir="$build"
if [ "$mode" = valgrind ]; then
    # Debian 12's valgrind (3.19) cannot read the DWARF 5 the Swift toolchain's clang
    # emits ("unhandled dwarf2 abbrev form"): test against a copy without debug info.
    libdir="$work/lib"; mkdir -p "$libdir"
    objcopy --strip-debug "$lib" "$libdir/libhone.so"
    [ -n "$soname" ] && [ "$soname" != libhone.so ] && ln -sf libhone.so "$libdir/$soname"
fi
cflags=(-std=c99 -Wall -Wextra -pedantic -Werror -I"$root/include")
cxxflags=(-std=c++17 -Wall -Wextra -pedantic -Werror -I"$root/include" -I"$root/bindings/cpp")
link=(-L"$libdir" -lhone -Wl,-rpath,"$libdir" -lpthread -lm)
san=()
[ "$mode" = asan ] && san=(-fsanitize=address -fno-omit-frame-pointer)
failed=0; passed=0

check() {  # NAME COMMAND...: a check that passes when COMMAND exits 0
    # Run outside any `if`, so `set -e` holds inside the check's function: each of its
    # commands is an assertion.
    local name="$1" rc; shift
    set +e
    ( set -e; "$@" ) >"$work/$name.log" 2>&1
    rc=$?
    set -e
    if [ "$rc" -eq 0 ]; then
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

loads_without_environment() {
    # Every dependency resolves through RUNPATH alone (no LD_LIBRARY_PATH), from C and
    # from Python's ctypes.
    ! env -i ldd "$lib" | grep -q "not found"
    env -i /usr/bin/python3 -c '
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
lib.hone_version.restype = ctypes.c_char_p
lib.hone_status_name.restype = ctypes.c_char_p
lib.hone_status_name.argtypes = [ctypes.c_int]
assert lib.hone_version() == sys.argv[2].encode(), lib.hone_version()
assert lib.hone_status_name(6) == b"HONE_WRONG_STATE"
study = ctypes.c_void_p()
assert lib.hone_study_open(b"memory:", b"ctypes", None, ctypes.byref(study)) == 0
lib.hone_study_close(study)
' "$lib" "$(sed -n 's/^#define HONE_VERSION_STRING "\(.*\)".*/\1/p' "$root/include/hone.h")"
}

install_into_prefix() {
    # scripts/install.sh into a temporary prefix, then a C program built only with what
    # pkg-config says about that prefix.
    local prefix="$work/prefix"
    HONE_BUILD_DIR="$build" "$root/scripts/install.sh" "$prefix"
    [ -f "$prefix/lib/libhone.so.1" ] && [ "$(readlink "$prefix/lib/libhone.so")" = libhone.so.1 ]
    [ -f "$prefix/include/hone.h" ] && [ -f "$prefix/lib/pkgconfig/hone.pc" ]
    ls "$prefix"/share/hone/scripts/*.lua >/dev/null
    cat >"$work/pc.c" <<'C'
#include <hone.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    hone_study *study;
    hone_trial *trial;
    double x, best;
    if (strcmp(hone_version(), HONE_VERSION_STRING) != 0) return 1;
    if (hone_study_open("memory:", "installed", "{\"seed\": 1}", &study) != HONE_OK) return 2;
    if (hone_study_ask(study, &trial) != HONE_OK) return 3;
    if (hone_trial_suggest_float(trial, "x", -1, 1, 0, 0, &x) != HONE_OK) return 4;
    if (hone_study_tell(study, trial, HONE_TRIAL_COMPLETE, &x, 1) != HONE_OK) return 5;
    if (hone_study_best_value(study, &best) != HONE_OK || best != x) return 6;
    hone_trial_free(trial);
    hone_study_close(study);
    puts("installed libhone works");
    return 0;
}
C
    local flags
    flags="$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs hone)"
    # shellcheck disable=SC2086
    cc -std=c99 -Wall -Wextra -pedantic -Werror "$work/pc.c" -o "$work/pc" $flags -Wl,-rpath,"$prefix/lib"
    env -i "$work/pc"
    # Not grep -q: it stops reading at the match, ld.so's next write gets SIGPIPE and
    # pipefail fails the check (2 runs in 50).
    env -i ldd "$work/pc" | grep "libhone.so.1 => $prefix/lib/libhone.so.1" >/dev/null
    if [ -d "$root/bindings/python/hone" ]; then
        local site
        site="$(echo "$prefix"/lib/python3*/site-packages)"
        env -i /usr/bin/python3 -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1] + "/hone/libhone.so").hone_abi_version' "$site"
    fi
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
    # The Swift implementations are compiled against the header's declarations
    # (Sources/Hone/HeaderSignatures.swift); the list must name every function.
    check header-signatures "$root/scripts/gen-header-signatures.sh" --check
    check loads-without-environment loads_without_environment
    check install install_into_prefix
    shopt -s nullglob
    selected=("$root"/tests/c/*.c "$root"/tests/cpp/*.cpp)
fi
for src in "${selected[@]}"; do
    check "$(basename "$src")$([ "$mode" = plain ] || echo "[$mode]")" run_test "$src"
done
echo "native: $passed passed, $failed failed ($mode)"
[ "$failed" -eq 0 ]
