#!/usr/bin/env bash
# Build the npm package in host-node/package/ from one source, src/:
#   package/pkg/   the wasm-bindgen output (wasm/pkg, built by `make wasm`): the .wasm and its
#                  ES module glue;
#   package/dist/  src/ compiled by tsc: ES modules + .d.ts (Node and bun `import`, and
#                  dist/edge.js for workerd, Deno and browsers);
#   package/cjs/   src/ bundled by esbuild into one CommonJS file, index.js, glue included
#                  (`require`), with the same .d.ts declarations: cjs/package.json says
#                  "commonjs", so TypeScript reads them as the declarations of a CommonJS module.
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
runtime=(jwtgate_wasm.js jwtgate_wasm_bg.wasm host-provider.js snippets)
declarations=(jwtgate_wasm.d.ts jwtgate_wasm_bg.wasm.d.ts host-provider.d.ts)
rm -rf package/dist package/cjs package/pkg pkg
# pkg/: what src/ imports when type-checking; package/pkg/: what the compiled package loads
# (the package's own declarations name nothing of the glue, so its .d.ts stay out).
mkdir -p pkg package/pkg
for f in "${runtime[@]}" "${declarations[@]}"; do cp -r "$wasm_pkg/$f" pkg/; done
for f in "${runtime[@]}"; do cp -r "$wasm_pkg/$f" package/pkg/; done
node_modules/.bin/tsc -p tsconfig.json
# No `import.meta` in CommonJS: the bundle locates the .wasm by `__dirname` (src/wasm-node.ts).
node_modules/.bin/esbuild src/index.ts --bundle --platform=node --target=node20 --format=cjs \
    --define:import.meta.url=undefined --outfile=package/cjs/index.js --log-level=warning
printf '{\n  "type": "commonjs"\n}\n' > package/cjs/package.json
(cd package/dist && find . -name '*.d.ts' ! -name edge.d.ts -exec cp --parents {} ../cjs/ \;)
cp README.md package/README.md 2>/dev/null || true
echo "host-node: built package/dist, package/cjs and package/pkg ($(wc -c < package/pkg/jwtgate_wasm_bg.wasm) bytes of wasm)" >&2
