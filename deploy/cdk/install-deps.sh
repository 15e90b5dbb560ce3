#!/usr/bin/env bash
# Install the CDK construct's npm dependencies (aws-cdk-lib, constructs, typescript) when
# package-lock.json changed.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.installed-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    npm ci --no-audit --no-fund --loglevel=error >&2
    mkdir -p node_modules && cp package-lock.json "$stamp"
fi
