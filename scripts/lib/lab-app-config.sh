# shellcheck shell=bash
# Source me (from the repository root, with env.sh sourced): write_lab_app_config FILE writes
# the app-config layer that points a Backstage backend at the
# running lab: its API server URL, CA and the portal ServiceAccount's token. The backend reads the
# token file itself ($file), so the token never passes through a script. Returns non-zero when the
# lab has not left its URL and token in .cache/lab (not up).
write_lab_app_config() {
  local out=$1
  [[ -f .cache/lab/apiserver-url && -f .cache/lab/portal-token ]] || return 1
  cat >"$out" <<YAML
kubernetes:
  serviceLocatorMethod:
    type: multiTenant
  clusterLocatorMethods:
    - type: config
      clusters:
        - name: lab
          url: $(cat .cache/lab/apiserver-url)
          authProvider: serviceAccount
          serviceAccountToken:
            \$file: $CLOUDLAB_ROOT/.cache/lab/portal-token
          caData: $(base64 -w0 .cache/lab/ca.crt)
YAML
  # The GitOps views' actions write with their own identity (patch on Flux kinds only).
  if [[ -f .cache/lab/portal-operator-token ]]; then
    cat >>"$out" <<YAML
multiProvider:
  gitops:
    operator:
      clusters:
        - name: lab
          serviceAccountToken:
            \$file: $CLOUDLAB_ROOT/.cache/lab/portal-operator-token
YAML
  fi
}
