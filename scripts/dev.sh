#!/usr/bin/env bash
# The project's entry points (the README's two commands call this):
#   scripts/dev.sh serve   install dependencies, build, serve the embedded default model on :8080
#   scripts/dev.sh test    install dependencies, build, run the whole test suite
#   scripts/dev.sh build   install dependencies and build only
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${MYNAH_BUILD_DIR:-build}
JOBS=${MYNAH_JOBS:-2}

build() {
  bash scripts/install-deps.sh
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMYNAH_WERROR=ON "$@"
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

case "${1:-}" in
  serve)
    build
    exec "$BUILD_DIR/mynah" serve --host "${MYNAH_HOST:-127.0.0.1}" --port "${MYNAH_PORT:-8080}"
    ;;
  test)
    build
    python3 tools/check_file_size.py
    python3 tools/check_layering.py
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
    ;;
  build)
    shift
    build "$@"
    ;;
  *)
    echo "usage: scripts/dev.sh serve|test|build" >&2
    exit 2
    ;;
esac
