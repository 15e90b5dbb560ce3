#!/usr/bin/env bash
# Install the PyPI tools host-lambda's tests use into a venv under the gitignored target/ dir:
# cargo-lambda (the Lambda Runtime API emulator), aws-sam-translator and cfn-lint (the offline
# checks of the templates in deploy/). Idempotent: reinstalls only when this file's pins change.
#   host-lambda/scripts/install-tools.sh   -> prints the venv's bin directory
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/target/host-lambda-tools"
pins=("cargo-lambda==1.9.2" "aws-sam-translator==1.115.0" "cfn-lint==1.58.0")
stamp="$venv/.installed"
want="$(printf '%s\n' "${pins[@]}")"
if [ ! -x "$venv/bin/python" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "install-tools.sh: installing ${pins[*]} into target/host-lambda-tools" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet "${pins[@]}" >&2
    printf '%s' "$want" > "$stamp"
fi
echo "$venv/bin"
