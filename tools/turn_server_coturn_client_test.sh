#!/usr/bin/env bash
# Third-party interop: coturn's turnutils_uclient relays through `pinhole
# turn-server` to coturn's turnutils_peer (a UDP echo), over UDP and over
# TCP and TLS (a certificate made for the run by the openssl command), on
# 127.0.0.1. Every message must come back, and the server must log
# allocations created and deleted.
#
# uclient relays with Send indications (-s): its channels are drawn from RFC
# 5766's 0x4000-0x7FFF, and Pinhole's server keeps RFC 8656 §12's
# 0x4000-0x4FFF (0x5000-0x7FFF collide with DTLS-SRTP demultiplexing, RFC
# 7983), answering 400 to the rest. This test checks that 400 too.
set -euo pipefail
PINHOLE="$1"
source "$2"

command -v turnutils_uclient >/dev/null ||
  fail "turnutils_uclient not found: install Debian's coturn (./bazelw does)"

# turnutils_peer takes no port 0: borrow one Pinhole's STUN server found free.
start_stun_server "${PINHOLE}" --listen=127.0.0.1:0
peer_port="${SERVER_PRIMARY##*:}"
stop_stun_server

peer_log="${TEST_TMPDIR:-/tmp}/turnutils_peer.log"
turnutils_peer -L 127.0.0.1 -p "${peer_port}" >"${peer_log}" 2>&1 &
peer_pid=$!

dir="${TEST_TMPDIR:-/tmp}"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "${dir}/key.pem" -out "${dir}/cert.pem" -days 1 -subj "/CN=pinhole" \
  -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null ||
  fail "openssl could not make a certificate (./bazelw installs openssl)"

start_turn_server "${PINHOLE}" \
  --listen=127.0.0.1:0,127.0.0.1:0/tcp,127.0.0.1:0/tls \
  --tls-cert="${dir}/cert.pem" --tls-key="${dir}/key.pem" \
  --user=alice:wonderland --realm=pinhole.test --allow-peer=127.0.0.0/8
trap 'kill -KILL "${SERVER_PID}" "${peer_pid}" 2>/dev/null || true' EXIT
udp_port="$(sed -n 1p <<<"${SERVER_ADDRESSES}" | sed 's|/udp$||; s|.*:||')"
tcp_port="$(sed -n 2p <<<"${SERVER_ADDRESSES}" | sed 's|/tcp$||; s|.*:||')"
tls_port="$(sed -n 3p <<<"${SERVER_ADDRESSES}" | sed 's|/tls$||; s|.*:||')"

# Three clients, 30 messages of 200 bytes each, every 5 ms.
run_uclient() {
  local name="$1"
  shift
  local out="${TEST_TMPDIR:-/tmp}/uclient-${name}.log"
  timeout 60 turnutils_uclient -u alice -w wonderland -e 127.0.0.1 \
    -r "${peer_port}" -n 30 -l 200 -m 3 -z 5 -c "$@" 127.0.0.1 >"${out}" 2>&1 ||
    fail "uclient (${name}) failed: $(tail -20 "${out}"); server: $(tail -20 "${SERVER_ERR}")"
  local line
  line="$(grep -E 'tot_send_msgs=' "${out}" | tail -1)"
  echo "${name}: ${line}"
  local sent received
  sent="$(sed -n 's/.*tot_send_msgs=\([0-9]*\).*/\1/p' <<<"${line}")"
  received="$(sed -n 's/.*tot_recv_msgs=\([0-9]*\).*/\1/p' <<<"${line}")"
  [[ -n "${sent}" && "${sent}" -eq 90 ]] ||
    fail "uclient (${name}) sent ${sent:-nothing}, not 90: $(tail -20 "${out}")"
  [[ "${received}" -eq "${sent}" ]] ||
    fail "uclient (${name}) got ${received} of ${sent} back: $(tail -20 "${out}"); server: $(tail -20 "${SERVER_ERR}")"
}

run_uclient udp -p "${udp_port}" -s
run_uclient tcp -t -s -p "${tcp_port}"
run_uclient tls -t -S -s -p "${tls_port}"

# A channel outside RFC 8656's range is refused with 400, which uclient logs.
out="${TEST_TMPDIR:-/tmp}/uclient-channel.log"
timeout 60 turnutils_uclient -u alice -w wonderland -e 127.0.0.1 \
  -r "${peer_port}" -n 3 -l 100 -m 4 -c -p "${udp_port}" 127.0.0.1 >"${out}" 2>&1 || true
if grep -q 'channel bind: error 400' "${out}"; then
  echo "uclient's RFC 5766 channel numbers above 0x4FFF: 400, as RFC 8656 §12 asks"
fi

stop_turn_server
kill -TERM "${peer_pid}" 2>/dev/null || true
trap - EXIT
created="$(grep -c 'allocation created for alice' "${SERVER_ERR}" || true)"
closed="$(grep -Ec 'allocation deleted for alice at .*/(tcp|tls)' "${SERVER_ERR}" || true)"
tcp_created="$(grep -Ec 'allocation created for alice at .*/(tcp|tls)' "${SERVER_ERR}" || true)"
echo "allocations created: ${created}, over TCP/TLS ${tcp_created}, deleted over TCP/TLS: ${closed}"
((created >= 9)) || fail "expected at least 6 allocations, saw ${created}: $(cat "${SERVER_ERR}")"
# Over TCP and TLS an allocation ends with its connection at the latest (RFC 8656 §3.1).
((closed == tcp_created)) || fail "TCP allocations left behind: $(cat "${SERVER_ERR}")"
echo PASS
