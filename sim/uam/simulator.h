// The UAM fleet simulator: one day of an electric aircraft fleet flying
// passengers between vertiports (DESIGN.md, domain B).
//
//   Reset(seed): passengers of every origin-destination pair are drawn for
//   the whole day (Poisson per slot), weather closures per corridor, and
//   per-flight take-off delays and downtime are keyed by (aircraft, flight
//   number) -- so two policies on one seed face the same uncertainty.
//
//   An aircraft that becomes ready at a vertiport makes a decision point:
//   fly to vertiport v (boarding up to `seats` waiting passengers for that
//   pair) or stay `stay_s` (charging if a charger is free). Masked: its own
//   vertiport, closed corridors, not enough energy above the reserve, no
//   stand free at the destination (stands are reserved at dispatch).
//
//   A flight: board -> take-off delay -> wait for the corridor's separation
//   slot and a pad (90 s movement) -> fly distance / cruise -> wait for a
//   landing pad (90 s) -> on a stand: turnaround, or downtime with some
//   probability -> ready again. Ready at or after the end of the day: the
//   aircraft parks for the night. Passengers still waiting at the end of the
//   day count as spilled.
//
// Time: integer seconds since midnight. Money: USD. Energy: kWh.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "sim/core/event_queue.h"
#include "sim/core/rng.h"
#include "sim/core/time.h"
#include "sim/uam/network.h"
#include "sim/uam/scenario.h"

namespace dispatchlab::uam {

enum class TimelineKind : std::uint8_t {
  kDepart, kArrive, kBoard, kChargeStart, kChargeEnd, kDown, kUp, kStay
};
const char* ToString(TimelineKind kind);

struct TimelineEvent {
  SimTime time_s = 0;
  int aircraft = 0;
  TimelineKind kind = TimelineKind::kStay;
  int vertiport = -1;
  int destination = -1;
  int passengers = 0;
  double soc_kwh = 0;
  // Money of this event, USD (recorded only; the sum over a day's timeline
  // is Kpis::profit()): board +fares of the boarded passengers, arrive
  // -(operating cost + landing fee) of the flight, charge_start -energy
  // cost of the charge; 0 for the other kinds.
  double usd = 0;
};

// A pad movement [start, start + pad_occupancy) at a vertiport, recorded for
// independent capacity checks.
struct PadMovement {
  int vertiport = 0;
  SimTime start = 0;
  bool takeoff = true;
};

struct Kpis {
  double revenue = 0, energy_cost = 0, operating_cost = 0, landing_fees = 0;
  double profit() const { return revenue - energy_cost - operating_cost - landing_fees; }
  std::int64_t passengers_arrived = 0, served = 0, spilled = 0, waiting = 0;
  int flights = 0, empty_flights = 0, stays = 0, charges = 0, downtimes = 0;
  double airborne_s = 0;
  double energy_charged_kwh = 0, energy_flown_kwh = 0;
  int decisions = 0;
  double load_factor = 0;   // served / (flights x seats)
  double utilisation = 0;   // airborne time / (aircraft x day length)
};

struct SimOptions {
  // Records timeline() (and nothing that changes a decision or a draw).
  bool record_timeline = true;
};

class Simulator {
 public:
  enum class AircraftState : std::uint8_t {
    kDeciding, kStaying, kCharging, kTaxi, kFlying, kTurnaround, kDown, kDone
  };

  // `scenario` must outlive the simulator and be valid (ValidateScenario).
  Simulator(const Scenario& scenario, SimOptions options = {});

  void Reset(std::uint64_t seed);
  // Runs events until an aircraft must decide (true) or the day is over.
  bool AdvanceToDecision();
  // Applies action a in [0, V]: a < V flies to vertiport a, a == V stays.
  void Apply(int action);

  int num_actions() const { return network_.size() + 1; }
  int stay_action() const { return network_.size(); }
  int deciding_aircraft() const { return deciding_; }
  std::span<const std::uint8_t> mask() const { return mask_; }
  bool done() const { return done_; }

