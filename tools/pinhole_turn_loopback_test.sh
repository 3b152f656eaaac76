#!/usr/bin/env bash
# `pinhole turn-server` and `pinhole turn-client` on 127.0.0.1, no third
# party: users from a file, allocations over UDP, TCP and TLS (a certificate
# made for the run), one log line per allocation created and deleted, clear
# errors for bad flags, and a clean exit on SIGTERM.
set -euo pipefail
PINHOLE="$1"
source "$2"
dir="${TEST_TMPDIR:-/tmp}"

command -v openssl >/dev/null || fail "openssl not found (./bazelw installs it)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "${dir}/key.pem" -out "${dir}/cert.pem" -days 1 -subj "/CN=pinhole" \
  -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null ||
  fail "openssl could not make a certificate"

# Bad flags: exit status 2 and a message naming the problem.
expect_usage_error() {
  local want="$1"
  shift
  local status=0 err
  err="$(timeout 10 "${PINHOLE}" turn-server "$@" 2>&1 >/dev/null)" || status=$?
  ((status == 2)) || fail "turn-server $* exited ${status}, not 2: ${err}"
  grep -q -- "${want}" <<<"${err}" || fail "turn-server $*: no '${want}' in: ${err}"
}
expect_usage_error "no users" --listen=127.0.0.1:0
expect_usage_error "relay-ports" --listen=127.0.0.1:0 --user=a:b --relay-ports=9-3
expect_usage_error "allow-peer" --listen=127.0.0.1:0 --user=a:b --allow-peer=10.0.0.0/33
expect_usage_error "no relay address" --listen=0.0.0.0:0 --user=a:b
expect_usage_error "come together" --listen=127.0.0.1:0/tls --user=a:b --tls-cert="${dir}/cert.pem"
printf 'bob\n' >"${dir}/bad-users"
expect_usage_error "bad-users:1" --listen=127.0.0.1:0 --users-file="${dir}/bad-users"

printf '# TURN users\n\nalice:wonderland\nbob:builder\n' >"${dir}/users"
start_turn_server "${PINHOLE}" \
  --listen=127.0.0.1:0,127.0.0.1:0/tcp,127.0.0.1:0/tls \
  --tls-cert="${dir}/cert.pem" --tls-key="${dir}/key.pem" \
  --users-file="${dir}/users" --realm=pinhole.test
for address in ${SERVER_ADDRESSES}; do
  out="$(timeout 30 "${PINHOLE}" turn-client --server="${address}" \
    --credential=bob:builder --ca-file="${dir}/cert.pem" --timeout=10s 2>&1)" ||
    fail "turn-client to ${address}: ${out}; server: $(cat "${SERVER_ERR}")"
  echo "${address}: ${out}"
  grep -q '^allocated 127.0.0.1:' <<<"${out}" || fail "no allocation: ${out}"
done
# A wrong password: exit 1, and the server's 401 named.
status=0
out="$(timeout 30 "${PINHOLE}" turn-client --server="${SERVER_PRIMARY}" \
  --credential=bob:wrong --timeout=10s 2>&1)" || status=$?
((status == 1)) || fail "a wrong password exited ${status}: ${out}"
grep -q '401' <<<"${out}" || fail "no 401 in: ${out}"
stop_turn_server

created="$(grep -c 'allocation created for bob' "${SERVER_ERR}" || true)"
deleted="$(grep -c 'allocation deleted for bob .*(released by the client)' "${SERVER_ERR}" || true)"
((created == 3 && deleted == 3)) ||
  fail "expected 3 allocations created and released, saw ${created} and ${deleted}: $(cat "${SERVER_ERR}")"
echo PASS
