#!/usr/bin/env bash
# Install a folder's npm dependencies (`npm ci`) when its package-lock.json changed since the
# last install, which a stamp in node_modules remembers.
#   scripts/npm-install.sh FOLDER     (host-node, host-lambda/test-support, deploy/cdk)
set -euo pipefail
cd "$1"
stamp=node_modules/.installed-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    npm ci --no-audit --no-fund --loglevel=error >&2
    mkdir -p node_modules && cp package-lock.json "$stamp"
fi
