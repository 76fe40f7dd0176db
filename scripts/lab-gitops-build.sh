#!/usr/bin/env bash
# Builds the GitOps loop's binaries (issue 7) from the Go module proxy into .cache/lab/bin/:
#   source-controller, kustomize-controller, helm-controller (Flux v2.9.5), vault-secrets-operator,
#   vault (dev server).
# Versions are pinned in lab/versions.env; one Go module per component under lab/build/ (regenerate with
# lab/hack/gen-gitops-gomods.sh). Same stamps as scripts/lab-build.sh (.cache/lab/bin/.stamps/<component>:
# version + module checksum + build seconds), so a warm run is a no-op.
# Usage: scripts/lab-gitops-build.sh [--force] [component...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lab="$root/lab"
bin="$root/.cache/lab/bin"
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

# build <component> <version> <binary> <package> [ldflags]
build() {
  local component="$1" version="$2" out="$3" pkg="$4" ldflags="${5:-}"
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
    -trimpath -ldflags "-s -w $ldflags" -o "$bin/$out.tmp" -- "$pkg"
  mv "$bin/$out.tmp" "$bin/$out"
  printf '  %-15s %-8s built in %ss (%s packages compiled)\n' "$component" "$version" "$STAMP_SECONDS" "$STAMP_COMPILED"
}

echo "lab-gitops-build: Go $(go env GOVERSION), output $bin"
t_all="$(now)"
build flux-source "$FLUX_SOURCE_CONTROLLER_VERSION" source-controller github.com/fluxcd/source-controller
build flux-kustomize "$FLUX_KUSTOMIZE_CONTROLLER_VERSION" kustomize-controller github.com/fluxcd/kustomize-controller
build flux-helm "$FLUX_HELM_CONTROLLER_VERSION" helm-controller github.com/fluxcd/helm-controller
build vso "$VSO_VERSION" vault-secrets-operator github.com/hashicorp/vault-secrets-operator \
  "-X github.com/hashicorp/vault-secrets-operator/internal/version.Version=${VSO_VERSION#v}"
# Vault's in-tree sdk is not published; rebuild it from sdk v0.21.0 + the sed scripts under
# lab/build/vault/sdk-patches/<file>.sed (one per patched file; see their comments).
prepare_vault_sdk() {
  local dst="$root/.cache/lab/vault-sdk" patches="$lab/build/vault/sdk-patches" src want f
  want="$(cd "$patches" && find . -name '*.sed' | sort | xargs cat | sha256sum | cut -c1-16)"
  [[ -f "$dst/.patched" && "$(cat "$dst/.patched")" == "$want" ]] && return
  src="$(cd / && GOFLAGS=-mod=mod go mod download -json github.com/hashicorp/vault/sdk@v0.21.0 |
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  rm -rf "$dst" && cp -r "$src" "$dst" && chmod -R u+w "$dst"
  while IFS= read -r f; do
    f="${f#./}"
    sed -i -f "$patches/$f" "$dst/${f%.sed}"
  done < <(cd "$patches" && find . -name '*.sed' | sort)
  echo "$want" > "$dst/.patched"
}
if [[ ${#only[@]} -eq 0 || " ${only[*]} " =~ \ vault\  ]]; then prepare_vault_sdk; fi
build vault "$VAULT_VERSION" vault github.com/hashicorp/vault \
  "-X github.com/hashicorp/vault/version.Version=${VAULT_VERSION#v} -X github.com/hashicorp/vault/version.VersionPrerelease="
cold=0
for c in flux-source flux-kustomize flux-helm vso vault; do
  [[ -f "$stamps/$c" ]] && cold="$(awk -v a="$cold" -v b="$(sed -n 's/^seconds=//p' "$stamps/$c")" 'BEGIN { printf "%.1f", a + b }')"
done
echo "lab-gitops-build: this run $(elapsed "$t_all")s; last build of each GitOps binary (sum of stamps) ${cold}s"
echo "lab-gitops-build: a build is cold when it compiled all its packages (compiled=N/N in the stamp), warm (link-only) when it compiled ~1"
