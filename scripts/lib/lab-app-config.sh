# shellcheck shell=bash
# Source me (from the repository root, with env.sh sourced): write_lab_app_config FILE [LAB_DIR]
# writes the app-config layer that points a Backstage backend at the running lab: its API server
# URL, CA and the portal ServiceAccount's token, and, with CLOUDLAB_GITOPS_TREE=flux, the tree
# source switched to the lab's Flux sources at the address where source-controller serves their
# artifacts. The backend reads the token file itself ($file),
# so the token never passes through a script. After `lab gitops up`, `integrations.gitea` points at
# the lab's forge (Gitea) with the portal user's token taken from the environment
# (CLOUDLAB_LAB_FORGE_TOKEN: forge_token_env exports it from the lab's 0600 file), never written
# into a config file. LAB_DIR is the lab's state folder (default this
# checkout's .cache/lab). Returns non-zero when the lab has not left its URL and token there.
write_lab_app_config() {
  local out=$1 lab
  lab="$(cd "${2:-.cache/lab}" 2>/dev/null && pwd)" || return 1
  [[ -f $lab/apiserver-url && -f $lab/portal-token ]] || return 1
  cat >"$out" <<YAML
kubernetes:
  serviceLocatorMethod:
    type: multiTenant
  clusterLocatorMethods:
    - type: config
      clusters:
        - name: lab
          url: $(cat "$lab/apiserver-url")
          authProvider: serviceAccount
          serviceAccountToken:
            \$file: $lab/portal-token
          caData: $(base64 -w0 "$lab/ca.crt")
YAML
  # The GitOps views' actions write with their own identity (patch on Flux kinds only).
  if [[ -f $lab/portal-operator-token ]]; then
    cat >>"$out" <<YAML
multiProvider:
  gitops:
    operator:
      clusters:
        - name: lab
          serviceAccountToken:
            \$file: $lab/portal-operator-token
YAML
  fi
  # The lab's forge: what UrlReaderService reads a branch or pull request of the GitOps repository
  # through (docs/lab/forge.md).
  if [[ -f $lab/forge-url ]]; then
    local forge
    forge="$(cat "$lab/forge-url")"
    cat >>"$out" <<YAML
integrations:
  gitea:
    - host: ${forge#http://}
      baseUrl: $forge
      password: \${CLOUDLAB_LAB_FORGE_TOKEN}
YAML
  fi
  # CLOUDLAB_GITOPS_TREE=flux: the portal reads the tree Flux applies in the lab (source-controller's
  # artifacts) instead of this checkout's folder; needs `lab gitops up`, which leaves the address.
  if [[ ${CLOUDLAB_GITOPS_TREE:-local} == flux ]]; then
    if [[ ! -f $lab/flux-artifact-url ]]; then
      echo "lab app-config: CLOUDLAB_GITOPS_TREE=flux needs the GitOps loop (yarn lab gitops up)" >&2
      return 1
    fi
    cat >>"$out" <<YAML
cloudlab:
  gitopsTree:
    local: null
    flux:
      artifactBaseUrl: $(cat "$lab/flux-artifact-url")
YAML
  fi
}

# forge_token_env [LAB_DIR]: exports CLOUDLAB_LAB_FORGE_TOKEN, the portal user's token on the lab's
# forge, from the lab's 0600 file (what `integrations.gitea` reads). No-op without the forge.
forge_token_env() {
  local f="${1:-.cache/lab}/gitops/forge/portal-token"
  [[ -f $f ]] || return 0
  CLOUDLAB_LAB_FORGE_TOKEN="$(cat "$f")"
  export CLOUDLAB_LAB_FORGE_TOKEN
}
