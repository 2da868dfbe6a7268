#!/usr/bin/env bash
# Runs the Swift and Python suites once per OpenBLAS kernel family, so that a test which
# holds only with the kernel of the machine it was written on (bit-exact float results
# across batch shapes, say) fails here rather than on a user's machine. OpenBLAS's
# DYNAMIC_ARCH build picks its kernel from the CPU; OPENBLAS_CORETYPE overrides that, and
# every x86-64 machine can run the Haswell (AVX2) and Zen kernels, and SkylakeX/Cooperlake
# (AVX-512) where the CPU has AVX-512 — those are skipped, with a note, where it has not.
#
#   scripts/test-kernels.sh [--quick] [KERNEL...]
#
# Default kernels: the machine's own choice, Haswell, SkylakeX, Zen, Cooperlake.
# --quick runs only the numeric suites (tensor, network, data and training tests, and the
# Python training/model tests): the subset `.ci/run` uses. Needs a finished
# `swift build --build-tests` (scripts/test.sh does one) and HONE_TEST_POSTGRES_URL for
# the full Swift suite (its PostgreSQL tests skip without it).
# Exits non-zero if any run fails; prints one summary line per kernel.
set -uo pipefail
cd "$(dirname "$0")/.."

quick=0
if [ "${1:-}" = --quick ]; then quick=1; shift; fi
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(default Haswell SkylakeX Zen Cooperlake)

lib=$PWD/.build/debug/libhone.so
[ -f "$lib" ] || { echo "kernels: $lib not found (run swift build --build-tests first)" >&2; exit 1; }

# The kernel OpenBLAS runs with the current environment (what it reports, not what was asked).
corename() {
    python3 -c 'import ctypes; l = ctypes.CDLL("libopenblas.so.0"); l.openblas_get_corename.restype = ctypes.c_char_p; print(l.openblas_get_corename().decode())'
}
has_avx512=0
grep -qw avx512f /proc/cpuinfo && has_avx512=1

if [ $quick -eq 1 ]; then
    swift_filter=(--filter 'HoneTensorTests|HoneNNTests|HoneDataTests|HoneTuningTests')
    python_tests=(bindings/python/tests/test_train.py)
else
    swift_filter=()
    python_tests=(bindings/python/tests tests/python)
fi

failed=0
summary=()
for kernel in "${kernels[@]}"; do
    env_kernel=()
    if [ "$kernel" != default ]; then
        case "$kernel" in
            SkylakeX|Cooperlake|SapphireRapids)
                if [ $has_avx512 -eq 0 ]; then summary+=("kernels: skip $kernel (this CPU has no AVX-512)"); continue; fi ;;
        esac
        env_kernel=(OPENBLAS_CORETYPE="$kernel")
    fi
    actual=$(env "${env_kernel[@]}" bash -c "$(declare -f corename); corename")
    echo "kernels: === $kernel (OpenBLAS runs $actual) ==="
    rc=0
    env "${env_kernel[@]}" swift test --skip-build --disable-swift-testing "${swift_filter[@]}" >"/tmp/hone-kernels-$kernel.log" 2>&1 || rc=1
    tail -1 "/tmp/hone-kernels-$kernel.log" | sed 's/^/kernels: swift: /'
    [ $rc -eq 0 ] || grep -E "error:|failed \(" "/tmp/hone-kernels-$kernel.log" | head -20
    # One pytest process per suite: the two suites register the same plugin names.
    for suite in "${python_tests[@]}"; do
        env "${env_kernel[@]}" HONE_LIBRARY="$lib" python3 -m pytest -q -p no:cacheprovider "$suite" 2>&1 | tail -15 || rc=1
    done
    if [ $rc -eq 0 ]; then summary+=("kernels: ok   $kernel ($actual)"); else summary+=("kernels: FAIL $kernel ($actual)"); failed=1; fi
done
printf '%s\n' "${summary[@]}"
ok_count=$(printf '%s\n' "${summary[@]}" | grep -c '^kernels: ok' || true)
fail_count=$(printf '%s\n' "${summary[@]}" | grep -c '^kernels: FAIL' || true)
echo "kernels: $ok_count passed, $fail_count failed"
exit $failed
