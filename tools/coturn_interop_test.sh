#!/usr/bin/env bash
# A third-party client against `pinhole stun-server` on loopback: coturn's
# turnutils_stunclient, plain and in RFC 5780 mode (-f). It must see its
# reflexive address, the server's other address, and the answer to its
# CHANGE-REQUEST coming from that other address.
set -euo pipefail
PINHOLE="$1"
source "$2"

command -v turnutils_stunclient >/dev/null ||
  fail "turnutils_stunclient not found: install Debian's coturn (./bazelw does)"

start_stun_server "${PINHOLE}" --listen=127.0.0.1:0 --alternate=127.0.0.2:0 --verbose
port="${SERVER_PRIMARY##*:}"
other="$(sed -n 4p <<<"${SERVER_ADDRESSES}" | sed 's|/udp$||')"

for mode in plain rfc5780; do
  flags=(-p "${port}" -L 127.0.0.1)
  [[ "${mode}" == rfc5780 ]] && flags+=(-f)
  out="$(timeout 30 turnutils_stunclient "${flags[@]}" 127.0.0.1 2>&1)" ||
    fail "turnutils_stunclient (${mode}) failed: ${out}"
  echo "--- ${mode}"
  echo "${out}"
  grep -q 'UDP reflexive addr: 127\.0\.0\.1:[0-9]' <<<"${out}" ||
    fail "${mode}: no reflexive address"
  grep -qF "Other addr: : ${other}" <<<"${out}" || fail "${mode}: no other address ${other}"
  grep -qF "Response origin: : ${SERVER_PRIMARY}" <<<"${out}" ||
    fail "${mode}: no response origin ${SERVER_PRIMARY}"
  # The CHANGE-REQUEST answers come from the other address.
  grep -qF "Response origin: : ${other}" <<<"${out}" ||
    fail "${mode}: no answer from ${other}"
done

stop_stun_server
grep -q ' 0 error responses, 0 dropped' "${SERVER_ERR}" ||
  fail "the server refused requests: $(cat "${SERVER_ERR}")"
echo PASS
