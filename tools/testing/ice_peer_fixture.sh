# Sourced by Pinhole's shell tests, after stun_server_fixture.sh (for `fail`):
# runs two `pinhole ice-peer` processes on loopback that signal over one TCP
# connection, the listening one in the background (stopped by PID), the
# connecting one in the foreground. Every wait is bounded.
#
#   start_listening_peer PINHOLE [FLAGS...]  --signal=listen:127.0.0.1:0 in
#                                            the background; sets LISTEN_PID,
#                                            LISTEN_OUT, LISTEN_ERR and
#                                            SIGNAL_ADDRESS (IP:PORT)
#   run_connecting_peer PINHOLE [FLAGS...]   --signal=connect:SIGNAL_ADDRESS,
#                                            at most 60 s; sets CONNECT_STATUS
#                                            and CONNECT_OUT (stdout and stderr)
#   wait_listening_peer                      up to 10 s for it to exit; sets
#                                            LISTEN_STATUS
#   selected_pair TEXT                       the "TYPE IP:PORT/udp -> TYPE
#                                            IP:PORT/udp" of its connected line

ice_peer_cleanup() {
  kill -KILL "${LISTEN_PID:-}" "${SERVER_PID:-}" 2>/dev/null || true
}

start_listening_peer() {
  local pinhole="$1"
  shift
  LISTEN_OUT="${TEST_TMPDIR:-/tmp}/ice-peer.$$.out"
  LISTEN_ERR="${TEST_TMPDIR:-/tmp}/ice-peer.$$.err"
  "${pinhole}" ice-peer "$@" --signal=listen:127.0.0.1:0 >"${LISTEN_OUT}" 2>"${LISTEN_ERR}" &
  LISTEN_PID=$!
  trap ice_peer_cleanup EXIT
  local i
  for ((i = 0; i < 200; ++i)); do
    grep -qx 'ready' "${LISTEN_OUT}" && break
    kill -0 "${LISTEN_PID}" 2>/dev/null ||
      fail "ice-peer $* exited early: $(cat "${LISTEN_OUT}" "${LISTEN_ERR}")"
    sleep 0.05
  done
  grep -qx 'ready' "${LISTEN_OUT}" ||
    fail "ice-peer $* was not ready within 10 s: $(cat "${LISTEN_ERR}")"
  SIGNAL_ADDRESS="$(sed -n 's|^signalling on \(.*\)/tcp$|\1|p' "${LISTEN_OUT}")"
  [[ -n "${SIGNAL_ADDRESS}" ]] || fail "no 'signalling on' line: $(cat "${LISTEN_OUT}")"
}

run_connecting_peer() {
  local pinhole="$1"
  shift
  CONNECT_STATUS=0
  CONNECT_OUT="$(timeout 60 "${pinhole}" ice-peer "$@" \
    --signal=connect:"${SIGNAL_ADDRESS}" 2>&1)" || CONNECT_STATUS=$?
}

wait_listening_peer() {
  local i
  for ((i = 0; i < 200; ++i)); do
    kill -0 "${LISTEN_PID}" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "${LISTEN_PID}" 2>/dev/null; then
    kill -KILL "${LISTEN_PID}"
    fail "the listening ice-peer did not exit within 10 s: $(cat "${LISTEN_OUT}" "${LISTEN_ERR}")"
  fi
  LISTEN_STATUS=0
  wait "${LISTEN_PID}" || LISTEN_STATUS=$?
  LISTEN_PID=""
}

selected_pair() {
  sed -n 's/^connected in [0-9.]* ms: selected pair //p' <<<"$1"
}
