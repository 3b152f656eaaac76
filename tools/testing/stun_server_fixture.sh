# Sourced by Pinhole's shell tests: starts `pinhole stun-server` or `pinhole
# turn-server` on loopback with OS-chosen ports, and stops it by PID. Every
# wait is bounded.
#
#   start_stun_server PINHOLE [FLAGS...]   sets SERVER_PID, SERVER_PRIMARY
#                                          (IP:PORT) and SERVER_ADDRESSES
#   start_turn_server PINHOLE [FLAGS...]   the same for turn-server
#   stop_stun_server, stop_turn_server     SIGTERM, waits, checks exit 0

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

start_stun_server() { start_pinhole_server stun-server "$@"; }
start_turn_server() { start_pinhole_server turn-server "$@"; }
stop_stun_server() { stop_pinhole_server stun-server; }
stop_turn_server() { stop_pinhole_server turn-server; }

start_pinhole_server() {
  local command="$1"
  local pinhole="$2"
  shift 2
  SERVER_OUT="${TEST_TMPDIR:-/tmp}/${command}.$$.out"
  SERVER_ERR="${TEST_TMPDIR:-/tmp}/${command}.$$.err"
  "${pinhole}" "${command}" "$@" >"${SERVER_OUT}" 2>"${SERVER_ERR}" &
  SERVER_PID=$!
  trap 'kill -KILL "${SERVER_PID}" 2>/dev/null || true' EXIT
  # Up to 10 s for the "listening on" lines and "ready".
  local i
  for ((i = 0; i < 200; ++i)); do
    grep -qx 'ready' "${SERVER_OUT}" && break
    kill -0 "${SERVER_PID}" 2>/dev/null ||
      fail "${command} exited early: $(cat "${SERVER_ERR}")"
    sleep 0.05
  done
  grep -qx 'ready' "${SERVER_OUT}" ||
    fail "${command} was not ready within 10 s: $(cat "${SERVER_ERR}")"
  SERVER_ADDRESSES="$(sed -n 's/^listening on //p' "${SERVER_OUT}")"
  SERVER_PRIMARY="$(head -1 <<<"${SERVER_ADDRESSES}" | sed 's|/udp$||')"
}

stop_pinhole_server() {
  local command="$1"
  kill -TERM "${SERVER_PID}"
  local i
  for ((i = 0; i < 200; ++i)); do
    kill -0 "${SERVER_PID}" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "${SERVER_PID}" 2>/dev/null && fail "${command} ignored SIGTERM for 10 s"
  local status=0
  wait "${SERVER_PID}" || status=$?
  trap - EXIT
  ((status == 0)) || fail "${command} exited ${status}: $(cat "${SERVER_ERR}")"
  grep -q 'stopped by SIGTERM' "${SERVER_ERR}" ||
    fail "${command} did not report SIGTERM: $(cat "${SERVER_ERR}")"
}
