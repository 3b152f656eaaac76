// `FuzzCheck`: the invariant check of Pinhole's fuzz targets. A broken
// invariant prints what broke and aborts, which libFuzzer (and the corpus
// tests) report as a crash with the input that caused it.
#ifndef PINHOLE_BUILD_DEFS_FUZZ_CHECK_H_
#define PINHOLE_BUILD_DEFS_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

namespace pinhole {

inline void FuzzCheck(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace pinhole

#endif  // PINHOLE_BUILD_DEFS_FUZZ_CHECK_H_
