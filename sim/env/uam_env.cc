#include "sim/env/uam_env.h"

#include "sim/uam/policies.h"

#include "sim/core/check.h"

#include <algorithm>
#include <cmath>

namespace dispatchlab::env {

using uam::Simulator;

namespace {

void WriteGlobals(const Simulator& sim, int deciding, Observation* obs) {
  const uam::Scenario& s = sim.scenario();
  const SimTime now = sim.now();
  const double day = static_cast<double>(s.ops.day_end_s - s.ops.day_start_s);
  obs->globals[0] = static_cast<float>((now - s.ops.day_start_s) / day);
  obs->globals[1] = static_cast<float>(std::sin(6.283185307179586 * now / 86400.0));
  obs->globals[2] = static_cast<float>(std::cos(6.283185307179586 * now / 86400.0));
  obs->globals[3] = deciding >= 0 ? static_cast<float>(sim.soc_kwh(deciding) / s.fleet.battery_kwh) : 0.f;
}

// `next_hour`: the demand profile half an hour ahead (the rate feature).
void WriteCorridor(const Simulator& sim, int u, int w, const Simulator::DemandClock& next_hour,
                   float* f) {
  const uam::Scenario& s = sim.scenario();
  const SimTime now = sim.now();
  const double seats = s.fleet.seats;
  f[UamFeatures::kCoDistance] = static_cast<float>(sim.network().distance(u, w) / 100.0);
  f[UamFeatures::kCoClosed] = s.uncertainty.weather && sim.corridor_closed(u, w, now) ? 1.f : 0.f;
  f[UamFeatures::kCoWaiting] = static_cast<float>(sim.waiting(u, w) / seats);
  f[UamFeatures::kCoFare] = static_cast<float>(sim.Fare(u, w, now) / 100.0);
  f[UamFeatures::kCoRate] =
      static_cast<float>(sim.DemandRatePerHour(u, w, next_hour) / seats);
}

}  // namespace

UamObserver::UamObserver(const uam::Scenario& scenario, int features)
    : scenario_(&scenario), features_(features) {
  DL_CHECK_MSG(features == 1 || features == 2, "UAM feature version must be 1 or 2");
  double lo = 1e300, hi = -1e300;
  for (const auto& p : scenario.vertiports) {
    lo = std::min({lo, p.x_mi, p.y_mi});
    hi = std::max({hi, p.x_mi, p.y_mi});
  }
  spread_ = std::max(1.0, hi - lo);
  if (features_ == 2) {
    // Each vertiport's nearest others (straight-line distance, ties by
    // index), fixed for the scenario.
    const int nv = scenario.num_vertiports(), k = std::min(kNearest, nv - 1);
    nearest_.assign(static_cast<std::size_t>(nv) * kNearest, -1);
    std::vector<int> order;
    for (int v = 0; v < nv; ++v) {
      order.clear();
      for (int w = 0; w < nv; ++w)
        if (w != v) order.push_back(w);
      auto d2 = [&](int w) {
        const double dx = scenario.vertiports[w].x_mi - scenario.vertiports[v].x_mi;
        const double dy = scenario.vertiports[w].y_mi - scenario.vertiports[v].y_mi;
        return dx * dx + dy * dy;
      };
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return d2(a) < d2(b); });
      for (int j = 0; j < k; ++j) nearest_[static_cast<std::size_t>(v) * kNearest + j] = order[j];
    }
  }
}

UamEnv::UamEnv(const uam::Scenario& scenario, int features)
    : sim_(scenario, uam::SimOptions{.record_timeline = false}), observer_(scenario, features) {
  observer_.Init(&obs_);
}

