// Small file helpers for every domain and front end. Errors name the path.
#pragma once

#include <string>

#include "sim/core/status.h"

namespace dispatchlab {

// The whole file; an error when it is missing, not a regular file or
// unreadable.
Result<std::string> ReadTextFile(const std::string& path);

// Writes PATH.tmp and renames it over `path`: a reader (or a crash) sees
// the old file or the new one, never half of one.
Status WriteTextFileAtomic(const std::string& path, const std::string& text);

}  // namespace dispatchlab
