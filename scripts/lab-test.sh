#!/usr/bin/env bash
# Proves the lab: unit tests of packages/lab, then integration tests against the running lab.
# `lab up` runs first: it starts the lab when it is not running and is a quick no-op when it is
# (it also reclaims pool volumes released by earlier runs). Leaves the lab running; `yarn lab down`
# stops it. Usage: scripts/lab-test.sh [--unit-only]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=/dev/null
source scripts/env.sh >/dev/null
export CI=1

step() { printf '\n==== lab-test: %s\n' "$*"; }
fail() { printf '\n==== lab-test: FAILED: %s\n' "$*" >&2; exit 1; }

step "unit tests (packages/lab)"
yarn workspace @cloudlab/lab test --watchAll=false || fail "unit tests"
[[ "${1:-}" == "--unit-only" ]] && exit 0

step "build (no-op when warm)"
scripts/lab-build.sh || fail "lab build"

step "lab up"
yarn workspace @cloudlab/lab start up || fail "lab up (logs in .cache/lab/logs/)"

step "integration tests against the running lab"
yarn workspace @cloudlab/lab test:integration || fail "integration tests (lab left running: yarn workspace @cloudlab/lab start status)"
step "all lab tests passed"
