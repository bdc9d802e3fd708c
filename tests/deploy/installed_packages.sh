#!/bin/sh
# What `cmake --install` gives people who build on Touchline, used the way they would:
#  - the whole install: programs, built-in plugins, the Touchline CMake package (Touchline::Proto,
#    headers under include/touchline/api, the .proto files); a C++ client built out of tree with
#    find_package(Touchline) talks to a real server (health, then an authenticated ListSquads);
#  - the server-only install (the container image's): no headers and no CMake packages.
#   installed_packages.sh SERVER CLI CMAKE BUILD_DIR SOURCE_DIR
set -u
. "$(dirname "$0")/../lib/server_port.sh"
. "$(dirname "$0")/../lib/checks.sh"
SERVER=$1
CLI=$2
CMAKE=$3
BUILD_DIR=$4
SOURCE_DIR=$5
WORK=$(mktemp -d)
PASS=0
FAIL=0
SERVER_PID=""
trap '[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

PREFIX="$WORK/prefix"
check "install everything" "$CMAKE" --install "$BUILD_DIR" --prefix "$PREFIX"
for f in bin/touchline-server bin/touchline bin/touchline-plugin-host bin/touchline-backup \
         include/touchline/touchline_plugin.h include/touchline/api/touchline/v1/squad.grpc.pb.h \
         include/touchline/api/google/rpc/status.pb.h share/touchline/proto/touchline/v1/squad.proto; do
  [ -f "$PREFIX/$f" ] && ok || bad "missing $f"
done
ls "$PREFIX"/lib*/touchline/plugins/piriformis_4sign.so >/dev/null 2>&1 && ok || bad "no built-in plugins"
ls "$PREFIX"/lib*/cmake/Touchline/TouchlineConfig.cmake >/dev/null 2>&1 && ok || bad "no Touchline package"
ls "$PREFIX"/lib*/cmake/TouchlinePluginSDK/TouchlinePluginSDKConfig.cmake >/dev/null 2>&1 \
  && ok || bad "no TouchlinePluginSDK package"
# Nothing of the generated API leaks into the system's own include folders.
[ ! -e "$PREFIX/include/google" ] && [ ! -e "$PREFIX/include/grpc" ] && ok \
  || bad "generated headers outside include/touchline"

# A client of the API, out of tree, from a copy (nothing resolves relative to the Touchline tree).
cp -r "$SOURCE_DIR/tests/deploy/api_consumer" "$WORK/consumer"
check "configure the client with find_package(Touchline)" "$CMAKE" -S "$WORK/consumer" \
  -B "$WORK/consumer-build" -DCMAKE_PREFIX_PATH="$PREFIX"
check "build the client" "$CMAKE" --build "$WORK/consumer-build"

"$SERVER" --listen=127.0.0.1:0 --db="$WORK/t.db" --plugin_path=none 2>"$WORK/server.log" &
SERVER_PID=$!
wait_for_port "$WORK/server.log"
TOKEN=$(cat "$WORK/t.db.token")
check "create a squad" "$CLI" --server=127.0.0.1:$PORT --token-file="$WORK/t.db.token" \
  squads create --name="Installed XV"
if "$WORK/consumer-build/squad_names" 127.0.0.1:$PORT "$TOKEN" >"$WORK/names" 2>"$WORK/err"; then
  grep -qx "Installed XV" "$WORK/names" && ok || { bad "client did not list the squad"; cat "$WORK/names"; }
else
  bad "client failed"; cat "$WORK/err"
fi
# A wrong token is refused: the client's call reaches the server's access check.
"$WORK/consumer-build/squad_names" 127.0.0.1:$PORT not-a-token >/dev/null 2>"$WORK/err" \
  && bad "a wrong token was accepted" || { grep -q "^ListSquads: 16 " "$WORK/err" && ok || { bad "not UNAUTHENTICATED"; cat "$WORK/err"; }; }
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; SERVER_PID=""

# The server-only install (what deploy/Dockerfile ships): the default component alone.
RUNTIME="$WORK/runtime"
check "install the server component" "$CMAKE" --install "$BUILD_DIR" --prefix "$RUNTIME" \
  --component Unspecified
[ -x "$RUNTIME/bin/touchline-server" ] && ok || bad "server-only install has no server"
[ ! -e "$RUNTIME/include" ] && ! ls "$RUNTIME"/lib*/cmake >/dev/null 2>&1 && ok \
  || { bad "server-only install has headers or CMake packages"; find "$RUNTIME" -type f; }

echo "installed_packages: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
