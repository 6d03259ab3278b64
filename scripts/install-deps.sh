#!/usr/bin/env bash
# Installs every build and test dependency from Debian 12's archive (run as root on a fresh machine),
# then the end-to-end tests' npm packages with `npm ci` from tests/e2e/package-lock.json.
# Idempotent: a machine that already has everything skips apt and npm entirely.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates python3
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libpcre2-dev libboost-dev
  nodejs npm
)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" && return 0
  # A nodejs package that bundles npm (NodeSource's) provides, and conflicts with, Debian's npm.
  [ "$1" = npm ] && dpkg-query -W -f='${Provides}' nodejs 2>/dev/null | grep -qw npm && return 0
  return 1
}

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# tests/e2e: the official openai and cohere-ai SDKs, pinned by the lock file. The stamp holds the hash
# of package.json + package-lock.json that node_modules was installed from (npm ci wipes it first).
e2e="$root/tests/e2e"
stamp="$e2e/node_modules/.mynah-installed"
want="$(cat "$e2e/package.json" "$e2e/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "install-deps: npm ci in tests/e2e"
  (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi
