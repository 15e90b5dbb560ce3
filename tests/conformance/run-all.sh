#!/usr/bin/env bash
# Every host decides every case of vectors.json; then compare.mjs fails on any difference.
# Hosts: the native core (cargo test), the wasm module in wasmtime (host-lambda's engine), and
# the npm package in Node, bun and Deno (the edge runtime), with each signature provider.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
out=target/conformance
rm -rf "$out" && mkdir -p "$out"
bin=host-node/node_modules/.bin
hosts=(native)
cargo test --locked -p jwtgate-core --test conformance -- --nocapture 2>&1 | grep -E "passed|FAIL|panicked"
if [ -f host-lambda/tests/conformance.rs ]; then
    cargo test --locked -p jwtgate-lambda --test conformance -- --nocapture 2>&1 | grep -E "passed|FAIL|panicked"
    hosts+=(wasmtime wasmtime-native)
fi
node tests/conformance/run.mjs --out "$out/node.json"
node tests/conformance/run.mjs --signatures host --out "$out/node-crypto.json"
"$bin/bun" tests/conformance/run.mjs --out "$out/bun.json"
"$bin/bun" tests/conformance/run.mjs --signatures host --out "$out/bun-node-crypto.json"
DENO_NO_UPDATE_CHECK=1 NO_COLOR=1 "$bin/deno" run --quiet --no-prompt --allow-read="$root" \
    --allow-write="$root/$out" tests/conformance/run.mjs --out "$out/deno.json"
hosts+=(node node-crypto bun bun-node-crypto deno)
node tests/conformance/compare.mjs "${hosts[@]}"
