// The UAM fleet seen through env::Env: one decision per ready aircraft.
//
// Two observation layouts ("feature versions"; a trained network records
// its version and its policy observes with it, weights files without one
// are version 1):
//   1  the whole network at every decision: every vertiport, every
//      aircraft, all V(V-1) corridors. Its cost grows with V^2 + A per
//      decision (73 s per simulated day at 64 vertiports / 400 aircraft).
//   2  (current) local: every vertiport, but only the corridors that touch
//      the deciding aircraft's vertiport (out and in) plus each vertiport's
//      3 nearest neighbours, and no aircraft nodes (the fleet is summarised
//      per vertiport). O(V) edges; the query node is the deciding
//      aircraft's vertiport.
//
// Action space: V + 1 -- fly to vertiport v (v < V) or stay (V); the mask is
// the simulator's. action_nodes maps v to vertiport node v, stay to the
// deciding aircraft's vertiport.
//
// Version 1 (version 2 differences below):
// Node sets:
//   0 "vertiport" (V)  kind, position, stands/chargers/pads state, waiting
//                      passengers from and to it, is-current
//   1 "aircraft"  (A)  state of charge, state one-hot, time to ready,
//                      is-deciding
//   2 "forecast"  (H)  the next H demand slots seen from the deciding
//                      aircraft's vertiport: expected departures from and
//                      arrivals to it, surge, electricity price, hour
// Edge sets:
//   "corridor"     vertiport -> vertiport, features: distance, closed now,
//                  waiting passengers, fare now, expected rate next hour
//   "located"      aircraft -> vertiport (where it is or flies to)
//   "hosts"        vertiport -> aircraft
// Action features: corridor features (here -> v), immediate margin, is-stay. Query node: the
// deciding aircraft.
// Version 2: node sets 0 "vertiport" (V; version 1's features plus the mean
// state of charge of the aircraft on the ground there, aircraft ready there
// within 15 minutes, distance from the deciding aircraft's vertiport) and
// 1 "forecast"; one edge set "corridor" (here -> w, w -> here, and the
// 3-nearest-neighbour edges w -> v, same features); query node: the
// deciding aircraft's vertiport (set 0). Globals and actions as version 1.
// Reward: profit earned between two decisions, in thousands of USD; an
// episode's return is the day's profit / 1000.
#pragma once

#include "sim/env/env.h"
#include "sim/uam/simulator.h"

namespace dispatchlab::env {

struct UamFeatures {
  enum VertiportFeature {
    kVpHub, kVpX, kVpY, kVpParked, kVpInbound, kVpChargersFree, kVpPads,
    kVpWaitingFrom, kVpWaitingTo, kVpCurrent, kVertiportFeatureCount
  };
  // Version 2 appends these to the vertiport features.
  enum LocalVertiportFeature {
    kVpSocGround = kVertiportFeatureCount, kVpReadySoon, kVpDistanceHere, kLocalVertiportFeatureCount
  };
  static constexpr int kNearest = 3;
  enum AircraftFeature {
    kAcSoc, kAcStateFirst, kAcStateLast = kAcStateFirst + 7, kAcTimeToReady,
    kAcDeciding, kAircraftFeatureCount
  };
  enum ForecastFeature {
    kFcFrom, kFcTo, kFcSurge, kFcPrice, kFcHourSin, kFcHourCos, kForecastFeatureCount
  };
  enum CorridorFeature {
    kCoDistance, kCoClosed, kCoWaiting, kCoFare, kCoRate, kCorridorFeatureCount
  };
  // Action features: the corridor features from the deciding aircraft's
  // vertiport to the destination, the immediate margin of the flight (the
  // greedy baseline's score, USD / 100), then an is-stay flag.
  static constexpr int kActionMargin = kCorridorFeatureCount;
  static constexpr int kActionIsStay = kCorridorFeatureCount + 1;
  static constexpr int kActionFeatureCount = kCorridorFeatureCount + 2;
  static constexpr int kForecastSlots = 8;
};

inline constexpr int kUamFeaturesCurrent = 2;

// Writes UAM decision points as Observations (used by UamEnv and by learned
// policies observing an outside Simulator).
class UamObserver : public UamFeatures {
 public:
  explicit UamObserver(const uam::Scenario& scenario, int features = kUamFeaturesCurrent);
  void Init(Observation* obs) const;
  void Write(const uam::Simulator& sim, Observation* obs) const;
  int features() const { return features_; }

 private:
  void WriteLocal(const uam::Simulator& sim, Observation* obs) const;
  void WriteVertiports(const uam::Simulator& sim, int here, int deciding, NodeSet* vp) const;
  void WriteForecast(const uam::Simulator& sim, int here, NodeSet* fc) const;
  void WriteActions(const uam::Simulator& sim, int here, const EdgeSet& co,
                    Observation* obs) const;

  const uam::Scenario* scenario_;
  int features_;
  double spread_ = 1;
  std::vector<int> nearest_;  // version 2: kNearest per vertiport, row-major
};

class UamEnv final : public Env, public UamFeatures {
 public:
  // `scenario` must outlive the env.
  explicit UamEnv(const uam::Scenario& scenario, int features = kUamFeaturesCurrent);

  int num_actions() const override { return sim_.num_actions(); }
  const Observation& observation() const override { return obs_; }
  bool done() const override { return sim_.done(); }
  const uam::Simulator& simulator() const { return sim_; }

 protected:
  void DoReset(std::uint64_t seed) override;
  StepResult DoStep(int action) override;

 private:
  uam::Simulator sim_;
  UamObserver observer_;
  Observation obs_;
};

}  // namespace dispatchlab::env
