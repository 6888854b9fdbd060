// Fuzz target: training config JSON, through its public function
// policy::ApplyTrainConfigJson (policy/trainer.h). Bad JSON or values must
// be an Error naming the source.
#include <cstddef>
#include <cstdint>
#include <string>

#include "policy/trainer.h"
#include "tests/fuzz/fuzz_util.h"

using namespace dispatchlab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (Domain d : {Domain::kJobShop, Domain::kUam}) {
    auto c = policy::ApplyTrainConfigJson(policy::DefaultTrainConfig(d), text, "fuzz.json");
    if (!c.ok())
      FUZZ_CHECK(c.error().message.rfind("fuzz.json", 0) == 0, "error without source: %s",
                 c.error().message.c_str());
  }
  return 0;
}
