#!/usr/bin/env bash
# Relay throughput of `pinhole turn-server` and coturn's `turnserver` on
# 127.0.0.1 under the same load: coturn's `turnutils_uclient` makes CLIENTS
# allocations over UDP, each with a permission for a `turnutils_peer` UDP
# echo peer, and sends MESSAGES Send indications of LENGTH bytes of data per
# allocation; the peer echoes each one back through the server, which
# relays it to the client in a Data indication. Every echoed message crosses
# the server twice (client → peer, peer → client).
#
# Send indications (-s), not ChannelData: uclient draws its channel numbers
# from RFC 5766's 0x4000-0x7FFF, and Pinhole's server keeps RFC 8656 §12's
# 0x4000-0x4FFF (0x5000-0x7FFF collide with DTLS-SRTP demultiplexing, RFC
# 7983), answering 400 to three channel bindings in four, after which
# uclient gives up. Both servers get the same load.
#
#   ./bazelw build --config=opt //tools:pinhole && bench/turn_relay_vs_coturn.sh
#
# Not a test: it asserts nothing and pins nothing to a CPU (it prints
# `nproc`). The servers run one after the other against one peer. For each it
# prints:
# - echoed messages per wall-clock second of the uclient run. uclient paces
#   itself (each client starts 1-6 s after the allocations, and when any
#   message is lost every client lingers 10 s after its last send), so this
#   mostly measures uclient, whichever server it drives;
# - relayed datagrams (2 per echoed message) per second of the server's CPU
#   time over the run, summed over its threads (/proc/PID/task/*/schedstat):
#   the figure that compares the servers' own cost. coturn runs one relay
#   thread per core; Pinhole's server one event loop.
# and the ratio pinhole/coturn of both.
#
# Ports: coturn's listening port and the peer's are borrowed from `pinhole
# stun-server --listen=127.0.0.1:0,127.0.0.1:0` (the system chooses, the
# server prints them and is stopped); `pinhole turn-server` listens on port 0
# and prints its own. Every process the script starts is stopped by its PID
# on exit, and every wait is bounded.
#
# Environment: PINHOLE (default bazel-bin/tools/pinhole), CLIENTS (10),
# MESSAGES (2000), LENGTH (200), LOAD_TIMEOUT (seconds per uclient run, 180).
set -euo pipefail

cd "$(dirname "$0")/.."
PINHOLE="${PINHOLE:-bazel-bin/tools/pinhole}"
CLIENTS="${CLIENTS:-10}"
MESSAGES="${MESSAGES:-2000}"
LENGTH="${LENGTH:-200}"
LOAD_TIMEOUT="${LOAD_TIMEOUT:-180}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/turn_relay_vs_coturn.XXXXXX")"
PIDS=()

die() {
  echo "turn_relay_vs_coturn: $*" >&2
  exit 1
}

