#!/usr/bin/env bash
# Runs a scenario binary in separate processes. The binary takes a seed and
# prints one line of space-separated KEY=VALUE fields (digests of its trace,
# pcap files, ...). The same seed must print the same line in two processes
# (catching pointer-order and hash-order leaks, which differ from process to
# process); another seed must change every FIELD named.
#
#   cross_process_determinism_test.sh SCENARIO_BINARY FIELD...
set -euo pipefail
readonly binary="$1"
shift
(($# > 0)) || { echo "usage: $0 SCENARIO_BINARY FIELD..." >&2; exit 2; }

first="$("${binary}" 7)"
second="$("${binary}" 7)"
other="$("${binary}" 8)"
echo "seed 7, run 1: ${first}"
echo "seed 7, run 2: ${second}"
echo "seed 8:        ${other}"
if [[ "${first}" != "${second}" ]]; then
  echo "FAIL: seed 7 gave different outcomes in two processes" >&2
  exit 1
fi
field() { tr ' ' '\n' <<<"$1" | grep "^$2=" || true; }
for name in "$@"; do
  value="$(field "${first}" "${name}")"
  if [[ -z "${value}" ]]; then
    echo "FAIL: the scenario printed no ${name}" >&2
    exit 1
  fi
  if [[ "${value}" == "$(field "${other}" "${name}")" ]]; then
    echo "FAIL: seeds 7 and 8 gave the same ${name}" >&2
    exit 1
  fi
done
echo "PASS"
