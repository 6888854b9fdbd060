#include "sim/uam/network.h"

#include <cmath>

namespace dispatchlab::uam {

Network::Network(const Scenario& s) : n_(s.num_vertiports()), graph_(n_) {
  dist_.assign(static_cast<std::size_t>(n_) * n_, 0.0);
  for (int u = 0; u < n_; ++u)
    for (int v = 0; v < n_; ++v) {
      if (u == v) continue;
      const double d = std::hypot(s.vertiports[u].x_mi - s.vertiports[v].x_mi,
                                  s.vertiports[u].y_mi - s.vertiports[v].y_mi);
      dist_[u * n_ + v] = d;
      boost::add_edge(u, v, Corridor{u * n_ + v, d}, graph_);
    }
}

int Network::FlyableCorridors(const Fleet& f) const {
  const double usable = f.battery_kwh * (1.0 - f.reserve_fraction);
  int flyable = 0;
  for (auto [e, end] = boost::edges(graph_); e != end; ++e)
    flyable += FlightEnergyKwh(f, graph_[*e].distance_mi) <= usable;
  return flyable;
}

std::int64_t FlightSeconds(const Fleet& f, double miles) {
  return static_cast<std::int64_t>(std::ceil(miles / f.cruise_mph * 3600.0));
}

double ChargeKwh(const Fleet& f, double soc, double seconds) {
  const double full = f.battery_kwh;
  const double knee = f.taper_fraction * full;
  const double rate = f.charger_kw / 3600.0;  // kWh per second at full power
  double t = seconds;
  if (soc < knee) {
    const double to_knee = (knee - soc) / rate;
    if (t <= to_knee) return soc + rate * t;
    soc = knee;
    t -= to_knee;
  }
  if (full <= knee) return std::min(full, soc);
  // Taper: d(soc)/dt = rate (full - soc) / (full - knee) => exponential.
  return full - (full - soc) * std::exp(-rate * t / (full - knee));
}

}  // namespace dispatchlab::uam
