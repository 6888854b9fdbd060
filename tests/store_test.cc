// The store on real SQLite files: schema, migration, round trips, resume
// after a crash, no duplicates, concurrent readers, and bad files.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "policy/registry.h"
#include "scenarios/batch.h"
#include "scenarios/report.h"
#include "scenarios/store.h"
#include "sim/uam/policies.h"

namespace dispatchlab::scenarios {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dl_store_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& f) const { return (dir_ / f).string(); }

  static std::unique_ptr<Store> OpenOrDie(const std::string& path, StoreOptions o = {}) {
    auto s = Store::Open(path, o);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(*s) : nullptr;
  }
  static std::int64_t Count(Store& s, const char* sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(s.raw(), sql, -1, &st, nullptr);
    std::int64_t n = -1;
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
  }
  static std::string Bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static policy::PolicyRegistry Registry() {
    return policy::PolicyRegistry(DISPATCHLAB_SOURCE_DIR "/assets");
  }

  Grid JobShopGrid(Store& store, const std::vector<std::string>& names, int seeds,
                   std::vector<double> ps = {0.0, 0.1}) {
    Grid g;
    g.domain = Domain::kJobShop;
    for (const auto& n : names) g.scenarios.push_back(**store.FindScenario("jobshop", n));
    g.policies = Registry().Parse(Domain::kJobShop, "spt,mwkr,random").value();
    g.levels = ps;
    g.seeds = seeds;
    return g;
  }

  fs::path dir_;
};

TEST_F(StoreTest, CreatesSchemaWithWalForeignKeysAndBuiltins) {
  auto s = OpenOrDie(Path("a.db"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema_version(), kSchemaVersion);
  EXPECT_EQ(Count(*s, "PRAGMA foreign_keys"), 1);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(s->raw(), "PRAGMA journal_mode", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  // 35 built-in job-shop instances and the default UAM scenario, once.
  EXPECT_EQ(Count(*s, "SELECT count(*) FROM scenarios WHERE builtin=1 AND domain='jobshop'"), 35);
  EXPECT_EQ(Count(*s, "SELECT count(*) FROM scenarios WHERE builtin=1 AND domain='uam'"), 1);
  s.reset();
  s = OpenOrDie(Path("a.db"));
  EXPECT_EQ(Count(*s, "SELECT count(*) FROM scenarios"), 36);
}

TEST_F(StoreTest, MigratesFromVersionOneKeepingData) {
  {
    StoreOptions o;
    o.migrate_to = 1;
    auto s = OpenOrDie(Path("old.db"), o);
    ASSERT_EQ(s->schema_version(), 1);
    EXPECT_EQ(Count(*s, "SELECT count(*) FROM sqlite_master WHERE name='training_runs'"), 0);
    ScenarioRecord r{0, "jobshop", "mine", "jobshop-standard", "1 1\n0 5\n", "", false};
    ASSERT_TRUE(s->PutScenario(r).ok());
  }
  auto s = OpenOrDie(Path("old.db"));
  EXPECT_EQ(s->schema_version(), kSchemaVersion);
  EXPECT_EQ(Count(*s, "SELECT count(*) FROM sqlite_master WHERE name='training_runs'"), 1);
  auto mine = s->FindScenario("jobshop", "mine");
  ASSERT_TRUE(mine.ok() && mine->has_value());
  EXPECT_EQ((*mine)->body, "1 1\n0 5\n");
  auto tr = s->PutTrainingRun({0, "jobshop", "t1", "{}", "running", ""});
  ASSERT_TRUE(tr.ok());
  EXPECT_TRUE(s->AddTrainingMetrics(*tr, 100, {{"return", -3.5}, {"loss", 0.2}}).ok());
  EXPECT_EQ(Count(*s, "SELECT count(*) FROM training_metrics"), 2);
}

TEST_F(StoreTest, ScenarioAndResultRoundTrip) {
  auto s = OpenOrDie(":memory:");
  ASSERT_TRUE(s);
  ScenarioRecord sc{0, "jobshop", "tiny", "jobshop-standard", "1 2\n0 3 1 4\n", "", false};
  auto id = s->PutScenario(sc);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*s->PutScenario(sc), *id);  // same content: same id
  sc.body = "1 2\n0 9 1 4\n";
  auto clash = s->PutScenario(sc);
  ASSERT_FALSE(clash.ok());
  EXPECT_NE(clash.error().message.find("different content"), std::string::npos);
  auto pid = s->EnsurePolicy({0, "spt", "rule", "{}", "", ""});
  ASSERT_TRUE(pid.ok());
  RunRecord run;
  run.key = {*id, *pid, 7, 0.05, "bws"};
  run.objective = 123;
  run.kpis = R"({"makespan":123})";
  run.wall_s = 0.5;
  run.events = {{"op", 0, 0, 0, 0, 3, 3, 3}, {"down", -1, -1, 1, 4, 4, 9, 0}};
  ASSERT_TRUE(s->PutRuns({run}).ok());
  auto rows = s->QueryResults({"jobshop", {"tiny"}, {"spt"}});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  const ResultRow& r = (*rows)[0];
  EXPECT_EQ(r.scenario, "tiny");
  EXPECT_EQ(r.policy, "spt");
  EXPECT_EQ(r.seed, 7u);
  EXPECT_DOUBLE_EQ(r.disruption, 0.05);
  EXPECT_EQ(r.mode, "bws");
  EXPECT_EQ(*r.objective, 123);
  EXPECT_EQ(r.kpis, R"({"makespan":123})");
  auto ev = s->ScheduleEvents(r.run_id);
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 2u);
  EXPECT_EQ((*ev)[1].kind, "down");
  EXPECT_EQ((*ev)[1].end, 9);
  // Storing the same cell again keeps the first result: no duplicate.
  run.objective = 999;
  ASSERT_TRUE(s->PutRuns({run}).ok());
  EXPECT_EQ(*s->CountRuns(), 1);
  EXPECT_EQ(*(*s->QueryResults({}))[0].objective, 123);
}

