// The vertiport network: vertiports as vertices, straight-line directed
// corridors between every pair as edges (Boost.Graph), with distance and an
// index into per-corridor state (closures, separation). A dense distance
// table mirrors the graph for O(1) look-ups on the hot path.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <vector>

#include "sim/uam/scenario.h"

namespace dispatchlab::uam {

struct Corridor {
  int id = 0;           // origin * V + destination
  double distance_mi = 0;
};

using NetworkGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS,
                          boost::no_property, Corridor>;

class Network {
 public:
  explicit Network(const Scenario& scenario);

  int size() const { return n_; }
  const NetworkGraph& graph() const { return graph_; }
  double distance(int from, int to) const { return dist_[from * n_ + to]; }
  static int CorridorId(int from, int to, int n) { return from * n + to; }
  int corridor(int from, int to) const { return from * n_ + to; }

  // Corridors an aircraft with a full usable battery can fly (energy with
  // reserve), as a subgraph; used to refuse layouts where nobody can fly.
  int FlyableCorridors(const Fleet& fleet) const;

 private:
  int n_;
  NetworkGraph graph_;
  std::vector<double> dist_;
};

// Energy of one flight: cycle + per-mile consumption (kWh).
inline double FlightEnergyKwh(const Fleet& f, double miles) {
  return f.cycle_kwh + f.kwh_per_mile * miles;
}
// Flight time in seconds (rounded up to whole seconds).
std::int64_t FlightSeconds(const Fleet& f, double miles);
// State of charge after charging `seconds` from `soc_kwh` at the tapered
// rate: full charger power up to taper_fraction, then linear to 0 at full.
double ChargeKwh(const Fleet& f, double soc_kwh, double seconds);

}  // namespace dispatchlab::uam
