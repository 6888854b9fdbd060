#include "scenarios/uam_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "scenarios/embedded.h"
#include "sim/core/text.h"

namespace dispatchlab::scenarios {
namespace {

using Json = nlohmann::ordered_json;

// A value as it may appear in a message: long dumps are cut.
std::string Abbreviate(const std::string& text) {
  constexpr std::size_t kMax = 100;
  std::string out = PrintableToken(text, kMax);
  if (text.size() > kMax) out += fmt::format(" ({} chars)", text.size());
  return out;
}

template <typename T>
bool FitsInteger(const Json& v) {
  if (v.is_number_unsigned())
    return v.get<std::uint64_t>() <=
           static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  if (v.is_number_integer()) {
    const std::int64_t x = v.get<std::int64_t>();
    return x >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
           x <= static_cast<std::int64_t>(std::numeric_limits<T>::max());
  }
  return false;
}

// When parsing fails, a second pass with this SAX handler finds the field
// the failure is in ("fleet.aircraft"): nlohmann's messages only give a byte
// position, and a number too large for a double (out_of_range.406) is not
// even a parse_error.
class PathFinder : public nlohmann::json_sax<Json> {
 public:
  std::string path() const {
    std::string out;
    for (const Frame& f : stack_) {
      if (f.array) out += fmt::format("[{}]", f.index);
      else if (!f.key.empty()) out += (out.empty() ? "" : ".") + PrintableToken(f.key);
    }
    return out.empty() ? "top level" : out;
  }
  const std::string& message() const { return message_; }

  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override { return Push(false); }
  bool key(string_t& k) override {
    stack_.back().key = k;
    return true;
  }
  bool end_object() override { return Pop(); }
  bool start_array(std::size_t) override { return Push(true); }
  bool end_array() override { return Pop(); }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    message_ = ex.what();
    return false;
  }

