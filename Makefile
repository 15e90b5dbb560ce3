# The one place to build, demo and test jwtgate. Every target installs what it needs.
#   make demo   run the authorizer locally on built-in defaults (no cloud account)
#   make test   run every test of the project (what CI runs)
#   make bench  side-by-side benchmarks (not part of `make test`)
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export CARGO_TERM_COLOR := never

.PHONY: demo test wasm node-deps test-rust test-node test-lambda bench clean

wasm:
	wasm/build.sh

node-deps:
	host-node/scripts/install-deps.sh

demo: wasm node-deps
	node host-node/demo/demo.mjs

# host-lambda's build.rs compiles the .wasm ahead of time, so the workspace needs it built.
test-rust: wasm
	cargo test --workspace --locked

test-node: wasm node-deps
	node --test host-node/test/

# host-lambda end to end: cargo-lambda's Runtime API emulator, a real OpenID Provider on
# 127.0.0.1, the SAM template check (tools in target/host-lambda-tools, node deps in
# host-lambda/test-support). Runs the tests plain `cargo test` leaves out as ignored.
test-lambda: wasm
	host-lambda/scripts/install-tools.sh >/dev/null
	host-lambda/test-support/install-deps.sh
	cargo test -p jwtgate-lambda --locked -- --include-ignored

test: test-rust test-node test-lambda
	@echo "make test: all suites passed"

clean:
	cargo clean
	rm -rf wasm/pkg host-node/node_modules host-lambda/test-support/node_modules
