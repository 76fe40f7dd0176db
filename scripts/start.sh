#!/usr/bin/env bash
# One command, fresh machine → running portal: installs what is missing, starts the lab cluster
# and its GitOps loop (when the lab is part of this checkout) and serves the portal on :3000 (frontend) and :7007
# (backend). Ctrl-C stops the portal; the lab keeps running until `yarn lab down`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CLOUDLAB_ROOT"

bash scripts/setup.sh

configs=(--config "$CLOUDLAB_ROOT/app-config.yaml")
if [[ -f scripts/lab-build.sh && -f packages/lab/bin/cloudlab-lab && "${CLOUDLAB_NO_LAB:-}" != 1 ]]; then
  bash scripts/lab-build.sh
  yarn lab up
  # The GitOps loop (real Flux, VSO and an OpenBao dev server (Vault API)) reconciles gitops/clusters/lab, so the
  # GitOps and Secrets views show real state. CLOUDLAB_NO_GITOPS=1 skips it (its cold build is long: docs/benchmarks.md).
  if [[ -f scripts/lab-gitops-build.sh && "${CLOUDLAB_NO_GITOPS:-}" != 1 ]]; then
    bash scripts/lab-gitops-build.sh
    yarn lab gitops up --wait
  fi
  # The lab leaves its API server URL, CA and the portal ServiceAccount's token in .cache/lab.
  source scripts/lib/lab-app-config.sh
  if write_lab_app_config .cache/lab/app-config.lab.yaml; then
    configs+=(--config "$CLOUDLAB_ROOT/.cache/lab/app-config.lab.yaml")
    forge_token_env .cache/lab
  fi
fi
configs+=("$@")

portal_ready() {
  curl -fsS -o /dev/null http://localhost:7007/.backstage/health/v1/readiness &&
    curl -fsS -o /dev/null http://localhost:3000
}
(
  for _ in $(seq 1 600); do
    if portal_ready 2>/dev/null; then
      echo
      echo "Cloudlab portal ready: http://localhost:3000 (backend http://localhost:7007)"
      exit 0
    fi
    sleep 2
  done
  echo "Cloudlab portal did not become ready within 20 minutes" >&2
) &
watcher=$!
trap 'kill "$watcher" 2>/dev/null || true' EXIT
# backstage-cli runs the frontend dev server and the backend; both stop with it.
yarn start "${configs[@]}"
