#!/usr/bin/env bash
# Formats Pinhole's C++ sources with clang-format (Google style, see .clang-format).
#
#   tools/format.sh           rewrite every tracked .h/.cc file in place
#   tools/format.sh --check   change nothing; list unformatted files and exit 1 if any
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v clang-format >/dev/null || {
  echo "format.sh: clang-format is missing; ./bazelw installs it (Debian package clang-format)" >&2
  exit 2
}

mapfile -t files < <(git ls-files -- '*.h' '*.cc' ':!:third_party/**')
((${#files[@]})) || exit 0

case "${1:-}" in
  --check)
    unformatted=()
    for f in "${files[@]}"; do
      clang-format --dry-run --Werror "${f}" >/dev/null 2>&1 || unformatted+=("${f}")
    done
    if ((${#unformatted[@]})); then
      printf 'not clang-formatted (run tools/format.sh):\n' >&2
      printf '  %s\n' "${unformatted[@]}" >&2
      exit 1
    fi
    echo "format.sh: ${#files[@]} files formatted"
    ;;
  "")
    clang-format -i "${files[@]}"
    ;;
  *)
    echo "usage: tools/format.sh [--check]" >&2
    exit 2
    ;;
esac
