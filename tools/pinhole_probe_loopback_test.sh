#!/usr/bin/env bash
# `pinhole probe` against `pinhole stun-server` on 127.0.0.1 and 127.0.0.2,
# real sockets: the probe finds no NAT (endpoint-independent mapping and
# filtering) and prints the addresses it saw, as text and as JSON. Also the
# command line's own contract: --help, unknown commands, bad flags.
set -euo pipefail
PINHOLE="$1"
source "$2"

# The command line.
"${PINHOLE}" --help | grep -q 'stun-server' || fail "--help lists no stun-server"
"${PINHOLE}" --help | grep -q 'probe' || fail "--help lists no probe"
"${PINHOLE}" probe --help | grep -q -- '--server' || fail "probe --help lists no --server"
status=0
"${PINHOLE}" no-such-command 2>/dev/null || status=$?
((status == 2)) || fail "an unknown command exits ${status}, not 2"
status=0
"${PINHOLE}" probe 2>/dev/null || status=$?
((status == 2)) || fail "probe without --server exits ${status}, not 2"

start_stun_server "${PINHOLE}" --listen=127.0.0.1:0 --alternate=127.0.0.2:0
other="$(sed -n 4p <<<"${SERVER_ADDRESSES}")"  # 127.0.0.2:ALTERNATE_PORT/udp

text="$(timeout 60 "${PINHOLE}" probe --server="${SERVER_PRIMARY}")" ||
  fail "probe failed: ${text}"
echo "${text}"
grep -qx 'no NAT (endpoint-independent mapping and filtering)' <<<"${text}" ||
  fail "no 'no NAT' verdict"
grep -qx "  server: ${SERVER_PRIMARY}/udp" <<<"${text}" || fail "server not shown"
grep -qx "  server's other address: ${other}" <<<"${text}" ||
  fail "other address ${other} not shown"
local_line="$(grep '^  local address: ' <<<"${text}")"
mapped_line="$(grep '^  mapped address: ' <<<"${text}")"
[[ "${local_line#  local address: }" == "${mapped_line#  mapped address: }" ]] ||
  fail "mapped address differs from the local one"
[[ "${local_line}" == "  local address: 127.0.0.1:"* ]] || fail "local address not on 127.0.0.1"
grep -qx '  mapping: endpoint-independent' <<<"${text}" || fail "mapping"
grep -qx '  filtering: endpoint-independent' <<<"${text}" || fail "filtering"

json="$(timeout 60 "${PINHOLE}" probe --server="${SERVER_PRIMARY}" --json)" ||
  fail "probe --json failed: ${json}"
echo "${json}"
for expected in '"natPresent":false' '"mapping":"MAPPING_ENDPOINT_INDEPENDENT"' \
  '"filtering":"FILTERING_ENDPOINT_INDEPENDENT"' '"error":""' \
  "\"server\":\"${SERVER_PRIMARY}/udp\""; do
  grep -qF "${expected}" <<<"${json}" || fail "JSON lacks ${expected}"
done

stop_stun_server
grep -q ' 0 dropped' "${SERVER_ERR}" || fail "the server dropped requests: $(cat "${SERVER_ERR}")"
# Over TCP too (RFC 8489 §6.2.2): the server listens, and stops cleanly.
start_stun_server "${PINHOLE}" --listen=127.0.0.1:0/tcp,[::1]:0
grep -q '^127\.0\.0\.1:[0-9]*/tcp$' <<<"${SERVER_ADDRESSES}" || fail "no TCP listener"
grep -q '^\[::1\]:[0-9]*/udp$' <<<"${SERVER_ADDRESSES}" || fail "no IPv6 listener"
stop_stun_server
echo PASS
