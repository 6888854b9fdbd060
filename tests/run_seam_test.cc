// The one run path (scenarios/family.h): every front end stores the same
// record for a cell, results never mix domains, a learned policy is its
// weights (a replaced file is a new policy), and the policy-identity
// migration keeps every stored run.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "gui/gantt_model.h"
#include "gui/run_service.h"
#include "policy/registry.h"
#include "scenarios/batch.h"
#include "scenarios/catalog.h"
#include "scenarios/family.h"
#include "scenarios/report.h"
#include "scenarios/store.h"

namespace dispatchlab {
namespace {

namespace fs = std::filesystem;
using scenarios::Store;

class RunSeam : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dl_seam_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& n) const { return (dir_ / n).string(); }
  static std::unique_ptr<Store> Open(const std::string& path,
                                     scenarios::StoreOptions o = {}) {
    auto s = Store::Open(path, o);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? std::move(*s) : nullptr;
  }
  const policy::PolicyRegistry registry_{DISPATCHLAB_SOURCE_DIR "/assets"};
  fs::path dir_;
};

// Runs one cell with `eval`'s engine and returns the stored rows.
std::vector<scenarios::ResultRow> EvalCell(Store& store, const policy::PolicyRegistry& reg,
                                           Domain d, const std::string& scenario,
                                           const std::string& pol, double level,
                                           std::uint64_t seed) {
  scenarios::Grid g;
  g.domain = d;
  g.scenarios = {**store.FindScenario(DomainName(d), scenario)};
  g.policies = reg.Parse(d, pol).value();
  g.levels = {level};
  g.first_seed = seed;
  g.seeds = 1;
  scenarios::BatchOptions o;
  o.threads = 1;
  auto r = scenarios::RunBatch(store, g, o, nullptr, nullptr);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return store.QueryResults({DomainName(d), {scenario}, {pol}}).value();
}

TEST_F(RunSeam, GuiRunThenEvalStoresWhatEvalAloneStores) {
  struct Case {
    Domain d;
    const char* scenario;
    const char* policy;
    double level;
  };
  for (const Case c : {Case{Domain::kJobShop, "la01", "spt", 0.1},
                       Case{Domain::kUam, "default", "greedy", 1.0}}) {
    SCOPED_TRACE(c.scenario);
    // Store A: the GUI's run service runs the cell first, then eval.
    auto a = Open(Path(std::string("a_") + c.scenario + ".db"));
    gui::RunRequest req;
    req.scenario = **a->FindScenario(DomainName(c.d), c.scenario);
    req.policy = c.policy;
    req.seed = 0;
    req.disruption = c.level;
    auto snap = gui::ExecuteRun(req, registry_, a.get(), nullptr, nullptr);
    ASSERT_TRUE(snap.ok()) << snap.error().message;
    const auto after_gui = EvalCell(*a, registry_, c.d, c.scenario, c.policy, c.level, 0);
    // Store B: eval alone, fresh.
    auto b = Open(Path(std::string("b_") + c.scenario + ".db"));
    const auto alone = EvalCell(*b, registry_, c.d, c.scenario, c.policy, c.level, 0);
    ASSERT_EQ(after_gui.size(), 1u);
    ASSERT_EQ(alone.size(), 1u);
    EXPECT_EQ(after_gui[0].status, alone[0].status);
    ASSERT_TRUE(alone[0].objective.has_value());
    EXPECT_EQ(after_gui[0].objective, alone[0].objective);
    EXPECT_EQ(after_gui[0].kpis, alone[0].kpis);  // the whole KPI record, not 3 fields
    EXPECT_EQ(after_gui[0].disruption, alone[0].disruption);
    EXPECT_EQ(after_gui[0].mode, alone[0].mode);
    // ...and what the GUI showed is what was stored.
    ASSERT_EQ(snap->objectives.size(), 1u);
    EXPECT_EQ(snap->objectives[0], *alone[0].objective);
  }
}

