#include "policy/registry.h"

#include <fmt/format.h>

#include <filesystem>
#include <thread>
#include <nlohmann/json.hpp>

#include "policy/neural_policy.h"
#include "policy/self_label.h"
#include "policy/weights_file.h"
#include "sim/jobshop/rules.h"
#include "sim/jobshop/replan.h"
#include "sim/jobshop/search.h"
#include "sim/uam/policies.h"
#include "sim/uam/rollout.h"

namespace dispatchlab::policy {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsLearnedName(std::string_view name) {
  return name == "gat" || EndsWith(name, ".pt") || EndsWith(name, ".safetensors");
}

// The count of "NAME:best<K>" (digits: "K"); -1 when malformed.
std::pair<std::string_view, int> SplitSamplesCount(std::string_view base,
                                                   std::string_view digits) {
  int k = 0;
  if (digits.empty() || digits.size() > 5) return {base, -1};
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return {base, -1};
    k = k * 10 + (ch - '0');
  }
  return {base, k};
}

// "NAME:best<K>[:t<T>]" -> (NAME, K, T); K = 0 for a plain name, -1 when
// the suffix is malformed; T = 0 when not given (the default).
struct SampledName {
  std::string_view base;
  int samples = 0;
  double temperature = 0;
};
SampledName ParseSampled(std::string_view name) {
  const auto colon = name.rfind(":best");
  if (colon == std::string_view::npos) return {name, 0, 0};
  std::string_view digits = name.substr(colon + 5);
  double t = 0;
  if (const auto tc = digits.find(":t"); tc != std::string_view::npos) {
    const std::string text(digits.substr(tc + 2));
    char* end = nullptr;
    t = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(t > 0))
      return {name.substr(0, colon), -1, 0};
    digits = digits.substr(0, tc);
  }
  const auto [base, k] = SplitSamplesCount(name.substr(0, colon), digits);
  return {base, k, t};
}

std::pair<std::string_view, int> SplitSamples(std::string_view name) {
  const SampledName n = ParseSampled(name);
  return {n.base, n.samples};
}

bool FileExists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

// A learned policy: its network and its identity in the store.
struct Learned {
  std::shared_ptr<const FastNet> net;
  std::string parameters;  // {"checkpoint": name, "weights": path, "weights_hash": hash}
};

// Loads the weights file `path` (a .pt names its .safetensors sibling,
// which training writes beside every checkpoint) as a `domain` policy.
Result<Learned> LoadLearned(std::string_view name, const std::string& path, Domain domain) {
  std::string weights = path;
  if (EndsWith(path, ".pt")) {
    weights = WeightsPathFor(path);
    if (!FileExists(weights))
      return Error{fmt::format(
          "{}: the torch-free weights file {} beside this checkpoint is missing (training "
          "writes it; for an older checkpoint: dispatchlab train export --checkpoint {})",
          path, weights, path)};
  }
  auto loaded = ReadWeightsFile(weights);
  if (!loaded) return loaded.error();
  if (loaded->domain != domain)
    return Error{fmt::format("{}: holds a {} policy, not a {} one", path,
                             DomainName(loaded->domain), DomainName(domain))};
  Learned l;
  l.net = std::make_shared<const FastNet>(std::move(loaded->weights));
  l.parameters = nlohmann::json{{"checkpoint", std::string(name)},
                                {"weights", weights},
                                {"weights_hash", loaded->hash}}
                     .dump();
  return l;
}

}  // namespace

std::string PolicyRegistry::ShippedPath(Domain d) const {
  return assets_dir_ + "/" + DomainName(d) + "_gat.safetensors";
}

bool HaveTorch() {
#ifdef DISPATCHLAB_HAVE_TRAINING
  return true;
#else
  return false;
#endif
}

