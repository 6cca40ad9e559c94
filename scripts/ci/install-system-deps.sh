#!/usr/bin/env bash
# Installs the Debian packages the VS Code tests need, only those missing:
#   chromium      the browser Playwright drives (code-server's workbench and the `serve` mode)
#   libkrb5-dev   headers for code-server's native `kerberos` module
#   build-essential, python3, pkg-config   node-gyp's toolchain for code-server's native modules
#   git           cloning and `vsce`'s repository checks
# Safe to run repeatedly; does nothing when everything is present.
set -euo pipefail

required=(chromium libkrb5-dev build-essential python3 pkg-config git ca-certificates)
missing=()
for pkg in "${required[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system deps: all present (${required[*]})"
  exit 0
fi

echo "system deps: installing ${missing[*]}"
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n)
  else
    echo "error: need root (or sudo) to apt-get install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# apt and dpkg talk a lot: keep their output in a log and show it only when they fail.
log="$(mktemp)"
if ! { "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq &&
  "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "error: apt-get install ${missing[*]} failed (full log: $log)" >&2
  exit 1
fi
rm -f "$log"
echo "system deps: installed ${missing[*]}"