 private:
  struct Frame {
    bool array = false;
    std::string key;
    std::size_t index = 0;
  };
  bool Value() {
    if (!stack_.empty() && stack_.back().array) ++stack_.back().index;
    return true;
  }
  bool Push(bool array) {
    // Nesting is bounded so hostile input cannot grow this without limit.
    if (stack_.size() >= 256) {
      message_ = "nesting deeper than 256 levels";
      return false;
    }
    stack_.push_back({array, "", 0});
    return true;
  }
  bool Pop() {
    stack_.pop_back();
    return Value();
  }
  std::vector<Frame> stack_;
  std::string message_;
};

// Nesting depth of the JSON text, counting brackets outside strings.
std::size_t MaxDepth(const std::string& text) {
  std::size_t depth = 0, max_depth = 0;
  bool in_string = false, escape = false;
  for (char c : text) {
    if (in_string) {
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

// Reads typed fields from an object, remembering which were seen so
// unknown keys can be reported.
class Reader {
 public:
  Reader(const Json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) throw Error{fmt::format("{}: expected an object", Where())};
  }
  template <typename T>
  void Get(const char* key, T* out) {
    seen_.insert(key);
    if (!j_.contains(key)) return;
    const Json& v = j_.at(key);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      // get<int>() would wrap a large integer and cast an out-of-range float
      // (undefined behaviour); an integer field takes an integer in range.
      if (!FitsInteger<T>(v))
        throw Error{fmt::format("{}: expected an integer in [{}, {}], found {}", Field(key),
                                std::numeric_limits<T>::min(), std::numeric_limits<T>::max(),
                                Abbreviate(v.dump()))};
    }
    try {
      *out = v.get<T>();
    } catch (const Json::exception&) {
      throw Error{fmt::format("{}: expected {}, found {}", Field(key), TypeName<T>(),
                              Abbreviate(v.dump()))};
    }
  }
  const Json* Child(const char* key) {
    seen_.insert(key);
    return j_.contains(key) ? &j_.at(key) : nullptr;
  }
  void CheckUnknown() const {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!seen_.count(it.key()))
        throw Error{fmt::format("{}: unknown field '{}'", Where(), PrintableToken(it.key()))};
  }
  std::string Field(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  template <typename T>
  static const char* TypeName() {
    if constexpr (std::is_same_v<T, bool>) return "true or false";
    else if constexpr (std::is_integral_v<T>) return "an integer";
    else if constexpr (std::is_floating_point_v<T>) return "a number";
    else if constexpr (std::is_same_v<T, std::string>) return "a string";
    else return "a list of numbers";
  }
  std::string Where() const { return path_.empty() ? "top level" : path_; }
  const Json& j_;
  std::string path_;
  std::set<std::string> seen_;
};

uam::Scenario FromJson(const Json& j) {
  uam::Scenario s = uam::DefaultScenario();
  Reader top(j, "");
  top.Get("name", &s.name);
  const Json* ports = top.Child("vertiports");
  if (!ports) throw Error{"vertiports: missing (a list of vertiports)"};
  if (!ports->is_array()) throw Error{"vertiports: expected a list"};
  s.vertiports.clear();
  for (std::size_t i = 0; i < ports->size(); ++i) {
    Reader r((*ports)[i], fmt::format("vertiports[{}]", i));
    uam::Vertiport v;
    std::string kind = "residential";
    r.Get("name", &v.name);
    r.Get("kind", &kind);
    if (kind == "hub") v.kind = uam::VertiportKind::kHub;
    else if (kind == "residential") v.kind = uam::VertiportKind::kResidential;
    else throw Error{fmt::format("vertiports[{}].kind: expected \"hub\" or \"residential\", "
                                 "found \"{}\"", i, PrintableToken(kind))};
    if (!(*ports)[i].contains("x_mi") || !(*ports)[i].contains("y_mi"))
      throw Error{fmt::format("vertiports[{}]: missing x_mi/y_mi", i)};
    r.Get("x_mi", &v.x_mi);
    r.Get("y_mi", &v.y_mi);
    r.Get("pads", &v.pads);
    r.Get("stands", &v.stands);
    r.Get("chargers", &v.chargers);
    r.Get("takeoff_delay_mean_s", &v.takeoff_delay_mean_s);
    r.CheckUnknown();
    s.vertiports.push_back(v);
  }
  if (const Json* f = top.Child("fleet")) {
    Reader r(*f, "fleet");
    r.Get("aircraft", &s.fleet.aircraft);
    r.Get("seats", &s.fleet.seats);
    r.Get("cruise_mph", &s.fleet.cruise_mph);
    r.Get("battery_kwh", &s.fleet.battery_kwh);
    r.Get("cycle_kwh", &s.fleet.cycle_kwh);
    r.Get("kwh_per_mile", &s.fleet.kwh_per_mile);
    r.Get("reserve_fraction", &s.fleet.reserve_fraction);
    r.Get("charger_kw", &s.fleet.charger_kw);
    r.Get("taper_fraction", &s.fleet.taper_fraction);
    r.Get("turnaround_s", &s.fleet.turnaround_s);
    r.Get("initial_soc_fraction", &s.fleet.initial_soc_fraction);
    r.CheckUnknown();
  }
  if (const Json* o = top.Child("operations")) {
    Reader r(*o, "operations");
    r.Get("day_start_s", &s.ops.day_start_s);
    r.Get("day_end_s", &s.ops.day_end_s);
    r.Get("pad_occupancy_s", &s.ops.pad_occupancy_s);
    r.Get("separation_s", &s.ops.separation_s);
    r.Get("stay_s", &s.ops.stay_s);
    r.Get("patience_s", &s.ops.patience_s);
    r.CheckUnknown();
  }
  if (const Json* d = top.Child("demand")) {
    Reader r(*d, "demand");
    r.Get("slot_s", &s.demand.slot_s);
    r.Get("base_rate_per_hour", &s.demand.base_rate_per_hour);
    r.Get("level", &s.demand.level);
    r.Get("morning_peak_h", &s.demand.morning_peak_h);
    r.Get("evening_peak_h", &s.demand.evening_peak_h);
    r.Get("peak_width_h", &s.demand.peak_width_h);
    r.Get("peak_factor", &s.demand.peak_factor);
    r.Get("residential_pair_factor", &s.demand.residential_pair_factor);
    if (const Json* pairs = r.Child("pairs")) {
      if (!pairs->is_array()) throw Error{"demand.pairs: expected a list"};
      for (std::size_t i = 0; i < pairs->size(); ++i) {
        const std::string f = fmt::format("demand.pairs[{}]", i);
        Reader pr((*pairs)[i], f);
        std::string from, to;
        uam::Demand::PairMultiplier pm;
        pr.Get("from", &from);
        pr.Get("to", &to);
        pr.Get("multiplier", &pm.multiplier);
        pr.CheckUnknown();
        auto find = [&](const std::string& name, const char* key) {
          for (int v = 0; v < s.num_vertiports(); ++v)
            if (s.vertiports[v].name == name) return v;
          throw Error{fmt::format("{}.{}: unknown vertiport \"{}\"", f, key, PrintableToken(name))};
        };
        pm.from = find(from, "from");
        pm.to = find(to, "to");
        s.demand.pairs.push_back(pm);
      }
    }
    r.CheckUnknown();
  }
  if (const Json* p = top.Child("prices")) {
    Reader r(*p, "prices");
    r.Get("base_fare", &s.prices.base_fare);
    r.Get("fare_per_mile", &s.prices.fare_per_mile);
    r.Get("surge_by_hour", &s.prices.surge_by_hour);
    r.Get("electricity_by_hour", &s.prices.electricity_by_hour);
    r.Get("flight_hour_cost", &s.prices.flight_hour_cost);
    r.Get("landing_fee", &s.prices.landing_fee);
    r.CheckUnknown();
  }
  if (const Json* u = top.Child("uncertainty")) {
    Reader r(*u, "uncertainty");
    auto& x = s.uncertainty;
    r.Get("takeoff_delay", &x.takeoff_delay);
    r.Get("takeoff_delay_sigma", &x.takeoff_delay_sigma);
    r.Get("weather", &x.weather);
    r.Get("closure_probability_per_slot", &x.closure_probability_per_slot);
    r.Get("closure_min_s", &x.closure_min_s);
    r.Get("closure_max_s", &x.closure_max_s);
    r.Get("downtime", &x.downtime);
    r.Get("downtime_probability", &x.downtime_probability);
    r.Get("downtime_min_s", &x.downtime_min_s);
    r.Get("downtime_max_s", &x.downtime_max_s);
    r.CheckUnknown();
  }
  if (const Json* iv = top.Child("initial_vertiport")) {
    // Names or indices.
    if (!iv->is_array()) throw Error{"initial_vertiport: expected a list"};
    for (std::size_t a = 0; a < iv->size(); ++a) {
      const Json& e = (*iv)[a];
      if (e.is_number_integer()) {
        if (!FitsInteger<int>(e))
          throw Error{fmt::format("initial_vertiport[{}]: index {} out of range", a,
                                  Abbreviate(e.dump()))};
        s.initial_vertiport.push_back(e.get<int>());
      } else if (e.is_string()) {
        int found = -1;
        for (int v = 0; v < s.num_vertiports(); ++v)
          if (s.vertiports[v].name == e.get<std::string>()) found = v;
        if (found < 0)
          throw Error{fmt::format("initial_vertiport[{}]: unknown vertiport \"{}\"", a,
                                  PrintableToken(e.get<std::string>()))};
        s.initial_vertiport.push_back(found);
      } else {
        throw Error{fmt::format("initial_vertiport[{}]: expected a name or an index", a)};
      }
    }
  }
  top.CheckUnknown();
  return s;
}

}  // namespace

Result<uam::Scenario> ParseUamScenario(const std::string& text, const std::string& source) {
  // A scenario is a few levels deep; deeper input is refused before the
  // recursive DOM parser (and the destructor) can exhaust the stack.
  constexpr std::size_t kMaxDepth = 64;
  if (MaxDepth(text) > kMaxDepth)
    return Error{fmt::format("{}: not valid JSON: nested deeper than {} levels", source,
                             kMaxDepth)};
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    PathFinder finder;
    Json::sax_parse(text, &finder);
    return Error{fmt::format("{}: {}: not valid JSON: {}", source, finder.path(),
                             Abbreviate(finder.message().empty() ? e.what()
                                                                 : finder.message()))};
  }
  uam::Scenario s;
  try {
    s = FromJson(j);
  } catch (const Error& e) {
    return Error{fmt::format("{}: {}", source, e.message)};
  } catch (const Json::exception& e) {
    return Error{fmt::format("{}: {}", source, e.what())};
  }
  if (Status st = uam::ValidateScenario(s); !st.ok())
    return Error{fmt::format("{}: {}", source, st.error().message)};
  return s;
}

