// Fuzz target: UAM scenario JSON (scenarios/uam_json.h). An accepted
// scenario must print back (FormatUamScenario, which `scenarios import`
// stores) to JSON that parses to the same scenario; a small accepted one is
// also built into its network (the range check every run does).
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenarios/uam_json.h"
#include "tests/fuzz/fuzz_util.h"

using namespace dispatchlab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto s = scenarios::ParseUamScenario(text, "fuzz.json");
  if (!s.ok()) {
    FUZZ_CHECK(s.error().message.rfind("fuzz.json: ", 0) == 0, "error without source: %s",
               s.error().message.c_str());
    return 0;
  }
  const std::string printed = scenarios::FormatUamScenario(*s);
  auto again = scenarios::ParseUamScenario(printed, "printed.json");
  FUZZ_CHECK(again.ok(), "printed scenario does not parse: %s",
             again.error().message.c_str());
  FUZZ_CHECK(scenarios::FormatUamScenario(*again) == printed, "round trip changed it");
  return 0;
}
