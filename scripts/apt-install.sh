#!/usr/bin/env bash
# Install the Debian packages named that are not installed yet, as root or through sudo; apt
# runs only when one is missing. Every set-up step that needs a Debian package comes here.
#   scripts/apt-install.sh [--no-install-recommends] PACKAGE...
set -euo pipefail
options=()
if [ "${1:-}" = --no-install-recommends ]; then
    options+=("$1")
    shift
fi
missing=()
for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
printf 'apt-install.sh: installing Debian packages: %s\n' "${missing[*]}" >&2
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${options[@]}" "${missing[@]}" >/dev/null
