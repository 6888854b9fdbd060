#include "gui/fleet_model.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace dispatchlab::gui {

FleetData BuildFleet(const uam::Scenario& s, const std::vector<uam::TimelineEvent>& tl) {
  FleetData f;
  f.aircraft = s.fleet.aircraft;
  f.day_start = s.ops.day_start_s;
  f.day_end = s.ops.day_end_s;
  f.pad_occupancy = s.ops.pad_occupancy_s;
  f.battery_kwh = s.fleet.battery_kwh;
  f.segments.assign(f.aircraft, {});
  f.soc.assign(f.aircraft, {});
  f.utilisation.assign(f.aircraft, 0.0);
  const double initial_soc = s.fleet.battery_kwh * s.fleet.initial_soc_fraction;
  for (int a = 0; a < f.aircraft; ++a) {
    f.initial_vertiport.push_back(s.initial_vertiport.empty() ? a % s.num_vertiports()
                                                              : s.initial_vertiport[a]);
    f.soc[a].push_back({f.day_start, initial_soc});
  }
  std::vector<const uam::TimelineEvent*> open(f.aircraft, nullptr);
  std::vector<double> fares(f.aircraft, 0.0), last_soc(f.aircraft, initial_soc);
  std::vector<int> charge(f.aircraft, -1);  // open charge segment
  for (const auto& e : tl) {
    if (e.aircraft < 0 || e.aircraft >= f.aircraft) continue;
    const int a = e.aircraft;
    auto& segs = f.segments[a];
    switch (e.kind) {
      case uam::TimelineKind::kBoard: fares[a] = e.usd; break;
      case uam::TimelineKind::kDepart:
        open[a] = &e;
        f.soc[a].push_back({e.time_s, last_soc[a]});  // falls from here...
        break;
      case uam::TimelineKind::kArrive: {
        const auto* d = open[a];
        if (d) {
          FleetSegment sg{SegmentKind::kFlight, d->time_s, e.time_s, d->vertiport, d->destination,
                          d->passengers};
          sg.energy_kwh = last_soc[a] - e.soc_kwh;
          sg.revenue_usd = fares[a];
          sg.cost_usd = -e.usd;
          segs.push_back(sg);
          f.utilisation[a] += static_cast<double>(e.time_s - f.pad_occupancy - d->time_s);
        }
        f.soc[a].push_back({e.time_s, e.soc_kwh});  // ...to here
        last_soc[a] = e.soc_kwh;
        fares[a] = 0;
        open[a] = nullptr;
        break;
      }
      case uam::TimelineKind::kChargeStart: {
        FleetSegment sg{SegmentKind::kCharge, e.time_s, e.time_s + s.ops.stay_s, e.vertiport, -1, 0};
        sg.cost_usd = -e.usd;
        charge[a] = static_cast<int>(segs.size());
        segs.push_back(sg);
        f.soc[a].push_back({e.time_s, e.soc_kwh});
        break;
      }
      case uam::TimelineKind::kChargeEnd:
        if (charge[a] >= 0) {
          segs[charge[a]].end = e.time_s;
          segs[charge[a]].energy_kwh = e.soc_kwh - last_soc[a];
          charge[a] = -1;
        }
        f.soc[a].push_back({e.time_s, e.soc_kwh});
        last_soc[a] = e.soc_kwh;
        break;
      case uam::TimelineKind::kStay:
        segs.push_back({SegmentKind::kStay, e.time_s, e.time_s + s.ops.stay_s, e.vertiport, -1, 0});
        break;
      case uam::TimelineKind::kDown:
        segs.push_back({SegmentKind::kDown, e.time_s, e.time_s, e.vertiport, -1, 0});
        break;
      case uam::TimelineKind::kUp:
        for (auto it = segs.rbegin(); it != segs.rend(); ++it)
          if (it->kind == SegmentKind::kDown && it->end == it->start) {
            it->end = e.time_s;
            break;
          }
        break;
    }
  }
  const double day = static_cast<double>(std::max<SimTime>(1, f.day_end - f.day_start));
  for (int a = 0; a < f.aircraft; ++a) {
    auto& segs = f.segments[a];
    for (auto& sg : segs)
      if (sg.kind == SegmentKind::kDown && sg.end == sg.start) sg.end = f.day_end;  // still down
    std::stable_sort(segs.begin(), segs.end(), [](auto& x, auto& y) { return x.start < y.start; });
    f.utilisation[a] /= day;
  }
  return f;
}

