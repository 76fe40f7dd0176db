#!/usr/bin/env bash
# Builds the lab's binaries from the Go module proxy into .cache/lab/bin/:
#   kube-apiserver, kube-controller-manager, kube-scheduler, etcd, kwok, kustomize
# — only what the lab runs (kwokctl is not: `yarn lab` starts the processes itself, ADR 0201).
# Versions are pinned in lab/versions.env; each component has its own Go module under lab/build/.
# A stamp per component records version + module checksum + build seconds, so a warm run is a no-op.
# Usage: scripts/lab-build.sh [--force]
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
force="${1:-}"

# shellcheck source=lib/go-stamps.sh
source "$(dirname "$0")/lib/go-stamps.sh"
build_lock "$bin/.lab-build.lock"

# build <component> <version> <binaries...> -- <go build args...>
build() {
  local component="$1" version="$2"; shift 2
  local bins=()
  while [[ "$1" != "--" ]]; do bins+=("$1"); shift; done
  shift
  local key stamp
  key="$(stamp_key "$component" "$version")"
  stamp="$stamps/$component"
  local missing=0
  for b in "${bins[@]}"; do [[ -x "$bin/$b" ]] || missing=1; done
  if [[ "$force" != "--force" && $missing == 0 && -f "$stamp" ]] && grep -qxF "key=$key" "$stamp"; then
    printf '  %-10s %-9s up to date (built in %ss)\n' "$component" "$version" "$(sed -n 's/^seconds=//p' "$stamp")"
    return
  fi
  printf '  %-10s %-9s building %s ...\n' "$component" "$version" "${bins[*]}"
  go_build_stamped "$stamp" "$key" "$version" "$lab/build/$component" -o "$bin/" -- "$@"
  printf '  %-10s %-9s built in %ss (%s packages compiled)\n' "$component" "$version" "$STAMP_SECONDS" "$STAMP_COMPILED"
}

kube_minor="${KUBERNETES_VERSION#v1.}"; kube_minor="${kube_minor%%.*}"
kube_ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kube_minor"
  kube_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

echo "lab-build: Go $(go env GOVERSION), output $bin"
t_all="$(now)"
build kubernetes "$KUBERNETES_VERSION" kube-apiserver kube-controller-manager kube-scheduler -- \
  -ldflags "-s -w$kube_ldflags" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
build etcd "$ETCD_VERSION" etcd -- -ldflags "-s -w" .
build kwok "$KWOK_VERSION" kwok -- -ldflags "-s -w" sigs.k8s.io/kwok/cmd/kwok
build kustomize "$KUSTOMIZE_VERSION" kustomize -- -ldflags "-s -w -X sigs.k8s.io/kustomize/api/provenance.version=$KUSTOMIZE_VERSION" \
  sigs.k8s.io/kustomize/kustomize/v5
echo "lab-build: this run $(elapsed "$t_all")s; the control plane's binaries:"
stamps_report - "$stamps"/{kubernetes,etcd,kwok,kustomize}
