#!/usr/bin/env bash
# The fuzz targets (Fuzz/README.md), built with libFuzzer and AddressSanitizer.
#   Fuzz/fuzz.sh                   every target for 60 s each
#   Fuzz/fuzz.sh all SECONDS       every target for SECONDS each (.ci/run: 20)
#   Fuzz/fuzz.sh TARGET SECONDS    one target
#   Fuzz/fuzz.sh seeds             rewrites corpus/*/seed-* from the real encoders
# The committed corpus/TARGET is read, never written; what a run finds that adds coverage
# goes to .build/corpus/TARGET. A crash, a hang (10 s) or an allocation over 64 MB stops the
# run, writes the input to .build/crashes/ and fails; fix it and keep the input in corpus/TARGET.
set -euo pipefail
cd "$(dirname "$0")"
targets=(frame message transaction signature block api-lines api-request tracker-http store)
# The C code (the Ed25519 verifier, SHA-256, CRC-32C) is instrumented too, so the fuzzer sees
# its coverage and AddressSanitizer its memory.
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing \
    -Xcc -fsanitize=fuzzer-no-link,address 2>&1 \
    | grep -E "error|warning: |Compiling|Build complete" | grep -v -e "^\[" -e "Cannot export local symbol" || true
binary=.build/release/keychain-fuzz
# The Swift runtime's crash handler would mask the sanitizer's report.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=detect_leaks=0

if [ "${1:-}" = seeds ]; then
    KEYCHAIN_FUZZ_SEEDS=corpus "$binary"
    exit 0
fi
what=${1:-all}
seconds=${2:-60}
if [ "$what" = all ]; then selected=("${targets[@]}"); else selected=("$what"); fi
mkdir -p .build/crashes
printf '%-13s %12s %10s %8s %8s\n' target executions "exec/s" coverage corpus
for target in "${selected[@]}"; do
    mkdir -p ".build/corpus/$target"
    log=".build/fuzz-$target.log"
    if ! KEYCHAIN_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=64 \
        -print_final_stats=1 -artifact_prefix=".build/crashes/$target-" ".build/corpus/$target" "corpus/$target" >"$log" 2>&1; then
        grep -E "ERROR|SUMMARY|Test unit written" "$log" >&2 || tail -n 20 "$log" >&2
        echo "fuzz target $target failed; its log is Fuzz/$log" >&2
        exit 1
    fi
    done_line=$(grep -E "DONE|^#[0-9]+" "$log" | tail -n 1)
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    coverage=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
    corpus=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$done_line")
    printf '%-13s %12s %10s %8s %8s\n' "$target" "$executions" "$rate" "$coverage" "$corpus"
done
