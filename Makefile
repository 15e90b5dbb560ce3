# The one place to build, demo and test jwtgate. Every target installs what it needs.
#   make demo   run the authorizer locally on built-in defaults (no cloud account)
#   make test   run every test of the project (what CI runs)
#   make lint   clippy, rustfmt, rustdoc, tsc and Biome (part of `make test`)
#   make bench  side-by-side benchmarks (not part of `make test`)
#   make fuzz-long  the long fuzz run (FUZZ_RUNS executions per target; not part of `make test`)
#   make soak   200,000 decisions through the Node host (tests/soak; not part of `make test`)
#   make soak-lambda  1,000,000 decisions through the Lambda host under cargo-lambda's emulator
#   make lambda-zip   the deployable Lambda for x86_64: target/lambda/bootstrap/bootstrap.zip
#   make lambda-zip ARCH=arm64   the same for arm64 (Graviton): target/lambda-arm64/bootstrap/bootstrap.zip
#   make test-deploy  the deployment templates (deploy/sam) and the CDK construct (deploy/cdk), offline
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export CARGO_TERM_COLOR := never

.PHONY: demo test lint wasm node-deps node-package test-rust test-node test-bun test-edge test-lambda test-faults test-conformance test-metrics test-bench-smoke bench bench-three clean \
	fuzz-deps fuzz-build test-fuzz fuzz-long test-soak soak lambda-zip test-arm64 test-deploy

wasm:
	wasm/build.sh

node-deps:
	scripts/npm-install.sh host-node

demo: node-package
	cargo build --locked -p jwtgate-lambda --bin bootstrap
	JWTGATE_BOOTSTRAP=target/debug/bootstrap node host-node/demo/demo.mjs

# host-lambda's build.rs compiles the .wasm ahead of time, so the workspace needs it built, and
# host-lambda/tests/simd_kernels.rs the SIMD kernels' test module wasm/build.sh builds with it.
test-rust: wasm
	cargo test --workspace --locked

# Lints, part of `make test`: clippy with warnings as errors on every target of the workspace,
# rustfmt (rustfmt.toml) on the workspace and the fuzz crate, the core's docs without a
# warning, tsc (strict, noUncheckedIndexedAccess) and Biome (biome.json) on host-node.
lint: node-package
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo fmt --all --check
	cd core/fuzz && cargo fmt --check
	RUSTDOCFLAGS="-D warnings" cargo doc -p jwtgate-core --no-deps --locked
	cd host-node && node_modules/.bin/tsc -p tsconfig.check.json && node_modules/.bin/biome lint --error-on-warnings

# The npm package (host-node/package): wasm/pkg copied in, src/ compiled with tsc.
node-package: wasm node-deps
	host-node/scripts/build.sh

