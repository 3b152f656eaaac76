#!/usr/bin/env bash
# `pinhole probe` against a third-party RFC 5780 server: coturn's turnserver
# in STUN-only mode on 127.0.0.1 and 127.0.0.2. The probe must find no NAT
# and see coturn's other address.
set -euo pipefail
PINHOLE="$1"
source "$2"

command -v turnserver >/dev/null ||
  fail "turnserver not found: install Debian's coturn (./bazelw does)"

# turnserver takes no port 0: borrow two ports that are free on both
# addresses from Pinhole's own server, then release them.
start_stun_server "${PINHOLE}" --listen=127.0.0.1:0 --alternate=127.0.0.2:0
port="${SERVER_PRIMARY##*:}"
alt_port="$(sed -n 2p <<<"${SERVER_ADDRESSES}" | sed 's|/udp$||; s|.*:||')"
stop_stun_server

log="${TEST_TMPDIR:-/tmp}/turnserver.log"
turnserver -n --stun-only --no-cli --no-tls --no-dtls \
  --listening-ip=127.0.0.1 --listening-ip=127.0.0.2 \
  --listening-port="${port}" --alt-listening-port="${alt_port}" \
  --pidfile="${TEST_TMPDIR:-/tmp}/turnserver.pid" \
  --log-file=stdout --simple-log >"${log}" 2>&1 &
turn_pid=$!
trap 'kill -KILL "${turn_pid}" 2>/dev/null || true' EXIT

# Up to 10 s for coturn to answer: the probe's own test I fails fast (5.5 s)
# when nothing listens yet.
text=""
for ((attempt = 0; attempt < 2; ++attempt)); do
  kill -0 "${turn_pid}" 2>/dev/null || fail "turnserver exited: $(tail -20 "${log}")"
  if text="$(timeout 60 "${PINHOLE}" probe --server="127.0.0.1:${port}")"; then
    break
  fi
done
echo "${text}"
grep -qx 'no NAT (endpoint-independent mapping and filtering)' <<<"${text}" ||
  fail "no 'no NAT' verdict; coturn said: $(tail -20 "${log}")"
grep -qx "  server's other address: 127.0.0.2:${alt_port}/udp" <<<"${text}" ||
  fail "coturn's other address 127.0.0.2:${alt_port} not seen"

kill -TERM "${turn_pid}"
for ((i = 0; i < 200; ++i)); do
  kill -0 "${turn_pid}" 2>/dev/null || break
  sleep 0.05
done
kill -KILL "${turn_pid}" 2>/dev/null || true
trap - EXIT
echo PASS
