// The Qt-free models behind the GUI views (gui/fleet_model, gantt_model,
// results_model), tested in every build, with or without Qt. The QtTest
// suite (gui_test.cc) checks the same models through the widgets.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "gui/fleet_model.h"
#include "gui/gantt_model.h"
#include "gui/results_model.h"
#include "scenarios/catalog.h"
#include "sim/jobshop/rules.h"
#include "sim/jobshop/schedule.h"
#include "sim/jobshop/simulator.h"
#include "sim/uam/policies.h"
#include "sim/uam/scenario.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::gui {
namespace {

TEST(UamDayModel, TotalsEqualTheSimulatorsKpis) {
  // Arrivals, served and spilled counts, the sum of the events' money and
  // the mean per-aircraft airborne share are the simulator's day KPIs.
  const uam::Scenario sc = uam::DefaultScenario();
  uam::Simulator sim(sc);
  sim.Reset(11);
  uam::GreedyPolicy greedy;
  greedy.Reset(sim);
  while (sim.AdvanceToDecision()) sim.Apply(greedy.Choose(sim));
  uam::Simulator fresh(sc);
  fresh.Reset(11);
  std::vector<std::vector<SimTime>> arrivals;
  for (int o = 0; o < sc.num_vertiports(); ++o)
    for (int d = 0; d < sc.num_vertiports(); ++d) arrivals.push_back(fresh.demand_arrivals(o, d));
  const DemandData demand = BuildDemand(sc, arrivals, sim.timeline());
  const FleetData fleet = BuildFleet(sc, sim.timeline());
  const uam::Kpis& k = sim.kpis();
  EXPECT_EQ(demand.arrived, k.passengers_arrived);
  EXPECT_EQ(static_cast<std::int64_t>(demand.served.Max()), k.served);
  EXPECT_EQ(static_cast<std::int64_t>(demand.spilled.Max()), k.spilled);
  EXPECT_NEAR(demand.profit.v.back(), k.profit(), 1e-6);
  double util = 0;
  for (double u : fleet.utilisation) util += u / fleet.aircraft;
  EXPECT_NEAR(util, k.utilisation, 1e-12);
  // Nobody waits before the first arrival; the total is the sum of the
  // vertiports at any time.
  for (SimTime t = sc.ops.day_start_s; t < sc.ops.day_end_s; t += 977) {
    int sum = 0;
    for (int v = 0; v < sc.num_vertiports(); ++v) sum += WaitingAt(demand, v, t);
    EXPECT_EQ(sum, static_cast<int>(demand.waiting_total.At(t))) << t;
  }
}

TEST(ScheduleKpis, MachineTimePartitionsTheMakespan) {
  // ft06 under MWKR with breakdowns (p = 0.2): busy = sum of p(j,k) on the
  // machine, utilisation = busy / makespan, busy + down + blocked + idle =
  // makespan; gap to 63 = 100 (Cmax - 63) / 63.
  auto inst = scenarios::LoadJobShopInstance("ft06");
  ASSERT_TRUE(inst.ok());
  jobshop::SimOptions o;
  o.breakdowns = jobshop::PerOperationBreakdowns(0.2);
  jobshop::Simulator sim(*inst, o);
  auto policy = jobshop::MakeRulePolicy(jobshop::Rule::kMwkr);
  sim.Reset(3);
  policy->Reset(3);
  while (sim.AdvanceToDecision()) sim.Apply(policy->Choose(sim, sim.candidates()));
  const auto& r = sim.result();
  const GanttData g = BuildGantt(*inst, jobshop::ToScheduleRows(r), jobshop::ToDownRows(r));
  const ScheduleKpis k = ComputeScheduleKpis(g, 63);
  ASSERT_GT(k.breakdowns, 0);
  EXPECT_NEAR(*k.gap_pct, 100.0 * static_cast<double>(k.makespan - 63) / 63.0, 1e-9);
  for (const auto& m : k.machines) {
    SimTime busy = 0;
    for (const auto& job : inst->jobs)
      for (const auto& op : job)
        if (op.machine.value == m.machine) busy += op.duration;
    EXPECT_EQ(m.busy, busy);
    EXPECT_DOUBLE_EQ(m.utilisation, static_cast<double>(busy) / static_cast<double>(k.makespan));
    EXPECT_EQ(m.busy + m.down + m.blocked + m.idle, k.makespan) << "M" << m.machine;
  }
}

TEST(ResultsModel, AxesCsvAndSummary) {
  // Axes include zero and step by 1/2/5 x 10^k.
  const NiceAxis a = MakeNiceAxis(70, 95, 6, true);
  EXPECT_EQ(a.lo, 0);
  EXPECT_EQ(a.step, 20);
  EXPECT_EQ(a.hi, 100);
  EXPECT_EQ(a.ticks, 5);
  // Profits -1,200..58,000 in about 5 steps: 59,200 / 5 = 11,840 -> 10,000,
  // so -10,000..60,000 in 7 steps.
  const NiceAxis p = MakeNiceAxis(-1200, 58000, 5, true);
  EXPECT_EQ(p.lo, -10000);
  EXPECT_EQ(p.hi, 60000);
  EXPECT_EQ(p.step, 10000);
  EXPECT_EQ(p.ticks, 7);
  EXPECT_GE(MakeNiceAxis(0, 0.9, 4, false).decimals, 1);
  // CSV: typed numbers, the metric named, empty objective for a deadlock.
  scenarios::ResultRow x;
  x.run_id = 2;
  x.domain = "jobshop";
  x.scenario = "ft06";
  x.policy = "spt";
  x.mode = "bws";
  x.status = "done";
  x.seed = 4;
  x.disruption = 0.05;
  x.objective = 77;
  x.wall_s = 0.0015;
  scenarios::ResultRow y = x;
  y.run_id = 1;
  y.status = "deadlock";
  y.objective.reset();
  y.policy = "ig";
  EXPECT_EQ(RunsCsv({x, y}),
            "scenario,domain,policy,seed,level,mode,status,makespan,wall_ms\n"
            "ft06,jobshop,spt,4,0.05,bws,done,77,1.500\n"
            "ft06,jobshop,ig,4,0.05,bws,deadlock,,1.500\n");
  // Runs of one scenario and domain, newest first; the summary's best
  // excludes the clairvoyant ig.
  scenarios::ResultRow z = x;
  z.run_id = 3;
  z.policy = "ig";
  z.objective = 60;
  scenarios::ResultRow other = x;
  other.scenario = "la01";
  const auto rows = RunsOf({x, y, z, other}, "jobshop", "ft06");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].run_id, 3);
  const std::string s = StoredSummary({x, y, z, other}, "jobshop", "ft06");
  EXPECT_NE(s.find("3 stored runs, 2 policies"), std::string::npos) << s;
  EXPECT_NE(s.find("best spt 77.0"), std::string::npos) << s;
}

}  // namespace
}  // namespace dispatchlab::gui
