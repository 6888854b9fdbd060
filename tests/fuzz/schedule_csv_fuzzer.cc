// Fuzz target: schedule CSV and down CSV (sim/jobshop/schedule.h), then
// the validator on what parsed, against ft06. Input: the schedule CSV,
// optionally followed by a line "%%" and a down CSV. A schedule the
// validator accepts must also replay (its machine sequences are feasible).
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/jobshop/parser.h"
#include "sim/jobshop/schedule.h"
#include "sim/jobshop/simulator.h"
#include "sim/jobshop/validator.h"
#include "tests/fuzz/fuzz_util.h"

using namespace dispatchlab;
using namespace dispatchlab::jobshop;

namespace {
const char kFt06[] = R"(#+++++++++++++++++++++++++++++
# instance ft06
#+++++++++++++++++++++++++++++
# Fisher and Thompson 6x6 instance, alternate name (mt06)
6 6
2  1  0  3  1  6  3  7  5  3  4  6
1  8  2  5  4 10  5 10  0 10  3  4
2  5  3  4  5  8  0  9  1  1  4  7
1  5  0  5  2  5  3  3  4  8  5  9
2  9  1  3  4  5  5  4  0  3  3  1
1  3  3  3  5  9  0 10  4  4  2  1
)";

const Instance& Ft06() {
  static const Instance inst = *ParseInstance(kFt06, "ft06", "ft06");
  return inst;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string sched = text, down_text;
  if (const auto sep = text.find("\n%%\n"); sep != std::string::npos) {
    sched = text.substr(0, sep + 1);
    down_text = text.substr(sep + 4);
  }
  auto rows = ParseScheduleCsv(sched, "s.csv");
  auto down = ParseDownCsv(down_text.empty() ? "machine,start,end\n" : down_text, "d.csv");
  // Both parsers on the other's input too: the header check must hold.
  (void)ParseDownCsv(sched, "s.csv");
  (void)ParseScheduleCsv(down_text, "d.csv");
  if (!rows.ok()) {
    FUZZ_CHECK(rows.error().message.rfind("s.csv", 0) == 0, "no source: %s",
               rows.error().message.c_str());
    return 0;
  }
  const std::string printed = FormatScheduleCsv(*rows);
  auto again = ParseScheduleCsv(printed, "again");
  FUZZ_CHECK(again.ok() && FormatScheduleCsv(*again) == printed,
             "schedule CSV does not round-trip");
  if (!down.ok()) return 0;
  const Instance& inst = Ft06();
  for (bool swaps : {true, false}) {
    const ValidationReport v = ValidateSchedule(inst, *rows, *down, swaps);
    if (!v.valid || !down->empty()) continue;
    (void)MachineSequences(*rows, inst.num_machines);
    SimOptions o;
    o.mode = swaps ? BlockingMode::kSwap : BlockingMode::kNoSwap;
    o.machine_sequences.resize(inst.num_machines);
    const auto seq = MachineSequences(*rows, inst.num_machines);
    for (int m = 0; m < inst.num_machines; ++m)
      for (int j : seq[m]) o.machine_sequences[m].push_back(JobId(j));
    Simulator sim(inst, o);
    sim.Reset(0);
    while (sim.AdvanceToDecision()) sim.Apply(0);
    FUZZ_CHECK(sim.result().outcome == Outcome::kCompleted,
               "a valid schedule's machine sequences do not replay");
  }
  return 0;
}
