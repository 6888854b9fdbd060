// The UAM simulator: hand-worked arithmetic on tiny scenarios, a
// conformance test that checks every invariant after every event on many
// seeds, determinism, common random numbers, and scenario-file errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "scenarios/uam_json.h"
#include "sim/uam/policies.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::uam {
namespace {

// Two vertiports 30 miles apart, one aircraft, uncertainty off.
Scenario Tiny(int aircraft = 1, int pads = 2) {
  Scenario s = DefaultScenario();
  s.name = "tiny";
  s.vertiports.resize(2);
  s.vertiports[0].name = "A";
  s.vertiports[0].x_mi = 0;
  s.vertiports[0].y_mi = 0;
  s.vertiports[1].name = "B";
  s.vertiports[1].x_mi = 30;
  s.vertiports[1].y_mi = 0;
  for (auto& v : s.vertiports) v.pads = pads;
  s.fleet.aircraft = aircraft;
  s.initial_vertiport.assign(aircraft, 0);
  s.uncertainty.SetAll(false);
  return s;
}

// Plays a fixed list of actions, then stays.
class Script final : public Policy {
 public:
  explicit Script(std::vector<int> actions) : actions_(std::move(actions)) {}
  std::string name() const override { return "script"; }
  int Choose(const Simulator& sim) override {
    const int a = i_ < actions_.size() ? actions_[i_++] : sim.stay_action();
    return sim.mask()[a] ? a : sim.stay_action();
  }

