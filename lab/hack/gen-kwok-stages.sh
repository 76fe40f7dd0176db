#!/usr/bin/env bash
# Re-renders lab/kwok/{node,pod}-stages.yaml from the kwok module at KWOK_VERSION (lab/versions.env).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=/dev/null
source "$here/versions.env"
src="$(cd "$here/build/kwok" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')/kustomize/stage"
{
  printf '# Node stages from sigs.k8s.io/kwok@%s kustomize/stage/node/{fast,heartbeat-with-lease} (Apache-2.0),\n' "$KWOK_VERSION"
  printf '# rendered unchanged. kwok v0.8.0 has no built-in stages; the lab passes this file with --config.\n# Regenerate: lab/hack/gen-kwok-stages.sh\n---\n'
  kubectl kustomize "$src/node/fast"; echo ---; kubectl kustomize "$src/node/heartbeat-with-lease"
} > "$here/kwok/node-stages.yaml"
{
  printf '# Pod stages from sigs.k8s.io/kwok@%s kustomize/stage/pod/general (Apache-2.0), rendered unchanged:\n' "$KWOK_VERSION"
  printf '# create -> init containers -> ready -> complete, and delete (finalises pods the API marks for deletion,\n# e.g. NoExecute taint evictions during `lab outage`). Regenerate: lab/hack/gen-kwok-stages.sh\n---\n'
  kubectl kustomize "$src/pod/general"
} > "$here/kwok/pod-stages.yaml"
