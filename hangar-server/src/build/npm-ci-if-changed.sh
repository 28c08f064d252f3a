#!/bin/sh
# Runs `npm ci` in the given directory (hangar-server's target/web) only when its package.json or
# package-lock.json differ from those of the last successful install there, or the install is gone.
# The stamp (the SHA-256 of both files) lives inside node_modules: `npm ci` deletes node_modules
# first, so a failed or interrupted install leaves no stamp, and `mvn clean` or a fresh clone (no
# target/) always installs. Keyed by content, never by time.
set -eu
cd "$1"
stamp=node_modules/.hangar-npm-ci.sha256
want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --silent
printf '%s\n' "$want" > "$stamp"
