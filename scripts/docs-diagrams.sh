#!/usr/bin/env bash
# Renders the handbook's diagrams: every docs/**/diagrams/*.mmd (Mermaid source) → *.svg beside it,
# with mermaid-cli and Debian's Chromium (no browser download). Each SVG records the SHA-256 of its
# source and of the rendering settings, so `--check` can tell, without a browser, whether every
# committed SVG is current. Why committed SVGs: docs/adr/1008-diagrams-as-committed-svg.md.
#
#   bash scripts/docs-diagrams.sh           # render what is stale
#   bash scripts/docs-diagrams.sh --force   # render everything
#   bash scripts/docs-diagrams.sh --check   # exit 1 naming every missing or stale SVG
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CLOUDLAB_ROOT"

MERMAID_CLI_VERSION=12.2.0
PUPPETEER_VERSION=25.16.0
CONFIG=scripts/docs-diagrams.config.json
mode=${1:-render}

# The hash an SVG must carry: its source, the Mermaid settings and the renderer's version.
expected_hash() {
  { cat "$1" "$CONFIG"; echo "mermaid-cli $MERMAID_CLI_VERSION"; } | sha256sum | cut -d' ' -f1
}
recorded_hash() {
  sed -n '1s/^<!-- cloudlab-diagram source-sha256: \([0-9a-f]*\) .*/\1/p' "$1" 2>/dev/null
}

mapfile -t sources < <(find docs -path '*/diagrams/*.mmd' | sort)
stale=()
for src in "${sources[@]}"; do
  svg=${src%.mmd}.svg
  if [[ $mode == --force || ! -f $svg || "$(recorded_hash "$svg")" != "$(expected_hash "$src")" ]]; then
    stale+=("$src")
  fi
done

if [[ $mode == --check ]]; then
  if ((${#stale[@]})); then
    for src in "${stale[@]}"; do
      echo "docs-diagrams: ${src%.mmd}.svg is missing or not rendered from the current $src" >&2
    done
    echo "docs-diagrams: run bash scripts/docs-diagrams.sh and commit the SVGs" >&2
    exit 1
  fi
  echo "docs-diagrams: ${#sources[@]} diagrams current"
  exit 0
fi

((${#stale[@]})) || { echo "docs-diagrams: ${#sources[@]} diagrams current"; exit 0; }

cli=.cache/mermaid-cli
if [[ ! -x $cli/node_modules/.bin/mmdc || "$(cat "$cli/.version" 2>/dev/null)" != "$MERMAID_CLI_VERSION" ]]; then
  echo "docs-diagrams: installing mermaid-cli $MERMAID_CLI_VERSION into $cli (no browser download)"
  mkdir -p "$cli"
  echo '{"private":true}' >"$cli/package.json"
  (cd "$cli" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --ignore-scripts \
    "@mermaid-js/mermaid-cli@$MERMAID_CLI_VERSION" "puppeteer@$PUPPETEER_VERSION" >/dev/null)
  echo "$MERMAID_CLI_VERSION" >"$cli/.version"
fi
chromium=${CLOUDLAB_CHROMIUM:-/usr/bin/chromium}
[[ -x $chromium ]] || { echo "docs-diagrams: $chromium not found (apt-get install chromium)" >&2; exit 1; }
puppeteer_config=$(mktemp)
trap 'rm -f "$puppeteer_config"' EXIT
printf '{"executablePath":"%s","args":["--no-sandbox","--disable-gpu"]}\n' "$chromium" >"$puppeteer_config"

for src in "${stale[@]}"; do
  svg=${src%.mmd}.svg
  tmp="$(mktemp -d)/diagram.svg"
  "$cli/node_modules/.bin/mmdc" --quiet -p "$puppeteer_config" -c "$CONFIG" -b white \
    -i "$src" -o "$tmp"
  { echo "<!-- cloudlab-diagram source-sha256: $(expected_hash "$src") from $(basename "$src") by scripts/docs-diagrams.sh; do not edit -->"
    cat "$tmp"; echo; } >"$svg"
  rm -rf "$(dirname "$tmp")"
  echo "docs-diagrams: rendered $svg"
done