  const Scenario& scenario() const { return *scenario_; }
  const Network& network() const { return network_; }
  SimTime now() const { return now_; }
  std::uint64_t seed() const { return seed_; }
  const Kpis& kpis() const { return kpis_; }
  const std::vector<TimelineEvent>& timeline() const { return timeline_; }
  const std::vector<PadMovement>& pad_movements() const { return pad_moves_; }
  // (departure time, corridor) of every flight, for separation checks.
  const std::vector<std::pair<SimTime, int>>& departures() const { return departures_; }

  // --- state, for policies and observations --------------------------------
  AircraftState aircraft_state(int a) const { return aircraft_[a].state; }
  int aircraft_vertiport(int a) const { return aircraft_[a].vertiport; }  // or destination
  double soc_kwh(int a) const { return aircraft_[a].soc; }
  int aircraft_decisions(int a) const { return aircraft_[a].decisions; }
  SimTime aircraft_busy_until(int a) const { return aircraft_[a].busy_until; }
  double reserve_kwh() const { return reserve_kwh_; }
  int parked(int v) const { return ports_[v].parked; }
  int inbound(int v) const { return ports_[v].inbound; }
  int chargers_in_use(int v) const { return ports_[v].chargers_in_use; }
  int waiting(int from, int to) const;  // passengers waiting now for the pair
  // Passengers waiting now at v for any destination / anywhere for v.
  int waiting_from(int v) const { return waiting_from_[v]; }
  int waiting_to(int v) const { return waiting_to_[v]; }
  std::int64_t total_waiting() const;
  // The whole day's passenger arrival times of the pair (seconds, sorted),
  // drawn at Reset; passengers board in this order (longest waiting first).
  const std::vector<SimTime>& demand_arrivals(int from, int to) const {
    return od_[network_.corridor(from, to)].arrivals;
  }
  // Weather closures [start, end) of the corridor, drawn at Reset.
  const std::vector<std::pair<SimTime, SimTime>>& closures(int from, int to) const {
    return closures_[network_.corridor(from, to)];
  }
  bool corridor_closed(int from, int to, SimTime t) const;
  double Fare(int from, int to, SimTime t) const;
  double ElectricityPrice(SimTime t) const;
  // Forecast: expected passengers per hour for the pair at time t.
  double DemandRatePerHour(int from, int to, double t_s) const;
  // The same in two steps, for many pairs at one time: the demand's time
  // profile at t (the weights of the two peaks), then any pair's rate at
  // it. Bit-identical to DemandRatePerHour(from, to, t_s).
  struct DemandClock {
    double morning = 0, evening = 0;
  };
  DemandClock DemandClockAt(double t_s) const;
  double DemandRatePerHour(int from, int to, const DemandClock& clock) const;

  // --- for planners -----------------------------------------------------------
  // Replaces everything this episode has not revealed by time `from` (>=
  // now) with a fresh draw from the scenario's distributions under
  // `sample_seed`: passenger arrivals after `from`, weather closures that
  // start after `from`, and the keyed take-off delay and downtime draws of
  // every future flight. What the dispatcher could see at `from` (who is
  // waiting, closures already in force, aircraft states) is kept. An online
  // planner calls it on a copy of the simulator (the copy is a plain value)
  // so it never looks at the episode's own future; a clairvoyant ceiling
  // simply copies. A later call replaces an earlier one's keyed draws.
  void ResampleFuture(std::uint64_t sample_seed, SimTime from);
  // A copy for look-ahead: same state and future, no observer, and no
  // timeline recording (it does not change the dynamics).
  Simulator Fork() const;

  // Called after every processed event and every applied action (tests).
  using Observer = std::function<void(const Simulator&)>;
  void set_observer(Observer o) { observer_ = std::move(o); }

