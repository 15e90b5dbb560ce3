# The one place to build, demo and test jwtgate. Every target installs what it needs.
#   make demo   run the authorizer locally on built-in defaults (no cloud account)
#   make test   run every test of the project (what CI runs)
#   make bench  side-by-side benchmarks (not part of `make test`)
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export CARGO_TERM_COLOR := never

.PHONY: demo test wasm node-deps test-rust test-node bench clean

wasm:
	wasm/build.sh

node-deps:
	host-node/scripts/install-deps.sh

demo: wasm node-deps
	node host-node/demo/demo.mjs

test-rust:
	cargo test --workspace --locked

test-node: wasm node-deps
	node --test host-node/test/

test: test-rust test-node
	@echo "make test: all suites passed"

clean:
	cargo clean
	rm -rf wasm/pkg host-node/node_modules
