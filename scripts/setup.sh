#!/usr/bin/env bash
# Installs what the portal needs and is missing: Node 24, the yarn workspace (with native addons
# built offline against Node 24's headers), and mkdocs + techdocs-core for TechDocs.
# Idempotent: every step is skipped when its stamp matches its inputs.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CLOUDLAB_ROOT"

bash scripts/setup-node.sh

# yarn install, skipped when the lockfile and manifests are unchanged since the last install.
shopt -s nullglob
deps_hash="$(cat yarn.lock package.json packages/*/package.json plugins/*/package.json | sha256sum | cut -d' ' -f1)"
shopt -u nullglob
if [[ "$(cat .cache/yarn-install.stamp 2>/dev/null)" != "$deps_hash" || ! -d node_modules ]]; then
  echo "setup: yarn install"
  yarn install ${CI:+--immutable}
  echo "$deps_hash" >.cache/yarn-install.stamp
fi

# TechDocs generator (mkdocs + techdocs-core) from PyPI, in a venv of its own.
venv_want="mkdocs-techdocs-core==1.7.1 (copies)"
if [[ "$(cat .cache/venv/.stamp 2>/dev/null)" != "$venv_want" ]]; then
  echo "setup: installing $venv_want into .cache/venv"
  rm -rf .cache/venv
  # --copies: TechDocs refuses a docs tree holding symlinks that point outside the repository.
  python3 -m venv --copies .cache/venv
  .cache/venv/bin/pip install --quiet "${venv_want% *}"
  echo "$venv_want" >.cache/venv/.stamp
fi
