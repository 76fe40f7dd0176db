# shellcheck shell=bash
# Shared by scripts/lab-build.sh and scripts/lab-gitops-build.sh: timing and the stamp key of a
# component built from its own Go module under lab/build/<component>/. Expects $lab (lab/ dir).

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# The stamp key changes when the version or the module's go.mod/go.sum change.
stamp_key() { # <component> <version>
  local sum
  sum="$(cat "$lab/build/$1/go.mod" "$lab/build/$1/go.sum" | sha256sum | cut -c1-16)"
  echo "$1@$2+$sum"
}
