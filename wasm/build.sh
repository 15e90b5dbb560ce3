#!/usr/bin/env bash
# Build the one jwtgate WebAssembly module and its wasm-bindgen JavaScript bindings.
#
#   wasm/build.sh            -> wasm/pkg/jwtgate_wasm_bg.wasm (+ jwtgate_wasm.js, .d.ts)
#                               target/wasm-test/jwtgate_simd_kernels.wasm (test only, below)
#
# Toolchain choice, never waiting on a download:
#   1. a rustup toolchain that already has the wasm32-unknown-unknown standard library;
#   2. otherwise Debian's rustc-web/cargo-web/rust-web-src/lld-22, building std from source
#      (-Zbuild-std), installed with apt when missing.
# wasm-bindgen-cli is installed at exactly the version Cargo.lock names, when missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target=wasm32-unknown-unknown
out="$root/wasm/pkg"
log() { printf 'wasm/build.sh: %s\n' "$*" >&2; }

rustup_has_wasm_std() {
    command -v rustc >/dev/null 2>&1 || return 1
    local sysroot
    sysroot="$(rustc --print sysroot 2>/dev/null)" || return 1
    [ -d "$sysroot/lib/rustlib/$target/lib" ]
}

ensure_debian_toolchain() {
    "$root/scripts/apt-install.sh" rustc-web cargo-web rust-web-src lld-22
}

# WebAssembly SIMD (every host we target runs it: V8, JavaScriptCore, wasmtime) for the RSA
# inner loops. Given to the module's builds only, never exported: `cargo install` of the
# wasm-bindgen CLI (a native build) would warn on every crate that +simd128 is unknown.
wasm_rustflags="${RUSTFLAGS:-} -C target-feature=+simd128"

# The module's size budget, held on the -Zbuild-std toolchain, the one CI uses: a prebuilt
# rustup std keeps its panic messages. README's target is 250 KiB after wasm-opt; the settings
# that token sources, claim rules and forwarding brought (issue #18) took the module to 308,280
# bytes, and this ceiling keeps it from growing further until their parsing is made smaller.
budget_bytes="${WASM_BUDGET_BYTES:-320000}"
built_with=rustup

# Inlining for size in the workspace's own crates (jwtgate-core, jwtgate-wasm), on the
# -Zbuild-std toolchain: most of their code runs once per configuration or key set, and the
# default thresholds (225, 325 for `#[inline]`) copy small functions (string building, drops,
# error paths) into every caller, and loops of unknown length into unrolled copies. The
# crates' hot paths keep `#[inline]` where it pays; the dependencies keep the defaults (their
# SHA-2 and Ed25519 arithmetic is the hot path). jwtgate-wasm needs the flags too: the
# link-time optimisation of the whole module runs in its rustc.
#
# And no SLP vectorisation in our own code: given the field arithmetic's 64-bit sums of 32-bit
# limb products, it emitted i64x2.mul (a full 64-bit multiply per lane, which x86 engines
# build from three 32-bit ones) over product columns kept in linear memory; scalar, the
# columns stay in locals (with the reduction inlined: core/src/crypto/field.rs). The explicit
# SIMD kernels (core/src/simd/) are not affected. The rustup build below gives it to every
# crate.
no_slp="-Cllvm-args=-vectorize-slp=false"
own_rustflags='["-Cllvm-args=-inline-threshold=50", "-Cllvm-args=-inlinehint-threshold=150",
    "-Cllvm-args=-unroll-runtime=false", "-Zinline-mir-threshold=25", "'"$no_slp"'"]'

