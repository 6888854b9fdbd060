#include "sim/uam/scenario.h"

#include <fmt/format.h>

#include <cmath>

#include "sim/core/rng.h"
#include "sim/core/text.h"
#include "sim/uam/network.h"

namespace dispatchlab::uam {

std::vector<double> DefaultSurgeByHour() {
  //  0    1    2    3    4    5    6    7    8    9    10   11
  return {0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 1.1, 1.4, 1.5, 1.2, 1.0, 1.0,
  //  12   13   14   15   16   17   18   19   20   21   22   23
          1.0, 1.0, 1.0, 1.1, 1.3, 1.5, 1.4, 1.1, 1.0, 0.9, 0.8, 0.8};
}

std::vector<double> DefaultElectricityByHour() {
  return {0.12, 0.12, 0.12, 0.12, 0.12, 0.14, 0.18, 0.24, 0.26, 0.22, 0.20, 0.20,
          0.20, 0.20, 0.20, 0.22, 0.26, 0.30, 0.30, 0.28, 0.22, 0.18, 0.14, 0.12};
}

Scenario DefaultScenario() {
  Scenario s;
  s.name = "default";
  // 3 downtown hubs near the centre of a 50 x 50 mile area, 5 residential
  // vertiports around them.
  const struct {
    const char* name;
    VertiportKind kind;
    double x, y, delay_min;
  } kPorts[] = {
      {"Downtown", VertiportKind::kHub, 25, 25, 3},
      {"Midtown", VertiportKind::kHub, 29, 31, 2.5},
      {"Harbor", VertiportKind::kHub, 20, 21, 2},
      {"Northfield", VertiportKind::kResidential, 22, 46, 1},
      {"Eastbrook", VertiportKind::kResidential, 47, 30, 0.5},
      {"Southgate", VertiportKind::kResidential, 30, 4, 1},
      {"Westwood", VertiportKind::kResidential, 4, 27, 0.5},
      {"Lakeside", VertiportKind::kResidential, 43, 8, 0},
  };
  for (const auto& p : kPorts) {
    Vertiport v;
    v.name = p.name;
    v.kind = p.kind;
    v.x_mi = p.x;
    v.y_mi = p.y;
    v.takeoff_delay_mean_s = p.delay_min * 60;
    s.vertiports.push_back(v);
  }
  s.prices.surge_by_hour = DefaultSurgeByHour();
  s.prices.electricity_by_hour = DefaultElectricityByHour();
  return s;
}

namespace {
Error FieldError(const std::string& field, const std::string& what) {
  return Error{fmt::format("{}: {}", field, what)};
}
}  // namespace

Status ValidateScenario(const Scenario& s) {
  // Size and magnitude limits keep every derived quantity (corridors n^2,
  // stands, ticks from seconds) far from overflow and allocation blow-ups.
  constexpr int kMaxVertiports = 256, kMaxPads = 1000, kMaxStands = 10000;
  constexpr int kMaxAircraft = 100000, kMaxSeats = 1000;
  constexpr double kMaxCoordMi = 10000, kMaxDurationS = 48 * 3600;
  const int n = s.num_vertiports();
  if (n < 2) return FieldError("vertiports", fmt::format("need at least 2, found {}", n));
  if (n > kMaxVertiports)
    return FieldError("vertiports", fmt::format("at most {} vertiports, found {}",
                                                kMaxVertiports, n));
  for (int i = 0; i < n; ++i) {
    const Vertiport& v = s.vertiports[i];
    const std::string f = fmt::format("vertiports[{}]", i);
    if (v.name.empty()) return FieldError(f + ".name", "must not be empty");
    for (int j = 0; j < i; ++j)
      if (s.vertiports[j].name == v.name)
        return FieldError(f + ".name", fmt::format("duplicate name '{}'", PrintableToken(v.name)));
    if (v.pads < 1 || v.pads > kMaxPads)
      return FieldError(f + ".pads",
                        fmt::format("must be in [1, {}], found {}", kMaxPads, v.pads));
    if (v.stands < 1 || v.stands > kMaxStands)
      return FieldError(f + ".stands",
                        fmt::format("must be in [1, {}], found {}", kMaxStands, v.stands));
    if (v.chargers < 0 || v.chargers > v.stands)
      return FieldError(f + ".chargers",
                        fmt::format("must be in [0, stands = {}], found {}", v.stands, v.chargers));
    if (!(v.takeoff_delay_mean_s >= 0 && v.takeoff_delay_mean_s <= kMaxDurationS))
      return FieldError(f + ".takeoff_delay_mean_s",
                        fmt::format("must be in [0, {}]", kMaxDurationS));
    if (!(std::abs(v.x_mi) <= kMaxCoordMi && std::abs(v.y_mi) <= kMaxCoordMi))
      return FieldError(f, fmt::format("coordinates must be finite and at most {} miles "
                                       "from the origin",
                                       kMaxCoordMi));
  }
  const Fleet& fl = s.fleet;
  if (fl.aircraft < 1 || fl.aircraft > kMaxAircraft)
    return FieldError("fleet.aircraft", fmt::format("must be in [1, {}], found {}",
                                                    kMaxAircraft, fl.aircraft));
  if (fl.seats < 1 || fl.seats > kMaxSeats)
    return FieldError("fleet.seats", fmt::format("must be in [1, {}], found {}", kMaxSeats,
                                                 fl.seats));
  if (!(fl.cruise_mph >= 1 && fl.cruise_mph <= 100000))
    return FieldError("fleet.cruise_mph", "must be in [1, 100000]");
  if (!(fl.battery_kwh > 0)) return FieldError("fleet.battery_kwh", "must be > 0");
  if (!(fl.cycle_kwh >= 0)) return FieldError("fleet.cycle_kwh", "must be >= 0");
  if (!(fl.kwh_per_mile > 0)) return FieldError("fleet.kwh_per_mile", "must be > 0");
  if (!(fl.reserve_fraction >= 0 && fl.reserve_fraction < 1))
    return FieldError("fleet.reserve_fraction", "must be in [0, 1)");
  if (!(fl.charger_kw > 0)) return FieldError("fleet.charger_kw", "must be > 0");
  if (!(fl.taper_fraction > 0 && fl.taper_fraction <= 1))
    return FieldError("fleet.taper_fraction", "must be in (0, 1]");
  if (!(fl.turnaround_s >= 0 && fl.turnaround_s <= kMaxDurationS))
    return FieldError("fleet.turnaround_s", fmt::format("must be in [0, {}]", kMaxDurationS));
  if (!(fl.initial_soc_fraction > fl.reserve_fraction && fl.initial_soc_fraction <= 1))
    return FieldError("fleet.initial_soc_fraction", "must be in (reserve_fraction, 1]");
  std::int64_t stands = 0;
  for (const auto& v : s.vertiports) stands += v.stands;
  if (fl.aircraft > stands)
    return FieldError("fleet.aircraft", fmt::format("{} aircraft but only {} parking stands "
                                                    "in the network",
                                                    fl.aircraft, stands));
  const Operations& o = s.ops;
  if (o.day_start_s < 0 || o.day_end_s <= o.day_start_s || o.day_end_s > 48 * 3600)
    return FieldError("operations", "need 0 <= day_start_s < day_end_s <= 172800");
  const auto in_day = [&](std::int64_t x, std::int64_t lo) {
    return x >= lo && x <= static_cast<std::int64_t>(kMaxDurationS);
  };
  const std::string day_range = fmt::format(", at most {}", kMaxDurationS);
  if (!in_day(o.pad_occupancy_s, 0))
    return FieldError("operations.pad_occupancy_s", "must be >= 0" + day_range);
  if (!in_day(o.separation_s, 0))
    return FieldError("operations.separation_s", "must be >= 0" + day_range);
  if (!in_day(o.stay_s, 1)) return FieldError("operations.stay_s", "must be >= 1" + day_range);
  if (!in_day(o.patience_s, 0))
    return FieldError("operations.patience_s", "must be >= 0" + day_range);
  const Demand& d = s.demand;
  if (!in_day(d.slot_s, 60)) return FieldError("demand.slot_s", "must be >= 60" + day_range);
  if (!(d.morning_peak_h >= -48 && d.morning_peak_h <= 48))
    return FieldError("demand.morning_peak_h", "must be in [-48, 48]");
  if (!(d.evening_peak_h >= -48 && d.evening_peak_h <= 48))
    return FieldError("demand.evening_peak_h", "must be in [-48, 48]");
  // Demand is bounded so a day's passengers fit in memory.
  if (!(d.base_rate_per_hour >= 0 && d.base_rate_per_hour <= 10000))
    return FieldError("demand.base_rate_per_hour", "must be in [0, 10000]");
  if (!(d.level >= 0 && d.level <= 100)) return FieldError("demand.level", "must be in [0, 100]");
  if (!(d.peak_width_h > 0)) return FieldError("demand.peak_width_h", "must be > 0");
  if (!(d.peak_factor >= 0 && d.peak_factor <= 100))
    return FieldError("demand.peak_factor", "must be in [0, 100]");
  if (!(d.residential_pair_factor >= 0 && d.residential_pair_factor <= 100))
    return FieldError("demand.residential_pair_factor", "must be in [0, 100]");
  for (std::size_t i = 0; i < d.pairs.size(); ++i) {
    const auto& pm = d.pairs[i];
    const std::string f = fmt::format("demand.pairs[{}]", i);
    if (pm.from < 0 || pm.from >= n) return FieldError(f + ".from", "unknown vertiport");
    if (pm.to < 0 || pm.to >= n) return FieldError(f + ".to", "unknown vertiport");
    if (pm.from == pm.to) return FieldError(f, "from and to must differ");
    if (!(pm.multiplier >= 0 && pm.multiplier <= 100))
      return FieldError(f + ".multiplier", "must be in [0, 100]");
  }
  const Prices& p = s.prices;
  if (p.surge_by_hour.size() != 24)
    return FieldError("prices.surge_by_hour", fmt::format("needs 24 entries, found {}",
                                                          p.surge_by_hour.size()));
  if (p.electricity_by_hour.size() != 24)
    return FieldError("prices.electricity_by_hour",
                      fmt::format("needs 24 entries, found {}", p.electricity_by_hour.size()));
  for (double x : p.surge_by_hour)
    if (!(x >= 0)) return FieldError("prices.surge_by_hour", "entries must be >= 0");
  for (double x : p.electricity_by_hour)
    if (!(x >= 0)) return FieldError("prices.electricity_by_hour", "entries must be >= 0");
  if (!(p.base_fare >= 0 && p.fare_per_mile >= 0 && p.flight_hour_cost >= 0 &&
        p.landing_fee >= 0))
    return FieldError("prices", "fares and costs must be >= 0");
  const Uncertainty& u = s.uncertainty;
  if (!(u.closure_probability_per_slot >= 0 && u.closure_probability_per_slot <= 1))
    return FieldError("uncertainty.closure_probability_per_slot", "must be in [0, 1]");
  if (!(u.downtime_probability >= 0 && u.downtime_probability <= 1))
    return FieldError("uncertainty.downtime_probability", "must be in [0, 1]");
  if (u.closure_min_s < 0 || u.closure_max_s < u.closure_min_s || !in_day(u.closure_max_s, 0))
    return FieldError("uncertainty.closure_min_s",
                      "need 0 <= closure_min_s <= closure_max_s" + day_range);
  if (u.downtime_min_s < 0 || u.downtime_max_s < u.downtime_min_s || !in_day(u.downtime_max_s, 0))
    return FieldError("uncertainty.downtime_min_s",
                      "need 0 <= downtime_min_s <= downtime_max_s" + day_range);
  if (!(u.takeoff_delay_sigma >= 0 && u.takeoff_delay_sigma <= 5))
    return FieldError("uncertainty.takeoff_delay_sigma", "must be in [0, 5]");
  if (!s.initial_vertiport.empty()) {
    if (static_cast<int>(s.initial_vertiport.size()) != fl.aircraft)
      return FieldError("initial_vertiport",
                        fmt::format("needs one entry per aircraft ({}), found {}", fl.aircraft,
                                    s.initial_vertiport.size()));
    std::vector<int> used(n, 0);
    for (std::size_t a = 0; a < s.initial_vertiport.size(); ++a) {
      const int v = s.initial_vertiport[a];
      if (v < 0 || v >= n)
        return FieldError(fmt::format("initial_vertiport[{}]", a),
                          fmt::format("unknown vertiport {}", v));
      if (++used[v] > s.vertiports[v].stands)
        return FieldError(fmt::format("initial_vertiport[{}]", a),
                          fmt::format("more aircraft than stands at {}", s.vertiports[v].name));
    }
  }
  if (Network(s).FlyableCorridors(fl) == 0)
    return FieldError("vertiports", "no corridor is within the aircraft's range with reserve: "
                                    "nobody can fly");
  return Status::Ok();
}

Result<Scenario> GenerateScenario(const GeneratorOptions& o) {
  if (o.vertiports < 2 || o.vertiports > 64)
    return Error{fmt::format("generator: vertiports must be in [2, 64], found {}", o.vertiports)};
  if (o.aircraft < 1) return Error{"generator: aircraft must be >= 1"};
  if (!(o.demand_level >= 0)) return Error{"generator: demand level must be >= 0"};
  if (!(o.spread_mi > 0 && o.spread_mi <= 80))
    return Error{"generator: spread must be in (0, 80] miles (range limit)"};
  Scenario s = DefaultScenario();
  s.name = fmt::format("gen_v{}_a{}_s{}", o.vertiports, o.aircraft, o.seed);
  s.vertiports.clear();
  Rng rng = Rng::Stream(o.seed, StreamTag::kGenerator, 0x0a11ULL,
                        static_cast<std::uint64_t>(o.vertiports));
  const int hubs = std::max(1, (o.vertiports * 3 + 4) / 8);
  const double c = o.spread_mi / 2;
  for (int i = 0; i < o.vertiports; ++i) {
    Vertiport v;
    const bool hub = i < hubs;
    v.kind = hub ? VertiportKind::kHub : VertiportKind::kResidential;
    v.name = fmt::format("{}{}", hub ? "H" : "R", i);
    if (hub) {  // within 20% of the centre
      v.x_mi = c + (rng.Uniform() - 0.5) * 0.4 * o.spread_mi;
      v.y_mi = c + (rng.Uniform() - 0.5) * 0.4 * o.spread_mi;
    } else {  // on a ring around it
      const double a = 6.283185307179586 * rng.Uniform();
      const double r = c * (0.55 + 0.45 * rng.Uniform());
      v.x_mi = c + r * std::cos(a);
      v.y_mi = c + r * std::sin(a);
    }
    v.takeoff_delay_mean_s = 60.0 * 5.0 * rng.Uniform();
    s.vertiports.push_back(v);
  }
  s.fleet.aircraft = o.aircraft;
  int stands = 0;
  for (const auto& v : s.vertiports) stands += v.stands;
  if (o.aircraft > stands)
    return Error{fmt::format("generator: {} aircraft do not fit the {} stands of {} "
                             "vertiports",
                             o.aircraft, stands, o.vertiports)};
  s.demand.level = o.demand_level;
  // Rates scale so the total demand per aircraft stays near the default's.
  s.demand.base_rate_per_hour = 2.0 * (56.0 / (o.vertiports * (o.vertiports - 1.0))) *
                                (o.aircraft / 40.0);
  if (Status st = ValidateScenario(s); !st.ok()) return st.error();
  return s;
}

}  // namespace dispatchlab::uam