double SocAt(const FleetData& f, int a, SimTime t) {
  const auto& pts = f.soc[a];
  if (pts.empty()) return 0;
  auto it = std::upper_bound(pts.begin(), pts.end(), t,
                             [](SimTime x, const auto& p) { return x < p.first; });
  if (it == pts.begin()) return pts.front().second;
  if (it == pts.end()) return pts.back().second;
  const auto& lo = *(it - 1);
  const auto& hi = *it;
  if (hi.first == lo.first) return hi.second;
  const double u = static_cast<double>(t - lo.first) / static_cast<double>(hi.first - lo.first);
  return lo.second + u * (hi.second - lo.second);
}

std::vector<AircraftPosition> PositionsAt(const uam::Scenario& s, const FleetData& f, SimTime t) {
  std::vector<AircraftPosition> out(f.aircraft);
  for (int a = 0; a < f.aircraft; ++a) {
    int where = f.initial_vertiport[a];
    AircraftPosition p;
    bool placed = false;
    for (const auto& sg : f.segments[a]) {
      if (sg.kind != SegmentKind::kFlight) continue;
      if (sg.start > t) break;
      if (t < sg.end) {
        const auto& o = s.vertiports[sg.from];
        const auto& d = s.vertiports[sg.to];
        const double u = static_cast<double>(t - sg.start) / std::max<SimTime>(1, sg.end - sg.start);
        p.x_mi = o.x_mi + u * (d.x_mi - o.x_mi);
        p.y_mi = o.y_mi + u * (d.y_mi - o.y_mi);
        p.flying = true;
        p.from = sg.from;
        p.to = sg.to;
        p.passengers = sg.passengers;
        placed = true;
        break;
      }
      where = sg.to;
    }
    if (!placed) {
      p.vertiport = where;
      p.x_mi = s.vertiports[where].x_mi;
      p.y_mi = s.vertiports[where].y_mi;
    }
    p.soc_kwh = SocAt(f, a, t);
    out[a] = p;
  }
  return out;
}

double StepSeries::At(SimTime time) const {
  auto it = std::upper_bound(t.begin(), t.end(), time);
  return it == t.begin() ? 0.0 : v[static_cast<std::size_t>(it - t.begin()) - 1];
}

double StepSeries::Max() const {
  return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
}

