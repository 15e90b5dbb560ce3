#!/usr/bin/env bash
# Install what runs the arm64 (aarch64) `bootstrap` on an x86-64 machine: Debian's qemu-user
# (user-mode emulation, `qemu-aarch64`) and the aarch64 glibc the binary links against
# (libc6-arm64-cross, in /usr/aarch64-linux-gnu). apt runs only when something is missing.
# binfmt_misc is not used (a container may not have it registered): the binary is always run
# explicitly through qemu.
#   host-lambda/scripts/install-qemu.sh   -> prints the command prefix that runs an aarch64
#       binary here on the CPU of Lambda's first arm64 generation, Graviton2 (Neoverse N1,
#       ARMv8.2): `/usr/bin/qemu-aarch64 -cpu neoverse-n1 -L /usr/aarch64-linux-gnu`. The model
#       matters: the .cwasm and the binary must use no CPU feature Graviton2 lacks.
set -euo pipefail
log() { printf 'install-qemu.sh: %s\n' "$*" >&2; }

sysroot=/usr/aarch64-linux-gnu
# qemu-user by its command: any package that provides `qemu-aarch64` will do.
packages=(libc6-arm64-cross libgcc-s1-arm64-cross)
command -v qemu-aarch64 >/dev/null 2>&1 || packages+=(qemu-user)
"$(dirname "$0")/../../scripts/apt-install.sh" --no-install-recommends "${packages[@]}"
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] || { log "no aarch64 dynamic loader in $sysroot"; exit 1; }
echo "$(command -v qemu-aarch64) -cpu neoverse-n1 -L $sysroot"