 private:
  enum class EventKind : std::uint8_t { kDepart, kArriveAirspace, kLand, kChargeEnd, kUp, kReady };
  struct EventData {
    EventKind kind;
    int aircraft;
  };
  struct AircraftData {
    AircraftState state = AircraftState::kTurnaround;
    int vertiport = 0;      // where it is, or where it flies to
    int origin = 0;         // of the current flight
    double soc = 0;
    int flights = 0;        // flight number, keys delay/downtime draws
    int decisions = 0;
    int passengers = 0;     // on board
    double pending_soc = 0; // after the current charge
    SimTime departed_at = 0;
    SimTime busy_until = 0; // when it will be ready (estimate)
    double flight_cost = 0; // operating + landing of the current flight (timeline only)
  };
  struct PortData {
    int parked = 0, inbound = 0, chargers_in_use = 0;
    std::vector<std::vector<std::pair<SimTime, SimTime>>> pad_busy;  // per pad
  };
  struct OdQueue {
    std::vector<SimTime> arrivals;  // sorted, whole day
    std::size_t next = 0;           // first not yet arrived
    std::size_t front = 0;          // first still waiting
  };

  void ProcessEvent(const EventData& e);
  void SyncDemand(SimTime t);
  void ComputeMask();
  SimTime ReservePad(int v, SimTime earliest);
  void Record(int a, TimelineKind kind, int v, int dest, int pax, double usd = 0);
  void Fly(int a, int dest);
  void Stay(int a);
  void FinishDay();
  int Hour(SimTime t) const;

  const Scenario* scenario_;
  SimOptions options_;
  Network network_;
  double reserve_kwh_;
  std::uint64_t seed_ = 0;
  // After ResampleFuture: keyed draws of events after resample_from_ use
  // resample_seed_ instead of seed_.
  std::uint64_t resample_seed_ = 0;
  SimTime resample_from_ = kTimeInfinity;
  std::uint64_t DrawSeed() const { return now_ > resample_from_ ? resample_seed_ : seed_; }
  SimTime now_ = 0;
  bool done_ = false;
  int deciding_ = -1;
  int active_aircraft_ = 0;
  EventQueue<EventData> queue_;
  std::vector<AircraftData> aircraft_;
  std::vector<PortData> ports_;
  std::vector<OdQueue> od_;                         // V x V
  // When each pair queue changes next (an arrival or a spill), as a min-heap
  // with one entry per queue that still changes: SyncDemand touches only
  // the queues that change instead of scanning all V^2. Boarding only delays
  // a queue's next spill, so an entry may be early (it is then re-pushed),
  // never late. Reset and ResampleFuture rebuild it.
  std::vector<std::pair<SimTime, int>> demand_heap_;
  void RebuildDemandHeap();
  SimTime NextDemandChange(const OdQueue& q) const;
  std::vector<int> waiting_from_, waiting_to_;      // per vertiport
  std::vector<std::vector<std::pair<SimTime, SimTime>>> closures_;  // per corridor
  std::vector<SimTime> last_departure_;             // per corridor
  std::vector<std::uint8_t> mask_;
  std::vector<double> pair_multiplier_;             // V x V
  Kpis kpis_;
  std::vector<TimelineEvent> timeline_;
  std::vector<PadMovement> pad_moves_;
  std::vector<std::pair<SimTime, int>> departures_;
  Observer observer_;
};

// The decision interface for UAM; the simulator never depends on policies.
class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string name() const = 0;
  virtual void Reset(const Simulator& /*sim*/) {}
  // Returns a legal action (mask()[a] == 1) for sim.deciding_aircraft().
  virtual int Choose(const Simulator& sim) = 0;
};

struct EpisodeResult {
  Kpis kpis;
  std::vector<TimelineEvent> timeline;
  double policy_seconds = 0;  // wall time inside Choose (set by callers)
};

// A pure function of (scenario, seed, policy).
EpisodeResult RunEpisode(const Scenario& scenario, std::uint64_t seed, Policy& policy,
                         SimOptions options = {});

}  // namespace dispatchlab::uam
