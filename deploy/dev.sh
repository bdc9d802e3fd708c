#!/bin/sh
# Touchline developer entry point, used by the README's Quick start and by CI.
#   deploy/dev.sh run    install what is missing, build, start touchline-server on 127.0.0.1:50051
#                        and the web app on http://127.0.0.1:8080/ (first start writes an admin
#                        token to ./touchline.db.token for the CLI and the app's sign-in)
#   deploy/dev.sh test   install what is missing, build, run the whole test suite and buf lint
# Works on a fresh Debian 12 machine; needs root or sudo only when packages are missing.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${TOUCHLINE_BUILD_DIR:-$ROOT/build}
JOBS=$(nproc 2>/dev/null || echo 2)

# Every Debian package the build and the tools need.
PACKAGES="build-essential cmake pkg-config git ca-certificates
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libsqlitecpp-dev libsqlite3-dev sqlite3 libgtest-dev libgmock-dev libcpp-httplib-dev
  grpc-proto golang-github-gogo-googleapis-dev libssl-dev openssl
  python3 python3-grpcio python3-grpc-tools python3-protobuf python3-yaml systemd procps
  libpq-dev postgresql-15"
# What only the test suite needs: podman, runc, catatonit and debootstrap
# (tests/deploy/container_image.py builds and runs the image without a daemon), and h2load
# (tests/benchmark/readiness_h2load.sh), and chromium (tests/web: the web app in a real browser).
TEST_PACKAGES="podman runc catatonit debootstrap nghttp2-client chromium"
# npm fetches buf and the web app's packages (web/package-lock.json); a machine that already has node's npm (e.g. from nodesource) keeps it.
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs npm"

# install_packages [more packages...]
install_packages() {
  missing=""
  for p in $PACKAGES "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  echo "dev.sh: installing:$missing"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}

# buf (lint for the protos, curl as an independent gRPC client) from npm, kept inside the build dir.
install_buf() {
  BUF="$BUILD/tools/node_modules/.bin/buf"
  [ -x "$BUF" ] && return 0
  mkdir -p "$BUILD/tools"
  npm install --silent --no-audit --no-fund --prefix "$BUILD/tools" @bufbuild/buf@1 >/dev/null
}

# The web app's tools (playwright-core, protoc-gen-es) need node 20 or later; Debian 12's nodejs is
# 18. Where the machine's node is older, node 20 comes from the npm registry (the "node" package's
# prebuilt binaries), kept inside the build dir and put first on PATH for the build and the tests.
ensure_node20() {
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [ "$major" -ge 20 ] && return 0
  NODE_DIR="$BUILD/tools/node20"
  if [ ! -x "$NODE_DIR/node_modules/.bin/node" ]; then
    echo "dev.sh: node $major is older than 20: fetching node 20 from the npm registry into $NODE_DIR"
    mkdir -p "$NODE_DIR"
    npm install --silent --no-audit --no-fund --prefix "$NODE_DIR" node@20 >/dev/null
  fi
  PATH="$NODE_DIR/node_modules/.bin:$PATH"
  export PATH
}

# build [cmake options...]
build() {
  ensure_node20
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$BUILD" -j "$JOBS"
}

case "${1:-}" in
  run)
    install_packages
    build -DTOUCHLINE_WERROR=OFF
    echo "dev.sh: starting touchline-server on 127.0.0.1:50051 (database ./touchline.db); Ctrl-C stops it"
    if [ -f touchline.db.token ]; then
      echo "dev.sh: web app at http://127.0.0.1:8080/ — sign in with the token in ./touchline.db.token"
    else
      echo "dev.sh: web app at http://127.0.0.1:8080/ — sign in with the token in ./touchline.db.token (written on first start)"
    fi
    exec "$BUILD/server/api/touchline-server" --listen=127.0.0.1:50051 --db=touchline.db \
      --http_listen=127.0.0.1:8080 --web_root="$BUILD/web/dist" ${TOUCHLINE_SERVER_FLAGS:-}
    ;;
  test)
    # shellcheck disable=SC2086
    install_packages $TEST_PACKAGES
    install_buf
    # The test build treats every compiler warning as an error: a warning never lands unseen.
    build -DTOUCHLINE_WERROR=ON
    echo "dev.sh: buf lint"
    (cd "$ROOT/proto" && "$BUF" lint)
    echo "dev.sh: buf lint clean"
    ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS"
    ;;
  *)
    echo "usage: deploy/dev.sh run|test" >&2
    exit 2
    ;;
esac