 private:
  std::vector<int> actions_;
  std::size_t i_ = 0;
};

TEST(UamArithmetic, EnergyFlightTimeAndCharging) {
  const Fleet f;
  // 15 kWh per cycle + 1.1 kWh/mile x 30 miles = 48 kWh.
  EXPECT_DOUBLE_EQ(FlightEnergyKwh(f, 30), 48.0);
  // 30 miles at 150 mph = 0.2 h = 720 s.
  EXPECT_EQ(FlightSeconds(f, 30), 720);
  // From 112 kWh: 16 kWh to the 80% knee at 150 kW takes 384 s; the other
  // 516 s taper: 160 - 32 exp(-(150/3600) 516 / 32) = 143.6563...
  EXPECT_NEAR(ChargeKwh(f, 112, 900), 160 - 32 * std::exp(-150.0 / 3600 * 516 / 32), 1e-9);
  EXPECT_NEAR(ChargeKwh(f, 100, 60), 102.5, 1e-12);  // 150 kW for 1 min
  EXPECT_LT(ChargeKwh(f, 159, 36000), 160.0 + 1e-12);
}

TEST(UamArithmetic, OneFlightTimesCostsAndFare) {
  Scenario s = Tiny();
  s.demand.base_rate_per_hour = 200;  // plenty of passengers A -> B
  Simulator sim(s);
  sim.Reset(1);
  // 06:00: stay 15 min (battery full: no charging), then fly A -> B at 06:15.
  ASSERT_TRUE(sim.AdvanceToDecision());
  EXPECT_EQ(sim.now(), 21600);
  sim.Apply(sim.stay_action());
  ASSERT_TRUE(sim.AdvanceToDecision());
  EXPECT_EQ(sim.now(), 22500);
  ASSERT_GE(sim.waiting(0, 1), 4);
  sim.Apply(1);
  // Departs at 22500 (no delay, pad free), lands after 720 s, 90 s on the
  // pad, 360 s turnaround: next decision at 22500 + 720 + 90 + 360 = 23670.
  ASSERT_TRUE(sim.AdvanceToDecision());
  EXPECT_EQ(sim.now(), 23670);
  EXPECT_EQ(sim.aircraft_vertiport(0), 1);
  EXPECT_DOUBLE_EQ(sim.soc_kwh(0), 160 - 48);
  const Kpis& k = sim.kpis();
  EXPECT_EQ(k.served, 4);
  // Fare (15 + 2.5 x 30) x surge at 06:xx (1.1) = 99 USD, 4 seats.
  EXPECT_NEAR(k.revenue, 4 * 99.0, 1e-9);
  EXPECT_NEAR(k.operating_cost, 300.0 * 720 / 3600, 1e-9);  // 60 USD
  EXPECT_NEAR(k.landing_fees, 30.0, 1e-9);
  const auto& tl = sim.timeline();
  auto find = [&](TimelineKind kind) {
    return std::find_if(tl.begin(), tl.end(), [&](auto& e) { return e.kind == kind; });
  };
  ASSERT_NE(find(TimelineKind::kDepart), tl.end());
  EXPECT_EQ(find(TimelineKind::kDepart)->time_s, 22500);
  EXPECT_EQ(find(TimelineKind::kArrive)->time_s, 22500 + 720 + 90);
  EXPECT_EQ(find(TimelineKind::kBoard)->passengers, 4);
  // Now stay at B with a charger: 112 kWh -> 143.66 kWh, paid at 06:xx price.
  sim.Apply(sim.stay_action());
  ASSERT_TRUE(sim.AdvanceToDecision());
  const double charged = ChargeKwh(s.fleet, 112, 900) - 112;
  EXPECT_NEAR(sim.soc_kwh(0), 112 + charged, 1e-9);
  EXPECT_NEAR(sim.kpis().energy_cost, charged * s.prices.electricity_by_hour[6], 1e-9);
}

TEST(UamArithmetic, PadsAndCorridorSeparation) {
  // Two aircraft at A with one pad both fly A -> B at 06:00. The first
  // takes the pad [21600, 21690); the corridor allows the next departure
  // 120 s later, so the second departs at 21720.
  Scenario s = Tiny(2, /*pads=*/1);
  Simulator sim(s);
  sim.Reset(0);
  ASSERT_TRUE(sim.AdvanceToDecision());
  sim.Apply(1);
  ASSERT_TRUE(sim.AdvanceToDecision());
  EXPECT_EQ(sim.now(), 21600);
  sim.Apply(1);
  ASSERT_EQ(sim.departures().size(), 2u);
  EXPECT_EQ(sim.departures()[0].first, 21600);
  EXPECT_EQ(sim.departures()[1].first, 21720);
  // Both land at B (1 pad): the second touches down no earlier than the
  // first's 90 s movement ends.
  while (sim.AdvanceToDecision()) sim.Apply(sim.stay_action());
  std::vector<SimTime> landings;
  for (const auto& m : sim.pad_movements())
    if (!m.takeoff) landings.push_back(m.start);
  ASSERT_EQ(landings.size(), 2u);
  EXPECT_EQ(landings[0], 21600 + 720);
  EXPECT_GE(landings[1], landings[0] + 90);
}

TEST(UamArithmetic, MaskRefusesLowBatteryAndFullStands) {
  Scenario s = Tiny(1);
  s.fleet.initial_soc_fraction = 0.45;  // 72 kWh: 72 - 48 = 24 < 32 reserve
  Simulator sim(s);
  sim.Reset(0);
  ASSERT_TRUE(sim.AdvanceToDecision());
  EXPECT_EQ(sim.mask()[1], 0);  // not enough energy above the reserve
  EXPECT_EQ(sim.mask()[0], 0);  // own vertiport
  EXPECT_EQ(sim.mask()[2], 1);  // stay
  Scenario t = Tiny(2);
  t.vertiports[1].stands = 1;
  Simulator sim2(t);
  sim2.Reset(0);
  ASSERT_TRUE(sim2.AdvanceToDecision());
  sim2.Apply(1);  // reserves B's only stand
  ASSERT_TRUE(sim2.AdvanceToDecision());
  EXPECT_EQ(sim2.mask()[1], 0);
}

// --- conformance ----------------------------------------------------------

void CheckEvent(const Simulator& sim) {
  const Scenario& s = sim.scenario();
  for (int v = 0; v < s.num_vertiports(); ++v) {
    ASSERT_LE(sim.parked(v) + sim.inbound(v), s.vertiports[v].stands) << "stands at " << v;
    ASSERT_GE(sim.parked(v), 0);
    ASSERT_LE(sim.chargers_in_use(v), s.vertiports[v].chargers);
  }
  for (int a = 0; a < s.fleet.aircraft; ++a)
    ASSERT_GE(sim.soc_kwh(a), sim.reserve_kwh() - 1e-9) << "aircraft " << a;
  const Kpis& k = sim.kpis();
  ASSERT_EQ(k.passengers_arrived, k.served + k.spilled + sim.total_waiting());
  // The per-vertiport totals the simulator keeps agree with the pair queues.
  std::int64_t pairs = 0;
  for (int v = 0; v < s.num_vertiports(); ++v) {
    int from = 0, to = 0;
    for (int w = 0; w < s.num_vertiports(); ++w) {
      from += sim.waiting(v, w);
      to += sim.waiting(w, v);
    }
    pairs += from;
    ASSERT_EQ(sim.waiting_from(v), from) << "vertiport " << v;
    ASSERT_EQ(sim.waiting_to(v), to) << "vertiport " << v;
  }
  ASSERT_EQ(sim.total_waiting(), pairs);
}

// Recomputes the money from the timeline, independently of the KPIs.
void CheckFinal(const Simulator& sim) {
  const Scenario& s = sim.scenario();
  const Kpis& k = sim.kpis();
  EXPECT_EQ(k.passengers_arrived, k.served + k.spilled);
  double revenue = 0, landing = 0, operating = 0, energy = 0;
  std::map<int, const TimelineEvent*> depart, charge;
  int flights = 0;
  for (const auto& e : sim.timeline()) {
    switch (e.kind) {
      case TimelineKind::kBoard: revenue += e.passengers * sim.Fare(e.vertiport, e.destination, e.time_s); break;
      case TimelineKind::kDepart: depart[e.aircraft] = &e; ++flights; break;
      case TimelineKind::kArrive: {
        landing += s.prices.landing_fee;
        const SimTime touchdown = e.time_s - s.ops.pad_occupancy_s;
        operating += s.prices.flight_hour_cost * (touchdown - depart.at(e.aircraft)->time_s) / 3600.0;
        break;
      }
      case TimelineKind::kChargeStart: charge[e.aircraft] = &e; break;
      case TimelineKind::kChargeEnd: {
        const TimelineEvent* c = charge.at(e.aircraft);
        energy += (e.soc_kwh - c->soc_kwh) * sim.ElectricityPrice(c->time_s);
        break;
      }
      default: break;
    }
  }
  EXPECT_NEAR(revenue, k.revenue, 1e-6);
  EXPECT_NEAR(landing, k.landing_fees, 1e-6);
  EXPECT_NEAR(operating, k.operating_cost, 1e-6);
  EXPECT_NEAR(energy, k.energy_cost, 1e-6);
  EXPECT_EQ(flights, k.flights);
  EXPECT_NEAR(k.profit(), revenue - landing - operating - energy, 1e-6);
  // Pads: at no instant more movements than pads (sweep over intervals).
  std::map<int, std::vector<std::pair<SimTime, int>>> sweep;
  for (const auto& m : sim.pad_movements()) {
    sweep[m.vertiport].push_back({m.start, +1});
    sweep[m.vertiport].push_back({m.start + s.ops.pad_occupancy_s, -1});
  }
  for (auto& [v, ev] : sweep) {
    std::sort(ev.begin(), ev.end());  // -1 before +1 at equal time
    int busy = 0;
    for (auto [t, d] : ev) {
      busy += d;
      ASSERT_LE(busy, s.vertiports[v].pads) << "pads at vertiport " << v << " t=" << t;
    }
  }
  // Corridor separation: consecutive departures on a corridor.
  std::map<int, std::vector<SimTime>> by_corridor;
  for (auto [t, c] : sim.departures()) by_corridor[c].push_back(t);
  for (auto& [c, ts] : by_corridor) {
    std::sort(ts.begin(), ts.end());
    for (std::size_t i = 1; i < ts.size(); ++i)
      ASSERT_GE(ts[i] - ts[i - 1], s.ops.separation_s) << "corridor " << c;
  }
}

void RunConformance(const Scenario& s, Policy& policy, int seeds) {
  Simulator sim(s);
  sim.set_observer([](const Simulator& x) { CheckEvent(x); });
  for (int seed = 0; seed < seeds; ++seed) {
    sim.Reset(static_cast<std::uint64_t>(seed));
    policy.Reset(sim);
    while (sim.AdvanceToDecision()) {
      if (::testing::Test::HasFatalFailure()) return;
      const int a = policy.Choose(sim);
      ASSERT_EQ(sim.mask()[a], 1);
      sim.Apply(a);
    }
    if (::testing::Test::HasFatalFailure()) return;
    CheckFinal(sim);
  }
}

TEST(UamConformance, RandomAndGreedyOnDefaultAndGenerated) {
  RandomPolicy random;
  GreedyPolicy greedy;
  Scenario def = DefaultScenario();
  RunConformance(def, random, 8);
  RunConformance(def, greedy, 4);
  for (std::uint64_t g = 0; g < 6; ++g) {
    auto s = GenerateScenario({.vertiports = 3 + static_cast<int>(g), .aircraft = 5 + 4 * static_cast<int>(g),
                               .demand_level = 0.5 + g * 0.3, .spread_mi = 30 + 8.0 * g, .seed = g});
    ASSERT_TRUE(s.ok()) << s.error().message;
    s->uncertainty.closure_probability_per_slot = 0.05;  // stress the mask
    s->uncertainty.downtime_probability = 0.05;
    SCOPED_TRACE(s->name);
    RunConformance(*s, random, 5);
    if (HasFatalFailure()) return;
  }
}

TEST(UamDeterminism, SameSeedSameDayAndCommonRandomNumbers) {
  const Scenario s = DefaultScenario();
  RandomPolicy r1, r2;
  const auto a = RunEpisode(s, 5, r1);
  const auto b = RunEpisode(s, 5, r2);
  ASSERT_EQ(a.timeline.size(), b.timeline.size());
  for (std::size_t i = 0; i < a.timeline.size(); ++i) {
    EXPECT_EQ(a.timeline[i].time_s, b.timeline[i].time_s);
    EXPECT_EQ(a.timeline[i].kind, b.timeline[i].kind);
    EXPECT_EQ(a.timeline[i].aircraft, b.timeline[i].aircraft);
  }
  EXPECT_EQ(a.kpis.profit(), b.kpis.profit());
  RandomPolicy r3;
  EXPECT_NE(RunEpisode(s, 6, r3).kpis.profit(), a.kpis.profit());

  // Two policies on one seed: same passengers and the same closures.
  GreedyPolicy g;
  const auto c = RunEpisode(s, 5, g);
  EXPECT_EQ(c.kpis.passengers_arrived, a.kpis.passengers_arrived);
  Simulator x(s), y(s);
  x.Reset(5);
  y.Reset(5);
  int closed = 0;
  for (SimTime t = s.ops.day_start_s; t < s.ops.day_end_s; t += 60)
    for (int u = 0; u < 8; ++u)
      for (int v = 0; v < 8; ++v)
        if (u != v) {
          ASSERT_EQ(x.corridor_closed(u, v, t), y.corridor_closed(u, v, t));
          closed += x.corridor_closed(u, v, t);
        }
  EXPECT_GT(closed, 0);  // weather is on by default
}

TEST(UamPolicies, GreedyBeatsRandomAndGaPlansOnTheForecast) {
  const Scenario s = DefaultScenario();
  RandomPolicy random;
  GreedyPolicy greedy;
  double pr = 0, pg = 0;
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    pr += RunEpisode(s, seed, random).kpis.profit();
    pg += RunEpisode(s, seed, greedy).kpis.profit();
  }
  EXPECT_GT(pg, pr);
  GaPolicy ga(GaOptions{.population = 6, .generations = 3, .forecast_samples = 1});
  Simulator sim(s);
  sim.Reset(0);
  ga.Reset(sim);
  // Elitism keeps the all-greedy plan: the GA's plan is at least as good as
  // greedy on the forecast sample it optimised.
  Scenario forecast = s;
  forecast.uncertainty.SetAll(false);
  const Plan all_greedy(s.fleet.aircraft,
                        std::vector<std::uint8_t>(64, kGreedyGene));
  EXPECT_GE(ga.best_forecast_profit(),
            EvaluatePlan(forecast, GaOptions{}.forecast_seed, all_greedy) - 1e-6);
  EXPECT_GT(ga.evaluations(), 6);
}

