// Fuzz target: what `dispatchlab scenarios import` does with a file
// (app/store_cli.cc DoScenariosImport): parse it with the instance or UAM
// parser, then store the printed form, which the catalog parses again when
// the scenario is used. The first byte picks the domain. Whatever is
// accepted must print to a body that parses back to the same scenario (a
// stored body that cannot be read would break every later run).
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenarios/uam_json.h"
#include "sim/jobshop/parser.h"
#include "tests/fuzz/fuzz_util.h"

using namespace dispatchlab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    auto s = scenarios::ParseUamScenario(text, "import.json");
    if (!s.ok()) return 0;
    const std::string body = scenarios::FormatUamScenario(*s);
    auto stored = scenarios::ParseUamScenario(body, "store:uam");
    FUZZ_CHECK(stored.ok(), "stored UAM body does not parse: %s",
               stored.error().message.c_str());
    FUZZ_CHECK(scenarios::FormatUamScenario(*stored) == body, "stored UAM body differs");
  } else {
    auto inst = jobshop::ParseInstance(text, "import.txt", "import");
    if (!inst.ok()) return 0;
    const std::string body = jobshop::FormatStandard(*inst);
    auto stored = jobshop::ParseInstance(body, "store:jobshop", "import");
    FUZZ_CHECK(stored.ok(), "stored instance body does not parse: %s",
               stored.error().message.c_str());
    FUZZ_CHECK(jobshop::FormatStandard(*stored) == body, "stored instance body differs");
  }
  return 0;
}
