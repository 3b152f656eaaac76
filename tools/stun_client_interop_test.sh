#!/usr/bin/env bash
# A classic RFC 3489 client against `pinhole stun-server` on loopback: the
# Vovida `stun` program (Debian's stun-client) runs its NAT-type tests, whose
# CHANGE-REQUESTs carry no magic cookie. The server must answer every one,
# from the address asked, with the classic SOURCE-ADDRESS and CHANGED-ADDRESS,
# and the client must find no NAT.
set -euo pipefail
PINHOLE="$1"
source "$2"

command -v stun >/dev/null ||
  fail "stun not found: install Debian's stun-client (./bazelw does)"

start_stun_server "${PINHOLE}" --listen=127.0.0.1:0 --alternate=127.0.0.2:0 --verbose
strip() { sed 's|/udp$||'; }
other="$(sed -n 4p <<<"${SERVER_ADDRESSES}" | strip)"           # A.ip:A.port
other_ip="$(sed -n 3p <<<"${SERVER_ADDRESSES}" | strip)"        # A.ip:P.port
other_port="$(sed -n 2p <<<"${SERVER_ADDRESSES}" | strip)"      # P.ip:A.port

out="$(timeout 30 stun "${SERVER_PRIMARY}" -v 2>&1)" || true
echo "${out}"
grep -q '^Primary: Open' <<<"${out}" ||
  fail "the classic client did not find an open Internet"
grep -qF "ChangedAddress = ${other}" <<<"${out}" ||
  fail "no CHANGED-ADDRESS ${other}"
# Its test II asks for a change of IP, its test III for a change of port.
grep -qF "SourceAddress = ${other_ip}" <<<"${out}" ||
  fail "no answer from ${other_ip} (change IP)"
grep -qF "SourceAddress = ${other_port}" <<<"${out}" ||
  fail "no answer from ${other_port} (change port)"
! grep -q 'problem parsing' <<<"${out}" || fail "the classic client could not parse an answer"

stop_stun_server
grep -q ' 0 error responses, 0 dropped' "${SERVER_ERR}" ||
  fail "the server refused requests: $(cat "${SERVER_ERR}")"
echo PASS
