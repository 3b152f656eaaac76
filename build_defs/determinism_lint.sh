#!/usr/bin/env bash
# Fails when a source file reaches for ambient time, randomness or threads. DESIGN.md's
# determinism rule: in sim/, stun/, turn/ and ice/, time comes from the simulator or the `now`
# argument, randomness from net::Random, and there are no threads. Comments are ignored.
#
#   determinism_lint.sh FILE...
set -uo pipefail

readonly FORBIDDEN='steady_clock|system_clock|high_resolution_clock|std::rand\b|(^|[^_[:alnum:]])rand\(|srand\(|random_device|mt19937|default_random_engine|absl::Now\(|absl::BitGen|absl::InsecureBitGen|absl::Uniform|std::thread|std::async|pthread_create|sleep_for|sleep_until|usleep\(|clock_gettime|gettimeofday|(^|[^_[:alnum:].:>])time\((nullptr|NULL|0)?\)'

status=0
for file in "$@"; do
  # Drop // comments (a crude cut that can only hide matches, never invent them), then search.
  hits="$(sed -e 's://.*$::' "${file}" | grep -nE "${FORBIDDEN}")"
  if [[ -n "${hits}" ]]; then
    while IFS= read -r hit; do
      echo "${file}:${hit}"
    done <<<"${hits}"
    status=1
  fi
done
if ((status)); then
  echo "determinism lint: the lines above use ambient time, randomness or threads; take them" \
    "from net::Random, the simulator's clock or the engine's 'now' argument instead." >&2
fi
exit "${status}"
