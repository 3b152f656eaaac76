#!/usr/bin/env bash
# `pinhole run` and `pinhole matrix` as a user meets them: a scenario that
# passes writes its outputs; broken files are refused naming the file and
# line; a failing expectation prints what happened, the seed and the command
# that reproduces it; the matrix matches its golden file.
#
#   pinhole_run_test.sh PINHOLE SCENARIO_DIR TESTDATA_DIR
set -euo pipefail
readonly PINHOLE="$1" SCENARIOS="$2" TESTDATA="$3"
fail() { echo "FAIL: $*" >&2; exit 1; }
out="${TEST_TMPDIR}/out"

# A passing scenario: exit 0, each output written.
text="$("${PINHOLE}" run "${SCENARIOS}/home_to_home.textproto" --out="${out}")" ||
  fail "home_to_home failed: ${text}"
echo "${text}"
grep -q '^PASS: ' <<<"${text}" || fail "no PASS line"
grep -q '(seed 1)' <<<"${text}" || fail "the default seed is not printed"
for f in trace.txt summary.json timeline.html alice-eth0.pcap bob-eth0.pcap; do
  [[ -s "${out}/${f}" ]] || fail "${f} not written"
done

# A seed given on the command line is the one used.
"${PINHOLE}" run "${SCENARIOS}/home_to_home.textproto" --out=- --seed=9 |
  grep -q '(seed 9)' || fail "--seed=9 not used"

expect_refusal() {  # FILE PATTERN...
  local file="$1" status=0 errors
  shift
  errors="$("${PINHOLE}" run "${TESTDATA}/${file}" --out=- 2>&1 >/dev/null)" || status=$?
  echo "${file}: ${errors}"
  ((status == 1)) || fail "${file}: exit ${status}, not 1"
  for pattern in "$@"; do
    grep -q -- "${pattern}" <<<"${errors}" || fail "${file}: no '${pattern}' in: ${errors}"
  done
}
expect_refusal unknown_field.textproto 'unknown_field.textproto:5:' 'lantency'
expect_refusal unknown_preset.textproto 'unknown_preset.textproto:6:' \
  'networks\[0\].middleboxes\[0\].nat_preset' 'no NAT preset called "fullcone"' \
  'port_restricted_cone'

# An expectation that fails: exit 1, the expectation, what happened, the
# seed and the command to reproduce it.
status=0
text="$("${PINHOLE}" run "${TESTDATA}/failing_expectation.textproto" --out=-)" || status=$?
echo "${text}"
((status == 1)) || fail "a failing expectation exits ${status}, not 1"
grep -q '\[NOT MET\] alice connected in \[0.000s, 5.000s\]' <<<"${text}" ||
  fail "the unmet expectation is not named"
grep -q 'states: checking at' <<<"${text}" || fail "what happened is not said"
grep -q 'FAIL: 1 of 1 expectations not met (seed 1)' <<<"${text}" || fail "no seed"
grep -q 'reproduce: ./bazelw run //tools:pinhole -- run .*failing_expectation.textproto --seed=1' \
  <<<"${text}" || fail "no command to reproduce"

# The matrix: every cell filled, golden matched, Markdown and HTML written.
text="$("${PINHOLE}" matrix --matrix-out="${out}/matrix" 2>/dev/null)" ||
  fail "the matrix differs from its golden file: ${text}"
grep -q 'golden: all 288 cells match' <<<"${text}" || fail "no golden verdict"
! grep -q ' ? ' <<<"${text}" || fail "an empty cell"
[[ -s "${out}/matrix/matrix.md" && -s "${out}/matrix/matrix.html" ]] ||
  fail "matrix.md or matrix.html missing"
echo PASS