TEST_F(StoreTest, SameGridTwiceStoresEachCellOnce) {
  auto s = OpenOrDie(Path("g.db"));
  const Grid g = JobShopGrid(*s, {"ft06", "la01"}, 5);
  BatchOptions o;
  o.threads = 2;
  auto first = RunBatch(*s, g, o, nullptr, nullptr);
  ASSERT_TRUE(first.ok()) << first.error().message;
  const std::int64_t cells = 2 * 3 * 2 * 5;
  EXPECT_EQ(first->progress.total, cells);
  EXPECT_EQ(first->progress.stored, cells);
  auto second = RunBatch(*s, g, o, nullptr, nullptr);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->progress.skipped, cells);
  EXPECT_EQ(second->progress.stored, 0);
  EXPECT_EQ(*s->CountRuns(), cells);
  EXPECT_EQ(Count(*s, "SELECT count(*) FROM results"), cells);
  // Schedules kept for the first seed only: 2 scenarios x 3 policies x 2 p.
  EXPECT_EQ(Count(*s, "SELECT count(DISTINCT run_id) FROM schedule_events"), 12);
}

TEST_F(StoreTest, ResumesAfterACrashBetweenCommits) {
  const std::string path = Path("crash.db");
  const std::int64_t cells = 3 * 3 * 2 * 10;
  {
    auto s = OpenOrDie(path);
    BatchOptions o;
    o.threads = 2;
    o.flush_max_runs = 16;
    o.stop_after = 40;  // the "crash": nothing after the 40th run is committed
    auto r = RunBatch(*s, JobShopGrid(*s, {"ft06", "la01", "la16"}, 10), o, nullptr, nullptr);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*s->CountRuns(), 40);
  }
  auto s = OpenOrDie(path);
  BatchOptions o;
  o.threads = 2;
  auto r = RunBatch(*s, JobShopGrid(*s, {"ft06", "la01", "la16"}, 10), o, nullptr, nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->progress.skipped, 40);
  EXPECT_EQ(r->progress.stored, cells - 40);
  EXPECT_EQ(*s->CountRuns(), cells);
  EXPECT_EQ(Count(*s, "SELECT count(*) FROM (SELECT DISTINCT scenario_id, policy_id, "
                      "seed, disruption, mode FROM runs)"),
            cells);
}

TEST_F(StoreTest, ResultsEqualAFreshRunOfTheSameCells) {
  // Resumed results are the same numbers a single uninterrupted batch gives
  // (episodes are pure functions of scenario, seed and policy).
  auto a = OpenOrDie(Path("a.db"));
  auto b = OpenOrDie(Path("b.db"));
  BatchOptions o;
  o.stop_after = 17;
  ASSERT_TRUE(RunBatch(*a, JobShopGrid(*a, {"la02"}, 6), o, nullptr, nullptr).ok());
  o.stop_after = -1;
  ASSERT_TRUE(RunBatch(*a, JobShopGrid(*a, {"la02"}, 6), o, nullptr, nullptr).ok());
  o.threads = 2;
  ASSERT_TRUE(RunBatch(*b, JobShopGrid(*b, {"la02"}, 6), o, nullptr, nullptr).ok());
  auto ra = *a->QueryResults({});
  auto rb = *b->QueryResults({});
  ASSERT_EQ(ra.size(), rb.size());
  for (std::size_t i = 0; i < ra.size(); ++i) {
    EXPECT_EQ(ra[i].policy, rb[i].policy);
    EXPECT_EQ(ra[i].seed, rb[i].seed);
    EXPECT_EQ(ra[i].objective, rb[i].objective);
    EXPECT_EQ(ra[i].kpis, rb[i].kpis);
  }
}

