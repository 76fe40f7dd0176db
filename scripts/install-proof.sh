#!/usr/bin/env bash
# The install proof: does what an adopter does, on both frontend systems. Packs every
# @cloudlab/plugin-* package as published, creates a fresh app with @backstage/create-app pinned to
# this repository's Backstage release, adds the tarballs with the package manager, wires the
# plugins as the package READMEs say (scripts/install-proof/wire.mjs), points the app at the
# running lab and this repository's GitOps tree (scripts/install-proof/app-config.install-proof.yaml),
# builds it, serves it from its backend and checks it over HTTP (check.mjs) and in Chromium
# (scripts/install-proof/browser/). Needs the lab up (scripts/test.sh runs this after the browser
# step, with the lab still running); never starts one.
#
#   bash scripts/install-proof.sh [--prepare] [new|legacy ...]   (default: new legacy)
#
# --prepare stops after the build (no lab needed): it fills the cache.
#
# Cached under .cache/install-proof: the tarballs keyed by the plugins' sources, each created app
# with its node_modules keyed by the create-app version (rebuilt when its template lockfile
# changes), the wired and built app keyed by the tarballs and the wiring. Prints the duration of
# each part.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CLOUDLAB_ROOT"
export CI="${CI:-true}"

# The create-app release that ships Backstage 1.55.0 (backstage.json); bumped with it.
CREATE_APP_VERSION=0.9.2
PORT=7017
BASE_URL="http://localhost:$PORT"
here=scripts/install-proof
proof="$CLOUDLAB_CACHE/install-proof"
prepare_only=""
if [[ "${1:-}" == --prepare ]]; then
  prepare_only=1
  shift