// Anytime GA: with a clock (here a fake one: every evaluation costs one
// second), it evaluates another plan only while one more fits in the limit,
// also in the middle of a generation, and keeps the best found (never below
// the greedy plan, which is always evaluated).
TEST(UamPolicies, GaStaysWithinItsTimeLimit) {
  const Scenario s = DefaultScenario();
  // The GA asks the clock once when it starts and once before each further
  // plan: a clock that advances one second per question makes every
  // evaluation cost one second.
  int questions = 0;
  GaOptions o{.population = 6, .generations = 50, .forecast_samples = 1};
  o.time_limit_s = 9.5;
  o.elapsed_s = [&questions] { return static_cast<double>(++questions); };
  GaPolicy timed(o);
  Simulator sim(s);
  sim.Reset(0);
  timed.Reset(sim);
  // 9.5 s at one second each: the clock starts at the first question, and
  // a plan is evaluated while used + one mean evaluation <= 9.5.
  EXPECT_LE(timed.evaluations(), 10);
  EXPECT_GE(timed.evaluations(), 8);
  EXPECT_LT(timed.generations_done(), 50);
  Scenario forecast = s;
  forecast.uncertainty.SetAll(false);
  const Plan all_greedy(s.fleet.aircraft, std::vector<std::uint8_t>(64, kGreedyGene));
  EXPECT_GE(timed.best_forecast_profit(),
            EvaluatePlan(forecast, GaOptions{}.forecast_seed, all_greedy) - 1e-6);
  // Without a limit the same GA runs every generation.
  GaPolicy untimed(GaOptions{.population = 6, .generations = 4, .forecast_samples = 1});
  untimed.Reset(sim);
  EXPECT_EQ(untimed.generations_done(), 4);
}

