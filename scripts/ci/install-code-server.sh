#!/usr/bin/env bash
# Installs code-server (VS Code in the browser with a real Node extension host) into a cache
# OUTSIDE the repository, and reuses it when a previous install completed.
#
# Why this dance: `@vscode/test-electron` downloads VS Code from Microsoft, which this machine and
# CI cannot reach; code-server comes from the npm registry but requires Node 24 and builds native
# modules on install (about 6 minutes on 2 cores), so it is installed once and cached.
#
# Prints the path of the code-server launcher on its last line of stdout.
# Environment:
#   LATENT_EXPLORER_CACHE   cache root (default: ${XDG_CACHE_HOME:-~/.cache}/latent-explorer)
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.21.0

cache_root="${LATENT_EXPLORER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/latent-explorer}"
install_dir="$cache_root/code-server-$CODE_SERVER_VERSION"
complete_marker="$install_dir/.install-complete"
launcher="$install_dir/bin/code-server"

if [ -f "$complete_marker" ] && [ -x "$launcher" ]; then
  echo "code-server $CODE_SERVER_VERSION: reusing $install_dir" >&2
  echo "$launcher"
  exit 0
fi

log() { echo "code-server $CODE_SERVER_VERSION: $*" >&2; }

case "$(uname -m)" in
  x86_64) node_arch=x64 ;;
  aarch64 | arm64) node_arch=arm64 ;;
  *) echo "error: unsupported architecture $(uname -m) for node-linux-*" >&2; exit 1 ;;
esac

# A half-finished install is worthless: start from scratch.
rm -rf "$install_dir"
mkdir -p "$install_dir/bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. Node 24 with its headers, from the npm registry (node-linux-<arch> is the tarball of nodejs.org).
node_dir="$install_dir/node"
log "fetching node-linux-$node_arch@$NODE_VERSION"
(cd "$work" && npm pack --silent "node-linux-$node_arch@$NODE_VERSION" >/dev/null)
mkdir -p "$node_dir"
tar xzf "$work/node-linux-$node_arch-$NODE_VERSION.tgz" -C "$node_dir" --strip-components=1
# node-gyp looks for these at the root of the headers folder, the package keeps them under include/node.
ln -sf include/node/common.gypi "$node_dir/common.gypi"
ln -sf include/node/config.gypi "$node_dir/config.gypi"
node24="$node_dir/bin/node"
"$node24" --version >/dev/null

# Everything below runs npm (and node-gyp) on Node 24 against Node 24's headers. The explicit
# nodedir overrides any user config (this machine's ~/.npmrc says nodedir=/usr). npm 11 blocks
# dependency install scripts unless approved; code-server's native modules need theirs.
export PATH="$node_dir/bin:$PATH"
export npm_config_nodedir="$node_dir"
export npm_config_dangerously_allow_all_scripts=true
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
npm_version="$(npm --version)"
export npm_config_user_agent="npm/$npm_version node/v$NODE_VERSION linux $node_arch workspaces/false"

# 2. code-server itself, scripts off so that step 3 can prepare what its postinstall needs.
log "installing the npm package (scripts off)"
pkg_root="$install_dir/pkg"
mkdir -p "$pkg_root"
echo '{"name":"latent-explorer-code-server","private":true}' >"$pkg_root/package.json"
(cd "$pkg_root" && npm install --ignore-scripts --no-save --no-package-lock "code-server@$CODE_SERVER_VERSION" >&2)
code_server_pkg="$pkg_root/node_modules/code-server"

# 3. The tarball loses cross-env's executable bit; argon2 is code-server's one native dependency.
shopt -s nullglob
for script in "$pkg_root"/node_modules/cross-env/dist/bin/*.js "$code_server_pkg"/node_modules/cross-env/dist/bin/*.js; do
  chmod +x "$script"
done
shopt -u nullglob
log "building argon2"
(cd "$pkg_root" && npm rebuild argon2 >&2)

# 4. code-server's postinstall installs VS Code's own dependencies and builds their native modules.
log "running postinstall.sh (VS Code dependencies, native modules; several minutes)"
(cd "$code_server_pkg" && sh ./postinstall.sh >&2)

# A launcher that pins Node 24, whatever node is on PATH.
cat >"$launcher" <<LAUNCHER
#!/usr/bin/env sh
exec "$node24" "$code_server_pkg/out/node/entry.js" "\$@"
LAUNCHER
chmod +x "$launcher"
"$launcher" --version >&2
touch "$complete_marker"
log "installed in $install_dir"
echo "$launcher"