namespace {
// Cumulative sum of (time, delta) changes as a step series.
StepSeries Accumulate(std::vector<std::pair<SimTime, double>> deltas) {
  std::stable_sort(deltas.begin(), deltas.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  StepSeries s;
  double sum = 0;
  for (const auto& [t, d] : deltas) {
    sum += d;
    if (!s.t.empty() && s.t.back() == t) s.v.back() = sum;
    else {
      s.t.push_back(t);
      s.v.push_back(sum);
    }
  }
  return s;
}
}  // namespace

DemandData BuildDemand(const uam::Scenario& s, const std::vector<std::vector<SimTime>>& arrivals,
                       const std::vector<uam::TimelineEvent>& tl) {
  const int n = s.num_vertiports();
  const SimTime patience = s.ops.patience_s;
  DemandData d;
  d.vertiports = n;
  // Boardings per pair, in time order (the timeline is).
  std::vector<std::vector<std::pair<SimTime, int>>> boards(static_cast<std::size_t>(n) * n);
  std::vector<std::pair<SimTime, double>> served, profit;
  for (const auto& e : tl) {
    if (e.usd != 0) profit.push_back({e.time_s, e.usd});
    if (e.kind != uam::TimelineKind::kBoard || e.vertiport < 0 || e.destination < 0) continue;
    boards[static_cast<std::size_t>(e.vertiport) * n + e.destination].push_back({e.time_s, e.passengers});
    served.push_back({e.time_s, static_cast<double>(e.passengers)});
  }
  // Who leaves when: boarded (longest waiting first, as the simulator) or
  // spilled after `patience`, or at the end of the day.
  std::vector<std::vector<std::pair<SimTime, double>>> by_origin(n);
  std::vector<std::pair<SimTime, double>> total, spilled;
  d.waiting_pair.resize(static_cast<std::size_t>(n) * n);
  for (int o = 0; o < n; ++o)
    for (int k = 0; k < n; ++k) {
      const std::size_t pair = static_cast<std::size_t>(o) * n + k;
      if (pair >= arrivals.size()) continue;
      const auto& arr = arrivals[pair];
      std::vector<SimTime> leave(arr.size(), -1);
      std::size_t front = 0;
      for (const auto& [bt, pax] : boards[pair]) {
        while (front < arr.size() && arr[front] + patience <= bt) ++front;
        for (int j = 0; j < pax && front < arr.size() && arr[front] <= bt; ++j) leave[front++] = bt;
      }
      std::vector<std::pair<SimTime, double>> deltas;
      for (std::size_t i = 0; i < arr.size(); ++i) {
        SimTime out = leave[i];
        if (out < 0) {  // spilled (the simulator counts those still waiting when
                        // the day's last event is processed then; none is
                        // observable later)
          out = arr[i] + patience;
          spilled.push_back({out, 1.0});
        }
        deltas.push_back({arr[i], 1.0});
        deltas.push_back({out, -1.0});
      }
      d.arrived += static_cast<std::int64_t>(arr.size());
      by_origin[o].insert(by_origin[o].end(), deltas.begin(), deltas.end());
      total.insert(total.end(), deltas.begin(), deltas.end());
      d.waiting_pair[pair] = Accumulate(std::move(deltas));
    }
  for (int o = 0; o < n; ++o) d.waiting.push_back(Accumulate(std::move(by_origin[o])));
  d.waiting_total = Accumulate(std::move(total));
  d.served = Accumulate(std::move(served));
  d.spilled = Accumulate(std::move(spilled));
  d.profit = Accumulate(std::move(profit));
  return d;
}

int WaitingAt(const DemandData& d, int v, SimTime t) {
  return v >= 0 && v < static_cast<int>(d.waiting.size())
             ? static_cast<int>(std::lround(d.waiting[v].At(t)))
             : 0;
}

int WaitingAt(const DemandData& d, int from, int to, SimTime t) {
  const std::size_t pair = static_cast<std::size_t>(from) * d.vertiports + to;
  return pair < d.waiting_pair.size() ? static_cast<int>(std::lround(d.waiting_pair[pair].At(t)))
                                      : 0;
}

std::vector<PortState> PortsAt(const uam::Scenario& s, const FleetData& f, const DemandData& d,
                               SimTime t) {
  const int n = s.num_vertiports();
  std::vector<PortState> ports(n);
  for (int v = 0; v < n; ++v) {
    ports[v].stands = s.vertiports[v].stands;
    ports[v].chargers = s.vertiports[v].chargers;
    ports[v].pads = s.vertiports[v].pads;
    ports[v].waiting = WaitingAt(d, v, t);
  }
  for (const auto& p : PositionsAt(s, f, t))
    if (!p.flying && p.vertiport >= 0) ++ports[p.vertiport].parked;
  for (const auto& segs : f.segments)
    for (const auto& sg : segs) {
      if (sg.kind == SegmentKind::kCharge && sg.start <= t && t < sg.end && sg.from >= 0)
        ++ports[sg.from].chargers_in_use;
      if (sg.kind != SegmentKind::kFlight) continue;
      if (sg.start <= t && t < sg.start + f.pad_occupancy) ++ports[sg.from].pads_busy;  // take-off
      if (sg.end - f.pad_occupancy <= t && t < sg.end) ++ports[sg.to].pads_busy;        // landing
    }
  return ports;
}

}  // namespace dispatchlab::gui

namespace dispatchlab::gui {

UamDay BuildUamDay(std::shared_ptr<const uam::Scenario> scenario,
                   const std::vector<uam::TimelineEvent>& timeline,
                   const std::vector<std::vector<SimTime>>& arrivals,
                   std::vector<std::vector<std::pair<SimTime, SimTime>>> closures,
                   const uam::Kpis& kpis) {
  UamDay d;
  d.fleet = BuildFleet(*scenario, timeline);
  d.demand = BuildDemand(*scenario, arrivals, timeline);
  d.closures = std::move(closures);
  d.kpis = kpis;
  d.scenario = std::move(scenario);
  return d;
}

bool ClosedAt(const UamDay& day, int from, int to, SimTime t) {
  const std::size_t pair = static_cast<std::size_t>(from) * day.demand.vertiports + to;
  if (pair >= day.closures.size()) return false;
  for (const auto& [a, b] : day.closures[pair])
    if (a <= t && t < b) return true;
  return false;
}

}  // namespace dispatchlab::gui
