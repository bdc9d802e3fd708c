#!/bin/sh
# Certificates for touchline-server's TLS and mutual TLS, made with the openssl CLI.
#   deploy/certs.sh DIR [HOSTNAME|IP ...]
# writes into DIR (created, mode 0700):
#   ca.crt ca.key          a private certificate authority (keep ca.key offline in production)
#   server.crt server.key  the server's certificate, valid for localhost, 127.0.0.1, ::1 and the
#                          names given
#   client.crt client.key  a client certificate for mutual TLS (--tls_client_ca=DIR/ca.crt)
# Then:
#   touchline-server --listen=0.0.0.0:50051 --tls_cert=DIR/server.crt --tls_key=DIR/server.key \
#     [--tls_client_ca=DIR/ca.crt]
#   touchline --server=HOST:50051 --tls-ca=DIR/ca.crt [--tls-cert=DIR/client.crt --tls-key=DIR/client.key] ...
set -eu

DIR=${1:?usage: deploy/certs.sh DIR [HOSTNAME|IP ...]}
shift
umask 077
mkdir -p "$DIR"
cd "$DIR"

SAN="DNS:localhost,IP:127.0.0.1,IP:::1"
for name in "$@"; do
  case "$name" in
    *[!0-9.]*) case "$name" in *:*) SAN="$SAN,IP:$name" ;; *) SAN="$SAN,DNS:$name" ;; esac ;;
    *) SAN="$SAN,IP:$name" ;;
  esac
done
DAYS=${TOUCHLINE_CERT_DAYS:-825}
KEY="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

# shellcheck disable=SC2086
openssl req -x509 $KEY -days "$DAYS" -subj "/CN=Touchline CA" -keyout ca.key -out ca.crt \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  2>/dev/null

printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' "$SAN" > server.ext
# shellcheck disable=SC2086
openssl req $KEY -subj "/CN=touchline-server" -keyout server.key -out server.csr 2>/dev/null
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days "$DAYS" \
  -extfile server.ext -out server.crt 2>/dev/null

printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' > client.ext
# shellcheck disable=SC2086
openssl req $KEY -subj "/CN=touchline-client" -keyout client.key -out client.csr 2>/dev/null
openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days "$DAYS" \
  -extfile client.ext -out client.crt 2>/dev/null

rm -f server.csr client.csr server.ext client.ext ca.srl
echo "certs.sh: wrote ca.crt, server.crt/.key (SAN $SAN), client.crt/.key in $(pwd)"
