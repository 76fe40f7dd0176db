#!/usr/bin/env bash
# DELIBERATE FAULT FIXTURE for the browser tests only (scripts/test.sh runs it; scripts/start.sh
# never does). Writes a kubeconfig for a second cluster, `fault-fixture-token-refused`, that is
# the lab's own API server with a token nobody issued: the real API server answers 401, so the
# portal must show that cluster's typed error (unauthorized) while the lab cluster's data renders.
# e2e/app-config.fault-fixture.yaml points the backend's `multiProvider.kubeconfig` at it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$root/e2e-artifacts"
cat >"$root/e2e-artifacts/fault-fixture.kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: fault-fixture-token-refused
    cluster:
      server: https://127.0.0.1:${CLOUDLAB_LAB_APISERVER_PORT:-6443}
      # A fixture that must reach the API server and be refused by it, not by TLS.
      insecure-skip-tls-verify: true
users:
  - name: fault-fixture-token-refused
    user:
      token: deliberately-invalid-token-of-the-e2e-fault-fixture
contexts:
  - name: fault-fixture-token-refused
    context:
      cluster: fault-fixture-token-refused
      user: fault-fixture-token-refused
current-context: fault-fixture-token-refused
YAML
