#!/usr/bin/env bash
# Build the npm package in host-node/package/: copy the wasm-bindgen output (wasm/pkg, built by
# `make wasm`) into package/pkg and compile src/ with tsc into package/dist (ESM + .d.ts).
# The package directory holds only what is published, so a `file:` dependency on it (the
# sample's) installs no build or test tooling.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wasm_pkg="$here/../wasm/pkg"
if [ ! -f "$wasm_pkg/jwtgate_wasm_bg.wasm" ]; then
    echo "host-node/scripts/build.sh: $wasm_pkg is missing: run \`make wasm\` first" >&2
    exit 1
fi
cd "$here"
files=(jwtgate_wasm.js jwtgate_wasm.d.ts jwtgate_wasm_bg.wasm jwtgate_wasm_bg.wasm.d.ts host-provider.js host-provider.d.ts snippets)
rm -rf package/dist package/pkg pkg
# pkg/: what src/ imports when type-checking; package/pkg/: what the compiled package loads.
mkdir -p pkg package/pkg
for f in "${files[@]}"; do cp -r "$wasm_pkg/$f" pkg/; cp -r "$wasm_pkg/$f" package/pkg/; done
node_modules/.bin/tsc -p tsconfig.json
cp README.md package/README.md 2>/dev/null || true
echo "host-node: built package/dist and package/pkg ($(wc -c < package/pkg/jwtgate_wasm_bg.wasm) bytes of wasm)" >&2
