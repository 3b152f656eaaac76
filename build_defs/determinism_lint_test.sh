#!/usr/bin/env bash
# The determinism lint finds every forbidden use in a bad file and nothing in a clean one.
set -uo pipefail
lint="$1" bad="$2" good="$3"

output="$("${lint}" "${bad}" 2>/dev/null)"
if [[ $? -eq 0 ]]; then echo "FAIL: the lint passed a nondeterministic file"; exit 1; fi
findings="$(printf '%s\n' "${output}" | grep -c .)"
if [[ "${findings}" -ne 10 ]]; then
  echo "FAIL: expected 10 findings, got ${findings}:"; printf '%s\n' "${output}"; exit 1
fi

if ! output="$("${lint}" "${good}" 2>&1)"; then
  echo "FAIL: the lint rejected a deterministic file:"; printf '%s\n' "${output}"; exit 1
fi
echo "PASS"
