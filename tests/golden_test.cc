// Golden trace fingerprints (SimGrid .tesh / OMNeT++ fingerprint style): one
// hash per canonical scenario of the full trace. A change of behaviour,
// intended or not, changes a fingerprint; regenerate on purpose with
//   scripts/update-golden.sh
// and say why in the commit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "scenarios/catalog.h"
#include "scenarios/store.h"
#include "sim/jobshop/rules.h"
#include "sim/jobshop/schedule.h"
#include "sim/uam/policies.h"

namespace dispatchlab {
namespace {

const std::string kGoldenFile = std::string(DISPATCHLAB_TEST_DATA) + "/golden_fingerprints.txt";

std::map<std::string, std::string> Fingerprints() {
  std::map<std::string, std::string> out;
  struct JsCase {
    const char* name;
    const char* instance;
    jobshop::Rule rule;
    double p;
    jobshop::BlockingMode mode;
    std::uint64_t seed;
  };
  const JsCase cases[] = {
      {"jobshop/ft06/spt/p0.1/bws/7", "ft06", jobshop::Rule::kSpt, 0.1, jobshop::BlockingMode::kSwap, 7},
      {"jobshop/la16/mwkr/p0.05/bws/3", "la16", jobshop::Rule::kMwkr, 0.05, jobshop::BlockingMode::kSwap, 3},
      {"jobshop/la01/random/p0.2/bws/11", "la01", jobshop::Rule::kRandom, 0.2, jobshop::BlockingMode::kSwap, 11},
      {"jobshop/la02/fifo/p0/bns/0", "la02", jobshop::Rule::kFifo, 0.0, jobshop::BlockingMode::kNoSwap, 0},
  };
  for (const auto& c : cases) {
    auto inst = scenarios::LoadJobShopInstance(c.instance);
    jobshop::SimOptions o;
    o.mode = c.mode;
    o.breakdowns = jobshop::PerOperationBreakdowns(c.p);
    auto policy = jobshop::MakeRulePolicy(c.rule);
    const auto r = jobshop::RunEpisode(*inst, o, c.seed, *policy);
    out[c.name] = scenarios::ContentHash(jobshop::FormatScheduleCsv(jobshop::ToScheduleRows(r)) +
                                         jobshop::FormatDownCsv(jobshop::ToDownRows(r)) +
                                         jobshop::ToString(r.outcome));
  }
  const uam::Scenario s = uam::DefaultScenario();
  for (const char* p : {"greedy", "random"}) {
    auto policy = uam::MakeBaseline(p).value();
    const auto r = uam::RunEpisode(s, 1, *policy);
    std::ostringstream tl;
    for (const auto& e : r.timeline)
      tl << e.time_s << ' ' << e.aircraft << ' ' << static_cast<int>(e.kind) << ' ' << e.vertiport
         << ' ' << e.destination << ' ' << e.passengers << ' ' << static_cast<long long>(e.soc_kwh * 1000) << '\n';
    tl << static_cast<long long>(r.kpis.profit() * 100);
    out[std::string("uam/default/") + p + "/1"] = scenarios::ContentHash(tl.str());
  }
  return out;
}

TEST(Golden, TraceFingerprintsUnchanged) {
  const auto now = Fingerprints();
  if (std::getenv("DISPATCHLAB_UPDATE_GOLDEN")) {
    std::ofstream out(kGoldenFile);
    out << "# name fingerprint -- regenerate with scripts/update-golden.sh, on purpose only\n";
    for (const auto& [k, v] : now) out << k << ' ' << v << '\n';
    GTEST_SKIP() << "golden fingerprints rewritten: " << kGoldenFile;
  }
  std::ifstream in(kGoldenFile);
  ASSERT_TRUE(in) << "missing " << kGoldenFile << " (run scripts/update-golden.sh)";
  std::map<std::string, std::string> golden;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string k, v;
    ss >> k >> v;
    golden[k] = v;
  }
  ASSERT_EQ(golden.size(), now.size());
  for (const auto& [k, v] : now) EXPECT_EQ(golden[k], v) << k << ": behaviour changed";
}

}  // namespace
}  // namespace dispatchlab
