#!/usr/bin/env bash
# `pinhole probe` through a real Linux NAT: netfilter MASQUERADE in network
# namespaces this test creates (and removes), with `pinhole stun-server`
# (RFC 5780) behind it:
#
#   client ns 10.0.0.2 --veth-- nat ns 10.0.0.1 | 192.0.2.1 (MASQUERADE)
#     --veth-- server ns 192.0.2.10 and 192.0.2.11
#
# The probe must find what the simulator's presets model
# (//stun/probe:nat_probe_sim_test, *Preset): plain MASQUERADE is
# `linux_masquerade` (endpoint-independent mapping, address-and-port-dependent
# filtering, no hairpinning), MASQUERADE --random-fully is `symmetric`
# (address-and-port-dependent mapping and filtering). With LIFETIME=1 in the
# environment it also measures plain MASQUERADE's binding lifetime (about five
# minutes) and checks it against conntrack's 30 s.
#
# Needs root (namespaces, netfilter), iproute2, iptables and util-linux's
# unshare and nsenter; tagged manual, so `bazel test //...` leaves it out:
#
#   ./bazelw test //conformance:linux_nat_test --test_output=streamed
set -euo pipefail
# Bazel runs tests with a minimal PATH; the network tools live in sbin.
export PATH="${PATH}:/usr/sbin:/sbin"
PINHOLE="$(realpath "$1")"
source "$2"

((EUID == 0)) || fail "needs root: it creates network namespaces and NAT rules"
for command in ip iptables unshare nsenter; do
  command -v "${command}" >/dev/null || fail "${command} not found"
done

# Each namespace lives as long as the process holding it (bounded: 15 min).
pids=()
cleanup() {
  kill -TERM "${SERVER_PID:-}" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill -KILL "${pid}" 2>/dev/null || true; done
}
trap cleanup EXIT
new_namespace() {
  unshare -n sleep 900 &
  pids+=($!)
}
new_namespace && client_ns="${pids[-1]}"
new_namespace && nat_ns="${pids[-1]}"
new_namespace && server_ns="${pids[-1]}"
sleep 0.2
in_ns() {
  local pid="$1"
  shift
  nsenter -t "${pid}" -n "$@"
}

in_ns "${client_ns}" ip link add c0 type veth peer name n0 netns "${nat_ns}"
in_ns "${nat_ns}" ip link add n1 type veth peer name s0 netns "${server_ns}"
for pid in "${client_ns}" "${nat_ns}" "${server_ns}"; do
  in_ns "${pid}" ip link set lo up
done
in_ns "${client_ns}" ip addr add 10.0.0.2/24 dev c0
in_ns "${client_ns}" ip link set c0 up
in_ns "${client_ns}" ip route add default via 10.0.0.1
in_ns "${nat_ns}" ip addr add 10.0.0.1/24 dev n0
in_ns "${nat_ns}" ip addr add 192.0.2.1/24 dev n1
in_ns "${nat_ns}" ip link set n0 up
in_ns "${nat_ns}" ip link set n1 up
in_ns "${nat_ns}" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
in_ns "${server_ns}" ip addr add 192.0.2.10/24 dev s0
in_ns "${server_ns}" ip addr add 192.0.2.11/24 dev s0
in_ns "${server_ns}" ip link set s0 up

# The server runs inside its namespace; the fixture sees it through a wrapper.
wrapper="${TEST_TMPDIR:-/tmp}/pinhole-in-server-ns"
printf '#!/bin/sh\nexec nsenter -t %s -n %s "$@"\n' "${server_ns}" "${PINHOLE}" >"${wrapper}"
chmod +x "${wrapper}"
start_stun_server "${wrapper}" --listen=192.0.2.10:3478 --alternate=192.0.2.11:3479

# probe RULE_FLAGS EXPECTED_VERDICT: the probe through MASQUERADE with the
# flags given; its text, after checking the verdict.
probe() {
  in_ns "${nat_ns}" iptables -t nat -F POSTROUTING
  in_ns "${nat_ns}" iptables -t nat -A POSTROUTING -o n1 -j MASQUERADE $1
  local flags=(--server=192.0.2.10:3478 --verbose)
  [[ "${LIFETIME:-0}" == 1 && -z "$1" ]] &&
    flags+=(--lifetime --lifetime_max=240s --lifetime_resolution=2s)
  local text
  text="$(in_ns "${client_ns}" timeout 900 "${PINHOLE}" probe "${flags[@]}")" ||
    fail "probe failed: ${text}"
  echo "${text}" >&2
  grep -qx "$2" <<<"${text}" || fail "MASQUERADE $1: expected '$2'"
  grep -q '^  mapped address: 192\.0\.2\.1:' <<<"${text}" || fail "not mapped to the NAT's address"
  grep -qx '  hairpinning: not observed' <<<"${text}" || fail "hairpinning"
  echo "${text}"
}

# Plain MASQUERADE: the linux_masquerade preset.
text="$(probe "" 'NAT: endpoint-independent mapping, address-and-port-dependent filtering')"
if [[ "${LIFETIME:-0}" == 1 ]]; then
  # conntrack's 30 s UDP timeout (a Binding answered at once is no "stream"),
  # as the preset models it: the bracket must hold 30 s.
  bracket="$(sed -n 's/^  binding lifetime: between \([0-9.]*\) s and \([0-9.]*\) s$/\1 \2/p' <<<"${text}")"
  [[ -n "${bracket}" ]] || fail "no lifetime bracket"
  awk -v b="${bracket}" 'BEGIN { split(b, x, " "); exit !(x[1] < 30 && x[2] >= 30) }' ||
    fail "lifetime bracket ${bracket} does not hold conntrack's 30 s"
fi
# MASQUERADE --random-fully (a random port per flow): the symmetric preset.
probe --random-fully 'NAT: address-and-port-dependent mapping, address-and-port-dependent filtering' >/dev/null

stop_stun_server
echo PASS
