// Shared helpers of the fuzz targets (tests/fuzz/README.md). A target
// aborts (via FUZZ_CHECK) only on a broken promise of the code under test:
// a parser that accepts input it cannot print back, a printed form that
// does not parse to the same thing. Bad input must come back as an Error.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, ...)                                         \
  do {                                                                \
    if (!(cond)) {                                                    \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n", __FILE__, \
                   __LINE__, #cond);                                  \
      std::fprintf(stderr, __VA_ARGS__);                              \
      std::fprintf(stderr, "\n");                                     \
      std::abort();                                                   \
    }                                                                 \
  } while (0)
