#!/usr/bin/env bash
# The project's entry points (the README's two commands call this):
#   scripts/dev.sh serve   install dependencies, build, run the embedded default model
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
    # Until the HTTP server lands (issue #6) the first README command generates from the embedded model.
    exec "$BUILD_DIR/mynah" generate -p "Once upon a time" -n 128
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