void UamObserver::Init(Observation* obs) const {
  Observation& obs_ = *obs;
  const uam::Scenario& scenario = *scenario_;
  const int v = scenario.num_vertiports(), a = scenario.fleet.aircraft;
  if (features_ == 2) {
    obs_.node_sets = {NodeSet{"vertiport", v, kLocalVertiportFeatureCount, {}},
                      NodeSet{"forecast", kForecastSlots, kForecastFeatureCount, {}}};
    for (auto& ns : obs_.node_sets) ns.features.assign(static_cast<std::size_t>(ns.count) * ns.dim, 0.f);
    EdgeSet corridor{"corridor", 0, 0, {}, {}, kCorridorFeatureCount, {}};
    // Star out (here -> w), star in (w -> here): rewritten per decision;
    // then the static nearest-neighbour edges w -> v.
    corridor.src.assign(2 * static_cast<std::size_t>(v - 1), 0);
    corridor.dst.assign(2 * static_cast<std::size_t>(v - 1), 0);
    for (int u = 0; u < v; ++u)
      for (int j = 0; j < kNearest; ++j)
        if (const int w = nearest_[static_cast<std::size_t>(u) * kNearest + j]; w >= 0) {
          corridor.src.push_back(w);
          corridor.dst.push_back(u);
        }
    corridor.features.assign(corridor.src.size() * kCorridorFeatureCount, 0.f);
    obs_.edge_sets = {std::move(corridor)};
  } else {
  obs_.node_sets = {NodeSet{"vertiport", v, kVertiportFeatureCount, {}},
                    NodeSet{"aircraft", a, kAircraftFeatureCount, {}},
                    NodeSet{"forecast", kForecastSlots, kForecastFeatureCount, {}}};
  for (auto& ns : obs_.node_sets) ns.features.assign(static_cast<std::size_t>(ns.count) * ns.dim, 0.f);
  EdgeSet corridor{"corridor", 0, 0, {}, {}, kCorridorFeatureCount, {}};
  for (int u = 0; u < v; ++u)
    for (int w = 0; w < v; ++w)
      if (u != w) {
        corridor.src.push_back(u);
        corridor.dst.push_back(w);
      }
  corridor.features.assign(corridor.src.size() * kCorridorFeatureCount, 0.f);
  EdgeSet located{"located", 1, 0, {}, {}, 0, {}}, hosts{"hosts", 0, 1, {}, {}, 0, {}};
  located.src.resize(a);
  located.dst.resize(a);
  hosts.src.resize(a);
  hosts.dst.resize(a);
  obs_.edge_sets = {std::move(corridor), std::move(located), std::move(hosts)};
  }
  obs_.globals.assign(4, 0.f);
  obs_.mask.assign(v + 1, 0);
  obs_.action_node_set = 0;
  obs_.action_nodes.assign(v + 1, -1);
  obs_.action_feature_dim = kActionFeatureCount;
  obs_.action_features.assign(static_cast<std::size_t>(v + 1) * kActionFeatureCount, 0.f);
  obs_.query_node_set = features_ == 2 ? 0 : 1;  // here / the deciding aircraft
  obs_.query_node = 0;
}

void UamEnv::DoReset(std::uint64_t seed) {
  sim_.Reset(seed);
  sim_.AdvanceToDecision();
  observer_.Write(sim_, &obs_);
}

StepResult UamEnv::DoStep(int action) {
  const double before = sim_.kpis().profit();
  sim_.Apply(action);
  sim_.AdvanceToDecision();
  observer_.Write(sim_, &obs_);
  return {(sim_.kpis().profit() - before) / 1000.0, sim_.done()};
}

void UamObserver::Write(const Simulator& sim_, Observation* obs) const {
  if (features_ == 2) {
    WriteLocal(sim_, obs);
    return;
  }
  Observation& obs_ = *obs;
  const uam::Scenario& s = *scenario_;
  const int na = s.fleet.aircraft;
  const SimTime now = sim_.now();
  const int deciding = sim_.done() ? -1 : sim_.deciding_aircraft();
  const int here = deciding >= 0 ? sim_.aircraft_vertiport(deciding) : 0;

  NodeSet& vp = obs_.node_sets[0];
  WriteVertiports(sim_, here, deciding, &vp);
  NodeSet& ac = obs_.node_sets[1];
  EdgeSet& located = obs_.edge_sets[1];
  EdgeSet& hosts = obs_.edge_sets[2];
  std::fill(ac.features.begin(), ac.features.end(), 0.f);
  for (int a = 0; a < na; ++a) {
    ac.at(a, kAcSoc) = static_cast<float>(sim_.soc_kwh(a) / s.fleet.battery_kwh);
    ac.at(a, kAcStateFirst + static_cast<int>(sim_.aircraft_state(a))) = 1.f;
    ac.at(a, kAcTimeToReady) =
        static_cast<float>(std::max<SimTime>(0, sim_.aircraft_busy_until(a) - now) / 3600.0);
    ac.at(a, kAcDeciding) = a == deciding ? 1.f : 0.f;
    located.src[a] = a;
    located.dst[a] = sim_.aircraft_vertiport(a);
    hosts.src[a] = sim_.aircraft_vertiport(a);
    hosts.dst[a] = a;
  }
  WriteForecast(sim_, here, &obs_.node_sets[2]);
  EdgeSet& co = obs_.edge_sets[0];
  const auto next_hour = sim_.DemandClockAt(static_cast<double>(now) + 1800);
  for (std::size_t e = 0; e < co.src.size(); ++e)
    WriteCorridor(sim_, co.src[e], co.dst[e], next_hour, &co.features[e * kCorridorFeatureCount]);
  WriteGlobals(sim_, deciding, &obs_);
  WriteActions(sim_, here, co, &obs_);
  obs_.query_node = deciding >= 0 ? deciding : 0;
}


