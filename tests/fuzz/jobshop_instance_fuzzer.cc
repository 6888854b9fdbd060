// Fuzz target: job-shop instance files (standard/OR-Library and Taillard,
// sim/jobshop/parser.h). An accepted instance must print back in the
// standard format to the same instance; a small one is also simulated with
// a rule (BWS and BNS, with breakdowns) and the schedule checked by the
// independent validator, so zero-duration operations and odd shapes are
// exercised end to end.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/jobshop/parser.h"
#include "sim/jobshop/rules.h"
#include "sim/jobshop/schedule.h"
#include "sim/jobshop/simulator.h"
#include "sim/jobshop/validator.h"
#include "tests/fuzz/fuzz_util.h"

using namespace dispatchlab;
using namespace dispatchlab::jobshop;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto inst = ParseInstance(text, "fuzz.txt", "fuzz");
  if (!inst.ok()) {
    FUZZ_CHECK(inst.error().message.rfind("fuzz.txt", 0) == 0, "error without source: %s",
               inst.error().message.c_str());
    return 0;
  }
  const std::string printed = FormatStandard(*inst);
  auto again = ParseInstance(printed, "printed", "fuzz", InstanceFormat::kStandard);
  FUZZ_CHECK(again.ok(), "printed instance does not parse: %s",
             again.error().message.c_str());
  FUZZ_CHECK(FormatStandard(*again) == printed, "round trip changed the instance");

  if (inst->num_operations() > 400) return 0;  // keep each run fast
  for (BlockingMode mode : {BlockingMode::kSwap, BlockingMode::kNoSwap}) {
    SimOptions o;
    o.mode = mode;
    o.breakdowns = PerOperationBreakdowns(0.2);
    auto rule = MakeRulePolicy(size % 2 ? Rule::kSpt : Rule::kFifo);
    const EpisodeResult r = RunEpisode(*inst, o, size, *rule);
    if (r.outcome != Outcome::kCompleted) continue;  // BNS may deadlock
    const ValidationReport v = ValidateSchedule(*inst, ToScheduleRows(r), ToDownRows(r),
                                                mode == BlockingMode::kSwap);
    FUZZ_CHECK(v.valid, "simulated schedule fails validation: %s",
               v.errors.empty() ? "?" : v.errors[0].c_str());
    FUZZ_CHECK(v.makespan == r.makespan, "validator makespan %lld != simulator %lld",
               static_cast<long long>(v.makespan), static_cast<long long>(r.makespan));
  }
  return 0;
}