fi
flavours=("$@")
[[ ${#flavours[@]} -gt 0 ]] || flavours=(new legacy)
mkdir -p "$proof"

declare -a timings=()
timed() {
  local label=$1 start=$SECONDS rc=0
  shift
  "$@" || rc=$?
  timings+=("$(printf '%-22s %4ss%s' "$label" $((SECONDS - start)) "$([[ $rc -eq 0 ]] || echo ' (failed)')")")
  return $rc
}
step_started=$SECONDS
backend_pid=""
stop_backend() {
  if [[ -n "$backend_pid" ]]; then
    kill -- "-$backend_pid" 2>/dev/null || true
    wait "$backend_pid" 2>/dev/null || true
    backend_pid=""
  fi
}
report() {
  echo "install proof: parts"
  for t in "${timings[@]}"; do echo "  $t"; done
  echo "install proof: $((SECONDS - step_started))s in all"
}
trap 'stop_backend; report' EXIT

# The running lab, as scripts/start.sh left it (CLOUDLAB_LAB_DIR: another checkout's lab state
# folder, when that checkout's lab is the one running); its cluster config is written for this
# app only.
source scripts/lib/lab-app-config.sh
lab_dir="${CLOUDLAB_LAB_DIR:-.cache/lab}"
lab_config="$proof/app-config.lab.yaml"
if [[ -z $prepare_only ]] && { ! write_lab_app_config "$lab_config" "$lab_dir" ||
  ! curl -fsS --max-time 5 --cacert "$lab_dir/ca.crt" "$(cat "$lab_dir/apiserver-url")/readyz" >/dev/null; }; then
  echo "install proof: the lab is not running (yarn lab up, or scripts/start.sh)" >&2
  exit 1
fi

tarballs=""
pack() { tarballs="$(bash "$here/pack.sh")"; }
timed pack pack || exit 1

# app_yarn <app dir> <args…>: the app's own yarn (its .yarnrc.yml names its release). CI=true makes
# installs immutable; the proof changes the app's lockfile on purpose.
app_yarn() {
  local app=$1
  shift
  (cd "$app" && YARN_ENABLE_IMMUTABLE_INSTALLS=false yarn "$@")
}

# create <app dir> <flavour>: the app as create-app leaves it, committed in its own Git
# repository so that each run can return to it before wiring (node_modules is ignored and stays).
# The stamps beside the app (<app>.created, .installed, .built) say how far it got.
create() {
  local app=$1 flavour=$2
  [[ -f "$app.created" ]] && return 0
  rm -rf "$app"
  mkdir -p "$(dirname "$app")"
  local legacy=()
  [[ $flavour == legacy ]] && legacy=(--legacy)
  BACKSTAGE_APP_NAME=cloudlab-adopter npx --yes "@backstage/create-app@$CREATE_APP_VERSION" \
    --skip-install --path "$app" "${legacy[@]}" &&
    git -C "$app" init -q &&
    git -C "$app" add -A &&
    git -C "$app" -c user.name=install-proof -c user.email=install-proof@localhost \
      commit -qm "as created by @backstage/create-app@$CREATE_APP_VERSION" &&
    touch "$app.created"
}

# install <app dir>: the template's own dependencies (the long part of a cold run), with two
# corrections any adopter on this runtime and release makes:
# - the template's better-sqlite3 12 aborts Node 24 when a statement is garbage collected; the app
#   gets the 13 this repository pins for the same reason (docs/adr/0001-portal-runtime-and-toolchain.md);
# - without create-app's seed lockfile (fetched from a host this machine cannot reach) the
#   template's @backstage/backend-defaults range resolves to a release older than the
#   plugin-signals-backend it also resolves, and the backend does not start; the app gets this
#   repository's range, which `backstage-cli versions:bump` to the same release would write.
install() {
  local app=$1
  git -C "$app" checkout -q -- . && git -C "$app" clean -fdq &&
    node -e 'const fs = require("fs");
      const [app, repo] = process.argv.slice(1);
      const edit = (file, change) => {
        const p = JSON.parse(fs.readFileSync(file, "utf8"));
        change(p);
        fs.writeFileSync(file, JSON.stringify(p, null, 2) + "\n");
      };
      const ours = require(`${repo}/packages/backend/package.json`).dependencies;
      edit(`${app}/package.json`, p => {
        p.resolutions = { ...p.resolutions, "better-sqlite3": "^13.2.0" };
      });
      edit(`${app}/packages/backend/package.json`, p => {
        p.dependencies["@backstage/backend-defaults"] = ours["@backstage/backend-defaults"];
      });' "$app" "$CLOUDLAB_ROOT" &&
    app_yarn "$app" install &&
    git -C "$app" -c user.name=install-proof -c user.email=install-proof@localhost \
      commit -qa --allow-empty -m "yarn install"
}

# wire <app dir> <flavour>: the adopter's edits and the tarballs, added with the package manager
# (the first add only updates the lockfile: one link step and one rebuild of native modules, not two).
wire() {
  local app=$1 flavour=$2 legacy_frontend=()
  # The legacy app registers the provider picker with ScaffolderFieldExtensions.
  [[ $flavour == legacy ]] && legacy_frontend=(@backstage/plugin-scaffolder-react)
  git -C "$app" checkout -q -- . && git -C "$app" clean -fdq &&
    node "$here/wire.mjs" "$app" "$flavour" "$tarballs" &&
    app_yarn "$app" workspace backend add --mode=update-lockfile \
      "@cloudlab/plugin-multi-provider-backend@file:$tarballs/plugin-multi-provider-backend.tgz" \
      "@cloudlab/plugin-catalog-backend-module-flux@file:$tarballs/plugin-catalog-backend-module-flux.tgz" \
      "@cloudlab/plugin-scaffolder-backend-module-gitops@file:$tarballs/plugin-scaffolder-backend-module-gitops.tgz" \
      "@cloudlab/plugin-multi-provider-common@file:$tarballs/plugin-multi-provider-common.tgz" \
      @backstage/plugin-auth-backend-module-oauth2-proxy-provider &&
    app_yarn "$app" workspace app add \
      "@cloudlab/plugin-multi-provider@file:$tarballs/plugin-multi-provider.tgz" \
      "@cloudlab/plugin-scaffolder-frontend-module-cloudlab@file:$tarballs/plugin-scaffolder-frontend-module-cloudlab.tgz" \
      "${legacy_frontend[@]}"
}

# build <app dir>: what an adopter's CI does: type check (the packages' declarations against the
# app), then the frontend bundle the backend serves.
build() {
  local app=$1
  app_yarn "$app" tsc && app_yarn "$app" workspace app build
}

start() {
  local app=$1 log=$2
  # Its own process group (setsid, no subshell between), so that stopping it stops what it spawns.
  setsid bash -c 'cd "$0" && exec yarn workspace backend start "$@"' "$app" \
    --config "$app/app-config.yaml" --config "$lab_config" \
    --config "$CLOUDLAB_ROOT/$here/app-config.install-proof.yaml" >"$log" 2>&1 &
  backend_pid=$!
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$BASE_URL/.backstage/health/v1/readiness" 2>/dev/null &&
      curl -fsS -o /dev/null "$BASE_URL/" 2>/dev/null; then
      return 0
    fi
    kill -0 "$backend_pid" 2>/dev/null || break
    # backstage-cli keeps waiting for file changes after the backend itself died.
    grep -qiE 'startup failed|failed to start|Assertion failed' "$log" && break
    sleep 2
  done
  echo "install proof: the app's backend did not become ready; last log lines:" >&2
  tail -n 40 "$log" >&2
  return 1
}

browser() {
  local flavour=$1
  CLOUDLAB_INSTALL_PROOF_URL="$BASE_URL" CLOUDLAB_INSTALL_PROOF_FLAVOUR="$flavour" \
    yarn playwright test -c "$here/playwright.config.ts"
}

failed=0
for flavour in "${flavours[@]}"; do
  echo "==> install proof: $flavour frontend system"
  app="$proof/apps/$flavour-$CREATE_APP_VERSION"
  timed "$flavour: create" create "$app" "$flavour" || { failed=$((failed + 1)); continue; }
  # The template's lockfile (the app's first commit) and the install step key node_modules.
  install_key="$(git -C "$app" rev-parse "$(git -C "$app" rev-list --max-parents=0 HEAD):yarn.lock")-$(
    sed -n '/^install() {/,/^}/p' "$0" | sha256sum | cut -c1-16
  )"
  if [[ "$(cat "$app.installed" 2>/dev/null)" != "$install_key" ]]; then
    # A new install starts from the app as created: whatever was wired into it is gone.
    rm -f "$app.built"
    timed "$flavour: install" install "$app" || { failed=$((failed + 1)); continue; }
    echo "$install_key" >"$app.installed"
  fi
  # Read whole, then searched: under pipefail `tar | grep -q` fails at random (grep stops reading
  # at the first match and tar, still writing, dies of SIGPIPE).
  if [[ $flavour == legacy ]] &&
    ! grep -q '"./legacy"' <<<"$(tar -xzOf "$tarballs/plugin-multi-provider.tgz" package/package.json)"; then
    echo "install proof: legacy export missing: @cloudlab/plugin-multi-provider has no ./legacy entry point" >&2
    failed=$((failed + 1))
    continue
  fi
  # The tarballs (their folder is named after their sources' hash) and the wiring key the
  # wired, built app.
  built_key="$(basename "$tarballs")-$(
    {
      cat "$here/wire.mjs" "$here/adopter/cloudlabPermissionPolicy.ts"
      sed -n '/^wire() {/,/^}/p;/^build() {/,/^}/p' "$0"
    } | sha256sum | cut -c1-16
  )"
  if [[ "$(cat "$app.built" 2>/dev/null)" != "$built_key" ]]; then
    rm -f "$app.built"
    timed "$flavour: add + wire" wire "$app" "$flavour" || { failed=$((failed + 1)); continue; }
    timed "$flavour: build" build "$app" || { failed=$((failed + 1)); continue; }
    echo "$built_key" >"$app.built"
  else
    echo "install proof: $flavour app already wired and built for these tarballs"
  fi
  [[ -z $prepare_only ]] || continue
  log="$proof/$flavour-backend.log"
  timed "$flavour: start" start "$app" "$log" || { failed=$((failed + 1)); stop_backend; continue; }
  timed "$flavour: HTTP checks" node "$here/check.mjs" "$app" "$BASE_URL" "$CLOUDLAB_ROOT" ||
    failed=$((failed + 1))
  timed "$flavour: browser" browser "$flavour" || failed=$((failed + 1))
  stop_backend
done
[[ $failed -eq 0 ]]
