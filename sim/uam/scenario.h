// A UAM scenario: one day of operation of an electric aircraft fleet over a
// network of vertiports. Plain data with the DESIGN.md defaults (the
// published 8-vertiport / 40-aircraft test size); every number is a
// parameter. Units: miles, seconds (time of day in seconds since midnight),
// kWh, kW, USD, mph.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/status.h"

namespace dispatchlab::uam {

enum class VertiportKind { kHub, kResidential };

struct Vertiport {
  std::string name;
  VertiportKind kind = VertiportKind::kResidential;
  double x_mi = 0, y_mi = 0;
  int pads = 2;                // take-off/landing pads
  int stands = 8;              // parking stands
  int chargers = 4;            // stands with chargers (<= stands)
  double takeoff_delay_mean_s = 120;  // mean of the log-normal delay
};

struct Fleet {
  int aircraft = 40;
  int seats = 4;
  double cruise_mph = 150;
  double battery_kwh = 160;
  double cycle_kwh = 15;        // per take-off + landing
  double kwh_per_mile = 1.1;
  double reserve_fraction = 0.2;  // never used
  double charger_kw = 150;
  double taper_fraction = 0.8;  // full power up to here, then linear to 0 at 1
  double turnaround_s = 360;    // boarding / turnaround after landing
  double initial_soc_fraction = 1.0;
};

struct Operations {
  std::int64_t day_start_s = 6 * 3600;
  std::int64_t day_end_s = 22 * 3600;
  std::int64_t pad_occupancy_s = 90;  // per movement
  std::int64_t separation_s = 120;    // departures per corridor
  std::int64_t stay_s = 900;          // the "stay" action
  std::int64_t patience_s = 1800;     // passengers leave after this
};

// Passengers per origin-destination pair arrive as a Poisson process whose
// hourly rate is base_rate_per_hour x level x the profile of the pair type
// at that time (evaluated per slot): residential -> hub peaks in the
// morning, hub -> residential in the evening, hub <-> hub at both.
struct Demand {
  std::int64_t slot_s = 900;
  double base_rate_per_hour = 2.0;
  double level = 1.0;
  double morning_peak_h = 8.0;
  double evening_peak_h = 17.5;
  double peak_width_h = 1.25;
  double peak_factor = 3.0;      // extra rate at the peak, toward the peak's direction
  double residential_pair_factor = 0.25;  // residential <-> residential
  // Optional per-pair scaling of the rate (e.g. an airport link).
  struct PairMultiplier {
    int from = 0, to = 0;
    double multiplier = 1.0;
  };
  std::vector<PairMultiplier> pairs;
};

struct Prices {
  double base_fare = 15;
  double fare_per_mile = 2.5;
  // Surge factor per hour of day (24 entries), electricity USD/kWh per hour.
  std::vector<double> surge_by_hour;
  std::vector<double> electricity_by_hour;
  double flight_hour_cost = 300;
  double landing_fee = 30;
};

struct Uncertainty {
  bool takeoff_delay = true;   // log-normal per vertiport mean
  double takeoff_delay_sigma = 0.5;
  bool weather = true;         // corridor closures
  double closure_probability_per_slot = 0.01;  // per corridor and 15-min slot
  std::int64_t closure_min_s = 1800, closure_max_s = 5400;
  bool downtime = true;        // aircraft downtime after a flight
  double downtime_probability = 0.01;
  std::int64_t downtime_min_s = 3600, downtime_max_s = 10800;

  void SetAll(bool on) { takeoff_delay = weather = downtime = on; }
};

struct Scenario {
  std::string name = "default";
  std::vector<Vertiport> vertiports;
  Fleet fleet;
  Operations ops;
  Demand demand;
  Prices prices;
  Uncertainty uncertainty;
  // Initial vertiport of each aircraft; empty = round-robin over vertiports.
  std::vector<int> initial_vertiport;

  int num_vertiports() const { return static_cast<int>(vertiports.size()); }
};

// Default price curves (24 hourly entries).
std::vector<double> DefaultSurgeByHour();
std::vector<double> DefaultElectricityByHour();

// The default scenario: 3 downtown hubs and 5 residential vertiports in a
// 50 x 50 mile area, 40 aircraft.
Scenario DefaultScenario();

// Checks every field; the error names it ("vertiports[2].stands: ...").
// Also refuses a layout where no corridor is within range.
Status ValidateScenario(const Scenario& s);

struct GeneratorOptions {
  int vertiports = 8;
  int aircraft = 40;
  double demand_level = 1.0;
  double spread_mi = 50;   // side of the square area
  std::uint64_t seed = 0;
};
// Random layout (about 3/8 hubs near the centre, the rest residential
// around), fleet size and demand level; seeded. Errors on bad options.
Result<Scenario> GenerateScenario(const GeneratorOptions& o);

}  // namespace dispatchlab::uam
