// CHECK macros for broken invariants (programming errors), never for bad
// input: bad input travels as Error values (status.h) up to app/ or gui/.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace dispatchlab::internal {
[[noreturn]] inline void CheckFailed(const char* file, int line,
                                     const char* expr, const char* msg) {
  std::fprintf(stderr, "%s:%d: CHECK failed: %s %s\n", file, line, expr,
               msg ? msg : "");
  std::abort();
}
}  // namespace dispatchlab::internal

#define DL_CHECK(cond)                                                   \
  do {                                                                   \
    if (!(cond)) [[unlikely]]                                            \
      ::dispatchlab::internal::CheckFailed(__FILE__, __LINE__, #cond,    \
                                           nullptr);                     \
  } while (0)

#define DL_CHECK_MSG(cond, msg)                                          \
  do {                                                                   \
    if (!(cond)) [[unlikely]]                                            \
      ::dispatchlab::internal::CheckFailed(__FILE__, __LINE__, #cond,    \
                                           (msg));                       \
  } while (0)

#ifdef NDEBUG
#define DL_DCHECK(cond) \
  do {                  \
  } while (0)
#else
#define DL_DCHECK(cond) DL_CHECK(cond)
#endif
