// Qt-free model of a UAM day for the map and the fleet timeline: the
// timeline events folded into per-aircraft segments (flight, charging,
// staying, down), and aircraft positions at any time of the day.
#pragma once

#include <vector>

#include "sim/core/time.h"
#include "sim/uam/scenario.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::gui {

enum class SegmentKind { kFlight, kCharge, kStay, kDown };

struct FleetSegment {
  SegmentKind kind = SegmentKind::kStay;
  SimTime start = 0, end = 0;
  int from = -1, to = -1;  // vertiports (flight: origin, destination)
  int passengers = 0;
};

struct FleetData {
  int aircraft = 0;
  SimTime day_start = 0, day_end = 0;
  std::vector<std::vector<FleetSegment>> segments;  // per aircraft, by start
  std::vector<int> initial_vertiport;
};

FleetData BuildFleet(const uam::Scenario& scenario,
                     const std::vector<uam::TimelineEvent>& timeline);

struct AircraftPosition {
  double x_mi = 0, y_mi = 0;
  bool flying = false;
  int vertiport = -1;  // when on the ground
  int passengers = 0;
};

// Position of every aircraft at time t (linear along a flight).
std::vector<AircraftPosition> PositionsAt(const uam::Scenario& scenario, const FleetData& f,
                                          SimTime t);

}  // namespace dispatchlab::gui
