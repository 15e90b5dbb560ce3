#!/usr/bin/env bash
# RUSTC_WRAPPER for the fuzz build (`make fuzz-build`): crates from outside this repository
# (the references num-bigint, rsa, p256, jwt-compact and their dependencies, and libfuzzer-sys)
# are compiled without libFuzzer's coverage instrumentation. Their comparisons took 60 to 85% of
# the arithmetic targets' time, and their branches are not what the fuzzer should explore: it
# is guided by the core's and the oracles' coverage. Sanitizers and assertions are left as set.
#
#   RUSTC_WRAPPER=core/fuzz/rustc-wrapper.sh cargo +nightly fuzz build ...
set -euo pipefail
rustc="$1"
shift
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
case "${CARGO_MANIFEST_DIR:-}" in
"$repo" | "$repo"/*) exec "$rustc" "$@" ;;
esac
args=()
for arg in "$@"; do
    case "$arg" in
    -Cpasses=sancov-module | -Cllvm-args=-sanitizer-coverage-*) ;;
    *) args+=("$arg") ;;
    esac
done
exec "$rustc" "${args[@]}"
