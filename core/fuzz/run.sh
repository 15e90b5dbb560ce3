#!/usr/bin/env bash
# Run one fuzz target, bounded, and report its executions.
#
#   core/fuzz/run.sh TARGET SECONDS [RUNS]
#
# SECONDS bounds the run (libFuzzer -max_total_time, plus a hard `timeout`); RUNS (optional)
# stops it after that many executions. The corpus is core/fuzz/corpus/TARGET (seeded by
# seeds.mjs, grown by libFuzzer); crashes go to core/fuzz/artifacts/TARGET/ and fail the run.
# Build first: cd core && cargo +nightly fuzz build $FUZZ_BUILD_FLAGS
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$1" seconds="$2" runs="${3:--1}"
dict="$here/dict/jwt.dict"
[ "$target" = settings_env ] && dict="$here/dict/env.dict"
# The arithmetic targets and token_jwt_compact read structured bytes: no dictionary.
case "$target" in modexp | field_ops | ecdsa_verify | rsa_verify | token_jwt_compact) dict="" ;; esac
bin="$here/target/x86_64-unknown-linux-gnu/release/$target"
[ -x "$bin" ] || { echo "fuzz: $bin not built (cd core && cargo +nightly fuzz build ${FUZZ_BUILD_FLAGS:-})" >&2; exit 1; }
mkdir -p "$here/corpus/$target" "$here/artifacts/$target"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# -timeout: one input taking over 10 s is a finding too (a hang); -rss_limit_mb bounds memory.
timeout --kill-after=10 "$((seconds + 120))" "$bin" "$here/corpus/$target" \
    -artifact_prefix="$here/artifacts/$target/" ${dict:+-dict="$dict"} \
    -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
if [ "$status" -ne 0 ]; then
    tail -60 "$log" >&2
    echo "fuzz $target: FAILED (exit $status) after ${execs:-?} executions; see $here/artifacts/$target/" >&2
    exit 1
fi
echo "fuzz $target: ${execs:-?} executions (${rate:-?}/s), no crash, corpus $(ls "$here/corpus/$target" | wc -l) inputs"
