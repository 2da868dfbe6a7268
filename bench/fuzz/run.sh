#!/usr/bin/env bash
# Fuzzing with libFuzzer (bench/fuzz/README.md).
#
#   bench/fuzz/run.sh SECONDS [TARGET…]   build the driver with -sanitize=fuzzer,address and
#                                          run each target (default: all) for SECONDS
#   bench/fuzz/run.sh merge [TARGET…]     minimise what runs found into bench/fuzz/corpus/
#   bench/fuzz/run.sh replay              replay every corpus file through every target
#                                          (the XCTest, no sanitizer build: what CI runs)
#   bench/fuzz/run.sh list                the target names
#
# Builds go to .build-fuzz (never .build). New inputs a run finds go to
# .build-fuzz/fuzz/found/TARGET, crashes, timeouts and OOMs to
# .build-fuzz/fuzz/artifacts/TARGET-*, one summary line per target to
# .build-fuzz/fuzz/summary.txt. One fuzzer runs at a time, under nice.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=.build-fuzz
work=$scratch/fuzz
targets_all=(csv npy idx safetensors gzip json-options storage-url study-script lua-pattern c-api-options optuna-journal)

usage() { sed -n 2,15p "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -ge 1 ]] || usage
mode=$1; shift
targets=("$@"); [[ ${#targets[@]} -gt 0 ]] || targets=("${targets_all[@]}")

build() {
    nice -n 10 swift build --scratch-path "$scratch" -c debug \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xcc -fsanitize=fuzzer-no-link,address \
        --product hone-fuzz 2>&1 | grep -v -e "Cannot export local symbol" -e "^\[" || true
    test -x "$scratch/debug/hone-fuzz" || { echo "run.sh: the fuzz build failed" >&2; exit 1; }
    # c-api-options loads libhone.so with dlopen: the normal debug build's (not instrumented).
    # (HONE_FUZZ_LIBHONE set: that library, not rebuilt.)
    if [[ " ${targets[*]} " == *" c-api-options "* && -z ${HONE_FUZZ_LIBHONE:-} ]]; then
        nice -n 10 swift build --product hone 2>&1 | grep -E "error|Compiling" || true
        export HONE_FUZZ_LIBHONE=$PWD/.build/debug/libhone.so
    fi
}

# Flags every run uses: 10 s for one input is a hang; 2 GB is unbounded memory. Leak
# reports are off (the Swift runtime's caches are reported as leaks); memory that grows
# without bound still hits the RSS limit. Swift's backtracer would spend a minute on
# each crash of a 30 MB binary: off.
flags=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=4096 -detect_leaks=0)
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}

case $mode in
list) printf '%s\n' "${targets_all[@]}" ;;
replay) exec swift test --filter HoneFuzzTests ;;
merge)
    build
    for t in "${targets[@]}"; do
        mkdir -p "$work/found/$t" "$work/merged/$t"
        rm -rf "$work/merged/$t"; mkdir -p "$work/merged/$t"
        "$scratch/debug/hone-fuzz" -target="$t" "${flags[@]}" -merge=1 "$work/merged/$t" \
            "bench/fuzz/corpus/$t" "$work/found/$t" 2>&1 | grep -E "MERGE-OUTER: [0-9]+ new files" || true
        # The merged set replaces the corpus (file names are content hashes, except seeds kept by name).
        for f in "$work/merged/$t"/*; do
            [[ -e $f ]] || continue
            name=$(basename "$f")
            match=$(find "bench/fuzz/corpus/$t" -type f -exec cmp -s "$f" {} \; -print -quit)
            # Inputs over 1.5 KB found by fuzzing are not kept: the corpus stays small.
            [[ -n $match || $(stat -c %s "$f") -gt 1536 ]] || cp "$f" "bench/fuzz/corpus/$t/$name"
        done
        echo "$t: $(ls "bench/fuzz/corpus/$t" | wc -l) files, $(du -sb "bench/fuzz/corpus/$t" | cut -f1) bytes"
    done ;;
*)
    [[ $mode =~ ^[0-9]+$ ]] || usage
    build
    mkdir -p "$work/artifacts" "$work/bin"
    # Fork mode re-runs the binary: run a copy, so a rebuild during a run cannot change it.
    cp "$scratch/debug/hone-fuzz" "$work/bin/hone-fuzz"
    for t in "${targets[@]}"; do
        mkdir -p "$work/found/$t"
        dict=(); [[ -f bench/fuzz/dict/$t.dict ]] && dict=(-dict="bench/fuzz/dict/$t.dict")
        log=$work/$t.log
        echo "== $t: $mode s ($(date -u '+%Y-%m-%d %H:%M UTC'))"
        # fork mode with -ignore_*: a finding is saved and the run goes on for the whole time.
        nice -n 10 "$work/bin/hone-fuzz" -target="$t" "${flags[@]}" "${dict[@]}" \
            -max_total_time="$mode" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
            -artifact_prefix="$work/artifacts/$t-" -print_final_stats=1 \
            "$work/found/$t" "bench/fuzz/corpus/$t" >"$log" 2>&1 || true
        execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
        findings=$(grep -oE 'oom/timeout/crash: [0-9/]+' "$log" | tail -1)
        line="$t seconds=$mode executions=${execs:-?} ${findings:-} $(date -u '+%Y-%m-%d')"
        echo "$line" | tee -a "$work/summary.txt"
        ls "$work/artifacts" | grep "^$t-" | sed 's/^/  artifact: /' || true
    done ;;
esac