// --- scenario files ---------------------------------------------------------

TEST(UamScenarioFile, DefaultRoundTrips) {
  auto d = scenarios::LoadUamScenario("default");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->num_vertiports(), 8);
  EXPECT_EQ(d->fleet.aircraft, 40);
  int hubs = 0;
  for (const auto& v : d->vertiports) hubs += v.kind == VertiportKind::kHub;
  EXPECT_EQ(hubs, 3);
  auto again = scenarios::ParseUamScenario(scenarios::FormatUamScenario(*d), "rt");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(scenarios::FormatUamScenario(*again), scenarios::FormatUamScenario(*d));
  // The shipped file equals the code's defaults.
  EXPECT_EQ(scenarios::FormatUamScenario(*d), scenarios::FormatUamScenario(DefaultScenario()));
}

struct BadFile {
  const char* json;
  const char* expected;
};
void PrintTo(const BadFile& b, std::ostream* os) { *os << b.expected; }

class UamBadFiles : public ::testing::TestWithParam<BadFile> {};

TEST_P(UamBadFiles, NameTheField) {
  auto r = scenarios::ParseUamScenario(GetParam().json, "bad.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(GetParam().expected), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.rfind("bad.json: ", 0), 0u);
}

#define PORTS R"("vertiports":[{"name":"A","x_mi":0,"y_mi":0},{"name":"B","x_mi":10,"y_mi":0}])"
INSTANTIATE_TEST_SUITE_P(
    Cases, UamBadFiles,
    ::testing::Values(
        BadFile{"{", "not valid JSON"},
        BadFile{R"({"name":"x"})", "vertiports: missing"},
        BadFile{R"({"vertiports":[{"name":"A","x_mi":0,"y_mi":0,"stands":-1},{"name":"B","x_mi":1,"y_mi":0}]})",
                "vertiports[0].stands: must be in [1, 10000]"},
        BadFile{R"({"vertiports":[{"name":"A","x_mi":0},{"name":"B","x_mi":1,"y_mi":0}]})",
                "vertiports[0]: missing x_mi/y_mi"},
        BadFile{"{" PORTS R"(,"fleet":{"aircraft":"many"}})", "fleet.aircraft: expected an integer"},
        BadFile{"{" PORTS R"(,"fleet":{"aircraft":40}})", "fleet.aircraft: 40 aircraft but only 16"},
        BadFile{"{" PORTS R"(,"demand":{"pairs":[{"from":"A","to":"Z","multiplier":2}]}})",
                "demand.pairs[0].to: unknown vertiport \"Z\""},
        BadFile{"{" PORTS R"(,"fleet":{"aircraft":2,"seets":4}})", "fleet: unknown field 'seets'"},
        BadFile{R"({"vertiports":[{"name":"A","x_mi":0,"y_mi":0},{"name":"B","x_mi":500,"y_mi":0}],"fleet":{"aircraft":2}})",
                "nobody can fly"},
        BadFile{"{" PORTS R"(,"prices":{"surge_by_hour":[1,2]},"fleet":{"aircraft":2}})",
                "prices.surge_by_hour: needs 24 entries"}));

// Numbers nlohmann cannot hold, and integers out of the field's range, are
// errors naming the file and the field -- not an uncaught exception (a
// 400-digit "aircraft" used to abort with out_of_range.406).
TEST(UamScenarioFile, HugeNumbersNameTheFileAndField) {
  auto d = scenarios::LoadUamScenario("default");
  ASSERT_TRUE(d.ok()) << d.error().message;
  const std::string text = scenarios::FormatUamScenario(*d);
  const auto with = [&](const std::string& value) {
    std::string t = text;
    const std::string key = "\"aircraft\": ";
    const auto at = t.find(key) + key.size();
    t.replace(at, t.find(',', at) - at, value);
    return scenarios::ParseUamScenario(t, "big.json");
  };
  auto r = with("1" + std::string(399, '0'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("big.json: fleet.aircraft: not valid JSON: ", 0), 0u)
      << r.error().message;
  EXPECT_NE(r.error().message.find("number overflow"), std::string::npos) << r.error().message;
  EXPECT_LT(r.error().message.size(), 300u) << "the message is one readable line";
  for (const std::string v : {"10000000000", "18446744073709551615", "1e300", "-5e18", "2.5"}) {
    auto e = with(v);
    ASSERT_FALSE(e.ok()) << v;
    EXPECT_EQ(e.error().message.rfind("big.json: fleet.aircraft: expected an integer", 0), 0u)
        << e.error().message;
  }
  auto limit = with("200000");
  ASSERT_FALSE(limit.ok());
  EXPECT_NE(limit.error().message.find("fleet.aircraft: must be in [1, 100000]"),
            std::string::npos) << limit.error().message;
  auto deep = scenarios::ParseUamScenario(std::string(100000, '[') + std::string(100000, ']'),
                                          "deep.json");
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.error().message.find("deep.json: not valid JSON: nested deeper than"),
            std::string::npos) << deep.error().message;
}

TEST(UamGenerator, SeededAndValid) {
  auto a = GenerateScenario({.vertiports = 6, .aircraft = 20, .seed = 3});
  auto b = GenerateScenario({.vertiports = 6, .aircraft = 20, .seed = 3});
  auto c = GenerateScenario({.vertiports = 6, .aircraft = 20, .seed = 4});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(scenarios::FormatUamScenario(*a), scenarios::FormatUamScenario(*b));
  EXPECT_NE(scenarios::FormatUamScenario(*a), scenarios::FormatUamScenario(*c));
  EXPECT_FALSE(GenerateScenario({.vertiports = 1}).ok());
  EXPECT_FALSE(GenerateScenario({.vertiports = 2, .aircraft = 100}).ok());
}

}  // namespace
}  // namespace dispatchlab::uam