namespace {

// `all` is the fast policies (a decision in microseconds); the planners
// A learned policy of `domain` from its weights file.
Result<PolicySpec> LearnedSpec(std::string_view name, const std::string& path, Domain domain) {
  auto learned = LoadLearned(name, path, domain);
  if (!learned) return learned.error();
  PolicySpec spec;
  spec.domain = domain;
  spec.name = std::string(name);
  spec.kind = "neural";
  spec.parameters = learned->parameters;
  auto net = learned->net;
  const std::string n = spec.name;
  if (domain == Domain::kJobShop)
    spec.make_jobshop = [net, n] { return std::make_unique<NeuralJobShopPolicy>(net, n); };
  else
    spec.make_uam = [net, n] { return std::make_unique<NeuralUamPolicy>(net, n); };
  return spec;
}

// (about 0.3 s of search per episode) are named explicitly.
std::vector<std::string> JobShopNames(bool shipped, bool planners = false) {
  std::vector<std::string> names;
  for (jobshop::Rule r : jobshop::AllRules()) names.push_back(jobshop::RuleName(r));
  if (shipped) names.push_back("gat");
  if (planners) {
    names.push_back("replan");  // online re-planning on the planner
    names.push_back("ig");      // the clairvoyant ceiling
  }
  return names;
}

// Best-of-K sampling of the learned policy `base`.
Result<PolicySpec> SampledSpec(std::string_view name, const SampledName& sampled,
                               const std::string& learned_path) {
  const std::string_view base = sampled.base;
  const int samples = sampled.samples;
  if (samples < 2 || samples > 4096)
    return Error{fmt::format(
        "'{}': best-of-K sampling needs K in [2, 4096] and an optional temperature in (0, 10] "
        "(e.g. {}:best128 or {}:best128:t0.8)",
        name, base, base)};
  if (sampled.temperature > 10)
    return Error{fmt::format("'{}': the sampling temperature must be in (0, 10]", name)};
  auto learned = LoadLearned(base, learned_path, Domain::kJobShop);
  if (!learned) return learned.error();
  const double temperature = sampled.temperature > 0
                                 ? sampled.temperature
                                 : BestOfTemperature(learned->net->weights().features);
  PolicySpec spec;
  spec.domain = Domain::kJobShop;
  spec.name = std::string(name);
  spec.kind = "ceiling";  // with breakdowns, the samples have met the episode's failures
  auto params = nlohmann::json::parse(learned->parameters);
  params["samples"] = samples;
  params["temperature"] = temperature;
  params["clairvoyant"] = "when shutdown_p > 0";
  spec.parameters = params.dump();
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto net = learned->net;
  const std::string n = spec.name;
  spec.make_jobshop = [net, n, samples, threads, temperature] {
    return std::make_unique<SampledBestPolicy>(net, n, samples, threads, temperature);
  };
  return spec;
}

Result<PolicySpec> FindJobShop(std::string_view name, const std::string& learned_path,
                               bool shipped) {
  if (const SampledName s = ParseSampled(name); s.samples != 0 && IsLearnedName(s.base))
    return SampledSpec(name, s, learned_path);
  if (IsLearnedName(name)) return LearnedSpec(name, learned_path, Domain::kJobShop);
  PolicySpec spec;
  spec.domain = Domain::kJobShop;
  if (name == "ig") {
    // The clairvoyant ceiling: plans the episode's own breakdowns with the
    // planner and follows the plan in the wide decision mode.
    const jobshop::PlannedCeilingOptions o;
    spec.name = "ig";
    spec.kind = "ceiling";
    spec.parameters = fmt::format(
        "{{\"planner\":\"iterated-greedy\",\"evaluations\":{},\"seed\":{},"
        "\"clairvoyant\":true}}",
        o.evaluations, o.seed);
    spec.make_jobshop = [o] { return std::make_unique<jobshop::PlannedCeilingPolicy>(o); };
    return spec;
  }
  if (name == "replan") {
    // Online predictive-reactive: plans at time 0 as if nothing broke and
    // re-plans the remaining work at each breakdown and repair.
    const jobshop::ReplanOptions o;
    spec.name = "replan";
    spec.kind = "planner";
    spec.parameters = fmt::format(
        "{{\"plan_evaluations\":{},\"replan_evaluations\":{},\"seed\":{}}}",
        o.plan_evaluations, o.replan_evaluations, o.seed);
    spec.make_jobshop = [o] { return std::make_unique<jobshop::ReplanPolicy>(o); };
    return spec;
  }
  auto rule = jobshop::ParseRule(name);
  if (!rule)
    return Error{fmt::format("unknown policy '{}' (known: {})", name,
                             fmt::join(JobShopNames(shipped, true), ", "))};
  const jobshop::Rule r = *rule;
  spec.name = jobshop::RuleName(r);
  spec.kind = "rule";
  spec.make_jobshop = [r] { return jobshop::MakeRulePolicy(r); };
  return spec;
}

std::vector<std::string> UamNames(bool shipped) {
  std::vector<std::string> names = {"random", "greedy", "ga"};
  if (shipped) names.push_back("gat");
  return names;
}

// The UAM ceiling, seeded with the shipped learned policy where there is
// one, so it is at least that policy's own day on every episode.
Result<PolicySpec> OracleSpec(int trials, const std::string& shipped_path) {
  PolicySpec spec;
  spec.domain = Domain::kUam;
  spec.name = "oracle";
  spec.kind = "ceiling";  // it knows the episode's realized day
  uam::OracleOptions o;
  o.trials = trials;
  std::string seeds = "[]";
  if (FileExists(shipped_path)) {
    auto learned = LoadLearned("gat", shipped_path, Domain::kUam);
    if (!learned) return learned.error();
    auto net = learned->net;
    o.seeds.push_back([net] { return std::make_unique<NeuralUamPolicy>(net, "gat"); });
    seeds = "[\"gat\"]";
  }
  spec.parameters = fmt::format(
      "{{\"horizon_min\":{},\"seeds\":{},\"trials\":{},\"clairvoyant\":true}}",
      o.horizon_min, seeds, o.trials);
  spec.make_uam = [o] { return std::make_unique<uam::OraclePolicy>(o); };
  return spec;
}

Result<PolicySpec> FindUam(std::string_view name, const std::string& learned_path,
                           const std::string& shipped_path) {
  if (IsLearnedName(name)) return LearnedSpec(name, learned_path, Domain::kUam);
  PolicySpec spec;
  spec.domain = Domain::kUam;
  auto probe = uam::MakeBaseline(name);
  if (!probe) return probe.error();
  const std::string n = (*probe)->name();
  spec.name = n;
  // oracle knows the episode's realized day: a ceiling, never a policy.
  spec.kind = n == "oracle" ? "ceiling" : n == "rollout" ? "planner" : "baseline";
  if (n == "rollout") {
    const uam::RolloutOptions o;
    spec.parameters = fmt::format(
        "{{\"horizon_min\":{},\"samples\":{},\"margin_se\":{},\"corrected\":{},"
        "\"budget_ms\":{},\"candidates\":{}}}",
        o.horizon_min, o.samples, o.margin_se, o.corrected, o.budget_ms, o.candidates);
  } else if (n == "oracle") {
    return OracleSpec(uam::OracleOptions{}.trials, shipped_path);
  }
  spec.make_uam = [n] { return uam::MakeBaseline(n).value(); };
  return spec;
}

}  // namespace

