#include "sim/uam/simulator.h"

#include <algorithm>
#include <limits>
#include <cmath>
#include <functional>

#include "sim/core/check.h"

namespace dispatchlab::uam {
namespace {

// Equal-time order: movements first (a departure frees its stand, a landing
// takes one), then chargers, repairs, and decisions last, so an aircraft
// decides on the settled state of that second.
constexpr std::int32_t PriorityOf(int kind) { return kind; }

std::int64_t Poisson(Rng& rng, double lambda) {
  if (lambda <= 0) return 0;
  if (lambda > 50) {  // normal approximation; never reached by the defaults
    const double x = lambda + std::sqrt(lambda) * rng.Normal();
    return std::max<std::int64_t>(0, std::llround(x));
  }
  const double l = std::exp(-lambda);
  std::int64_t k = 0;
  double p = rng.Uniform();
  while (p > l) {
    ++k;
    p *= rng.Uniform();
  }
  return k;
}

double Gauss(double t_h, double peak_h, double width_h) {
  const double z = (t_h - peak_h) / width_h;
  return std::exp(-0.5 * z * z);
}

}  // namespace

const char* ToString(TimelineKind kind) {
  switch (kind) {
    case TimelineKind::kDepart: return "depart";
    case TimelineKind::kArrive: return "arrive";
    case TimelineKind::kBoard: return "board";
    case TimelineKind::kChargeStart: return "charge_start";
    case TimelineKind::kChargeEnd: return "charge_end";
    case TimelineKind::kDown: return "down";
    case TimelineKind::kUp: return "up";
    case TimelineKind::kStay: return "stay";
  }
  return "?";
}

Simulator::Simulator(const Scenario& scenario, SimOptions options)
    : scenario_(&scenario), options_(options), network_(scenario) {
  reserve_kwh_ = scenario.fleet.battery_kwh * scenario.fleet.reserve_fraction;
  const int n = network_.size();
  aircraft_.resize(scenario.fleet.aircraft);
  ports_.resize(n);
  od_.resize(static_cast<std::size_t>(n) * n);
  waiting_from_.assign(n, 0);
  waiting_to_.assign(n, 0);
  closures_.resize(static_cast<std::size_t>(n) * n);
  last_departure_.resize(static_cast<std::size_t>(n) * n);
  mask_.assign(n + 1, 0);
  pair_multiplier_.assign(static_cast<std::size_t>(n) * n, 1.0);
  for (const auto& pm : scenario.demand.pairs)
    pair_multiplier_[network_.corridor(pm.from, pm.to)] *= pm.multiplier;
}

Simulator::DemandClock Simulator::DemandClockAt(double t_s) const {
  const Demand& d = scenario_->demand;
  const double t_h = t_s / 3600.0;
  return {Gauss(t_h, d.morning_peak_h, d.peak_width_h), Gauss(t_h, d.evening_peak_h, d.peak_width_h)};
}

double Simulator::DemandRatePerHour(int from, int to, double t_s) const {
  return DemandRatePerHour(from, to, DemandClockAt(t_s));
}

double Simulator::DemandRatePerHour(int from, int to, const DemandClock& clock) const {
  const Scenario& s = *scenario_;
  const Demand& d = s.demand;
  const bool hub_from = s.vertiports[from].kind == VertiportKind::kHub;
  const bool hub_to = s.vertiports[to].kind == VertiportKind::kHub;
  const double m = clock.morning, e = clock.evening;
  double f;
  if (!hub_from && hub_to) f = 1 + d.peak_factor * m;          // to work
  else if (hub_from && !hub_to) f = 1 + d.peak_factor * e;     // back home
  else if (hub_from && hub_to) f = 1 + 0.5 * d.peak_factor * (m + e);
  else f = d.residential_pair_factor;
  return d.base_rate_per_hour * d.level * f * pair_multiplier_[network_.corridor(from, to)];
}

int Simulator::Hour(SimTime t) const { return static_cast<int>((t / 3600) % 24); }

double Simulator::Fare(int from, int to, SimTime t) const {
  const Prices& p = scenario_->prices;
  return (p.base_fare + p.fare_per_mile * network_.distance(from, to)) *
         p.surge_by_hour[Hour(t)];
}

double Simulator::ElectricityPrice(SimTime t) const {
  return scenario_->prices.electricity_by_hour[Hour(t)];
}

bool Simulator::corridor_closed(int from, int to, SimTime t) const {
  for (const auto& [a, b] : closures_[network_.corridor(from, to)])
    if (a <= t && t < b) return true;
  return false;
}

int Simulator::waiting(int from, int to) const {
  const OdQueue& q = od_[network_.corridor(from, to)];
  return static_cast<int>(q.next - q.front);
}

std::int64_t Simulator::total_waiting() const {
  std::int64_t w = 0;
  for (const int v : waiting_from_) w += v;
  return w;
}

void Simulator::Reset(std::uint64_t seed) {
  const Scenario& s = *scenario_;
  const int n = network_.size();
  seed_ = seed;
  resample_from_ = kTimeInfinity;
  std::fill(waiting_from_.begin(), waiting_from_.end(), 0);
  std::fill(waiting_to_.begin(), waiting_to_.end(), 0);
  now_ = s.ops.day_start_s;
  done_ = false;
  deciding_ = -1;
  queue_.Clear();
  kpis_ = Kpis{};
  timeline_.clear();
  pad_moves_.clear();
  departures_.clear();
  std::fill(last_departure_.begin(), last_departure_.end(), kTimeInfinity);

  for (int v = 0; v < n; ++v) {
    ports_[v] = PortData{};
    ports_[v].pad_busy.assign(s.vertiports[v].pads, {});
  }
  // Demand: Poisson count per slot, arrival times uniform inside the slot.
  std::vector<DemandClock> clocks;  // per slot, shared by every pair
  for (SimTime t = s.ops.day_start_s; t < s.ops.day_end_s; t += s.demand.slot_s)
    clocks.push_back(DemandClockAt(t + std::min(s.demand.slot_s, s.ops.day_end_s - t) / 2.0));
  for (int o = 0; o < n; ++o)
    for (int d = 0; d < n; ++d) {
      OdQueue& q = od_[network_.corridor(o, d)];
      q = OdQueue{};
      if (o == d) continue;
      Rng rng = Rng::Stream(seed, StreamTag::kUamDemand, static_cast<std::uint64_t>(o),
                            static_cast<std::uint64_t>(d));
      std::size_t slot = 0;
      for (SimTime t = s.ops.day_start_s; t < s.ops.day_end_s; t += s.demand.slot_s) {
        const SimTime len = std::min(s.demand.slot_s, s.ops.day_end_s - t);
        const double lambda = DemandRatePerHour(o, d, clocks[slot++]) * len / 3600.0;
        const std::int64_t k = Poisson(rng, lambda);
        const std::size_t first = q.arrivals.size();
        for (std::int64_t i = 0; i < k; ++i) q.arrivals.push_back(rng.UniformInt(t, t + len - 1));
        std::sort(q.arrivals.begin() + static_cast<std::ptrdiff_t>(first), q.arrivals.end());
      }
    }
  RebuildDemandHeap();
  // Weather: per undirected corridor and slot, a closure starts with some
  // probability; it closes both directions.
  for (auto& c : closures_) c.clear();
  if (s.uncertainty.weather) {
    for (int u = 0; u < n; ++u)
      for (int v = u + 1; v < n; ++v) {
        Rng rng = Rng::Stream(seed, StreamTag::kUamWeather, static_cast<std::uint64_t>(u),
                              static_cast<std::uint64_t>(v));
        for (SimTime t = s.ops.day_start_s; t < s.ops.day_end_s; t += s.demand.slot_s) {
          if (!rng.Bernoulli(s.uncertainty.closure_probability_per_slot)) continue;
          const SimTime start = rng.UniformInt(t, t + s.demand.slot_s - 1);
          const SimTime end =
              start + rng.UniformInt(s.uncertainty.closure_min_s, s.uncertainty.closure_max_s);
          closures_[network_.corridor(u, v)].push_back({start, end});
          closures_[network_.corridor(v, u)].push_back({start, end});
        }
      }
  }
  // Fleet: initial vertiports (round-robin unless given), charged, ready at
  // the start of the day.
  const int count = s.fleet.aircraft;
  for (int a = 0; a < count; ++a) {
    AircraftData& ac = aircraft_[a];
    ac = AircraftData{};
    ac.vertiport = s.initial_vertiport.empty() ? a % n : s.initial_vertiport[a];
    ac.soc = s.fleet.battery_kwh * s.fleet.initial_soc_fraction;
    ac.state = AircraftState::kTurnaround;
    ac.busy_until = now_;
    ++ports_[ac.vertiport].parked;
    queue_.Push(now_, PriorityOf(static_cast<int>(EventKind::kReady)),
                EventData{EventKind::kReady, a});
  }
  active_aircraft_ = count;
}

Simulator Simulator::Fork() const {
  Simulator f(*this);
  f.observer_ = nullptr;
  f.options_.record_timeline = false;
  f.timeline_.clear();
  f.pad_moves_.clear();
  f.departures_.clear();
  return f;
}

void Simulator::ResampleFuture(std::uint64_t sample_seed, SimTime from) {
  DL_CHECK(from >= now_);
  const Scenario& s = *scenario_;
  const int n = network_.size();
  // Keyed draws (delays, downtime) of events after `from` come from the
  // sample's seed; the episode's identity seed() stays.
  resample_seed_ = SplitMix64Mix(sample_seed ^ 0x9e3779b97f4a7c15ULL);
  resample_from_ = from;
  const SimTime day_start = s.ops.day_start_s, day_end = s.ops.day_end_s, slot = s.demand.slot_s;
  // First slot boundary after `from`; the slot holding `from` is redrawn
  // for its remaining part only.
  const SimTime cur_start = day_start + (std::max<SimTime>(from, day_start) - day_start) / slot * slot;
  std::vector<DemandClock> clocks;  // per slot from cur_start, shared by every pair
  for (SimTime t = cur_start; t < day_end; t += slot) clocks.push_back(DemandClockAt(t + std::min(slot, day_end - t) / 2.0));
  for (int o = 0; o < n; ++o)
    for (int d = 0; d < n; ++d) {
      if (o == d) continue;
      OdQueue& q = od_[network_.corridor(o, d)];
      while (q.arrivals.size() > q.next && q.arrivals.back() > from) q.arrivals.pop_back();
      Rng rng = Rng::Stream(sample_seed, StreamTag::kUamDemand, static_cast<std::uint64_t>(o),
                            static_cast<std::uint64_t>(d));
      std::size_t k_slot = 0;
      for (SimTime t = cur_start; t < day_end; t += slot) {
        const SimTime len = std::min(slot, day_end - t);
        const SimTime lo = std::max(t, from + 1);
        const DemandClock& clock = clocks[k_slot++];
        if (lo > t + len - 1) continue;
        const double frac = static_cast<double>(t + len - lo) / static_cast<double>(len);
        const double lambda = DemandRatePerHour(o, d, clock) * len / 3600.0 * frac;
        const std::int64_t k = Poisson(rng, lambda);
        const std::size_t first = q.arrivals.size();
        for (std::int64_t i = 0; i < k; ++i) q.arrivals.push_back(rng.UniformInt(lo, t + len - 1));
        std::sort(q.arrivals.begin() + static_cast<std::ptrdiff_t>(first), q.arrivals.end());
      }
    }
  RebuildDemandHeap();
  for (auto& c : closures_)
    std::erase_if(c, [from](const std::pair<SimTime, SimTime>& w) { return w.first > from; });
  if (s.uncertainty.weather) {
    for (int u = 0; u < n; ++u)
      for (int v = u + 1; v < n; ++v) {
        Rng rng = Rng::Stream(sample_seed, StreamTag::kUamWeather, static_cast<std::uint64_t>(u),
                              static_cast<std::uint64_t>(v));
        for (SimTime t = cur_start; t < day_end; t += slot) {
          const SimTime lo = std::max(t, from + 1);
          if (lo > t + slot - 1) continue;
          const double frac = static_cast<double>(t + slot - lo) / static_cast<double>(slot);
          if (!rng.Bernoulli(s.uncertainty.closure_probability_per_slot * frac)) continue;
          const SimTime start = rng.UniformInt(lo, t + slot - 1);
          const SimTime end =
              start + rng.UniformInt(s.uncertainty.closure_min_s, s.uncertainty.closure_max_s);
          closures_[network_.corridor(u, v)].push_back({start, end});
          closures_[network_.corridor(v, u)].push_back({start, end});
        }
      }
  }
}

SimTime Simulator::NextDemandChange(const OdQueue& q) const {
  SimTime next = kTimeInfinity;
  if (q.next < q.arrivals.size() && q.arrivals[q.next] < scenario_->ops.day_end_s)
    next = q.arrivals[q.next];
  if (q.front < q.next) next = std::min(next, q.arrivals[q.front] + scenario_->ops.patience_s);
  return next;
}

void Simulator::RebuildDemandHeap() {
  demand_heap_.clear();
  for (std::size_t i = 0; i < od_.size(); ++i) {
    const SimTime next = NextDemandChange(od_[i]);
    if (next != kTimeInfinity) demand_heap_.push_back({next, static_cast<int>(i)});
  }
  std::make_heap(demand_heap_.begin(), demand_heap_.end(), std::greater<>());
}

void Simulator::SyncDemand(SimTime t) {
  const SimTime end = scenario_->ops.day_end_s;
  const SimTime patience = scenario_->ops.patience_s;
  const int n = network_.size();
  while (!demand_heap_.empty() && demand_heap_.front().first <= t) {
    std::pop_heap(demand_heap_.begin(), demand_heap_.end(), std::greater<>());
    const int i = demand_heap_.back().second;
    demand_heap_.pop_back();
    OdQueue& q = od_[i];
    const int from = i / n, to = i % n;
    while (q.next < q.arrivals.size() && q.arrivals[q.next] <= t && q.arrivals[q.next] < end) {
      ++q.next;
      ++kpis_.passengers_arrived;
      ++waiting_from_[from];
      ++waiting_to_[to];
    }
    while (q.front < q.next && q.arrivals[q.front] + patience <= t) {
      ++q.front;
      ++kpis_.spilled;
      --waiting_from_[from];
      --waiting_to_[to];
    }
    const SimTime next = NextDemandChange(q);
    if (next != kTimeInfinity) {
      demand_heap_.push_back({next, i});
      std::push_heap(demand_heap_.begin(), demand_heap_.end(), std::greater<>());
    }
  }
}

SimTime Simulator::ReservePad(int v, SimTime earliest) {
  const SimTime occ = scenario_->ops.pad_occupancy_s;
  SimTime best = kTimeInfinity;
  int best_pad = 0;
  auto& pads = ports_[v].pad_busy;
  for (int p = 0; p < static_cast<int>(pads.size()); ++p) {
    auto& busy = pads[p];
    // Forget movements that ended before now (they can never conflict).
    busy.erase(std::remove_if(busy.begin(), busy.end(),
                              [&](const auto& iv) { return iv.second <= now_; }),
               busy.end());
    SimTime s = earliest;
    for (const auto& [a, b] : busy) {  // sorted by start
      if (s + occ <= a) break;
      if (b > s) s = b;
    }
    if (s < best) {
      best = s;
      best_pad = p;
    }
  }
  auto& busy = pads[best_pad];
  busy.insert(std::lower_bound(busy.begin(), busy.end(), std::make_pair(best, best + occ)),
              {best, best + occ});
  return best;
}

void Simulator::Record(int a, TimelineKind kind, int v, int dest, int pax, double usd) {
  if (!options_.record_timeline) return;
  timeline_.push_back({now_, a, kind, v, dest, pax, aircraft_[a].soc, usd});
}

bool Simulator::AdvanceToDecision() {
  if (done_) return false;
  deciding_ = -1;
  while (!queue_.empty()) {
    const auto ev = queue_.Pop();
    DL_CHECK(ev.time >= now_);
    now_ = ev.time;
    SyncDemand(now_);
    ProcessEvent(ev.payload);
    if (observer_) [[unlikely]] observer_(*this);
    if (deciding_ >= 0) {
      ComputeMask();
      ++kpis_.decisions;
      return true;
    }
  }
  FinishDay();
  return false;
}

void Simulator::FinishDay() {
  DL_CHECK(active_aircraft_ == 0);
  SyncDemand(std::max(now_, scenario_->ops.day_end_s));
  // Passengers still waiting when the day ends are not served today.
  for (OdQueue& q : od_) {
    kpis_.spilled += static_cast<std::int64_t>(q.next - q.front);
    q.front = q.next;
  }
  std::fill(waiting_from_.begin(), waiting_from_.end(), 0);
  std::fill(waiting_to_.begin(), waiting_to_.end(), 0);
  kpis_.waiting = 0;
  const Fleet& f = scenario_->fleet;
  kpis_.load_factor = kpis_.flights ? static_cast<double>(kpis_.served) /
                                          (static_cast<double>(kpis_.flights) * f.seats)
                                    : 0.0;
  const double day = static_cast<double>(scenario_->ops.day_end_s - scenario_->ops.day_start_s);
  kpis_.utilisation = kpis_.airborne_s / (day * f.aircraft);
  done_ = true;
}

void Simulator::ProcessEvent(const EventData& e) {
  AircraftData& ac = aircraft_[e.aircraft];
  const Scenario& s = *scenario_;
  switch (e.kind) {
    case EventKind::kDepart: {
      --ports_[ac.origin].parked;
      ac.state = AircraftState::kFlying;
      ac.departed_at = now_;
      Record(e.aircraft, TimelineKind::kDepart, ac.origin, ac.vertiport, ac.passengers);
      const double miles = network_.distance(ac.origin, ac.vertiport);
      queue_.Push(now_ + FlightSeconds(s.fleet, miles),
                  PriorityOf(static_cast<int>(EventKind::kArriveAirspace)),
                  EventData{EventKind::kArriveAirspace, e.aircraft});
      return;
    }
    case EventKind::kArriveAirspace: {
      const SimTime touchdown = ReservePad(ac.vertiport, now_);
      pad_moves_.push_back({ac.vertiport, touchdown, false});
      const SimTime on_stand = touchdown + s.ops.pad_occupancy_s;
      kpis_.airborne_s += static_cast<double>(touchdown - ac.departed_at);
      const double operating =
          s.prices.flight_hour_cost * static_cast<double>(touchdown - ac.departed_at) / 3600.0;
      kpis_.operating_cost += operating;
      kpis_.landing_fees += s.prices.landing_fee;
      ac.flight_cost = operating + s.prices.landing_fee;
      ac.busy_until = on_stand + static_cast<SimTime>(s.fleet.turnaround_s);
      queue_.Push(on_stand, PriorityOf(static_cast<int>(EventKind::kLand)),
                  EventData{EventKind::kLand, e.aircraft});
      return;
    }
    case EventKind::kLand: {
      PortData& port = ports_[ac.vertiport];
      --port.inbound;
      ++port.parked;
      Record(e.aircraft, TimelineKind::kArrive, ac.origin, ac.vertiport, ac.passengers,
             -ac.flight_cost);
      ac.passengers = 0;
      Rng rng = Rng::Stream(DrawSeed(), StreamTag::kUamDowntime, static_cast<std::uint64_t>(e.aircraft),
                            static_cast<std::uint64_t>(ac.flights));
      if (s.uncertainty.downtime && rng.Bernoulli(s.uncertainty.downtime_probability)) {
        const SimTime down = rng.UniformInt(s.uncertainty.downtime_min_s, s.uncertainty.downtime_max_s);
        ac.state = AircraftState::kDown;
        ac.busy_until = now_ + down;
        ++kpis_.downtimes;
        Record(e.aircraft, TimelineKind::kDown, ac.vertiport, -1, 0);
        queue_.Push(now_ + down, PriorityOf(static_cast<int>(EventKind::kUp)),
                    EventData{EventKind::kUp, e.aircraft});
      } else {
        ac.state = AircraftState::kTurnaround;
        ac.busy_until = now_ + static_cast<SimTime>(s.fleet.turnaround_s);
        queue_.Push(ac.busy_until, PriorityOf(static_cast<int>(EventKind::kReady)),
                    EventData{EventKind::kReady, e.aircraft});
      }
      return;
    }
    case EventKind::kChargeEnd: {
      --ports_[ac.vertiport].chargers_in_use;
      ac.soc = ac.pending_soc;
      Record(e.aircraft, TimelineKind::kChargeEnd, ac.vertiport, -1, 0);
      queue_.Push(now_, PriorityOf(static_cast<int>(EventKind::kReady)),
                  EventData{EventKind::kReady, e.aircraft});
      return;
    }
    case EventKind::kUp: {
      Record(e.aircraft, TimelineKind::kUp, ac.vertiport, -1, 0);
      queue_.Push(now_, PriorityOf(static_cast<int>(EventKind::kReady)),
                  EventData{EventKind::kReady, e.aircraft});
      return;
    }
    case EventKind::kReady: {
      if (now_ >= s.ops.day_end_s) {
        ac.state = AircraftState::kDone;  // parked for the night
        --active_aircraft_;
        return;
      }
      ac.state = AircraftState::kDeciding;
      deciding_ = e.aircraft;
      return;
    }
  }
}

void Simulator::ComputeMask() {
  const AircraftData& ac = aircraft_[deciding_];
  const Scenario& s = *scenario_;
  const int n = network_.size();
  for (int v = 0; v < n; ++v) {
    bool ok = v != ac.vertiport;
    if (ok) ok = ports_[v].parked + ports_[v].inbound < s.vertiports[v].stands;
    if (ok) ok = ac.soc - FlightEnergyKwh(s.fleet, network_.distance(ac.vertiport, v)) >=
                 reserve_kwh_ - 1e-9;
    if (ok && s.uncertainty.weather) ok = !corridor_closed(ac.vertiport, v, now_);
    mask_[v] = ok ? 1 : 0;
  }
  mask_[n] = 1;  // staying is always possible
}

void Simulator::Apply(int action) {
  DL_CHECK(!done_ && deciding_ >= 0);
  DL_CHECK(action >= 0 && action < num_actions());
  DL_CHECK_MSG(mask_[action], "masked UAM action");
  const int a = deciding_;
  ++aircraft_[a].decisions;
  deciding_ = -1;
  if (action == stay_action()) Stay(a);
  else Fly(a, action);
  if (observer_) [[unlikely]] observer_(*this);
}

void Simulator::Fly(int a, int dest) {
  AircraftData& ac = aircraft_[a];
  const Scenario& s = *scenario_;
  const int from = ac.vertiport;
  // Board the longest-waiting passengers of the pair.
  OdQueue& q = od_[network_.corridor(from, dest)];
  const int pax = static_cast<int>(std::min<std::size_t>(s.fleet.seats, q.next - q.front));
  q.front += static_cast<std::size_t>(pax);
  waiting_from_[from] -= pax;
  waiting_to_[dest] -= pax;
  const double fares = pax * Fare(from, dest, now_);
  kpis_.served += pax;
  kpis_.revenue += fares;
  if (pax > 0) Record(a, TimelineKind::kBoard, from, dest, pax, fares);
  ++kpis_.flights;
  if (pax == 0) ++kpis_.empty_flights;

  const double energy = FlightEnergyKwh(s.fleet, network_.distance(from, dest));
  ac.soc -= energy;
  kpis_.energy_flown_kwh += energy;
  ++ports_[dest].inbound;  // the stand is reserved now

  SimTime delay = 0;
  Rng rng = Rng::Stream(DrawSeed(), StreamTag::kUamDelay, static_cast<std::uint64_t>(a),
                        static_cast<std::uint64_t>(ac.flights));
  const double mean = s.vertiports[from].takeoff_delay_mean_s;
  if (s.uncertainty.takeoff_delay && mean > 0) {
    const double sigma = s.uncertainty.takeoff_delay_sigma;
    const double mu = std::log(mean) - 0.5 * sigma * sigma;  // E[delay] = mean
    delay = std::llround(std::exp(mu + sigma * rng.Normal()));
  }
  const int corridor = network_.corridor(from, dest);
  SimTime earliest = now_ + delay;
  if (last_departure_[corridor] != kTimeInfinity)
    earliest = std::max(earliest, last_departure_[corridor] + s.ops.separation_s);
  const SimTime dep = ReservePad(from, earliest);
  last_departure_[corridor] = dep;
  pad_moves_.push_back({from, dep, true});
  departures_.push_back({dep, corridor});

  ac.origin = from;
  ac.vertiport = dest;
  ac.passengers = pax;
  ac.state = AircraftState::kTaxi;
  ++ac.flights;
  queue_.Push(dep, PriorityOf(static_cast<int>(EventKind::kDepart)),
              EventData{EventKind::kDepart, a});
}

void Simulator::Stay(int a) {
  AircraftData& ac = aircraft_[a];
  const Scenario& s = *scenario_;
  ++kpis_.stays;
  PortData& port = ports_[ac.vertiport];
  const SimTime until = now_ + s.ops.stay_s;
  ac.busy_until = until;
  if (port.chargers_in_use < s.vertiports[ac.vertiport].chargers &&
      ac.soc < s.fleet.battery_kwh - 1e-6) {
    ++port.chargers_in_use;
    ++kpis_.charges;
    ac.state = AircraftState::kCharging;
    ac.pending_soc = ChargeKwh(s.fleet, ac.soc, static_cast<double>(s.ops.stay_s));
    const double kwh = ac.pending_soc - ac.soc;
    kpis_.energy_charged_kwh += kwh;
    const double cost = kwh * ElectricityPrice(now_);
    kpis_.energy_cost += cost;
    Record(a, TimelineKind::kChargeStart, ac.vertiport, -1, 0, -cost);
    queue_.Push(until, PriorityOf(static_cast<int>(EventKind::kChargeEnd)),
                EventData{EventKind::kChargeEnd, a});
  } else {
    ac.state = AircraftState::kStaying;
    Record(a, TimelineKind::kStay, ac.vertiport, -1, 0);
    queue_.Push(until, PriorityOf(static_cast<int>(EventKind::kReady)),
                EventData{EventKind::kReady, a});
  }
}

EpisodeResult RunEpisode(const Scenario& scenario, std::uint64_t seed, Policy& policy,
                         SimOptions options) {
  Simulator sim(scenario, options);
  sim.Reset(seed);
  policy.Reset(sim);
  while (sim.AdvanceToDecision()) sim.Apply(policy.Choose(sim));
  EpisodeResult r;
  r.kpis = sim.kpis();
  r.timeline = sim.timeline();
  return r;
}

}  // namespace dispatchlab::uam
