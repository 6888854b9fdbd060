// Files compiled into the binary (see cmake/embed.cmake), so built-in
// scenarios work from any directory with no install step.
#pragma once

#include <span>
#include <string_view>

namespace dispatchlab::scenarios {

struct EmbeddedFile {
  std::string_view name;  // file stem, e.g. "la01"
  std::string_view text;
};

// scenarios/jobshop/instances/*.txt
std::span<const EmbeddedFile> EmbeddedJobShopInstances();
// scenarios/jobshop/*.csv (reference values, oracle schedules)
std::span<const EmbeddedFile> EmbeddedJobShopData();
// scenarios/uam/*.json
std::span<const EmbeddedFile> EmbeddedUamScenarios();

}  // namespace dispatchlab::scenarios