TEST_F(StoreTest, UamGridStoresProfitOncePerCell) {
  auto s = OpenOrDie(Path("u.db"));
  auto def = s->FindScenario("uam", "default");
  ASSERT_TRUE(def.ok() && def->has_value());  // imported as a built-in
  Grid g;
  g.domain = Domain::kUam;
  g.scenarios = {**def};
  const auto policies = Registry().Parse(Domain::kUam, "random,greedy");
  ASSERT_TRUE(policies.ok());
  g.policies = *policies;
  g.levels = {0.0, 1.0};
  g.seeds = 3;
  BatchOptions o;
  o.threads = 2;
  auto r = RunBatch(*s, g, o, nullptr, nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->progress.stored, 2 * 2 * 3);
  auto again = RunBatch(*s, g, o, nullptr, nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->progress.skipped, 12);
  EXPECT_EQ(*s->CountRuns(), 12);
  // The stored profit is the profit of the same day run directly.
  auto rows = s->QueryResults({"uam", {"default"}, {"greedy"}});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 6u);
  const auto& row = (*rows)[0];  // ordered by disruption, seed: off, seed 0
  EXPECT_EQ(row.disruption, 0.0);
  uam::Scenario sc = uam::DefaultScenario();
  sc.uncertainty.SetAll(false);
  uam::GreedyPolicy greedy;
  EXPECT_NEAR(*row.objective, uam::RunEpisode(sc, row.seed, greedy).kpis.profit(), 1e-6);
  // Timeline events kept for the first seed.
  EXPECT_GT(Count(*s, "SELECT count(*) FROM schedule_events WHERE kind='depart'"), 0);
}

TEST_F(StoreTest, ConcurrentReadersWhileABatchWrites) {
  const std::string path = Path("c.db");
  auto writer = OpenOrDie(path);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, errors{0};
  std::int64_t last = 0;
  bool monotone = true;
  std::thread reader([&] {
    StoreOptions ro;
    ro.read_only = true;
    auto r = Store::Open(path, ro);
    if (!r) {
      ++errors;
      return;
    }
    while (!done) {
      auto n = (*r)->CountRuns();
      if (!n) ++errors;
      else {
        monotone &= *n >= last;
        last = *n;
        ++reads;
      }
      auto q = (*r)->QueryResults({"jobshop", {}, {}});
      if (!q) ++errors;
    }
  });
  BatchOptions o;
  o.threads = 1;
  o.flush_max_runs = 8;
  auto res = RunBatch(*writer, JobShopGrid(*writer, {"la16", "la17", "la18"}, 40), o,
                             nullptr, nullptr);
  done = true;
  reader.join();
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(errors, 0);
  EXPECT_GT(reads, 0);
  EXPECT_TRUE(monotone);
}

TEST_F(StoreTest, RejectsANonSqliteFileAndLeavesItIntact) {
  const std::string path = Path("junk.db");
  std::ofstream(path) << "this is not a database, just some text that is long "
                         "enough to look like a header................................"
                         "......................................................";
  const std::string before = Bytes(path);
  auto s = Store::Open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("not a dispatchlab database"), std::string::npos)
      << s.error().message;
  EXPECT_EQ(Bytes(path), before);
  EXPECT_FALSE(fs::exists(path + "-wal"));
}

TEST_F(StoreTest, RejectsAForeignSqliteDatabase) {
  const std::string path = Path("other.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (42);", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  const std::string before = Bytes(path);
  auto s = Store::Open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("not a dispatchlab store"), std::string::npos)
      << s.error().message;
  EXPECT_EQ(Bytes(path), before);
}

TEST_F(StoreTest, RejectsANewerSchemaAndKeepsData) {
  const std::string path = Path("new.db");
  {
    auto s = OpenOrDie(path);
    sqlite3_exec(s->raw(), "PRAGMA user_version=99", nullptr, nullptr, nullptr);
  }
  auto s = Store::Open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("newer dispatchlab (schema version 99"),
            std::string::npos)
      << s.error().message;
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM scenarios", -1, &st, nullptr);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 36);  // the data is still there
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_F(StoreTest, RejectsUnwritableLocations) {
  // /proc is read-only even for root (tests may run as root, where file
  // permission bits do not stop writes).
  auto s = Store::Open("/proc/dispatchlab-test/x.db");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("/proc/dispatchlab-test"), std::string::npos)
      << s.error().message;
  auto d = Store::Open(dir_.string());
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("is a directory"), std::string::npos);
  StoreOptions ro;
  ro.read_only = true;
  auto missing = Store::Open(Path("missing.db"), ro);
  ASSERT_FALSE(missing.ok());
  EXPECT_FALSE(fs::exists(Path("missing.db")));
}

