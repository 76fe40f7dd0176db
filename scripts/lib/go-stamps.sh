# shellcheck shell=bash
# Shared by scripts/lab-build.sh, scripts/lab-gitops-build.sh, scripts/lab-openbao-install.sh and
# scripts/validate-gitops.sh: timing, the stamp key of a component built from its own Go module under
# lab/build/<component>/ (expects $lab, the lab/ dir), the build lock and the stamps report.

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# The stamp key changes when the version or the module's go.mod/go.sum change.
stamp_key() { # <component> <version>
  local sum
  sum="$(cat "$lab/build/$1/go.mod" "$lab/build/$1/go.sum" | sha256sum | cut -c1-16)"
  echo "$1@$2+$sum"
}

# build_lock <lock file>: holds an exclusive lock until the calling script exits. scripts/test.sh
# starts the builds in the background; a foreground caller of the same script (lab-test.sh, `lab
# gitops up`, the gitops validation step) waits here for that build and then finds it up to date,
# instead of compiling the same packages a second time beside it.
build_lock() {
  mkdir -p "$(dirname "$1")"
  exec {BUILD_LOCK_FD}>"$1"
  if ! flock -n "$BUILD_LOCK_FD"; then
    echo "$(basename "$0"): waiting for the build already running ($1)" >&2
    flock "$BUILD_LOCK_FD"
  fi
}

# Flags of every Go build here. -trimpath: reproducible, and packages built for one component are
# reused from the Go build cache by another with the same dependencies (the validator and the kube
# binaries share the standard library and more). Every flag is part of the Go build cache's keys:
# adding one rebuilds every component cold once, so a flag that only saves compile time is added
# with the next version bump, which rebuilds cold anyway (docs/benchmarks.md lists such a flag).
GO_BUILD_FLAGS=(-trimpath)

# go_build_stamped <stamp> <key> <version> <module dir> <go build flags...> -- <packages...>
# Builds with GO_BUILD_FLAGS and -v, which names only the packages it compiles (not those taken from
# the Go build cache), and writes the stamp: seconds, compiled=<compiled>/<dependencies> and the kind of build
# that follows from them: cold (at least three quarters compiled), warm (link-only: at most two
# compiled) or partly cached.
go_build_stamped() {
  local stamp="$1" key="$2" version="$3" dir="$4"
  shift 4
  local flags=() pkgs=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do flags+=("$1"); shift; done
  shift
  pkgs=("$@")
  local t0 log secs compiled deps
  mkdir -p "$(dirname "$stamp")"
  t0="$(now)"
  log="$(mktemp)"
  if ! (cd "$dir" && go build -v "${GO_BUILD_FLAGS[@]}" "${flags[@]}" "${pkgs[@]}" 2>"$log"); then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  secs="$(elapsed "$t0")"
  compiled="$(grep -c '^[^ #:]*$' "$log" || true)"
  rm -f "$log"
  deps="$(cd "$dir" && go list -deps "${pkgs[@]}" | wc -l)"
  local kind="partly cached"
  if ((compiled * 4 >= deps * 3)); then kind=cold; elif ((compiled <= 2)); then kind="warm, link-only"; fi
  printf 'key=%s\nversion=%s\nseconds=%s\nkind=%s\ncompiled=%s/%s\nbuilt=%s\n' "$key" "$version" "$secs" "$kind" \
    "$compiled" "$deps" "$(date -u +%FT%TZ)" >"$stamp"
  STAMP_SECONDS="$secs" STAMP_COMPILED="$compiled/$deps" STAMP_KIND="$kind"
}

# stamp_field <stamp file> <field>
stamp_field() { sed -n "s/^$2=//p" "$1" 2>/dev/null; }

# stamps_report [since] <stamp files...>: one line per component — this run's work when the stamp
# was written at or after <since> (an ISO time, e.g. the start of scripts/test.sh; "-" for none),
# else "up to date" with the figures of the build that made it — then two sums: the seconds this run
# spent, and the seconds of the last build of each (a cold run's cost when every one was cold).
stamps_report() {
  local since="$1" f secs kind what total=0 this_run=0
  shift
  add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a + b }'; }
  for f in "$@"; do
    [[ -f "$f" ]] || continue
    secs="$(stamp_field "$f" seconds)" kind="$(stamp_field "$f" kind)"
    if [[ "$kind" == installed* ]]; then what="$kind"; else what="${kind:+$kind }build"; fi
    if [[ "$since" != - && ! "$(stamp_field "$f" built)" < "$since" ]]; then
      printf '  %-16s %-9s this run: %s, %ss' "$(basename "$f")" "$(stamp_field "$f" version)" "$what" "$secs"
      this_run="$(add "$this_run" "$secs")"
    else
      printf '  %-16s %-9s up to date (last: %s, %ss)' "$(basename "$f")" "$(stamp_field "$f" version)" "$what" "$secs"
    fi
    [[ -n "$(stamp_field "$f" compiled)" ]] && printf ' — %s packages compiled' "$(stamp_field "$f" compiled)"
    printf '\n'
    total="$(add "$total" "$secs")"
  done
  [[ "$since" != - ]] && echo "  this run built or installed for ${this_run}s"
  echo "  the last build or install of each, summed: ${total}s"
}
