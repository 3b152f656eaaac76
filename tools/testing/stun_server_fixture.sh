# Sourced by Pinhole's shell tests: starts `pinhole stun-server` on loopback
# with OS-chosen ports, and stops it by PID. Every wait is bounded.
#
#   start_stun_server PINHOLE [FLAGS...]   sets SERVER_PID, SERVER_PRIMARY
#                                          (IP:PORT) and SERVER_ADDRESSES
#   stop_stun_server                       SIGTERM, waits, checks exit 0

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

start_stun_server() {
  local pinhole="$1"
  shift
  SERVER_OUT="${TEST_TMPDIR:-/tmp}/stun-server.$$.out"
  SERVER_ERR="${TEST_TMPDIR:-/tmp}/stun-server.$$.err"
  "${pinhole}" stun-server "$@" >"${SERVER_OUT}" 2>"${SERVER_ERR}" &
  SERVER_PID=$!
  trap 'kill -KILL "${SERVER_PID}" 2>/dev/null || true' EXIT
  # Up to 10 s for the "listening on" lines and "ready".
  local i
  for ((i = 0; i < 200; ++i)); do
    grep -qx 'ready' "${SERVER_OUT}" && break
    kill -0 "${SERVER_PID}" 2>/dev/null ||
      fail "stun-server exited early: $(cat "${SERVER_ERR}")"
    sleep 0.05
  done
  grep -qx 'ready' "${SERVER_OUT}" ||
    fail "stun-server was not ready within 10 s: $(cat "${SERVER_ERR}")"
  SERVER_ADDRESSES="$(sed -n 's/^listening on //p' "${SERVER_OUT}")"
  SERVER_PRIMARY="$(head -1 <<<"${SERVER_ADDRESSES}" | sed 's|/udp$||')"
}

stop_stun_server() {
  kill -TERM "${SERVER_PID}"
  local i
  for ((i = 0; i < 200; ++i)); do
    kill -0 "${SERVER_PID}" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "${SERVER_PID}" 2>/dev/null && fail "stun-server ignored SIGTERM for 10 s"
  local status=0
  wait "${SERVER_PID}" || status=$?
  trap - EXIT
  ((status == 0)) || fail "stun-server exited ${status}: $(cat "${SERVER_ERR}")"
  grep -q 'stopped by SIGTERM' "${SERVER_ERR}" ||
    fail "stun-server did not report SIGTERM: $(cat "${SERVER_ERR}")"
}