TEST_F(RunSeam, CellWorkerValidatesEveryJobShopSchedule) {
  // A completed cell carries the validator's verdict: done with the
  // makespan as objective, and the full KPI schema.
  auto rec = scenarios::ParseScenario(
      {0, "jobshop", "tiny", "jobshop-standard", "2 2\n0 3 1 2\n1 4 0 1\n", "", false});
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  scenarios::CellWorker w({registry_.Find(Domain::kJobShop, "spt").value()});
  const auto r = w.Run(*rec, 0, {.seed = 1, .level = 0.0});
  EXPECT_EQ(r.record.status, "done");
  ASSERT_TRUE(r.record.objective.has_value());
  EXPECT_EQ(*r.record.objective, static_cast<double>(r.jobshop.makespan));
  for (const char* k : {"\"outcome\"", "\"makespan\"", "\"swaps\"", "\"breakdowns\"",
                        "\"down_time\"", "\"decisions\""})
    EXPECT_NE(r.record.kpis.find(k), std::string::npos) << k;
  // A UAM policy on a job-shop scenario is refused by the batch.
  auto store = Open(":memory:");
  scenarios::Grid g;
  g.domain = Domain::kJobShop;
  g.scenarios = {**store->FindScenario("jobshop", "ft06")};
  g.policies = {registry_.Find(Domain::kUam, "greedy").value()};
  auto bad = scenarios::RunBatch(*store, g, {}, nullptr, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("is a uam policy"), std::string::npos) << bad.error().message;
}

TEST_F(RunSeam, PlannersRunThroughTheSeamInTheWideMode) {
  // replan and ig follow planner schedules, which hold machines idle: the
  // worker must give them the wide decision mode, and their schedules pass
  // the validator. On la16 at p = 0.1 both are far below the best rule
  // (measured: mwkr about 1770, replan about 1410, ig about 1300 over seeds
  // 0-2), so 10% below mwkr is a safe bound for two seeds.
  auto inst = scenarios::LoadJobShopInstance("la16");
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  const auto la16 = std::make_optional(scenarios::FromInstance(std::move(*inst)));
  std::vector<PolicySpec> specs;
  for (const char* n : {"mwkr", "replan", "ig"})
    specs.push_back(registry_.Find(Domain::kJobShop, n).value());
  EXPECT_EQ(specs[1].kind, "planner");
  EXPECT_EQ(specs[2].kind, "ceiling");
  scenarios::CellWorker w(specs);
  double sum[3] = {0, 0, 0};
  for (std::uint64_t seed : {0u, 1u})
    for (int p = 0; p < 3; ++p) {
      const auto r = w.Run(*la16, p, {.seed = seed, .level = 0.1});
      ASSERT_EQ(r.record.status, "done") << specs[p].name << ": " << r.record.error;
      sum[p] += *r.record.objective;
    }
  EXPECT_LT(sum[1], 0.9 * sum[0]);
  EXPECT_LT(sum[2], 0.9 * sum[0]);
  // `all` is the fast policies; the planners are named explicitly.
  const auto all = registry_.Names(Domain::kJobShop);
  EXPECT_EQ(std::count(all.begin(), all.end(), "ig"), 0);
  const auto choices = registry_.Choices(Domain::kJobShop);
  EXPECT_EQ(std::count(choices.begin(), choices.end(), "replan"), 1);
}

TEST_F(RunSeam, ResultsNeverMixDomains) {
  // Same policy name and level in both domains: a job-shop makespan (55)
  // and a UAM profit (40000) must stay two rows, never one mean of 20027.5.
  std::vector<scenarios::ResultRow> rows(2);
  rows[0].domain = "jobshop";
  rows[0].policy = "gat";
  rows[0].disruption = 1;
  rows[0].status = "done";
  rows[0].objective = 55;
  rows[1] = rows[0];
  rows[1].domain = "uam";
  rows[1].objective = 40000;
  const auto keys = scenarios::SeparateDomains(rows, {scenarios::GroupKey::kPolicy,
                                                      scenarios::GroupKey::kDisruption});
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0], scenarios::GroupKey::kDomain);
  // Even when the caller does not ask for the domain, groups are split.
  const auto rep = scenarios::Aggregate(rows, {scenarios::GroupKey::kPolicy}, nullptr);
  ASSERT_EQ(rep.size(), 2u);
  EXPECT_NE(rep[0].mean, rep[1].mean);
  for (const auto& r : rep) EXPECT_TRUE(r.mean == 55 || r.mean == 40000) << r.mean;
  // One domain only: the key stays as asked.
  rows.pop_back();
  EXPECT_EQ(scenarios::SeparateDomains(rows, {scenarios::GroupKey::kPolicy}).size(), 1u);
}

