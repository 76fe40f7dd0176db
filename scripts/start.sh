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
  # The lab leaves its API server URL, CA and the portal ServiceAccount's token in .cache/lab;
  # the portal reads the token file itself ($file), so it never passes through this script.
  if [[ -f .cache/lab/apiserver-url && -f .cache/lab/portal-token ]]; then
    cat >.cache/lab/app-config.lab.yaml <<YAML
kubernetes:
  serviceLocatorMethod:
    type: multiTenant
  clusterLocatorMethods:
    - type: config
      clusters:
        - name: lab
          url: $(cat .cache/lab/apiserver-url)
          authProvider: serviceAccount
          serviceAccountToken:
            \$file: $CLOUDLAB_ROOT/.cache/lab/portal-token
          caData: $(base64 -w0 .cache/lab/ca.crt)
YAML
    # The GitOps views' actions write with their own identity (patch on Flux kinds only).
    if [[ -f .cache/lab/portal-operator-token ]]; then
      cat >>.cache/lab/app-config.lab.yaml <<YAML
multiProvider:
  gitops:
    operator:
      clusters:
        - name: lab
          serviceAccountToken:
            \$file: $CLOUDLAB_ROOT/.cache/lab/portal-operator-token
YAML
    fi
    configs+=(--config "$CLOUDLAB_ROOT/.cache/lab/app-config.lab.yaml")
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
