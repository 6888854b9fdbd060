// The UAM fleet seen through env::Env: one decision per ready aircraft.
//
// Action space: V + 1 -- fly to vertiport v (v < V) or stay (V); the mask is
// the simulator's. action_nodes maps v to vertiport node v, stay to the
// deciding aircraft's vertiport.
//
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

// Writes UAM decision points as Observations (used by UamEnv and by learned
// policies observing an outside Simulator).
class UamObserver : public UamFeatures {
 public:
  explicit UamObserver(const uam::Scenario& scenario);
  void Init(Observation* obs) const;
  void Write(const uam::Simulator& sim, Observation* obs) const;

 private:
  const uam::Scenario* scenario_;
  double spread_ = 1;
};

class UamEnv final : public Env, public UamFeatures {
 public:
  // `scenario` must outlive the env.
  explicit UamEnv(const uam::Scenario& scenario);

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