TEST_F(RunSeam, ReplacedWeightsAreANewPolicy) {
  auto store = Open(Path("w.db"));
  // Two specs with one name and different weights hashes, as the registry
  // makes for a retrained file at the same path.
  auto spec = registry_.Find(Domain::kJobShop, "spt").value();
  spec.name = "runs/x.safetensors";
  spec.kind = "neural";
  spec.parameters = R"({"weights_hash":"aaaaaaaaaaaa1111"})";
  auto retrained = spec;
  retrained.parameters = R"({"weights_hash":"bbbbbbbbbbbb2222"})";
  const auto id_a = store->EnsurePolicy(scenarios::ToPolicyRecord(spec)).value();
  const auto id_b = store->EnsurePolicy(scenarios::ToPolicyRecord(retrained)).value();
  EXPECT_NE(id_a, id_b);
  EXPECT_EQ(store->EnsurePolicy(scenarios::ToPolicyRecord(spec)).value(), id_a);
  scenarios::Grid g;
  g.scenarios = {**store->FindScenario("jobshop", "ft06")};
  g.levels = {0.0};
  g.seeds = 2;
  g.policies = {spec};
  auto first = scenarios::RunBatch(*store, g, {}, nullptr, nullptr);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->progress.stored, 2);
  // The retrained policy's cells are not "already stored".
  g.policies = {retrained};
  auto second = scenarios::RunBatch(*store, g, {}, nullptr, nullptr);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->progress.skipped, 0);
  EXPECT_EQ(second->progress.stored, 2);
  const auto rows = store->QueryResults({"jobshop", {"ft06"}, {}}).value();
  ASSERT_EQ(rows.size(), 4u);
  int a = 0, b = 0;
  for (const auto& r : rows) {
    a += r.policy == "runs/x.safetensors@aaaaaaaa";
    b += r.policy == "runs/x.safetensors@bbbbbbbb";
  }
  EXPECT_EQ(a, 2);
  EXPECT_EQ(b, 2);
}

TEST_F(RunSeam, PolicyIdentityMigrationKeepsRuns) {
  {
    scenarios::StoreOptions o;
    o.migrate_to = 2;
    o.import_builtins = false;
    auto s = Open(Path("v2.db"), o);
    ASSERT_EQ(s->schema_version(), 2);
    const auto sid = s->PutScenario({0, "jobshop", "t", "jobshop-standard", "1 1\n0 5\n", "",
                                     false}).value();
    const auto pid = s->EnsurePolicy({0, "spt", "rule", "{}", "", ""}).value();
    scenarios::RunRecord r;
    r.key = scenarios::RunKey::JobShop(sid, pid, 0, 0.0, "bws");
    r.objective = 5;
    ASSERT_TRUE(s->PutRuns({r}).ok());
  }
  auto s = Open(Path("v2.db"));
  EXPECT_EQ(s->schema_version(), scenarios::kSchemaVersion);
  const auto rows = s->QueryResults({"jobshop", {"t"}, {"spt"}}).value();
  ASSERT_EQ(rows.size(), 1u) << "the migration must not cascade-delete runs";
  EXPECT_EQ(*rows[0].objective, 5);
  EXPECT_EQ(rows[0].policy, "spt");
}

// Zero-duration operations are legal (OR-Library): the Gantt model draws
// them as empty bars [t, t), even right at a down interval's edge.
TEST(GanttModel, ZeroDurationOperations) {
  jobshop::Instance inst;
  inst.name = "z";
  inst.num_machines = 2;
  inst.jobs = {{{jobshop::MachineId(0), 0}, {jobshop::MachineId(1), 4}},
               {{jobshop::MachineId(0), 3}, {jobshop::MachineId(1), 0}}};
  const std::vector<jobshop::ScheduleRow> rows = {
      {0, 0, 0, 0, 0, 0}, {0, 1, 1, 0, 4, 4}, {1, 0, 0, 0, 3, 4}, {1, 1, 1, 4, 0, 4}};
  const gui::GanttData g = gui::BuildGantt(inst, rows, {{1, 4, 6}});
  ASSERT_EQ(g.bars.size(), 4u);
  EXPECT_EQ(g.bars[0].start, 0);
  EXPECT_EQ(g.bars[0].completion, 0);
  EXPECT_EQ(g.bars[0].leave, 0);
  EXPECT_EQ(g.bars[3].completion, 4);  // no work left, so the later down time does not count
  EXPECT_EQ(g.makespan, 4);
}

}  // namespace
}  // namespace dispatchlab