Result<uam::Scenario> LoadUamScenarioFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Error{fmt::format("{}: no such scenario file", path)};
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return ParseUamScenario(buf.str(), path);
}

std::string FormatUamScenario(const uam::Scenario& s) {
  Json j;
  j["name"] = s.name;
  for (const auto& v : s.vertiports)
    j["vertiports"].push_back({{"name", v.name},
                               {"kind", v.kind == uam::VertiportKind::kHub ? "hub" : "residential"},
                               {"x_mi", v.x_mi},
                               {"y_mi", v.y_mi},
                               {"pads", v.pads},
                               {"stands", v.stands},
                               {"chargers", v.chargers},
                               {"takeoff_delay_mean_s", v.takeoff_delay_mean_s}});
  const auto& f = s.fleet;
  j["fleet"] = {{"aircraft", f.aircraft}, {"seats", f.seats}, {"cruise_mph", f.cruise_mph},
                {"battery_kwh", f.battery_kwh}, {"cycle_kwh", f.cycle_kwh},
                {"kwh_per_mile", f.kwh_per_mile}, {"reserve_fraction", f.reserve_fraction},
                {"charger_kw", f.charger_kw}, {"taper_fraction", f.taper_fraction},
                {"turnaround_s", f.turnaround_s}, {"initial_soc_fraction", f.initial_soc_fraction}};
  const auto& o = s.ops;
  j["operations"] = {{"day_start_s", o.day_start_s}, {"day_end_s", o.day_end_s},
                     {"pad_occupancy_s", o.pad_occupancy_s}, {"separation_s", o.separation_s},
                     {"stay_s", o.stay_s}, {"patience_s", o.patience_s}};
  const auto& d = s.demand;
  j["demand"] = {{"slot_s", d.slot_s}, {"base_rate_per_hour", d.base_rate_per_hour},
                 {"level", d.level}, {"morning_peak_h", d.morning_peak_h},
                 {"evening_peak_h", d.evening_peak_h}, {"peak_width_h", d.peak_width_h},
                 {"peak_factor", d.peak_factor}, {"residential_pair_factor", d.residential_pair_factor}};
  for (const auto& pm : d.pairs)
    j["demand"]["pairs"].push_back({{"from", s.vertiports[pm.from].name},
                                    {"to", s.vertiports[pm.to].name},
                                    {"multiplier", pm.multiplier}});
  const auto& p = s.prices;
  j["prices"] = {{"base_fare", p.base_fare}, {"fare_per_mile", p.fare_per_mile},
                 {"surge_by_hour", p.surge_by_hour}, {"electricity_by_hour", p.electricity_by_hour},
                 {"flight_hour_cost", p.flight_hour_cost}, {"landing_fee", p.landing_fee}};
  const auto& u = s.uncertainty;
  j["uncertainty"] = {{"takeoff_delay", u.takeoff_delay}, {"takeoff_delay_sigma", u.takeoff_delay_sigma},
                      {"weather", u.weather}, {"closure_probability_per_slot", u.closure_probability_per_slot},
                      {"closure_min_s", u.closure_min_s}, {"closure_max_s", u.closure_max_s},
                      {"downtime", u.downtime}, {"downtime_probability", u.downtime_probability},
                      {"downtime_min_s", u.downtime_min_s}, {"downtime_max_s", u.downtime_max_s}};
  if (!s.initial_vertiport.empty()) j["initial_vertiport"] = s.initial_vertiport;
  return j.dump(2) + "\n";
}

std::vector<std::string> BuiltinUamNames() {
  std::vector<std::string> names;
  for (const auto& f : EmbeddedUamScenarios()) names.emplace_back(f.name);
  return names;
}

Result<uam::Scenario> LoadUamScenario(const std::string& name_or_path) {
  for (const auto& f : EmbeddedUamScenarios())
    if (f.name == name_or_path)
      return ParseUamScenario(std::string(f.text), fmt::format("builtin:{}", f.name));
  const bool looks_like_path = name_or_path.find('/') != std::string::npos ||
                               name_or_path.find('.') != std::string::npos;
  if (!looks_like_path && !std::filesystem::exists(name_or_path))
    return Error{fmt::format("unknown UAM scenario '{}': not a built-in name (built-in: "
                             "default) and no such file",
                             name_or_path)};
  return LoadUamScenarioFile(name_or_path);
}

}  // namespace dispatchlab::scenarios
