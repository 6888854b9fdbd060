#include "sim/uam/rollout.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <thread>

#include "sim/core/check.h"
#include "sim/core/rng.h"

namespace dispatchlab::uam {
namespace {

// The one-sided t critical value with samples - 1 degrees of freedom at
// level P(Z > margin_se) / alternatives (Bonferroni); cached per shape.
double CorrectedThreshold(double margin_se, int alternatives, int samples) {
  thread_local std::map<std::tuple<double, int, int>, double> cache;
  const auto key = std::make_tuple(margin_se, alternatives, samples);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  const double alpha =
      boost::math::cdf(boost::math::complement(boost::math::normal(), margin_se)) /
      std::max(1, alternatives);
  const double t = boost::math::quantile(
      boost::math::complement(boost::math::students_t(samples - 1), alpha));
  cache.emplace(key, t);
  return t;
}

}  // namespace

double StoredEnergyKwh(const Simulator& s) {
  double e = 0;
  for (int a = 0; a < s.scenario().fleet.aircraft; ++a) e += s.soc_kwh(a);
  return e;
}

double HorizonProfit(const Simulator& sim, int action, SimTime horizon_s) {
  Simulator s = sim.Fork();
  // Energy is paid when it is charged, often after the horizon: value the
  // batteries at today's price so a flight inside the horizon pays for its
  // energy.
  const double price = sim.ElectricityPrice(sim.now());
  const double before = s.kpis().profit() + price * StoredEnergyKwh(s);
  s.Apply(action);
  // Greedy until the horizon. Fares are booked at departure, flight-hour
  // costs and landing fees at landing: after the horizon every decision
  // stays, so the flights under way land and a flight started inside the
  // horizon pays its costs.
  const SimTime until = sim.now() + horizon_s, drain = until + 45 * 60;
  GreedyPolicy greedy;
  while (s.AdvanceToDecision()) {
    if (s.now() < until) s.Apply(greedy.Choose(s));
    else if (s.now() < drain) s.Apply(s.stay_action());
    else break;
  }
  return s.kpis().profit() + price * StoredEnergyKwh(s) - before;
}

void RolloutPolicy::Reset(const Simulator&) { decision_ = 0; }

int RolloutPolicy::Choose(const Simulator& sim) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const auto mask = sim.mask();
  std::vector<int> legal;
  for (int a = 0; a < static_cast<int>(mask.size()); ++a)
    if (mask[a]) legal.push_back(a);
  const std::int64_t d = decision_++;
  scores_.assign(mask.size(), 0.0);
  if (legal.size() <= 1) return legal.empty() ? sim.stay_action() : legal[0];
  GreedyPolicy greedy;
  const int base = greedy.Choose(sim);
  if (options_.candidates > 0 && static_cast<int>(legal.size()) > options_.candidates + 2) {
    std::vector<std::pair<double, int>> ranked;  // (-margin, destination)
    for (int a : legal)
      if (a != sim.stay_action() && a != base)
        ranked.push_back({-FlightMargin(sim, sim.deciding_aircraft(), a), a});
    std::sort(ranked.begin(), ranked.end());
    ranked.resize(static_cast<std::size_t>(options_.candidates));
    std::vector<int> kept{base};
    if (base != sim.stay_action() && mask[sim.stay_action()]) kept.push_back(sim.stay_action());
    for (const auto& r : ranked) kept.push_back(r.second);
    std::sort(kept.begin(), kept.end());
    legal = std::move(kept);
  }
  const SimTime horizon = static_cast<SimTime>(options_.horizon_min) * 60;
  // The sampled futures, shared by every action so the actions are compared
  // on the same futures (common random numbers). With a time budget, whole
  // samples are added until it is spent (at least one).
  const std::size_t na = mask.size();
  std::vector<std::vector<double>> per;  // per[j][a]: profit of a on future j
  const int threads = std::max(1, std::min<int>(options_.threads, static_cast<int>(legal.size())));
  for (int j = 0; j < options_.samples; ++j) {
    if (options_.budget_ms > 0 && j > 0 &&
        std::chrono::duration<double, std::milli>(Clock::now() - t0).count() >
            options_.budget_ms * static_cast<double>(j) / static_cast<double>(j + 1))
      break;
    Simulator future = sim.Fork();
    const std::uint64_t key =
        Rng::Stream(sim.seed(), StreamTag::kPolicy, options_.salt, static_cast<std::uint64_t>(d))
            .NextU64() +
        static_cast<std::uint64_t>(j);
    future.ResampleFuture(key, sim.now());
    per.emplace_back(na, 0.0);
    auto score = [&, row = &per.back()](std::size_t first, std::size_t step) {
      for (std::size_t i = first; i < legal.size(); i += step)
        (*row)[legal[i]] = HorizonProfit(future, legal[i], horizon);
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(score, t, threads);
    score(0, threads);
    for (auto& th : pool) th.join();
  }
  const std::size_t k = per.size();
  const int alternatives = static_cast<int>(legal.size()) - 1;
  double threshold = options_.margin_se;
  if (options_.corrected) {
    if (k < 2) return base;  // no variance estimate: nothing is a clear win
    threshold = CorrectedThreshold(options_.margin_se, alternatives, static_cast<int>(k));
  }
  // The base policy's own choice is kept unless another action beats it on
  // the same futures by more than `margin_se` standard errors of the paired
  // difference: with a few samples, the best-looking action is often just
  // the luckiest (the winner's curse), and that bias favours flights.
  int best = base;
  double best_gain = 0;
  for (int a : legal) {
    double sum = 0, sq = 0;
    for (std::size_t j = 0; j < k; ++j) {
      const double d = per[j][a] - per[j][base];
      sum += d;
      sq += d * d;
    }
    scores_[a] = 0;
    for (std::size_t j = 0; j < k; ++j) scores_[a] += per[j][a] / static_cast<double>(k);
    if (a == base) continue;
    const double mean = sum / static_cast<double>(k);
    const double var = k > 1 ? (sq - k * mean * mean) / static_cast<double>(k - 1) : 0;
    const double se = std::sqrt(std::max(0.0, var) / static_cast<double>(k));
    if (mean > threshold * se && mean > best_gain) {
      best_gain = mean;
      best = a;
    }
  }
  return best;
}

namespace {

// Plays `policy` from the decision `sim` stands at (already advanced) to
// the end of the day, appending its actions; returns the day's profit.
double PlayOut(Simulator& sim, Policy& policy, std::vector<int>* actions) {
  do {
    actions->push_back(policy.Choose(sim));
    sim.Apply(actions->back());
  } while (sim.AdvanceToDecision());
  return sim.kpis().profit();
}

// The day of a fixed action sequence on a copy of `episode` (no decision
// left: the profit so far).
double PlayDay(const Simulator& episode, Policy& policy, std::vector<int>* actions) {
  Simulator s = episode.Fork();
  policy.Reset(s);
  if (!s.AdvanceToDecision()) return s.kpis().profit();
  return PlayOut(s, policy, actions);
}

}  // namespace

void OraclePolicy::Reset(const Simulator& sim) {
  // Every day below is played on exact copies of this episode: the
  // realized future is known (that is what makes this a ceiling).
  const SimTime horizon = static_cast<SimTime>(options_.horizon_min) * 60;
  std::vector<int> look, greedy_actions;
  planned_profit_ = -std::numeric_limits<double>::infinity();
  if (horizon > 0) {
    Simulator a = sim.Fork();
    while (a.AdvanceToDecision()) {
      const auto mask = a.mask();
      int best = a.stay_action();
      double best_score = -1e300;
      for (int act = 0; act < static_cast<int>(mask.size()); ++act) {
        if (!mask[act]) continue;
        const double sc = HorizonProfit(a, act, horizon);
        if (sc > best_score + 1e-9) {
          best_score = sc;
          best = act;
        }
      }
      look.push_back(best);
      a.Apply(best);
    }
    planned_profit_ = a.kpis().profit();
  }
  // The local search continues with the policy whose day is the incumbent
  // (one changed decision, then the same logic), or with the first seed
  // (else greedy) when the look-ahead's day is.
  auto greedy = std::make_unique<GreedyPolicy>();
  greedy_profit_ = PlayDay(sim, *greedy, &greedy_actions);
  std::unique_ptr<Policy> cont;
  if (greedy_profit_ > planned_profit_) {
    planned_profit_ = greedy_profit_;
    look = std::move(greedy_actions);
    cont = std::move(greedy);
  }
  plan_ = std::move(look);
  seed_profits_.clear();
  std::unique_ptr<Policy> first_seed;
  for (const auto& make : options_.seeds) {
    auto p = make();
    std::vector<int> actions;
    const double profit = PlayDay(sim, *p, &actions);
    seed_profits_.push_back(profit);
    if (profit > planned_profit_) {
      planned_profit_ = profit;
      plan_ = std::move(actions);
      cont = std::move(p);
    } else if (!first_seed) {
      first_seed = std::move(p);
    }
  }
  if (!cont) cont = first_seed ? std::move(first_seed) : std::make_unique<GreedyPolicy>();
  start_profit_ = planned_profit_;

  // Local search over the incumbent. Snapshots of its day every kStride
  // decisions make a trial replay at most kStride fixed actions.
  constexpr std::size_t kStride = 64;
  std::vector<Simulator> snaps;     // snaps[k]: standing at decision k * kStride
  std::vector<std::size_t> choices;  // the incumbent's decisions with a choice
  auto index = [&] {
    snaps.clear();
    choices.clear();
    Simulator s = sim.Fork();
    for (std::size_t j = 0; s.AdvanceToDecision(); ++j) {
      if (j % kStride == 0) snaps.push_back(s.Fork());
      int legal = 0;
      for (auto m : s.mask()) legal += m ? 1 : 0;
      if (legal > 1) choices.push_back(j);
      s.Apply(plan_[j]);
    }
  };
  improvements_ = 0;
  Rng rng = Rng::Stream(sim.seed(), StreamTag::kPolicy, options_.salt);
  if (options_.trials > 0) index();
  for (int t = 0; t < options_.trials; ++t) {
    if (choices.empty()) break;
    const std::size_t i =
        choices[rng.UniformInt(0, static_cast<std::int64_t>(choices.size()) - 1)];
    Simulator s = snaps[i / kStride].Fork();
    for (std::size_t j = i / kStride * kStride; j < i; ++j) {
      s.Apply(plan_[j]);
      DL_CHECK(s.AdvanceToDecision());
    }
    std::vector<int> alternatives;
    const auto& mask = s.mask();
    for (int act = 0; act < static_cast<int>(mask.size()); ++act)
      if (mask[act] && act != plan_[i]) alternatives.push_back(act);
    if (alternatives.empty()) continue;
    const int alt =
        alternatives[rng.UniformInt(0, static_cast<std::int64_t>(alternatives.size()) - 1)];
    std::vector<int> tail{alt};
    s.Apply(alt);
    cont->Reset(s);
    const double profit = s.AdvanceToDecision() ? PlayOut(s, *cont, &tail) : s.kpis().profit();
    if (profit > planned_profit_ + 1e-6) {
      planned_profit_ = profit;
      plan_.resize(i);
      plan_.insert(plan_.end(), tail.begin(), tail.end());
      ++improvements_;
      index();
    }
  }
  next_ = 0;
}

int OraclePolicy::Choose(const Simulator& sim) {
  // The episode replays the planned day exactly (same start, same actions).
  DL_CHECK_MSG(next_ < plan_.size(), "oracle: the episode diverged from its plan");
  const int a = plan_[next_++];
  DL_CHECK_MSG(sim.mask()[a], "oracle: planned action is not legal");
  return a;
}

}  // namespace dispatchlab::uam
