#!/usr/bin/env bash
# One command, fresh machine → every test: installs what is missing (Node 24, the workspace,
# Chromium, PostgreSQL, the lab's binaries), then runs type check, API reports, lint, prettier,
# unit and integration tests (SQLite and PostgreSQL), gitops validation, the lab proofs (with the
# GitOps loop: Flux, VSO, the OpenBao dev server (Vault API); last the load suite on a scaled lab,
# which it removes again), the browser end-to-end tests and the install proof (the packages
# installed into a fresh Backstage app, both frontend systems). Exits non-zero when any step fails;
# ends with a summary of the steps' times and of this run's Go builds.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$CLOUDLAB_ROOT"
export CI="${CI:-true}"

# The Go builds run in the background, niced, from the start: they need nothing setup.sh installs,
# and setup, tsc, lint and jest leave a core partly idle on two cores (tsc is single-threaded). In
# the order they are needed: the gitops validator (the gitops validation step, then jest), the
# control plane (the lab proofs), the GitOps loop (Flux, VSO, the Gitea forge; its OpenBao dev server is a pinned
# binary, installed, not built). The control plane is joined before the lab proofs; the GitOps loop
# is not: lab-test.sh calls lab-gitops-build.sh before the GitOps proofs, which waits on the build
# lock for this build and then finds it up to date. Warm (Go build cache kept between runs) every
# build is link-only or skipped; cold they are the longest part of the run (README, Prerequisites).
# The summary prints what each built in this run.
run_started="$(date -u +%FT%TZ)"
lab_build_pid=""
lab_build_dir=.cache/background-build
mkdir -p "$lab_build_dir"
rm -f "$lab_build_dir"/*.rc "$lab_build_dir"/*.log
# Its own process group, so that an early exit stops the go builds too.
setsid nice -n 10 bash -c '
  run() { local name=$1; shift; "$@" >"'"$lab_build_dir"'/$name.log" 2>&1; echo $? >"'"$lab_build_dir"'/$name.rc"; }
  run validator bash scripts/validate-gitops.sh --build-only
  run control-plane bash scripts/lab-build.sh
  run gitops-loop bash scripts/lab-gitops-build.sh
' &
lab_build_pid=$!
echo "test: building the validator and the lab's binaries in the background (logs: $lab_build_dir/)"
stop_lab_build() {
  [[ -n "$lab_build_pid" ]] && kill -- "-$lab_build_pid" 2>/dev/null
  return 0
}
trap stop_lab_build EXIT
# join_build <name>: waits for that part of the background build, prints its log, returns its status.
join_build() {
  while [[ ! -f "$lab_build_dir/$1.rc" ]]; do
    if ! kill -0 "$lab_build_pid" 2>/dev/null; then
      sleep 1 # the job may have written the file just before it exited
      [[ -f "$lab_build_dir/$1.rc" ]] && break
      echo "test: the background build stopped before $1" >&2
      return 1
    fi
    sleep 2
  done
  cat "$lab_build_dir/$1.log"
  return "$(cat "$lab_build_dir/$1.rc")"
}

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

# Each step's output is also kept in .cache/test-logs/: the end of the run names, for each failed
# step, the lines that say why (a CI log is often read from its tail only).
declare -a names=() results=() failed_logs=()
step_logs=.cache/test-logs
rm -rf "$step_logs"
mkdir -p "$step_logs"
step() {
  local name=$1
  shift
  echo
  echo "==> $name"
  local start=$SECONDS rc log
  log="$step_logs/$(printf '%02d' "${#names[@]}").log"
  # The step runs in a pipeline, so in a subshell: what it starts it must stop itself (the EXIT
  # trap below is the parent's).
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  if [[ $rc -eq 0 ]]; then
    results+=("ok   $name ($((SECONDS - start))s)")
  else
    results+=("FAIL $name ($((SECONDS - start))s)")
    failed_logs+=("$name|$log")
  fi
  names+=("$name")
}
# why_failed <log>: the lines of a failed step's output that name a failure (test titles marked
# failed, errors, the step's own FAILED line), the last of them, colour codes stripped.
why_failed() {
  sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$1" |
    grep -E '✕|●|^FAIL|FAILED|[Ee]rror|failed|refused|did not|missing|[Tt]imed? ?out|^lab diagnosis: ' |
    grep -vE '✓|^\s*at |● Console|^\s*console\.|^\s*>? *[0-9]+ \|' | awk '!seen[$0]++' | tail -n 30 | cut -c1-220
}

portal_pid=""
stop_portal() {
  if [[ -n "$portal_pid" ]]; then
    kill -- "-$portal_pid" 2>/dev/null || true
    wait "$portal_pid" 2>/dev/null || true
    portal_pid=""
  fi
}
trap 'stop_portal; stop_lab_build' EXIT

e2e() {
  rm -rf e2e-artifacts
  mkdir -p e2e-artifacts/screenshots
  # A deliberate fault fixture for the browser tests only: one more cluster whose token the lab's
  # API server refuses, so e2e/cluster-health.spec.ts sees a per-cluster error beside live data.
  bash e2e/fault-fixture.sh
  # Its own process group, so that stopping it stops the dev server and backend it spawns.
  setsid bash scripts/start.sh --config "$CLOUDLAB_ROOT/e2e/app-config.fault-fixture.yaml" \
    >e2e-artifacts/portal.log 2>&1 &
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
    stop_portal
    return 1
  fi
  echo "screenshots: $CLOUDLAB_ROOT/e2e-artifacts/screenshots"
  CLOUDLAB_E2E_FAULT_FIXTURE=1 yarn playwright test
  local rc=$?
  stop_portal
  return $rc
}

# Not incremental: the declarations the API reports are read from must come from one full pass.
# An incremental rebuild checks the changed files first and can emit the inferred zod types of
# -common with their properties in another order, which the comparison below reads as an API
# change.
step "type check (tsc)" yarn tsc --incremental false
# The published packages' API reports compared with the tsc output above: a change to a public
# API without its regenerated report (yarn build:api-reports) fails here. On a mismatch the tool
# prints the whole new report (tens of thousands of lines for -common): the lines up to it name
# the package and the fix.
api_reports() {
  local out rc
  out=$(yarn build:api-reports:check 2>&1)
  rc=$?
  sed '/with the following content:/q' <<<"$out"
  return $rc
}
step "api reports" api_reports
step "lint" yarn lint
step "prettier" yarn prettier:check
# The handbook must build as TechDocs builds it (mkdocs + techdocs-core), or the portal's docs break.
# Strict: a broken link, a missing page or a page outside the nav fails the step. The diagrams
# must be current with their sources (scripts/docs-diagrams.sh --check).
step "docs build (mkdocs --strict, techdocs-core)" bash -c 'bash scripts/docs-diagrams.sh --check && out=$(mktemp -d) && .cache/venv/bin/mkdocs build --strict --quiet --site-dir "$out"; rc=$?; rm -rf "$out"; exit $rc'
# Before jest: the scaffolder's action tests validate what they write with the validator built here
# (in the background, joined by validate-gitops.sh's build lock).
step "gitops validation" bash scripts/validate-gitops.sh
step "unit and integration tests (jest; SQLite + PostgreSQL)" yarn test --passWithNoTests
step "lab binaries: control plane (background build joined)" join_build control-plane
# --gitops: the GitOps loop's proofs and its figures (lab gitops bench) too; then the load suite
# (security property 10): lab scaled, portal backend under load, scale removed.
step "lab proofs (real control plane, GitOps loop, load)" bash scripts/lab-test.sh --gitops
# Normally long finished (the GitOps proofs needed it); its log belongs in this run's output.
echo
echo "==> background build of the GitOps loop's binaries"
join_build gitops-loop || true
lab_build_pid=""
step "browser end-to-end (Playwright + Chromium)" e2e
# After the browser step, with the lab still up and the repository's portal stopped: the packages
# as published, installed into fresh create-app apps (docs/install-proof.md).
step "install into a fresh Backstage app (new and legacy frontend)" bash scripts/install-proof.sh

echo
echo "==> Go builds and installs (this run, from the stamps: cold = every package compiled, warm = link-only)"
source scripts/lib/go-stamps.sh
stamps_report "$run_started" .cache/gitops-validate/.stamps/gitops-validate \
  .cache/lab/bin/.stamps/{kubernetes,etcd,kwok,kustomize,openbao,flux-source,flux-kustomize,flux-helm,vso,gitea}
echo "==> summary"
failed=0
for r in "${results[@]}"; do
  echo "  $r"
  [[ $r == FAIL* ]] && failed=$((failed + 1))
done
for f in "${failed_logs[@]}"; do
  echo "==> why \"${f%%|*}\" failed (its whole output: ${f#*|})"
  why_failed "${f#*|}" | sed 's/^/  /'
done
echo "cloudlab test: $((${#names[@]} - failed)) of ${#names[@]} steps passed, $failed failed"
[[ $failed -eq 0 ]]
