// Qt-free model of a UAM day for the map and the fleet timeline: the
// timeline events folded into per-aircraft segments (flight, charging,
// staying, down) with their energy and money, aircraft positions and charge
// at any time, per-vertiport occupancy (pads, chargers, stands) and the
// waiting passengers, running profit, served and spilled over the day.
//
//   timeline (simulator) --BuildFleet--> FleetData --PositionsAt/SocAt-->
//   demand arrivals (simulator, drawn at Reset) + timeline --BuildDemand-->
//   DemandData --WaitingAt/ProfitAt/...--> PortsAt (with FleetData)
//
// Every number is the simulator's own: counts follow its event order
// (a departure frees its stand at take-off, a landing takes one when the
// aircraft reaches the stand; passengers arrive at their drawn time, leave
// after `patience_s` and board longest-waiting first), money is the sum of
// the events' recorded USD.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "sim/core/time.h"
#include "sim/uam/scenario.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::gui {

enum class SegmentKind { kFlight, kCharge, kStay, kDown };

struct FleetSegment {
  SegmentKind kind = SegmentKind::kStay;
  SimTime start = 0, end = 0;  // flight: take-off pad to landing on the stand
  int from = -1, to = -1;      // vertiports (flight: origin, destination)
  int passengers = 0;
  double energy_kwh = 0;   // flight: used; charge: charged
  double revenue_usd = 0;  // flight: fares of its passengers
  double cost_usd = 0;     // flight: operating + landing fee; charge: energy
  double margin_usd() const { return revenue_usd - cost_usd; }
};

struct FleetData {
  int aircraft = 0;
  SimTime day_start = 0, day_end = 0;
  SimTime pad_occupancy = 90;  // seconds per pad movement
  double battery_kwh = 1;
  std::vector<std::vector<FleetSegment>> segments;  // per aircraft, by start
  std::vector<int> initial_vertiport;
  // Per aircraft, (time, state of charge kWh) points; linear in between
  // (falls during a flight, rises during a charge, flat on the ground).
  std::vector<std::vector<std::pair<SimTime, double>>> soc;
  // Per aircraft, airborne seconds (take-off to touchdown, as the
  // simulator's Kpis::airborne_s) / day length.
  std::vector<double> utilisation;
};

FleetData BuildFleet(const uam::Scenario& scenario,
                     const std::vector<uam::TimelineEvent>& timeline);

struct AircraftPosition {
  double x_mi = 0, y_mi = 0;
  bool flying = false;
  int vertiport = -1;  // when on the ground
  int from = -1, to = -1;  // when flying
  int passengers = 0;
  double soc_kwh = 0;
};

// Position of every aircraft at time t (linear along a flight).
std::vector<AircraftPosition> PositionsAt(const uam::Scenario& scenario, const FleetData& f,
                                          SimTime t);
double SocAt(const FleetData& f, int aircraft, SimTime t);

// A step function of time: value(t) = value of the last point with time <= t
// (0 before the first).
struct StepSeries {
  std::vector<SimTime> t;
  std::vector<double> v;
  double At(SimTime time) const;
  double Max() const;
};

struct DemandData {
  int vertiports = 0;
  std::vector<StepSeries> waiting;  // per origin vertiport
  StepSeries waiting_total;
  StepSeries served, spilled, profit;  // cumulative
  std::int64_t arrived = 0;
  // Per pair (from * V + to): waiting passengers, for WaitingAt(pair).
  std::vector<StepSeries> waiting_pair;
};

// `arrivals[from * V + to]`: Simulator::demand_arrivals of the run's seed.
DemandData BuildDemand(const uam::Scenario& scenario,
                       const std::vector<std::vector<SimTime>>& arrivals,
                       const std::vector<uam::TimelineEvent>& timeline);
int WaitingAt(const DemandData& d, int vertiport, SimTime t);
int WaitingAt(const DemandData& d, int from, int to, SimTime t);

struct PortState {
  int waiting = 0;
  int parked = 0, stands = 0;
  int chargers_in_use = 0, chargers = 0;
  int pads_busy = 0, pads = 0;
};

// Occupancy of every vertiport at time t.
std::vector<PortState> PortsAt(const uam::Scenario& scenario, const FleetData& f,
                               const DemandData& d, SimTime t);

}  // namespace dispatchlab::gui

namespace dispatchlab::gui {

// Everything the UAM views draw for one run, built once.
struct UamDay {
  std::shared_ptr<const uam::Scenario> scenario;
  FleetData fleet;
  DemandData demand;
  // Per pair (from * V + to): weather closures [start, end).
  std::vector<std::vector<std::pair<SimTime, SimTime>>> closures;
  uam::Kpis kpis;
};

UamDay BuildUamDay(std::shared_ptr<const uam::Scenario> scenario,
                   const std::vector<uam::TimelineEvent>& timeline,
                   const std::vector<std::vector<SimTime>>& arrivals,
                   std::vector<std::vector<std::pair<SimTime, SimTime>>> closures,
                   const uam::Kpis& kpis);
bool ClosedAt(const UamDay& day, int from, int to, SimTime t);

}  // namespace dispatchlab::gui
