#!/usr/bin/env bash
# Third-party interop: `pinhole turn-client` allocates on coturn's turnserver
# and relays to coturn's turnutils_peer (a UDP echo), over UDP, TCP and TLS
# (a certificate made for the run by the openssl command), with channels and
# with Send indications, on 127.0.0.1. Every message must come back intact.
set -euo pipefail
PINHOLE="$1"
source "$2"

for tool in turnserver turnutils_peer openssl; do
  command -v "${tool}" >/dev/null ||
    fail "${tool} not found: install Debian's coturn and openssl (./bazelw does)"
done
dir="${TEST_TMPDIR:-/tmp}"

# coturn and turnutils_peer take no port 0: borrow three ports Pinhole's STUN
# server found free, then release them.
start_stun_server "${PINHOLE}" --listen=127.0.0.1:0,127.0.0.1:0,127.0.0.1:0
ports=($(sed 's|/udp$||; s|.*:||' <<<"${SERVER_ADDRESSES}"))
stop_stun_server
turn_port="${ports[0]}"
tls_port="${ports[1]}"
peer_port="${ports[2]}"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "${dir}/key.pem" -out "${dir}/cert.pem" -days 1 -subj "/CN=pinhole" \
  -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null ||
  fail "openssl could not make a certificate"

turnutils_peer -L 127.0.0.1 -p "${peer_port}" >"${dir}/peer.log" 2>&1 &
peer_pid=$!
turnserver -n --no-cli --no-dtls --listening-ip=127.0.0.1 \
  --listening-port="${turn_port}" --tls-listening-port="${tls_port}" \
  --relay-ip=127.0.0.1 --lt-cred-mech --user=alice:wonderland \
  --realm=pinhole.test --allow-loopback-peers \
  --cert="${dir}/cert.pem" --pkey="${dir}/key.pem" \
  --pidfile="${dir}/turnserver.pid" --log-file=stdout --simple-log \
  >"${dir}/turnserver.log" 2>&1 &
turn_pid=$!
trap 'kill -KILL "${turn_pid}" "${peer_pid}" 2>/dev/null || true' EXIT

relay() {
  local server="$1"
  shift
  local out
  # Up to 10 s for coturn to come up: the first attempt may find nothing.
  for ((attempt = 0; attempt < 5; ++attempt)); do
    kill -0 "${turn_pid}" 2>/dev/null ||
      fail "turnserver exited: $(tail -20 "${dir}/turnserver.log")"
    if out="$(timeout 30 "${PINHOLE}" turn-client --server="${server}" \
      --credential=alice:wonderland --peer="127.0.0.1:${peer_port}" \
      --count=20 --size=300 --interval=5ms --timeout=8s \
      --ca-file="${dir}/cert.pem" "$@" 2>&1)"; then
      echo "${server} $*: ${out}"
      grep -q 'relayed 20 of 20 messages' <<<"${out}" ||
        fail "not every message came back: ${out}"
      return 0
    fi
    sleep 2
  done
  fail "turn-client through coturn at ${server} failed: ${out}; coturn: $(tail -20 "${dir}/turnserver.log")"
}

relay "127.0.0.1:${turn_port}"
relay "127.0.0.1:${turn_port}" --channels=false
relay "127.0.0.1:${turn_port}/tcp"
relay "127.0.0.1:${tls_port}/tls"

kill -TERM "${turn_pid}" "${peer_pid}" 2>/dev/null || true
for ((i = 0; i < 200; ++i)); do
  kill -0 "${turn_pid}" 2>/dev/null || break
  sleep 0.05
done
kill -KILL "${turn_pid}" "${peer_pid}" 2>/dev/null || true
trap - EXIT
echo PASS
