#!/usr/bin/env bash
# Two `pinhole ice-peer` on 127.0.0.1, no server: they signal over TCP (one
# listens, one connects) and over a pair of FIFOs (stdin and stdout),
# connect host to host, and 20 RTP-like datagrams go out and come back
# intact; the selected pair is the same pair seen from each side. Also the
# command line's contract: usage errors exit 2, bad credentials from the peer
# exit 2, a peer that hangs up before its credentials exits 1.
set -euo pipefail
PINHOLE="$1"
source "$2"
source "$3"
dir="${TEST_TMPDIR:-/tmp}"

# Bad flags: exit status 2 and a message naming the problem.
expect_usage_error() {
  local want="$1"
  shift
  local status=0 err
  err="$(timeout 10 "${PINHOLE}" ice-peer "$@" 2>&1 >/dev/null </dev/null)" || status=$?
  ((status == 2)) || fail "ice-peer $* exited ${status}, not 2: ${err}"
  grep -q -- "${want}" <<<"${err}" || fail "ice-peer $*: no '${want}' in: ${err}"
}
"${PINHOLE}" --help | grep -q 'ice-peer' || fail "--help lists no ice-peer"
"${PINHOLE}" ice-peer --help | grep -q -- '--relay-only' || fail "ice-peer --help lists no --relay-only"
expect_usage_error "--role" --local=127.0.0.1
expect_usage_error "lite agent is controlled" --lite --role=controlling --local=127.0.0.1
expect_usage_error "needs --turn" --role=controlled --relay-only --local=127.0.0.1
expect_usage_error "turn-user" --role=controlled --turn=127.0.0.1:3478 --local=127.0.0.1
expect_usage_error "--signal" --role=controlled --signal=carrier-pigeon --local=127.0.0.1
expect_usage_error "--local" --role=controlled --local=localhost
expect_usage_error "--size" --role=controlled --local=127.0.0.1 --send=1 --size=11

# The peer's side of signalling, as lines on stdin: bad credentials end the
# run (2); bad lines are skipped with a message; a peer that hangs up before
# its credentials is a failure (1).
status=0
err="$(printf 'a=ice-ufrag:ab\n' | timeout 10 "${PINHOLE}" ice-peer --role=controlling \
  --local=127.0.0.1 2>&1 >/dev/null)" || status=$?
((status == 2)) || fail "bad credentials exited ${status}: ${err}"
grep -q "credentials are bad: ice-ufrag" <<<"${err}" || fail "no credentials error: ${err}"
status=0
err="$(printf 'a=bogus\na=candidate:1 1 udp 1 example.local 9 typ host\n' |
  timeout 10 "${PINHOLE}" ice-peer --role=controlling --local=127.0.0.1 2>&1 >/dev/null)" ||
  status=$?
((status == 1)) || fail "a peer without credentials exited ${status}: ${err}"
grep -q "skipped a bad signalling line: .*bogus" <<<"${err}" || fail "bad line not named: ${err}"
grep -q "skipped a candidate: .*example.local" <<<"${err}" || fail "name not refused: ${err}"
grep -q "hung up before sending its credentials" <<<"${err}" || fail "no hang-up: ${err}"
# What a peer signals: its parameters, then its candidate, then the end.
out="$(timeout 10 "${PINHOLE}" ice-peer --role=controlled --local=127.0.0.1 2>/dev/null </dev/null)" || true
grep -qx 'a=ice-ufrag:[A-Za-z0-9+/]\{4,\}' <<<"${out}" || fail "no ice-ufrag line: ${out}"
grep -qx 'a=ice-pwd:[A-Za-z0-9+/]\{22,\}' <<<"${out}" || fail "no ice-pwd line: ${out}"
grep -qx 'a=ice-options:trickle' <<<"${out}" || fail "no ice-options line: ${out}"
grep -qx 'a=candidate:[^ ]* 1 udp [0-9]* 127\.0\.0\.1 [0-9]* typ host.*' <<<"${out}" ||
  fail "no host candidate line: ${out}"
[[ "$(tail -1 <<<"${out}")" == "a=end-of-candidates" ]] || fail "no end-of-candidates last: ${out}"

# Over TCP: the controlled side listens and echoes, the controlling side
# connects and sends.
start_listening_peer "${PINHOLE}" --role=controlled --local=127.0.0.1 --echo
run_connecting_peer "${PINHOLE}" --role=controlling --local=127.0.0.1 --send=20 --json
wait_listening_peer
echo "--- connecting peer"
echo "${CONNECT_OUT}"
echo "--- listening peer"
cat "${LISTEN_OUT}" "${LISTEN_ERR}"
((CONNECT_STATUS == 0)) || fail "the connecting peer exited ${CONNECT_STATUS}"
((LISTEN_STATUS == 0)) || fail "the listening peer exited ${LISTEN_STATUS}"
pair="$(selected_pair "${CONNECT_OUT}")"
[[ "${pair}" =~ ^host\ 127\.0\.0\.1:[0-9]+/udp\ -\>\ host\ 127\.0\.0\.1:[0-9]+/udp$ ]] ||
  fail "connecting peer: not a host/host pair: '${pair}'"
other="$(selected_pair "$(cat "${LISTEN_OUT}")")"
[[ "${other}" == "${pair#* -> } -> ${pair%% -> *}" ]] ||
  fail "the two sides selected different pairs: '${pair}' and '${other}'"
grep -qx 'sent 20 received 20, 20 of 20 echoed back intact' <<<"${CONNECT_OUT}" ||
  fail "the echoes did not all come back"
grep -qx 'sent 20 received 20' "${LISTEN_OUT}" || fail "the echoing peer did not echo 20"
grep -qx 'the peer hung up' "${LISTEN_OUT}" || fail "the echoing peer did not see the hang-up"
for expected in '"connected":true' '"echoedBack":20' '"exitStatus":0' \
  '"local":{"type":"host","address":"127.0.0.1:'; do
  grep -qF "${expected}" <<<"${CONNECT_OUT}" || fail "JSON lacks ${expected}"
done

# Over a pair of FIFOs: stdout of each is stdin of the other; human output
# on stderr. The opens are ordered so neither blocks the other.
mkfifo "${dir}/to_a" "${dir}/to_b"
timeout 60 "${PINHOLE}" ice-peer --role=controlled --local=127.0.0.1 --echo \
  <"${dir}/to_a" >"${dir}/to_b" 2>"${dir}/a.err" &
a_pid=$!
trap 'kill -KILL "${a_pid}" 2>/dev/null || true' EXIT
b_status=0
timeout 60 "${PINHOLE}" ice-peer --role=controlling --local=127.0.0.1 --send=20 --size=1200 \
  >"${dir}/to_a" <"${dir}/to_b" 2>"${dir}/b.err" || b_status=$?
a_status=0
wait "${a_pid}" || a_status=$?
trap - EXIT
echo "--- stdio peers"
cat "${dir}/b.err" "${dir}/a.err"
((b_status == 0 && a_status == 0)) || fail "stdio peers exited ${b_status} and ${a_status}"
grep -q '^connected in [0-9.]* ms: selected pair host 127\.0\.0\.1:[0-9]*/udp -> host 127\.0\.0\.1:[0-9]*/udp$' \
  "${dir}/b.err" || fail "stdio: no host/host connected line"
grep -qx 'sent 20 received 20, 20 of 20 echoed back intact' "${dir}/b.err" ||
  fail "stdio: the echoes did not all come back"
echo PASS
