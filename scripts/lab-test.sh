#!/usr/bin/env bash
# Proves the lab: unit tests of packages/lab, then integration tests against the running lab.
# `lab up` runs first: it starts the lab when it is not running and is a quick no-op when it is
# (it also reclaims pool volumes released by earlier runs). Leaves the lab running; `yarn lab down`
# stops it. Usage: scripts/lab-test.sh [--unit-only | --gitops]
# --gitops (what scripts/test.sh runs) also builds and starts the GitOps loop (Flux, VSO, OpenBao dev
# server (Vault API); docs/lab/gitops-loop.md), runs its proofs and prints its figures (lab gitops bench).
# Last, the load suite (security property 10; docs/adr/1101-load-test-model.md): the lab is scaled,
# the portal backend runs as its own process under 200 virtual users, the scale is removed. It runs
# last because the other proofs expect the default lab.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=/dev/null
source scripts/env.sh >/dev/null
export CI=1

t_step=$SECONDS
step() {
  printf '\n==== lab-test: %s (previous step %ss)\n' "$*" "$((SECONDS - t_step))"
  t_step=$SECONDS
}
fail() { printf '\n==== lab-test: FAILED: %s\n' "$*" >&2; exit 1; }
# diagnose: what a CI log read from its tail needs when a lab proof failed — the lab's state
# (components, nodes, pods) and the last errors each component logged, each line marked so the
# test command's failure excerpt keeps it.
diagnose() {
  {
    yarn workspace @cloudlab/lab start status 2>&1 || true
    for log in .cache/lab/logs/*.log; do
      [[ -f "$log" ]] || continue
      # klog error lines (E1208 …) and Go panics/fatal exits, the last two of each component.
      grep -aE '^(E[0-9]{4} |F[0-9]{4} |panic:|fatal error:)|level=error' "$log" | tail -n 2 |
        cut -c1-200 | sed "s|^|$(basename "$log" .log): |"
    done
  } | sed 's/^/lab diagnosis: /' >&2
}
fail_lab() { diagnose; fail "$@"; }

step "unit tests (packages/lab)"
yarn workspace @cloudlab/lab test --watchAll=false || fail "unit tests"
[[ "${1:-}" == "--unit-only" ]] && exit 0

step "build (no-op when warm)"
scripts/lab-build.sh || fail "lab build"

step "lab up"
yarn workspace @cloudlab/lab start up || fail "lab up (logs in .cache/lab/logs/)"

step "backend bundle (yarn build:backend: the portal proof runs it as the image would)"
yarn build:backend || fail "yarn build:backend"

step "integration tests against the running lab"
yarn workspace @cloudlab/lab test:integration || fail_lab "integration tests (lab left running: yarn workspace @cloudlab/lab start status)"
if [[ "${1:-}" == "--gitops" ]]; then
  step "GitOps loop: build (no-op when warm), lab gitops up --wait"
  scripts/lab-gitops-build.sh || fail "lab gitops build"
  yarn workspace @cloudlab/lab start gitops up --wait || fail "lab gitops up (logs in .cache/lab/logs/)"
  step "GitOps loop proofs (the forge and its protected main; the portal on the tree Flux applies; the scaffolder templates end to end through it; no secret egress)"
  CLOUDLAB_LAB_INTEGRATION=1 CLOUDLAB_LAB_GITOPS=1 yarn workspace @cloudlab/lab backstage-cli package test \
    --watchAll=false --runInBand --verbose 'src/integration/(gitops|scaffolder|secretEgress)' ||
    fail_lab "GitOps proofs (yarn workspace @cloudlab/lab start flux)"
  step "GitOps loop figures (lab gitops bench: build per binary, RSS per process, commit -> Ready)"
  yarn workspace @cloudlab/lab start gitops bench --rounds 3 || fail "lab gitops bench"
fi

# Property 10 (load). The scale is moderate so the step stays a few minutes; the benchmark command
# takes larger labs (docs/benchmarks.md). The claims go through `lab scale --claims`, which writes
# each pre-bound pair Bound itself (docs/adr/0202-lab-scale-writes-bound-claims.md) and fails
# unless every claim ends Bound; the load suite then checks each entity's claim count.
load_nodes=${CLOUDLAB_LOAD_NODES:-100}
load_pods=${CLOUDLAB_LOAD_PODS:-2000}
load_claims=${CLOUDLAB_LOAD_CLAIMS:-200}
step "load: lab scale --nodes $load_nodes --pods $load_pods --claims $load_claims"
yarn workspace @cloudlab/lab start scale --nodes "$load_nodes" --pods "$load_pods" --claims "$load_claims" || {
  yarn workspace @cloudlab/lab start scale --nodes 0 --pods 0 || true
  fail "lab scale for the load suite"
}
step "load: the portal backend under 200 virtual users (property 10)"
load_rc=0
yarn workspace @internal/cloudlab-bench load --check --users 200 --seconds 30 \
  --think-ms 2000 --idle-rounds 100 --saturation-seconds 10 || load_rc=$?
step "load: remove the scale"
yarn workspace @cloudlab/lab start scale --nodes 0 --pods 0 || fail "lab scale --nodes 0 --pods 0"
[[ $load_rc == 0 ]] || fail "load suite (backend log: .cache/load/backend.log; event loop, GC and stalls per phase: .cache/load/diagnostics.json)"
step "all lab tests passed in ${SECONDS}s"