# SIGTERM, up to 5 s to exit, then SIGKILL; reaps it.
stop_pid() {
  local pid="$1" i
  kill -0 "${pid}" 2>/dev/null || {
    wait "${pid}" 2>/dev/null || true
    return 0
  }
  kill -TERM "${pid}" 2>/dev/null || true
  for ((i = 0; i < 100; ++i)); do
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "${pid}" 2>/dev/null || true
  wait "${pid}" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "${pid}"; done
  rm -rf "${WORK}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for tool in turnserver turnutils_uclient turnutils_peer; do
  command -v "${tool}" >/dev/null ||
    die "${tool} not found: install Debian's coturn (./bazelw does)"
done
[[ -x "${PINHOLE}" ]] ||
  die "${PINHOLE} not found: ./bazelw build --config=opt //tools:pinhole"
"${PINHOLE}" turn-server --help >/dev/null 2>&1 ||
  die "${PINHOLE} has no turn-server command"

# Waits up to 10 s for a line "ready" in file $1 from process $2.
wait_ready() {
  local out="$1" pid="$2" i
  for ((i = 0; i < 200; ++i)); do
    grep -qx 'ready' "${out}" && return 0
    kill -0 "${pid}" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# The ports of the "listening on 127.0.0.1:PORT/udp" lines of file $1.
listening_ports() {
  sed -n 's|^listening on 127\.0\.0\.1:\([0-9]*\)/udp$|\1|p' "$1"
}

# Two free UDP ports on 127.0.0.1, chosen by the system for a Pinhole STUN
# server that is then stopped: sets COTURN_PORT and PEER_PORT.
borrow_ports() {
  local out="${WORK}/stun-server.out" pid ports
  "${PINHOLE}" stun-server --listen=127.0.0.1:0,127.0.0.1:0 \
    >"${out}" 2>"${WORK}/stun-server.err" &
  pid=$!
  PIDS+=("${pid}")
  wait_ready "${out}" "${pid}" ||
    die "stun-server not ready: $(cat "${WORK}/stun-server.err")"
  ports="$(listening_ports "${out}")"
  stop_pid "${pid}"
  COTURN_PORT="$(sed -n 1p <<<"${ports}")"
  PEER_PORT="$(sed -n 2p <<<"${ports}")"
  [[ -n "${COTURN_PORT}" && -n "${PEER_PORT}" ]] ||
    die "no ports from stun-server: $(cat "${out}")"
}

# Sends STUN Binding requests to 127.0.0.1:$1 from uclient's own STUN client
# until one is answered: up to 10 s.
wait_stun() {
  local port="$1" i
  for ((i = 0; i < 20; ++i)); do
    if timeout 2 turnutils_stunclient -p "${port}" 127.0.0.1 2>&1 |
      grep -q 'UDP reflexive addr'; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

# Nanoseconds of CPU time process $1 has used, over its live threads.
cpu_ns() {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null |
    awk '{ sum += $1 } END { printf "%d\n", sum }'
}

# Runs the uclient load against 127.0.0.1:$2, the server $3, under name $1;
# appends "NAME WALL_S SENT ECHOED CPU_S" to ${WORK}/results.
run_load() {
  local name="$1" port="$2" server_pid="$3"
  local log="${WORK}/uclient.${name}.log" cpu0 cpu1 t0 t1 pid status=0
  cpu0="$(cpu_ns "${server_pid}")"
  t0="$(date +%s%N)"
  timeout -k 5 "${LOAD_TIMEOUT}" turnutils_uclient -m "${CLIENTS}" \
    -n "${MESSAGES}" -l "${LENGTH}" -z 0 -c -s -e 127.0.0.1 -r "${PEER_PORT}" \
    -u bench -w bench -p "${port}" 127.0.0.1 >"${log}" 2>&1 &
  pid=$!
  PIDS+=("${pid}")
  wait "${pid}" || status=$?
  t1="$(date +%s%N)"
  cpu1="$(cpu_ns "${server_pid}")"
  kill -0 "${server_pid}" 2>/dev/null || die "${name} died during the load"
  ((status == 0)) || die "uclient against ${name} exited ${status}: $(tail -5 "${log}")"
  # The last line "start_mclient: tot_send_msgs=N, tot_recv_msgs=M".
  local totals sent echoed
  totals="$(grep -o 'tot_send_msgs=[0-9]*, tot_recv_msgs=[0-9]*$' "${log}" |
    tail -1)"
  [[ -n "${totals}" ]] || die "no totals from uclient: $(tail -5 "${log}")"
  sent="${totals%%,*}"
  sent="${sent#tot_send_msgs=}"
  echoed="${totals##*tot_recv_msgs=}"
  echo "${name} $(((t1 - t0) / 1000000)) ${sent} ${echoed} $((cpu1 - cpu0))" \
    >>"${WORK}/results"
}

borrow_ports
echo "nproc: $(nproc)"
echo "load: turnutils_uclient -m ${CLIENTS} -n ${MESSAGES} -l ${LENGTH} -z 0 -c" \
  "-s (Send indications), echo peer turnutils_peer on 127.0.0.1:${PEER_PORT}"

turnutils_peer -L 127.0.0.1 -p "${PEER_PORT}" >"${WORK}/peer.log" 2>&1 &
PIDS+=("$!")

# --- Pinhole.
pinhole_out="${WORK}/pinhole.out"
"${PINHOLE}" turn-server --listen=127.0.0.1:0 --user=bench:bench \
  --realm=bench --allow-peer=127.0.0.0/8 \
  >"${pinhole_out}" 2>"${WORK}/pinhole.err" &
pinhole_pid=$!
PIDS+=("${pinhole_pid}")
wait_ready "${pinhole_out}" "${pinhole_pid}" ||
  die "pinhole turn-server not ready: $(tail -5 "${WORK}/pinhole.err")"
pinhole_port="$(listening_ports "${pinhole_out}" | head -1)"
[[ -n "${pinhole_port}" ]] || die "no UDP port in: $(cat "${pinhole_out}")"
run_load pinhole "${pinhole_port}" "${pinhole_pid}"
stop_pid "${pinhole_pid}"

# --- coturn. --allow-loopback-peers: the peer is on 127.0.0.1, which coturn
# refuses by default; --no-cli, so no CLI port (or password) is involved.
turnserver -n --no-cli --no-tls --no-dtls --listening-ip=127.0.0.1 \
  --listening-port="${COTURN_PORT}" --relay-ip=127.0.0.1 --user=bench:bench \
  --realm=bench --lt-cred-mech --allow-loopback-peers --log-file=stdout \
  --simple-log --pidfile="${WORK}/turnserver.pid" \
  >"${WORK}/coturn.log" 2>&1 &
coturn_pid=$!
PIDS+=("${coturn_pid}")
wait_stun "${COTURN_PORT}" ||
  die "turnserver not answering: $(tail -5 "${WORK}/coturn.log")"
run_load coturn "${COTURN_PORT}" "${coturn_pid}"
stop_pid "${coturn_pid}"

awk '
  {
    wall[$1] = $2 / 1000; sent[$1] = $3; echoed[$1] = $4; cpu[$1] = $5 / 1e9
    rate[$1] = wall[$1] > 0 ? $4 / wall[$1] : 0
    per_cpu[$1] = cpu[$1] > 0 ? 2 * $4 / cpu[$1] : 0
    printf "%-8s %6d of %6d echoed in %7.2f s wall: %9.0f packets/s;" \
           " server CPU %6.3f s: %9.0f relayed/CPU-s\n",
           $1 ":", $4, $3, wall[$1], rate[$1], cpu[$1], per_cpu[$1]
  }
  END {
    if (rate["coturn"] > 0 && per_cpu["coturn"] > 0) {
      printf "pinhole/coturn: %.2f (packets/s, wall), %.2f (relayed/CPU-s)\n",
             rate["pinhole"] / rate["coturn"],
             per_cpu["pinhole"] / per_cpu["coturn"]
    }
  }' "${WORK}/results"