TEST(Report, MeanStdAndConfidenceInterval) {
  // Objectives 10, 12, 14: mean 12, sample std 2, CI half-width
  // t(0.975, 2) * 2 / sqrt(3) = 4.303 * 1.1547 = 4.9687.
  std::vector<ResultRow> rows;
  for (double x : {10.0, 12.0, 14.0}) {
    ResultRow r;
    r.domain = "jobshop";
    r.scenario = "ft06";
    r.policy = "spt";
    r.mode = "bws";
    r.status = "done";
    r.objective = x;
    rows.push_back(r);
  }
  rows.push_back(rows[0]);
  rows.back().objective.reset();
  rows.back().status = "deadlock";
  auto rep = Aggregate(rows, {GroupKey::kPolicy}, [](const ResultRow&) { return 10.0; });
  ASSERT_EQ(rep.size(), 1u);
  EXPECT_EQ(rep[0].runs, 4);
  EXPECT_EQ(rep[0].n, 3);
  EXPECT_EQ(rep[0].deadlocks, 1);
  EXPECT_DOUBLE_EQ(rep[0].mean, 12);
  EXPECT_DOUBLE_EQ(rep[0].std, 2);
  EXPECT_NEAR(rep[0].ci95, 4.9687, 1e-3);
  EXPECT_NEAR(*rep[0].mean_gap_pct, 20.0, 1e-9);  // (0 + 20 + 40) / 3
  EXPECT_NEAR(StudentT975(1000), 1.962, 1e-3);
}

TEST(Report, PairedCompareByHand) {
  // Three seeds of one cell. Baseline makespans 10, 12, 14; policy 9, 12, 11.
  // d = policy - baseline = -1, 0, -3: mean -4/3; sample sd = sqrt(((1/3)^2 +
  // (4/3)^2 + (5/3)^2) / 2) = sqrt(7/3) = 1.5275; t(0.975, 2) = 4.303, so the
  // CI half-width is 4.303 x 1.5275 / sqrt(3) = 3.7949. Lower makespan is
  // better: 2 wins (9 < 10, 11 < 14), 1 tie, 0 losses. A fourth seed only the
  // policy ran is unpaired.
  std::vector<ResultRow> rows;
  const double base[] = {10, 12, 14}, pol[] = {9, 12, 11};
  for (int k = 0; k < 3; ++k)
    for (int which = 0; which < 2; ++which) {
      ResultRow r;
      r.domain = "jobshop";
      r.scenario = "la01";
      r.policy = which ? "mine" : "spt";
      r.mode = "bws";
      r.disruption = 0.1;
      r.seed = static_cast<std::uint64_t>(k);
      r.status = "done";
      r.objective = which ? pol[k] : base[k];
      rows.push_back(r);
    }
  rows.push_back(rows.back());
  rows.back().seed = 3;
  const auto out = PairedCompare(rows, {"spt", "mine"}, "spt");
  // (la01, 0.1) and (*, 0.1): the same three pairs each time (one level,
  // so no pooled-over-levels row).
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].scenario, "la01");
  EXPECT_EQ(out[1].scenario, "*");
  EXPECT_EQ(out[1].level, "0.1");
  for (const auto& r : out) {
    EXPECT_EQ(r.policy, "mine");
    EXPECT_EQ(r.n, 3);
    EXPECT_NEAR(r.mean_diff, -4.0 / 3, 1e-12);
    EXPECT_NEAR(r.ci_low, -4.0 / 3 - 3.7949, 1e-3);
    EXPECT_NEAR(r.ci_high, -4.0 / 3 + 3.7949, 1e-3);
    EXPECT_EQ(r.wins, 2);
    EXPECT_EQ(r.ties, 1);
    EXPECT_EQ(r.losses, 0);
    EXPECT_DOUBLE_EQ(r.mean_baseline, 12);
    EXPECT_NEAR(r.rel_pct, 100 * (-4.0 / 3) / 12, 1e-9);
  }
  EXPECT_EQ(out[0].unpaired, 1);
  // UAM: higher profit is better, so the same numbers are 0 wins, 2 losses.
  for (auto& r : rows) r.domain = "uam";
  const auto u = PairedCompare(rows, {"spt", "mine"}, "spt");
  EXPECT_EQ(u[0].wins, 0);
  EXPECT_EQ(u[0].losses, 2);
}

}  // namespace
}  // namespace dispatchlab::scenarios
