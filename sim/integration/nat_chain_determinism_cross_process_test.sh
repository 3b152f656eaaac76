#!/usr/bin/env bash
# Runs the NAT-chain scenario in separate processes: the same seed must give
# the same SHA-256 of the trace and of both pcap files (catching pointer-order
# and hash-order leaks, which differ from process to process), another seed
# different ones.
#
#   nat_chain_determinism_cross_process_test.sh SCENARIO_BINARY
set -euo pipefail
readonly binary="$1"

first="$("${binary}" 7)"
second="$("${binary}" 7)"
other="$("${binary}" 8)"
echo "run 1:  ${first}"
echo "run 2:  ${second}"
echo "seed 8: ${other}"
if [[ "${first}" != "${second}" ]]; then
  echo "FAIL: seed 7 gave different outcomes in two processes" >&2
  exit 1
fi
field() { tr ' ' '\n' <<<"$1" | grep "^$2="; }
for name in trace_sha256 client_pcap_sha256 server_pcap_sha256; do
  if [[ "$(field "${first}" "${name}")" == "$(field "${other}" "${name}")" ]]; then
    echo "FAIL: seeds 7 and 8 gave the same ${name}" >&2
    exit 1
  fi
done
echo "PASS"
