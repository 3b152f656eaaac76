#!/usr/bin/env bash
# Two `pinhole ice-peer` on 127.0.0.1 relaying through `pinhole turn-server`
# (told to let loopback peers through): both relay-only over TURN/UDP, one
# relay-only over TURN/TCP facing a host-only peer, and one over TURN/TLS
# (a certificate made for the run) facing one over TURN/UDP. Each time the
# relay-only sides select a relayed local candidate, the other side sees
# that relayed address as its remote one, 20 datagrams come back intact, and
# every allocation is released when the peers exit.
set -euo pipefail
PINHOLE="$1"
source "$2"
source "$3"
dir="${TEST_TMPDIR:-/tmp}"

command -v openssl >/dev/null || fail "openssl not found (./bazelw installs it)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "${dir}/key.pem" -out "${dir}/cert.pem" -days 1 -subj "/CN=pinhole" \
  -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null ||
  fail "openssl could not make a certificate"

start_turn_server "${PINHOLE}" \
  --listen=127.0.0.1:0,127.0.0.1:0/tcp,127.0.0.1:0/tls \
  --tls-cert="${dir}/cert.pem" --tls-key="${dir}/key.pem" \
  --user=alice:secret --allow-peer=127.0.0.0/8
turn_udp="$(grep '/udp$' <<<"${SERVER_ADDRESSES}")"
turn_tcp="$(grep '/tcp$' <<<"${SERVER_ADDRESSES}")"
turn_tls="$(grep '/tls$' <<<"${SERVER_ADDRESSES}")"
peer=(--local=127.0.0.1 --turn-user=alice:secret --ca-file="${dir}/cert.pem")

# expect_pairs LISTEN_PATTERN CONNECT_PATTERN: both exited 0, their selected
# pairs match the patterns (bash regular expressions), each side's remote
# address is the other's local one, and the echoes all came back.
expect_pairs() {
  echo "--- connecting peer"
  echo "${CONNECT_OUT}"
  echo "--- listening peer"
  cat "${LISTEN_OUT}" "${LISTEN_ERR}"
  ((CONNECT_STATUS == 0)) || fail "the connecting peer exited ${CONNECT_STATUS}"
  ((LISTEN_STATUS == 0)) || fail "the listening peer exited ${LISTEN_STATUS}"
  local listen_pair connect_pair
  listen_pair="$(selected_pair "$(cat "${LISTEN_OUT}")")"
  connect_pair="$(selected_pair "${CONNECT_OUT}")"
  [[ "${listen_pair}" =~ $1 ]] || fail "listening peer: pair '${listen_pair}' is not $1"
  [[ "${connect_pair}" =~ $2 ]] || fail "connecting peer: pair '${connect_pair}' is not $2"
  [[ "${listen_pair##* }" == "$(cut -d' ' -f2 <<<"${connect_pair}")" &&
    "${connect_pair##* }" == "$(cut -d' ' -f2 <<<"${listen_pair}")" ]] ||
    fail "the sides disagree: '${listen_pair}' and '${connect_pair}'"
  grep -qx 'sent 20 received 20, 20 of 20 echoed back intact' <<<"${CONNECT_OUT}" ||
    fail "the echoes did not all come back"
}

relay='relay 127\.0\.0\.1:[0-9]+/udp'
host='host 127\.0\.0\.1:[0-9]+/udp'

echo "=== both relay-only, TURN over UDP"
start_listening_peer "${PINHOLE}" "${peer[@]}" --role=controlled --echo --relay-only \
  --turn="${turn_udp}"
run_connecting_peer "${PINHOLE}" "${peer[@]}" --role=controlling --send=20 --relay-only \
  --turn="${turn_udp}"
wait_listening_peer
expect_pairs "^${relay} -> ${relay}\$" "^${relay} -> ${relay}\$"

echo "=== relay-only over TURN/TCP, facing a host-only peer"
start_listening_peer "${PINHOLE}" "${peer[@]}" --role=controlled --echo
run_connecting_peer "${PINHOLE}" "${peer[@]}" --role=controlling --send=20 --relay-only \
  --turn="${turn_tcp}"
wait_listening_peer
expect_pairs "^${host} -> ${relay}\$" "^${relay} -> ${host}\$"

echo "=== relay-only over TURN/TLS, facing relay-only over TURN/UDP"
start_listening_peer "${PINHOLE}" "${peer[@]}" --role=controlling --echo --relay-only \
  --turn="${turn_udp}"
run_connecting_peer "${PINHOLE}" "${peer[@]}" --role=controlled --send=20 --relay-only \
  --turn="${turn_tls}"
wait_listening_peer
expect_pairs "^${relay} -> ${relay}\$" "^${relay} -> ${relay}\$"

stop_turn_server
created="$(grep -c 'allocation created for alice' "${SERVER_ERR}" || true)"
released="$(grep -c 'allocation deleted for alice .*(released by the client)' "${SERVER_ERR}" || true)"
((created == 5 && released == 5)) ||
  fail "expected 5 allocations created and released, saw ${created} and ${released}: $(cat "${SERVER_ERR}")"
echo PASS
