#!/usr/bin/env bash
# The tests read nothing outside the project: clone the committed tree into a temporary folder
# with nothing beside it (no ../shared) and run the tier that needs no server there.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
alone=$(mktemp -d)
trap 'rm -rf "$alone"' EXIT
git clone --quiet "$root" "$alone/casebot"
ln -s "$root/node_modules" "$alone/casebot/node_modules"
cd "$alone/casebot"
echo "fresh clone of $(git rev-parse --short HEAD) in $alone/casebot, nothing beside it:"
npx jest --runInBand src test/knowledge test/templates test/memory test/contract/maildir.contract.test.ts