# Only the *.test.mjs files: test/support/ holds helpers, not tests.
test-node: node-package
	cd host-node && node --test --test-timeout=180000 test/*.test.mjs

test-bun: node-package
	cd host-node && node_modules/.bin/bun test --timeout 30000 ./test-bun

test-edge: node-package
	cd host-node && node --test --test-timeout=180000 test-edge/

# One conformance table, the same decision in every host (tests/conformance).
test-conformance: node-package
	tests/conformance/run-all.sh

# The log lines as CloudWatch reads them (EMF), the same in every host (tests/metrics).
test-metrics: node-package
	tests/metrics/run-all.sh

# host-lambda end to end: cargo-lambda's Runtime API emulator, a real OpenID Provider on
# 127.0.0.1 (tools in target/host-lambda-tools, node deps in host-lambda/test-support). Runs
# the tests plain `cargo test` leaves out as ignored, except the fault table (test-faults) and
# the arm64 build's (test-arm64).
test-lambda: wasm
	host-lambda/scripts/install-tools.sh >/dev/null
	scripts/npm-install.sh host-lambda/test-support
	cargo test -p jwtgate-lambda --locked -- --include-ignored --skip fault_table --skip arm64_conformance

# The fault table (tests/faults): every host against a misbehaving OpenID provider on 127.0.0.1,
# the same scenarios and expectations (test-lambda leaves the Lambda's run of it to this target).
test-faults: node-package
	status=0; \
	node tests/faults/run-node.mjs || status=1; \
	cargo test -p jwtgate-lambda --locked --test faults -- --ignored --nocapture || status=1; \
	exit $$status

# The zip the templates of deploy/ and the CDK construct deploy (README "Deploy"), built by
# cargo-lambda (installed in target/host-lambda-tools with its own zig) for Amazon Linux 2023
# on ARCH (host-lambda/scripts/lambda-zip.sh):
#   ARCH=x86_64 (default)  target/lambda/bootstrap/bootstrap.zip
#   ARCH=arm64 (Graviton)  target/lambda-arm64/bootstrap/bootstrap.zip
# build.rs compiles the module's .cwasm for the same architecture.
ARCH ?= x86_64
lambda-zip: wasm
	host-lambda/scripts/lambda-zip.sh $(ARCH) >/dev/null

# The arm64 build on this x86-64 machine, under qemu user-mode emulation as a Graviton2 CPU
# (Neoverse N1; qemu-user and the aarch64 glibc from Debian, host-lambda/scripts/install-qemu.sh),
# never through binfmt_misc: the conformance table decided by the aarch64 engine
# (host-lambda/tests/arm64.rs), and the arm64 zip's `bootstrap` under cargo-lambda's Runtime API
# emulator against the OpenID Provider on 127.0.0.1 (host-lambda/tests/lambda_e2e.rs).
ARM64_DIR := target/lambda-arm64
test-arm64: wasm
	host-lambda/scripts/install-tools.sh >/dev/null
	scripts/npm-install.sh host-lambda/test-support
	host-lambda/scripts/lambda-zip.sh arm64 >/dev/null
	for bin in bootstrap jwtgate-lambda-conformance; do \
		rm -f $(ARM64_DIR)/$$bin/bootstrap; \
		python3 -m zipfile -e $(ARM64_DIR)/$$bin/bootstrap.zip $(ARM64_DIR)/$$bin; \
		chmod +x $(ARM64_DIR)/$$bin/bootstrap; \
	done
	runner="$$(host-lambda/scripts/install-qemu.sh)"; \
	JWTGATE_BOOTSTRAP_RUNNER="$$runner" JWTGATE_ARM64_CONFORMANCE="$$PWD/$(ARM64_DIR)/jwtgate-lambda-conformance/bootstrap" \
		cargo test -p jwtgate-lambda --locked --test arm64 -- --ignored --nocapture; \
	JWTGATE_BOOTSTRAP_RUNNER="$$runner" JWTGATE_BOOTSTRAP="$$PWD/$(ARM64_DIR)/bootstrap/bootstrap" \
		cargo test -p jwtgate-lambda --locked --test lambda_e2e -- --include-ignored

# Deployment, offline (README "Deploy"): the SAM templates of deploy/sam transformed by
# aws-sam-translator, their wiring and parameter constraints checked, cfn-lint; the CDK construct
# of deploy/cdk synthesized in its example app (both flavours, REST, HTTP and WebSocket APIs, both
# architectures), cfn-lint on every stack, the Node flavour's code run. The Rust flavour uses
# the zip of `make lambda-zip` when it exists, else the release bootstrap, built by the same
# command as soak-lambda-build (nothing to do when test-soak ran before).
test-deploy: node-package
	host-lambda/scripts/install-tools.sh >/dev/null
	scripts/npm-install.sh deploy/cdk
	cargo build --release --locked -p jwtgate-lambda --bin bootstrap
	target/host-lambda-tools/bin/python deploy/sam/check_templates.py
	cd deploy/cdk && node_modules/.bin/tsc -p tsconfig.json && node --test --test-timeout=300000 test/

# Side by side with the peers (tests/bench, README "Benchmarks"): one table on stdout,
# target/bench/{results.json,ratios.svg} and tests/bench/RESULTS.md. Installs its pinned peers.
bench: node-package lambda-zip
	node tests/bench/run.mjs

# Three full runs in a row on one commit, then RESULTS.md with their figures side by side and
# each speed target met only where it holds in all three (the machine is shared and noisy).
bench-three: node-package lambda-zip
	for i in 1 2 3; do node tests/bench/run.mjs && cp target/bench/results.json target/bench/run-$$i.json || exit 1; done
	node tests/bench/combine.mjs target/bench/run-1.json target/bench/run-2.json target/bench/run-3.json

# The same harness with tiny counts (checks every row still runs and decides correctly).
test-bench-smoke: node-package
	timeout 300 node tests/bench/run.mjs --smoke


# Fuzzing the core (core/fuzz, cargo-fuzz on the nightly toolchain rustup installed). The core's
# only `unsafe` is in its wasm32 SIMD kernels (core/src/simd/: base64url decoding, the dot scan,
# Montgomery multiplication's dot products), which a native build does not compile (they are
# fuzzed in wasm by host-lambda/tests/simd_kernels.rs, in test-rust), so targets build without
# a sanitizer and with overflow checks and debug assertions on; FUZZ_BUILD_FLAGS="-s address -a"
# turns AddressSanitizer on.
FUZZ_TARGETS := verify_token jwks_parse authorize_event settings_env json_read modexp field_ops ecdsa_verify rsa_verify token_jwt_compact
FUZZ_BUILD_FLAGS ?= -s none -a
export FUZZ_BUILD_FLAGS
FUZZ_SECONDS ?= 30
FUZZ_RUNS ?= 10000000
FUZZ_LONG_SECONDS ?= 3600

fuzz-deps:
	@cargo +nightly --version >/dev/null 2>&1 || { echo "fuzzing needs the nightly toolchain: rustup toolchain install nightly" >&2; exit 1; }
	@command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

# The references (num-bigint, rsa, RustCrypto, jwt-compact) build without coverage
# instrumentation: core/fuzz/rustc-wrapper.sh.
fuzz-build: fuzz-deps
	node core/fuzz/seeds.mjs
	cd core && RUSTC_WRAPPER="$(CURDIR)/core/fuzz/rustc-wrapper.sh" cargo +nightly fuzz build $(FUZZ_BUILD_FLAGS)

# A short bounded run of every target (FUZZ_SECONDS each); any crash fails `make test`.
test-fuzz: fuzz-build
	for t in $(FUZZ_TARGETS); do core/fuzz/run.sh $$t $(FUZZ_SECONDS); done

# The long run: FUZZ_RUNS executions per target, each bounded by FUZZ_LONG_SECONDS.
fuzz-long: fuzz-build
	for t in $(FUZZ_TARGETS); do core/fuzz/run.sh $$t $(FUZZ_LONG_SECONDS) $(FUZZ_RUNS); done

# Soak (tests/soak): mixed valid and hostile tokens through the Node host and through the
# Lambda host (release bootstrap under cargo-lambda's emulator); RSS, errors, rate. The Lambda
# runs must stay flat: RSS growth after the first 10,000 invocations at most 1 MiB (a leak of
# 155 bytes per invocation fails the short form by 5 MiB).
SOAK_N ?= 200000
SOAK_LAMBDA_N ?= 1000000
.PHONY: soak-lambda-build soak-lambda
soak-lambda-build: wasm
	host-lambda/scripts/install-tools.sh >/dev/null
	cargo build --release --locked -p jwtgate-lambda --bin bootstrap

test-soak: node-package soak-lambda-build
	timeout 300 node tests/soak/soak.mjs --host node --n 20000
	timeout 240 node tests/soak/soak.mjs --host lambda --n 50000 --max-growth-after-kib 1024

soak: node-package
	node tests/soak/soak.mjs --host node --n $(SOAK_N)

soak-lambda: soak-lambda-build
	node tests/soak/soak.mjs --host lambda --n $(SOAK_LAMBDA_N) --max-growth-after-kib 1024


test: lint test-rust test-node test-bun test-edge test-lambda test-arm64 test-faults test-conformance test-metrics test-bench-smoke test-fuzz test-soak test-deploy
	@echo "make test: all suites passed"

clean:
	cargo clean
	rm -rf wasm/pkg host-node/node_modules host-node/pkg host-node/package/dist host-node/package/pkg host-lambda/test-support/node_modules deploy/cdk/node_modules deploy/cdk/lib
