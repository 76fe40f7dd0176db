#!/usr/bin/env bash
# Validate the GitOps tree: kustomize builds, Flux references, Kubernetes 1.36 + upstream CRD
# schemas, provider-registry rules, VSO/RBAC scoping, admission policies (evaluated with the
# API server's CEL code), the bad-manifest fixtures and the adopter proof (an adopter's tree is
# judged on the layers it opts into: .cloudlab/validate.yaml). Prints the wall time.
#   bash scripts/validate-gitops.sh          # validate (part of the test command)
#   bash scripts/validate-gitops.sh --fix    # also regenerate generated files from providers/
#   bash scripts/validate-gitops.sh --build-only   # only build the validator (scripts/test.sh, early)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
start=$(date +%s%N)
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
# shellcheck source=lib/go-stamps.sh
source "$root/scripts/lib/go-stamps.sh"

# Cache the validator binary; rebuild only when its sources or go.mod/go.sum change. The build's
# figures go to a stamp beside the lab's (scripts/test.sh prints them).
src="$root/tools/gitops-validate"
key="$( (cd "$src" && cat go.mod go.sum *.go) | sha256sum | cut -c1-16)-$(go env GOVERSION)"
bin="$root/.cache/gitops-validate/gitops-validate-$key"
if [[ ! -x "$bin" ]]; then
  build_lock "$root/.cache/gitops-validate/.build.lock"
  if [[ ! -x "$bin" ]]; then
    echo "validate-gitops: building validator ($key)" >&2
    go_build_stamped "$root/.cache/gitops-validate/.stamps/gitops-validate" "$key" repo "$src" \
      -ldflags "-s -w" -o "$bin.tmp" -- .
    mv "$bin.tmp" "$bin"
    echo "validate-gitops: validator built in ${STAMP_SECONDS}s ($STAMP_KIND: $STAMP_COMPILED packages compiled)" >&2
  fi
fi
[[ "${1:-}" == "--build-only" ]] && exit 0
bash "$root/scripts/fetch-crds.sh" >&2

args=(-repo "$root" -fixtures "$root/gitops/tests/fixtures/bad" -third-provider -adopter "$root/tools/gitops-validate/testdata/adopter")
[[ "${1:-}" == "--fix" ]] && args+=(-fix)
status=0
"$bin" "${args[@]}" || status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
printf 'validate-gitops: %s in %d.%03ds\n' "$([[ $status == 0 ]] && echo PASS || echo FAIL)" $((ms / 1000)) $((ms % 1000))
exit $status