// Version 1's vertiport features (the first kVertiportFeatureCount columns).
void UamObserver::WriteVertiports(const Simulator& sim_, int here, int deciding, NodeSet* vpp) const {
  NodeSet& vp = *vpp;
  const uam::Scenario& s = *scenario_;
  const int nv = s.num_vertiports();
  const double seats = s.fleet.seats;
  for (int v = 0; v < nv; ++v) {
    const auto& p = s.vertiports[v];
    const int from = sim_.waiting_from(v), to = sim_.waiting_to(v);
    vp.at(v, kVpHub) = p.kind == uam::VertiportKind::kHub ? 1.f : 0.f;
    vp.at(v, kVpX) = static_cast<float>(p.x_mi / spread_);
    vp.at(v, kVpY) = static_cast<float>(p.y_mi / spread_);
    vp.at(v, kVpParked) = static_cast<float>(sim_.parked(v)) / p.stands;
    vp.at(v, kVpInbound) = static_cast<float>(sim_.inbound(v)) / p.stands;
    vp.at(v, kVpChargersFree) =
        p.chargers ? static_cast<float>(p.chargers - sim_.chargers_in_use(v)) / p.chargers : 0.f;
    vp.at(v, kVpPads) = static_cast<float>(p.pads) / 4.f;
    vp.at(v, kVpWaitingFrom) = static_cast<float>(from / (4 * seats));
    vp.at(v, kVpWaitingTo) = static_cast<float>(to / (4 * seats));
    vp.at(v, kVpCurrent) = v == here && deciding >= 0 ? 1.f : 0.f;
  }
}

void UamObserver::WriteForecast(const Simulator& sim_, int here, NodeSet* fcp) const {
  NodeSet& fc = *fcp;
  const uam::Scenario& s = *scenario_;
  const int nv = s.num_vertiports();
  const SimTime now = sim_.now();
  const double seats = s.fleet.seats;
  for (int k = 0; k < kForecastSlots; ++k) {
    const double t = static_cast<double>(now) + (k + 0.5) * static_cast<double>(s.demand.slot_s);
    double from = 0, to = 0;
    const Simulator::DemandClock clock = sim_.DemandClockAt(t);
    for (int w = 0; w < nv; ++w)
      if (w != here) {
        from += sim_.DemandRatePerHour(here, w, clock);
        to += sim_.DemandRatePerHour(w, here, clock);
      }
    const SimTime ti = static_cast<SimTime>(t);
    const int hour = static_cast<int>((ti / 3600) % 24);
    fc.at(k, kFcFrom) = static_cast<float>(from / (4 * seats));
    fc.at(k, kFcTo) = static_cast<float>(to / (4 * seats));
    fc.at(k, kFcSurge) = static_cast<float>(s.prices.surge_by_hour[hour]);
    fc.at(k, kFcPrice) = static_cast<float>(s.prices.electricity_by_hour[hour] / 0.3);
    fc.at(k, kFcHourSin) = static_cast<float>(std::sin(6.283185307179586 * t / 86400));
    fc.at(k, kFcHourCos) = static_cast<float>(std::cos(6.283185307179586 * t / 86400));
  }
}

