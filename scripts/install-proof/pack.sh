#!/usr/bin/env bash
# Packs every @cloudlab/plugin-* package as it is published: `backstage-cli package build`, then
# `yarn pack` (yarn replaces workspace:^ with real versions; the prepack/postpack scripts swap in
# publishConfig and point the exports map at dist). The tarballs land in a folder named after the
# hash of the plugins' sources: an unchanged tree reuses the last pack, and a changed one gets a
# new path, which the fresh app's lockfile sees as a new package (yarn refuses a file: tarball
# whose content changed under the same path). Prints that folder on stdout, logs on stderr.
set -euo pipefail
source "$(dirname "$0")/../env.sh"
cd "$CLOUDLAB_ROOT"

tarballs_root="$CLOUDLAB_CACHE/install-proof/tarballs"
mapfile -t packages < <(
  for manifest in plugins/*/package.json; do
    node -e 'if (require(process.argv[1]).name.startsWith("@cloudlab/plugin-")) console.log(process.argv[2])' \
      "$CLOUDLAB_ROOT/$manifest" "$(dirname "$manifest")"
  done
)
[[ ${#packages[@]} -gt 0 ]] || { echo "pack: no @cloudlab/plugin-* package under plugins/" >&2; exit 1; }

# Tracked and untracked files (not ignored) of the plugins plus the lockfile: what a build reads.
key="$(git ls-files -co --exclude-standard -z -- "${packages[@]}" yarn.lock |
  sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
out="$tarballs_root/$key"
if [[ -f "$out/.complete" ]]; then
  echo "pack: sources unchanged, reusing $out" >&2
  echo "$out"
  exit 0
fi

# The package builds read the declarations tsc writes to dist-types.
echo "pack: yarn tsc (declarations for the builds)" >&2
yarn tsc >&2
rm -rf "$out"
mkdir -p "$out"
for dir in "${packages[@]}"; do
  name="$(node -p 'require(process.argv[1]).name' "$CLOUDLAB_ROOT/$dir/package.json")"
  echo "pack: $name" >&2
  (cd "$dir" && yarn backstage-cli package build >&2 &&
    yarn pack --out "$out/${name#@cloudlab/}.tgz" >/dev/null) || {
    echo "pack: $name failed to build or pack" >&2
    exit 1
  }
done
touch "$out/.complete"
# Older packs are dead weight once this one exists.
find "$tarballs_root" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
echo "$out"