cargo_build() {
    if rustup_has_wasm_std; then
        log "using the installed rustup $target target"
        RUSTFLAGS="$wasm_rustflags $no_slp" CARGO_TARGET_DIR="$root/target/wasm" cargo build --profile wasm-release --locked \
            --target "$target" -p jwtgate-wasm -p jwtgate-simd-kernels
    else
        ensure_debian_toolchain
        built_with=build-std
        log "using Debian's rustc $(/usr/bin/rustc --version | cut -d' ' -f2) with -Zbuild-std"
        # A separate target dir: two compilers must not share build-script fingerprints.
        # std is built here anyway, so panics can abort at once (a trap, as panic=abort gives
        # in wasm32-unknown-unknown, which has nowhere to print) without the formatting code
        # and messages behind them: about 23 KiB of the module. Nor source locations (paths of
        # this machine's crate sources): nothing in a trap would show them.
        RUSTFLAGS="$wasm_rustflags -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
        RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc CARGO_TARGET_DIR="$root/target/wasm-debian" \
            /usr/bin/cargo build --profile wasm-release --locked --target "$target" -p jwtgate-wasm \
            -p jwtgate-simd-kernels -Zbuild-std=std,panic_abort -Zprofile-rustflags \
            --config "profile.wasm-release.package.jwtgate-core.rustflags=$own_rustflags" \
            --config "profile.wasm-release.package.jwtgate-wasm.rustflags=$own_rustflags" \
            --config "profile.wasm-release.package.jwtgate-simd-kernels.rustflags=$own_rustflags"
    fi
}

lock_version() { # the version of crate $1 in Cargo.lock
    awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_wasm_bindgen() {
    local want have
    want="$(lock_version wasm-bindgen)"
    have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" || true
    if [ "$have" != "$want" ]; then
        log "installing wasm-bindgen-cli $want (found: ${have:-none})"
        # Not --locked: the CLI's own lock file names a release the registry no longer serves.
        cargo install wasm-bindgen-cli --version "=$want" >&2
    fi
}

ensure_wasm_opt() {
    "$root/scripts/npm-install.sh" "$root/wasm/tools"
}

# wasm-opt's passes as the shipped module gets them (the module of the kernels tests too).
wasm_opt() {
    "$root/wasm/tools/node_modules/.bin/wasm-opt" -O3 --strip-debug --strip-producers \
        --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd "$@"
}

# The test-only module of the core's SIMD kernels (tests/simd-kernels), built by the same
# cargo command as the module (it adds about 2 s: no dependency, std already built) and
# with the same flags, so that host-lambda/tests/simd_kernels.rs runs them in wasmtime as the
# module compiles them. Not in wasm/pkg: nothing ships it, and the size budget is the module's.
kernels_out() {
    local built
    built="$(ls -t "$root"/target/wasm*/"$target"/wasm-release/jwtgate_simd_kernels.wasm | head -1)"
    mkdir -p "$root/target/wasm-test"
    wasm_opt "$built" -o "$root/target/wasm-test/jwtgate_simd_kernels.wasm"
    log "built target/wasm-test/jwtgate_simd_kernels.wasm (test only)"
}

cargo_build
ensure_wasm_bindgen
ensure_wasm_opt
kernels_out
built="$(ls -t "$root"/target/wasm*/"$target"/wasm-release/jwtgate_wasm.wasm | head -1)"
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" "$built"
# Optimise the final module (the one every host loads) and drop its name sections.
wasm_opt "$out/jwtgate_wasm_bg.wasm" -o "$out/jwtgate_wasm_bg.wasm"
bytes="$(wc -c < "$out/jwtgate_wasm_bg.wasm")"
log "built $bytes bytes: wasm/pkg/jwtgate_wasm_bg.wasm"
if [ "$built_with" = build-std ] && [ "$bytes" -gt "$budget_bytes" ]; then
    log "the module is over its size budget: $bytes > $budget_bytes bytes (WASM_BUDGET_BYTES)"
    exit 1
fi
# A stable path for the host side of the signature seam (wasm-bindgen puts snippets under a
# hashed folder).
snippet="$(cd "$out" && ls -d snippets/*/js/host-provider.js)"
printf 'export { setHostVerifier } from "./%s";\n' "$snippet" > "$out/host-provider.js"
cat > "$out/host-provider.d.ts" <<'DTS'
/** Register the host's signature check for sessions created with `createWithHostProvider`. */
export function setHostVerifier(
  fn: ((alg: string, publicJwk: string, message: Uint8Array, signature: Uint8Array) => boolean) | null,
): void;
DTS
