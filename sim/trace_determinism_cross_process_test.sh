#!/usr/bin/env bash
# Runs the determinism scenario in separate processes: the same seed must give
# the same digest (catching pointer-order and hash-order leaks, which differ
# from process to process), another seed a different one.
#
#   trace_determinism_cross_process_test.sh SCENARIO_BINARY
set -euo pipefail
readonly binary="$1"

first="$("${binary}" 7)"
second="$("${binary}" 7)"
other="$("${binary}" 8)"
echo "run 1: ${first}"
echo "run 2: ${second}"
echo "seed 8: ${other}"
if [[ "${first}" != "${second}" ]]; then
  echo "FAIL: seed 7 gave different outcomes in two processes" >&2
  exit 1
fi
if [[ "${first#* }" == "${other#* }" ]]; then
  echo "FAIL: seeds 7 and 8 gave the same outcome" >&2
  exit 1
fi
echo "PASS"
