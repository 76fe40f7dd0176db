#!/usr/bin/env bash
# Fetch the pinned upstream CRD schemas (and the Kubernetes OpenAPI v3 spec) listed in
# tools/crds/components.txt from the Go module proxy into .cache/crds/<component>/.
# Idempotent and cached: a component whose stamp matches its pin is skipped.
# Used by scripts/validate-gitops.sh and by the lab (which installs CRDs from .cache/crds).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
list="$root/tools/crds/components.txt"
out="$root/.cache/crds"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
mkdir -p "$out"
while read -r name modver subdir; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  dest="$out/$name"
  if [[ -f "$dest/.stamp" && "$(cat "$dest/.stamp")" == "$modver $subdir" ]]; then
    continue
  fi
  dir="$(cd /tmp && go mod download -json "$modver" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [[ -z "$dir" || ! -d "$dir/$subdir" ]]; then
    echo "fetch-crds: $name: $modver has no $subdir" >&2
    exit 1
  fi
  rm -rf "$dest" && mkdir -p "$dest"
  case "$name" in
    kubernetes-openapi) cp "$dir/$subdir"/*.json "$dest/" ;;
    *) cp "$dir/$subdir"/*.yaml "$dest/" ;;
  esac
  chmod -R u+w "$dest"
  echo "$modver $subdir" > "$dest/.stamp"
  echo "fetch-crds: $name <- $modver ($(ls "$dest" | wc -l) files)"
done < "$list"
