#!/usr/bin/env bash
# One command, fresh machine → every test: installs what is missing (Node 24, the workspace,
# Chromium, PostgreSQL, the lab's binaries), then runs type check, lint, prettier, unit and
# integration tests (SQLite and PostgreSQL), gitops validation, the lab proofs and the browser
# end-to-end tests. Exits non-zero when any step fails; ends with a summary line.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$CLOUDLAB_ROOT"
export CI="${CI:-true}"

bash scripts/setup.sh || { echo "test: setup failed" >&2; exit 1; }
if [[ ! -x /usr/bin/chromium ]]; then
  echo "test: installing Debian's chromium"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || exit 1
fi
BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$(bash scripts/postgres.sh)" || {
  echo "test: PostgreSQL could not be started" >&2
  exit 1
}
export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING

declare -a names=() results=()
step() {
  local name=$1
  shift
  echo
  echo "==> $name"
  local start=$SECONDS
  if "$@"; then
    results+=("ok   $name ($((SECONDS - start))s)")
  else
    results+=("FAIL $name ($((SECONDS - start))s)")
  fi
  names+=("$name")
}

portal_pid=""
stop_portal() {
  if [[ -n "$portal_pid" ]]; then
    kill -- "-$portal_pid" 2>/dev/null || true
    wait "$portal_pid" 2>/dev/null || true
    portal_pid=""
  fi
}
trap stop_portal EXIT

e2e() {
  rm -rf e2e-artifacts
  mkdir -p e2e-artifacts/screenshots
  # Its own process group, so that stopping it stops the dev server and backend it spawns.
  setsid bash scripts/start.sh >e2e-artifacts/portal.log 2>&1 &
  portal_pid=$!
  local ready=""
  for _ in $(seq 1 450); do
    if grep -q "Cloudlab portal ready" e2e-artifacts/portal.log; then ready=1; break; fi
    kill -0 "$portal_pid" 2>/dev/null || break
    sleep 2
  done
  if [[ -z "$ready" ]]; then
    echo "portal did not start; last log lines:" >&2
    tail -n 40 e2e-artifacts/portal.log >&2
    return 1
  fi
  echo "screenshots: $CLOUDLAB_ROOT/e2e-artifacts/screenshots"
  yarn playwright test
  local rc=$?
  stop_portal
  return $rc
}

step "type check (tsc)" yarn tsc
step "lint" yarn lint
step "prettier" yarn prettier:check
# The handbook must build as TechDocs builds it (mkdocs + techdocs-core), or the portal's docs break.
# Strict: a broken link, a missing page or a page outside the nav fails the step. The diagrams
# must be current with their sources (scripts/docs-diagrams.sh --check).
step "docs build (mkdocs --strict, techdocs-core)" bash -c 'bash scripts/docs-diagrams.sh --check && out=$(mktemp -d) && .cache/venv/bin/mkdocs build --strict --quiet --site-dir "$out"; rc=$?; rm -rf "$out"; exit $rc'
# Before jest: the scaffolder's action tests validate what they write with the validator built here.
step "gitops validation" bash scripts/validate-gitops.sh
step "unit and integration tests (jest; SQLite + PostgreSQL)" yarn test --passWithNoTests
if [[ -f scripts/lab-test.sh ]]; then
  step "lab proofs (real control plane)" bash scripts/lab-test.sh
fi
step "browser end-to-end (Playwright + Chromium)" e2e

echo
echo "==> summary"
failed=0
for r in "${results[@]}"; do
  echo "  $r"
  [[ $r == FAIL* ]] && failed=$((failed + 1))
done
echo "cloudlab test: $((${#names[@]} - failed)) of ${#names[@]} steps passed, $failed failed"
[[ $failed -eq 0 ]]
