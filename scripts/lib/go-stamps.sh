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

# go_build_stamped <stamp> <key> <version> <module dir> <go build flags...> -- <packages...>
# Builds with -v, which names only the packages it compiles (not those taken from the Go build
# cache), and writes the stamp: seconds, and compiled=<compiled>/<dependencies>, so a cold build
# (everything compiled) is told apart from a warm, link-only one (compiled=1/… or so).
go_build_stamped() {
  local stamp="$1" key="$2" version="$3" dir="$4"
  shift 4
  local flags=() pkgs=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do flags+=("$1"); shift; done
  shift
  pkgs=("$@")
  local t0 log secs compiled deps
  t0="$(now)"
  log="$(mktemp)"
  if ! (cd "$dir" && go build -v "${flags[@]}" "${pkgs[@]}" 2>"$log"); then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  secs="$(elapsed "$t0")"
  compiled="$(grep -c '^[^ #:]*$' "$log" || true)"
  rm -f "$log"
  deps="$(cd "$dir" && go list -deps "${pkgs[@]}" | wc -l)"
  printf 'key=%s\nversion=%s\nseconds=%s\ncompiled=%s/%s\nbuilt=%s\n' "$key" "$version" "$secs" "$compiled" "$deps" \
    "$(date -u +%FT%TZ)" >"$stamp"
  STAMP_SECONDS="$secs" STAMP_COMPILED="$compiled/$deps"
}
