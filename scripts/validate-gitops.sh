#!/usr/bin/env bash
# Validate the GitOps tree: kustomize builds, Flux references, Kubernetes 1.36 + upstream CRD
# schemas, provider-registry rules, VSO/RBAC scoping, admission policies (evaluated with the
# API server's CEL code) and the bad-manifest fixtures. Prints the wall time.
#   bash scripts/validate-gitops.sh          # validate (part of the test command)
#   bash scripts/validate-gitops.sh --fix    # also regenerate generated files from providers/
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
start=$(date +%s%N)
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
bash "$root/scripts/fetch-crds.sh" >&2

# Cache the validator binary; rebuild only when its sources or go.mod/go.sum change.
src="$root/tools/gitops-validate"
stamp="$( (cd "$src" && cat go.mod go.sum *.go) | sha256sum | cut -c1-16)-$(go env GOVERSION)"
bin="$root/.cache/gitops-validate/gitops-validate-$stamp"
if [[ ! -x "$bin" ]]; then
  echo "validate-gitops: building validator ($stamp)" >&2
  mkdir -p "$(dirname "$bin")"
  (cd "$src" && go build -o "$bin.tmp" .) && mv "$bin.tmp" "$bin"
fi

args=(-repo "$root" -fixtures "$root/gitops/tests/fixtures/bad" -third-provider)
[[ "${1:-}" == "--fix" ]] && args+=(-fix)
status=0
"$bin" "${args[@]}" || status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
printf 'validate-gitops: %s in %d.%03ds\n' "$([[ $status == 0 ]] && echo PASS || echo FAIL)" $((ms / 1000)) $((ms % 1000))
exit $status
