// Fuzz target: torch-free policy weights files (policy/weights_file.h,
// safetensors layout). Hostile bytes must be an Error, never a crash, a
// leak or an allocation beyond the input's size.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "policy/weights_file.h"
#include "tests/fuzz/fuzz_util.h"

using namespace dispatchlab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto w = policy::ParseWeightsFile(bytes, "fuzz.safetensors");
  if (!w.ok())
    FUZZ_CHECK(w.error().message.find("fuzz.safetensors") != std::string::npos,
               "error without the file name: %s", w.error().message.c_str());
  return 0;
}
