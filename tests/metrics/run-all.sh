#!/usr/bin/env bash
# The metrics table in every host, then check.mjs: the lines read as CloudWatch reads them
# (EMF) count exactly the decisions and fetches made, and every host wrote the same lines.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
rm -rf target/metrics && mkdir -p target/metrics
cargo test --locked -p jwtgate-lambda --test metrics -- --nocapture 2>&1 | grep -E -A12 "metrics table|test result|panicked"
node tests/metrics/run.mjs --host node
host-node/node_modules/.bin/bun tests/metrics/run.mjs --host bun
node tests/metrics/check.mjs lambda node bun