std::vector<std::string> PolicyRegistry::Names(Domain d) const {
  const bool shipped = FileExists(ShippedPath(d));
  return d == Domain::kJobShop ? JobShopNames(shipped) : UamNames(shipped);
}

std::vector<std::string> PolicyRegistry::Choices(Domain d) const {
  std::vector<std::string> names = Names(d);
  if (d == Domain::kJobShop) {
    if (FileExists(ShippedPath(d))) names.push_back("gat:best128");  // best-of-128 sampling
    names.push_back("replan");
    names.push_back("ig");
  } else {
    names.push_back("rollout");
    names.push_back("oracle");
  }
  return names;
}

Result<PolicySpec> PolicyRegistry::UamOracle(int trials) const {
  if (trials < 0) return Error{"the oracle's trials must be >= 0"};
  return OracleSpec(trials, ShippedPath(Domain::kUam));
}

Result<PolicySpec> PolicyRegistry::Find(Domain d, std::string_view name) const {
  const auto [base, samples] = SplitSamples(name);
  if (d == Domain::kUam && samples != 0 && IsLearnedName(base))
    return Error{fmt::format("'{}': best-of-K sampling is for job-shop policies", name)};
  const std::string learned = base == "gat" ? ShippedPath(d) : std::string(base);
  if (d == Domain::kJobShop) return FindJobShop(name, learned, FileExists(ShippedPath(d)));
  return FindUam(name, learned, ShippedPath(d));
}

namespace {
// "all" or a comma-separated list, without duplicates.
template <typename Info, typename Find>
Result<std::vector<Info>> ParseList(std::string_view list, const std::vector<std::string>& all,
                                    Find find) {
  std::vector<Info> out;
  if (list == "all") {
    for (const auto& n : all) {
      auto p = find(n);
      if (!p) return p.error();  // e.g. a damaged shipped weights file
      out.push_back(std::move(*p));
    }
    return out;
  }
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t c = list.find(',', pos);
    if (c == std::string_view::npos) c = list.size();
    const std::string_view item = list.substr(pos, c - pos);
    if (!item.empty()) {
      auto p = find(item);
      if (!p) return p.error();
      bool dup = false;
      for (const auto& q : out) dup |= q.name == p->name;
      if (!dup) out.push_back(std::move(*p));
    }
    if (c == list.size()) break;
    pos = c + 1;
  }
  if (out.empty()) return Error{"no policy given"};
  return out;
}
}  // namespace

std::string PolicyRegistry::WithSamples(std::string_view list, int samples) {
  if (samples <= 1) return std::string(list);
  std::string out;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    std::size_t c = list.find(',', pos);
    if (c == std::string_view::npos) c = list.size();
    const std::string_view item = list.substr(pos, c - pos);
    if (!out.empty() || pos > 0) out += ',';
    out += item;
    if (IsLearnedName(item) && SplitSamples(item).second == 0) out += fmt::format(":best{}", samples);
    if (c == list.size()) break;
    pos = c + 1;
  }
  return out;
}

Result<std::vector<PolicySpec>> PolicyRegistry::Parse(Domain d, std::string_view list) const {
  return ParseList<PolicySpec>(list, Names(d),
                               [this, d](std::string_view n) { return Find(d, n); });
}

}  // namespace dispatchlab::policy
