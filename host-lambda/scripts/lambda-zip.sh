#!/usr/bin/env bash
# Build the deployable Lambda for one architecture with cargo-lambda (and the zig it installs
# with it, target/host-lambda-tools), for Amazon Linux 2023 (provided.al2023):
#   host-lambda/scripts/lambda-zip.sh x86_64   -> target/lambda/bootstrap/bootstrap.zip
#   host-lambda/scripts/lambda-zip.sh arm64    -> target/lambda-arm64/bootstrap/bootstrap.zip
#       (and target/lambda-arm64/jwtgate-lambda-conformance/bootstrap.zip, which tests/arm64.rs
#       runs under qemu; not deployed)
# Prints the zip's path on stdout. build.rs compiles the module's .cwasm for the same target.
#
# arm64 needs the aarch64 standard library, never downloaded: the rustup toolchain's when it
# has the target already (built in target/arm64); otherwise Debian's rustc-web builds it from
# rust-web-src (-Zbuild-std, as wasm/build.sh does for wasm32), installed with apt when missing
# (built in target/arm64-debian: two compilers never share build-script fingerprints).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
log() { printf 'lambda-zip.sh: %s\n' "$*" >&2; }
arch="${1:-x86_64}"
PATH="$(host-lambda/scripts/install-tools.sh):$PATH"
export PATH

case "$arch" in
amd64 | x86-64) arch=x86_64 ;;
aarch64) arch=arm64 ;;
esac
case "$arch" in
x86_64)
    cargo lambda build --release --locked --x86-64 --output-format zip -p jwtgate-lambda --bin bootstrap >&2
    echo "$root/target/lambda/bootstrap/bootstrap.zip"
    ;;
arm64)
    target=aarch64-unknown-linux-gnu
    lambda_dir="$root/target/lambda-arm64"
    bins=(--bin bootstrap --bin jwtgate-lambda-conformance)
    if [ -d "$(rustc --print sysroot 2>/dev/null)/lib/rustlib/$target/lib" ]; then
        log "using the installed rustup $target target"
        CARGO_TARGET_DIR="$root/target/arm64" cargo lambda build --release --locked --arm64 \
            --output-format zip --lambda-dir "$lambda_dir" -p jwtgate-lambda "${bins[@]}" >&2
    else
        "$root/scripts/apt-install.sh" rustc-web cargo-web rust-web-src
        log "using Debian's rustc $(/usr/bin/rustc --version | cut -d' ' -f2) with -Zbuild-std for $target"
        # Debian's cargo and rustc first on PATH (cargo-lambda and cargo-zigbuild call them by
        # name); no rustup target check, which would download the target's std.
        target_dir="$root/target/arm64-debian"
        shim="$target_dir/toolchain-bin"
        mkdir -p "$shim"
        ln -sf /usr/bin/cargo "$shim/cargo"
        ln -sf /usr/bin/rustc "$shim/rustc"
        PATH="$shim:$PATH" CARGO=/usr/bin/cargo RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
        CARGO_UNSTABLE_BUILD_STD=std,panic_abort CARGO_TARGET_DIR="$target_dir" \
            /usr/bin/cargo lambda build --release --locked --arm64 --skip-target-check \
            --output-format zip --lambda-dir "$lambda_dir" -p jwtgate-lambda "${bins[@]}" >&2
    fi
    echo "$lambda_dir/bootstrap/bootstrap.zip"
    ;;
*)
    log "unknown ARCH '$arch': x86_64 or arm64"
    exit 2
    ;;
esac
