#!/usr/bin/env bash
# Build the npm package: copy the wasm-bindgen output (wasm/pkg, built by `make wasm`) into
# host-node/pkg and compile src/ with tsc into host-node/dist (ESM + .d.ts).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wasm_pkg="$here/../wasm/pkg"
if [ ! -f "$wasm_pkg/jwtgate_wasm_bg.wasm" ]; then
    echo "host-node/scripts/build.sh: $wasm_pkg is missing: run \`make wasm\` first" >&2
    exit 1
fi
cd "$here"
rm -rf pkg dist
mkdir -p pkg
cp "$wasm_pkg"/jwtgate_wasm.js "$wasm_pkg"/jwtgate_wasm.d.ts \
   "$wasm_pkg"/jwtgate_wasm_bg.wasm "$wasm_pkg"/jwtgate_wasm_bg.wasm.d.ts pkg/
node_modules/.bin/tsc -p tsconfig.json
echo "host-node: built dist/ and pkg/ ($(wc -c < pkg/jwtgate_wasm_bg.wasm) bytes of wasm)" >&2