// Action features from the corridors here -> v, which are edges
// first + j of `co` (j: v's rank among the vertiports other than here).
void UamObserver::WriteActions(const Simulator& sim_, int here, const EdgeSet& co,
                               Observation* obs) const {
  Observation& obs_ = *obs;
  const int nv = scenario_->num_vertiports();
  const int deciding = sim_.done() ? -1 : sim_.deciding_aircraft();
  const std::size_t first = features_ == 2 ? 0 : static_cast<std::size_t>(here) * (nv - 1);
  const auto mask = sim_.mask();
  std::fill(obs_.action_features.begin(), obs_.action_features.end(), 0.f);
  for (int a = 0; a <= nv; ++a) {
    obs_.mask[a] = sim_.done() ? 0 : mask[a];
    obs_.action_nodes[a] = a < nv ? a : here;
    float* af = &obs_.action_features[static_cast<std::size_t>(a) * kActionFeatureCount];
    if (a == nv) {
      af[kActionIsStay] = 1.f;
    } else if (a != here) {
      const std::size_t e = first + static_cast<std::size_t>(a < here ? a : a - 1);
      for (int k = 0; k < kCorridorFeatureCount; ++k)
        af[k] = co.features[e * kCorridorFeatureCount + k];
      if (deciding >= 0 && obs_.mask[a])
        af[kActionMargin] = static_cast<float>(uam::FlightMargin(sim_, deciding, a) / 100.0);
    }
  }
}

void UamObserver::WriteLocal(const Simulator& sim_, Observation* obs) const {
  Observation& obs_ = *obs;
  const uam::Scenario& s = *scenario_;
  const int nv = s.num_vertiports(), na = s.fleet.aircraft;
  const SimTime now = sim_.now();
  const int deciding = sim_.done() ? -1 : sim_.deciding_aircraft();
  const int here = deciding >= 0 ? sim_.aircraft_vertiport(deciding) : 0;
  using State = Simulator::AircraftState;

  NodeSet& vp = obs_.node_sets[0];
  WriteVertiports(sim_, here, deciding, &vp);
  // The fleet on the ground per vertiport: mean state of charge, and the
  // aircraft ready within 15 minutes.
  std::vector<int> ground(static_cast<std::size_t>(nv), 0);
  for (int v = 0; v < nv; ++v) vp.at(v, kVpSocGround) = vp.at(v, kVpReadySoon) = 0.f;
  for (int a = 0; a < na; ++a) {
    const State st = sim_.aircraft_state(a);
    if (st != State::kDeciding && st != State::kStaying && st != State::kCharging) continue;
    const int v = sim_.aircraft_vertiport(a);
    vp.at(v, kVpSocGround) += static_cast<float>(sim_.soc_kwh(a) / s.fleet.battery_kwh);
    ++ground[v];
    if (sim_.aircraft_busy_until(a) <= now + 15 * 60) vp.at(v, kVpReadySoon) += 0.25f;
  }
  for (int v = 0; v < nv; ++v) {
    if (ground[v] > 0) vp.at(v, kVpSocGround) /= static_cast<float>(ground[v]);
    vp.at(v, kVpDistanceHere) = static_cast<float>(sim_.network().distance(here, v) / 100.0);
  }
  WriteForecast(sim_, here, &obs_.node_sets[1]);
  EdgeSet& co = obs_.edge_sets[0];
  const auto next_hour = sim_.DemandClockAt(static_cast<double>(now) + 1800);
  const std::size_t star = static_cast<std::size_t>(nv - 1);
  for (int w = 0, j = 0; w < nv; ++w) {
    if (w == here) continue;
    co.src[j] = here;
    co.dst[j] = w;
    WriteCorridor(sim_, here, w, next_hour, &co.features[j * kCorridorFeatureCount]);
    co.src[star + j] = w;
    co.dst[star + j] = here;
    WriteCorridor(sim_, w, here, next_hour, &co.features[(star + j) * kCorridorFeatureCount]);
    ++j;
  }
  for (std::size_t e = 2 * star; e < co.src.size(); ++e)
    WriteCorridor(sim_, co.src[e], co.dst[e], next_hour, &co.features[e * kCorridorFeatureCount]);
  WriteGlobals(sim_, deciding, &obs_);
  WriteActions(sim_, here, co, &obs_);
  obs_.query_node = here;
}

}  // namespace dispatchlab::env