#include "sim/env/uam_env.h"

namespace dispatchlab::env {
namespace {

TEST(UamEnv, BuffersMatchTheSimulatorAndReturnIsProfit) {
  const uam::Scenario s = uam::DefaultScenario();
  UamEnv env(s, /*features=*/1);
  env.Reset(2);
  const Observation& obs = env.observation();
  ASSERT_EQ(obs.node_sets.size(), 3u);
  EXPECT_EQ(obs.node_sets[0].count, 8);
  EXPECT_EQ(obs.node_sets[1].count, 40);
  EXPECT_EQ(obs.edge_sets[0].src.size(), 56u);  // 8 x 7 corridors
  EXPECT_EQ(obs.edge_sets[0].features.size(), 56u * UamEnv::kCorridorFeatureCount);
  EXPECT_EQ(env.num_actions(), 9);
  uam::GreedyPolicy greedy;
  int steps = 0;
  while (!env.done()) {
    const auto& sim = env.simulator();
    for (int a = 0; a < env.num_actions(); ++a) ASSERT_EQ(obs.mask[a], sim.mask()[a]);
    const int d = sim.deciding_aircraft();
    // The deciding aircraft is flagged, its vertiport is "current".
    ASSERT_EQ(obs.node_sets[1].features[d * UamEnv::kAircraftFeatureCount + UamEnv::kAcDeciding], 1.f);
    ASSERT_EQ(obs.node_sets[0].features[sim.aircraft_vertiport(d) * UamEnv::kVertiportFeatureCount +
                                        UamEnv::kVpCurrent], 1.f);
    env.Step(greedy.Choose(sim));
    ++steps;
  }
  EXPECT_NEAR(env.episode_return(), env.simulator().kpis().profit() / 1000.0, 1e-6);
  // Same day as RunEpisode with greedy.
  uam::GreedyPolicy g2;
  EXPECT_NEAR(uam::RunEpisode(s, 2, g2).kpis.profit(), env.simulator().kpis().profit(), 1e-6);
  EXPECT_EQ(steps, env.simulator().kpis().decisions);
}

// Feature version 2 (local): O(V) edges, no aircraft nodes; what it keeps
// agrees with version 1 and with the simulator at every decision of a day.
TEST(UamEnv, LocalLayoutAgreesWithTheFullOneAndTheSimulator) {
  const uam::Scenario s = uam::DefaultScenario();
  UamEnv env(s);  // version 2 is the default
  UamObserver full(s, 1);
  Observation f;
  full.Init(&f);
  env.Reset(3);
  const Observation& obs = env.observation();
  const int nv = 8, k = UamEnv::kNearest;
  ASSERT_EQ(obs.node_sets.size(), 2u);
  EXPECT_EQ(obs.node_sets[0].name, "vertiport");
  EXPECT_EQ(obs.node_sets[0].dim, static_cast<int>(UamEnv::kLocalVertiportFeatureCount));
  EXPECT_EQ(obs.node_sets[1].name, "forecast");
  ASSERT_EQ(obs.edge_sets.size(), 1u);
  ASSERT_EQ(obs.edge_sets[0].src.size(), static_cast<std::size_t>(2 * (nv - 1) + k * nv));
  EXPECT_EQ(obs.query_node_set, 0);
  // The nearest-neighbour edges: into each vertiport from the k others
  // closest to it (brute force here).
  const auto& es = obs.edge_sets[0];
  for (int v = 0; v < nv; ++v) {
    std::vector<std::pair<double, int>> d;
    for (int w = 0; w < nv; ++w)
      if (w != v)
        d.push_back({std::hypot(s.vertiports[w].x_mi - s.vertiports[v].x_mi,
                                s.vertiports[w].y_mi - s.vertiports[v].y_mi), w});
    std::stable_sort(d.begin(), d.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (int j = 0; j < k; ++j) {
      const std::size_t e = 2 * (nv - 1) + static_cast<std::size_t>(v) * k + j;
      EXPECT_EQ(es.dst[e], v);
      EXPECT_EQ(es.src[e], d[j].second);
    }
  }
  uam::GreedyPolicy greedy;
  int checked = 0;
  while (!env.done()) {
    const auto& sim = env.simulator();
    full.Write(sim, &f);
    const int d = sim.deciding_aircraft(), here = sim.aircraft_vertiport(d);
    ASSERT_EQ(obs.query_node, here);
    ASSERT_EQ(obs.mask, f.mask);
    ASSERT_EQ(obs.action_nodes, f.action_nodes);
    ASSERT_EQ(obs.action_features, f.action_features);  // corridor here -> v, margin, stay
    ASSERT_EQ(obs.globals, f.globals);
    ASSERT_EQ(obs.node_sets[1].features, f.node_sets[2].features);  // the forecast
    // Star edges: here -> w then w -> here, features as version 1's.
    for (int j = 0; j < 2 * (nv - 1); ++j) {
      const int u = es.src[j], w = es.dst[j];
      ASSERT_TRUE(j < nv - 1 ? u == here && w != here : w == here && u != here) << j;
      const int e1 = u * (nv - 1) + (w < u ? w : w - 1);  // version 1 corridor order
      for (int c = 0; c < UamEnv::kCorridorFeatureCount; ++c)
        ASSERT_EQ(es.features[j * UamEnv::kCorridorFeatureCount + c],
                  f.edge_sets[0].features[e1 * UamEnv::kCorridorFeatureCount + c]);
    }
    // Vertiports: version 1's features, then the fleet on the ground.
    const auto& vp = obs.node_sets[0];
    for (int v = 0; v < nv; ++v) {
      for (int c = 0; c < UamEnv::kVertiportFeatureCount; ++c)
        ASSERT_EQ(vp.at(v, c), f.node_sets[0].at(v, c));
      double soc = 0;
      int ground = 0, soon = 0;
      for (int a = 0; a < s.fleet.aircraft; ++a) {
        const auto st = sim.aircraft_state(a);
        using St = uam::Simulator::AircraftState;
        if (sim.aircraft_vertiport(a) != v ||
            (st != St::kDeciding && st != St::kStaying && st != St::kCharging))
          continue;
        ++ground;
        soc += sim.soc_kwh(a) / s.fleet.battery_kwh;
        soon += sim.aircraft_busy_until(a) <= sim.now() + 900;
      }
      ASSERT_NEAR(vp.at(v, UamEnv::kVpSocGround), ground ? soc / ground : 0.0, 1e-5);
      ASSERT_NEAR(vp.at(v, UamEnv::kVpReadySoon), soon / 4.0, 1e-6);
      ASSERT_NEAR(vp.at(v, UamEnv::kVpDistanceHere), sim.network().distance(here, v) / 100.0, 1e-5);
    }
    env.Step(greedy.Choose(sim));
    ++checked;
  }
  EXPECT_GT(checked, 500);
}

// The local layout's size does not depend on the fleet: 400 aircraft give
// the same buffers as 40 (only V matters).
TEST(UamEnv, LocalLayoutSizeIsIndependentOfTheFleet) {
  auto small = uam::GenerateScenario({.vertiports = 16, .aircraft = 40, .seed = 5});
  auto big = uam::GenerateScenario({.vertiports = 16, .aircraft = 60, .seed = 5});
  ASSERT_TRUE(small && big);
  UamEnv a(*small), b(*big);
  a.Reset(1);
  b.Reset(1);
  EXPECT_EQ(a.observation().edge_sets[0].src.size(), b.observation().edge_sets[0].src.size());
  EXPECT_EQ(a.observation().node_sets[0].features.size(), b.observation().node_sets[0].features.size());
  EXPECT_EQ(a.observation().edge_sets[0].src.size(), static_cast<std::size_t>(2 * 15 + 3 * 16));
}

}  // namespace
}  // namespace dispatchlab::env
