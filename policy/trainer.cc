#include "policy/trainer.h"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <nlohmann/json.hpp>
#include <limits>
#include <thread>

#include "policy/neural_policy.h"
#include "policy/rollout.h"
#include "policy/self_label.h"
#include "policy/uam_imitation.h"
#include "sim/jobshop/search.h"
#include "sim/env/jobshop_env.h"
#include "sim/env/uam_env.h"
#include "sim/uam/policies.h"
#include "sim/jobshop/generator.h"
#include "sim/uam/scenario.h"

namespace dispatchlab::policy {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// A persistent pool that runs f(i) for i in [0, n) and waits.
class ParallelFor {
 public:
  explicit ParallelFor(int threads) {
    for (int t = 1; t < threads; ++t) workers_.emplace_back([this] { Loop(); });
  }
  ~ParallelFor() {
    {
      std::lock_guard l(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
  }
  void Run(int n, const std::function<void(int)>& f) {
    if (workers_.empty() || n < 2) {
      for (int i = 0; i < n; ++i) f(i);
      return;
    }
    {
      std::lock_guard l(mu_);
      fn_ = &f;
      n_ = n;
      next_ = 0;
      done_ = 0;
      ++generation_;
    }
    cv_.notify_all();
    Work();
    std::unique_lock l(mu_);
    done_cv_.wait(l, [&] { return done_ == n_; });
    fn_ = nullptr;
  }

 private:
  void Work() {
    for (;;) {
      int i;
      {
        std::lock_guard l(mu_);
        if (!fn_ || next_ >= n_) return;
        i = next_++;
      }
      (*fn_)(i);
      {
        std::lock_guard l(mu_);
        if (++done_ == n_) done_cv_.notify_all();
      }
    }
  }
  void Loop() {
    std::uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock l(mu_);
        cv_.wait(l, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
      }
      Work();
    }
  }
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int)>* fn_ = nullptr;
  int n_ = 0, next_ = 0, done_ = 0;
  std::uint64_t generation_ = 0;
  bool quit_ = false;
};

// A generated job-shop training episode: instance, breakdowns, seed.
struct JobShopDraw {
  jobshop::Instance instance;
  jobshop::SimOptions options;
  std::uint64_t seed = 0;
};

JobShopDraw DrawJobShop(const TrainConfig& c, Rng& rng) {
  const std::uint64_t seed = rng.NextU64();
  jobshop::GeneratorOptions g;
  g.jobs = c.jobs[rng.UniformInt(0, static_cast<std::int64_t>(c.jobs.size()) - 1)];
  g.machines = c.machines[rng.UniformInt(0, static_cast<std::int64_t>(c.machines.size()) - 1)];
  g.max_time = c.max_time;
  g.seed = seed;
  JobShopDraw d{*jobshop::GenerateInstance(g), {}, seed ^ 0x9e37};
  d.options.breakdowns = jobshop::PerOperationBreakdowns(
      c.shutdown_p[rng.UniformInt(0, static_cast<std::int64_t>(c.shutdown_p.size()) - 1)]);
  return d;
}

// A generated UAM training day: scenario and seed.
struct UamDraw {
  uam::Scenario scenario;
  std::uint64_t seed = 0;
};

UamDraw DrawUam(const TrainConfig& c, Rng& rng) {
  const std::uint64_t seed = rng.NextU64();
  uam::GeneratorOptions g;
  g.vertiports = static_cast<int>(rng.UniformInt(c.vertiports_min, c.vertiports_max));
  g.aircraft = static_cast<int>(rng.UniformInt(c.aircraft_min, c.aircraft_max));
  g.demand_level = 0.6 + 0.8 * rng.Uniform();
  g.spread_mi = 35 + 25 * rng.Uniform();
  g.seed = seed;
  auto sc = uam::GenerateScenario(g);
  if (!sc) {  // generator refused (too many aircraft for stands): fall back
    g.aircraft = g.vertiports * 4;
    sc = uam::GenerateScenario(g);
  }
  return {*sc, seed ^ 0x9e37};
}

// One training environment: owns its instance/scenario, regenerated from
// its own stream at every episode.
class TrainEnv {
 public:
  TrainEnv(const TrainConfig& c, int index) : c_(c), index_(index) {}

  // An episode that needs no decision at all (a tiny generated instance
  // where every choice is forced) teaches nothing and cannot be stepped:
  // draw the next one (keyed by attempt, so runs stay deterministic).
  void NewEpisode(std::uint64_t episode) {
    for (std::uint64_t attempt = 0; attempt < 1000; ++attempt) {
      Generate(episode, attempt);
      if (!env_->done()) return;
    }
    DL_CHECK_MSG(false, "1000 generated episodes in a row needed no decision");
  }

 private:
  void Generate(std::uint64_t episode, std::uint64_t attempt) {
    Rng rng = Rng::Stream(c_.seed, StreamTag::kGenerator, 1000 + static_cast<std::uint64_t>(index_),
                          episode + (attempt << 40));
    if (c_.domain == Domain::kJobShop) {
      JobShopDraw d = DrawJobShop(c_, rng);
      instance_ = std::make_unique<jobshop::Instance>(std::move(d.instance));
      env_ = std::make_unique<env::JobShopEnv>(*instance_, d.options, c_.model.features);
      env_->Reset(d.seed);
      episode_return_ = 0;
      return;
    }
    UamDraw d = DrawUam(c_, rng);
    scenario_ = std::make_unique<uam::Scenario>(std::move(d.scenario));
    env_ = std::make_unique<env::UamEnv>(*scenario_, c_.model.features);
    env_->Reset(d.seed);
    episode_return_ = 0;
  }

 public:
  env::Env& env() { return *env_; }
  double episode_return_ = 0;

 private:
  const TrainConfig& c_;
  int index_;
  std::unique_ptr<jobshop::Instance> instance_;
  std::unique_ptr<uam::Scenario> scenario_;
  std::unique_ptr<env::Env> env_;
};

// max(longest job, busiest machine): no schedule is shorter.
SimTime MakespanLowerBound(const jobshop::Instance& inst) {
  std::vector<SimTime> load(inst.num_machines, 0);
  SimTime lb = 1;
  for (const auto& job : inst.jobs) {
    SimTime w = 0;
    for (const auto& op : job) {
      w += op.duration;
      load[op.machine.value] += op.duration;
    }
    lb = std::max(lb, w);
  }
  for (SimTime l : load) lb = std::max(lb, l);
  return lb;
}

std::string CheckpointPath(const std::string& dir, const char* name) {
  return (std::filesystem::path(dir) / name).string();
}

}  // namespace

const char* TrainMethodName(TrainMethod m) {
  switch (m) {
    case TrainMethod::kPpo: return "ppo";
    case TrainMethod::kSelfLabel: return "self-label";
    case TrainMethod::kImitate: return "imitate";
    case TrainMethod::kDagger: return "dagger";
  }
  return "ppo";
}

TrainConfig DefaultTrainConfig(Domain d) {
  TrainConfig c;
  c.domain = d;
  if (d == Domain::kUam) {
    c.gamma = 0.999;
    c.reward_scale = 1.0;
    c.steps = 300000;
  }
  return c;
}

Result<TrainConfig> ApplyTrainConfigJson(TrainConfig c, const std::string& text,
                                         const std::string& source) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    return Error{fmt::format("{}: not valid JSON: {}", source, e.what())};
  }
  if (!j.is_object()) return Error{fmt::format("{}: expected a JSON object", source)};
  // Integers must be JSON integers in range: 5.999 or 1e31 for a count is an
  // error, never a truncation or an out-of-range cast.
  struct BadValue {
    std::string message;
  };
  auto integer = [](const Json& v, const std::string& key, std::int64_t lo,
                    std::int64_t hi) -> std::int64_t {
    if (!v.is_number_integer())
      throw BadValue{fmt::format("{}: expected an integer, found {}", key, v.dump())};
    const std::int64_t x = v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)
                               ? hi + 1
                               : v.get<std::int64_t>();
    if (x < lo || x > hi)
      throw BadValue{fmt::format("{}: must be in [{}, {}], found {}", key, lo, hi, v.dump())};
    return x;
  };
  auto integers = [&](const Json& v, const std::string& key, std::int64_t lo, std::int64_t hi) {
    if (!v.is_array()) throw BadValue{fmt::format("{}: expected an array of integers", key)};
    if (v.size() > 64) throw BadValue{fmt::format("{}: at most 64 entries", key)};
    std::vector<int> out;
    for (const Json& x : v) out.push_back(static_cast<int>(integer(x, key, lo, hi)));
    return out;
  };
  try {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& k = it.key();
      const Json& v = it.value();
      if (k == "steps") c.steps = integer(v, k, 1, std::int64_t{1} << 40);
      else if (k == "method") {
        const std::string m = v.is_string() ? v.get<std::string>() : v.dump();
        if (m == "ppo") c.method = TrainMethod::kPpo;
        else if (m == "self-label") c.method = TrainMethod::kSelfLabel;
        else if (m == "imitate") c.method = TrainMethod::kImitate;
        else if (m == "dagger") c.method = TrainMethod::kDagger;
        else throw BadValue{fmt::format("method: expected \"ppo\", \"self-label\", \"imitate\" or \"dagger\", found {}", v.dump())};
      }
      else if (k == "instances") c.instances = static_cast<int>(integer(v, k, 1, 4096));
      else if (k == "samples") c.samples = static_cast<int>(integer(v, k, 0, 4096));
      else if (k == "expert_evaluations") c.expert_evaluations = static_cast<int>(integer(v, k, 0, 10000000));
      else if (k == "labels_per_instance") c.labels_per_instance = static_cast<int>(integer(v, k, 0, 1 << 20));
      else if (k == "label_share") c.label_share = v.get<double>();
      else if (k == "label_warm_start") {
        if (!v.is_boolean())
          throw BadValue{
              fmt::format("label_warm_start: expected true or false, found {}", v.dump())};
        c.label_warm_start = v.get<bool>();
      }
      else if (k == "greedy_floor") c.greedy_floor = v.get<double>();
      else if (k == "features") c.model.features = static_cast<int>(integer(v, k, 1, env::kJobShopFeaturesNewest));
      else if (k == "envs") c.envs = static_cast<int>(integer(v, k, 1, 1024));
      else if (k == "critic_warmup") c.critic_warmup = integer(v, k, 0, std::int64_t{1} << 50);
      else if (k == "rollout") c.rollout = static_cast<int>(integer(v, k, 1, 1 << 20));
      else if (k == "lr") c.lr = v.get<double>();
      else if (k == "gamma") c.gamma = v.get<double>();
      else if (k == "lambda") c.lambda = v.get<double>();
      else if (k == "reward_scale") c.reward_scale = v.get<double>();
      else if (k == "seed") c.seed = static_cast<std::uint64_t>(integer(v, k, 0, std::numeric_limits<std::int64_t>::max()));
      else if (k == "threads") c.threads = static_cast<int>(integer(v, k, 1, 256));
      else if (k == "eval_every") c.eval_every = static_cast<int>(integer(v, k, 0, 1 << 30));
      else if (k == "checkpoint_every") c.checkpoint_every = static_cast<int>(integer(v, k, 1, 1 << 30));
      else if (k == "snapshot_every") c.snapshot_every = static_cast<int>(integer(v, k, 0, 1 << 30));
      else if (k == "clip") c.ppo.clip = v.get<double>();
      else if (k == "value_clip") c.ppo.value_clip = v.get<double>();
      else if (k == "value_coef") c.ppo.value_coef = v.get<double>();
      else if (k == "entropy_coef") c.ppo.entropy_coef = v.get<double>();
      else if (k == "max_grad_norm") c.ppo.max_grad_norm = v.get<double>();
      else if (k == "epochs") c.ppo.epochs = static_cast<int>(integer(v, k, 1, 1000));
      else if (k == "minibatch") c.ppo.minibatch = static_cast<int>(integer(v, k, 1, 1 << 20));
      else if (k == "hidden") c.model.hidden = static_cast<int>(integer(v, k, 1, 4096));
      else if (k == "heads") c.model.heads = static_cast<int>(integer(v, k, 1, 64));
      else if (k == "layers") c.model.layers = static_cast<int>(integer(v, k, 1, 64));
      else if (k == "jobs") c.jobs = integers(v, k, 2, 100000);
      else if (k == "machines") c.machines = integers(v, k, 2, 10000);
      else if (k == "shutdown_p") c.shutdown_p = v.get<std::vector<double>>();
      else if (k == "max_time") c.max_time = static_cast<int>(integer(v, k, 1, 1000000000));
      else if (k == "vertiports") {
        auto r = integers(v, k, 2, 256);
        if (r.size() != 2) throw BadValue{"vertiports: expected [min, max]"};
        c.vertiports_min = r[0];
        c.vertiports_max = r[1];
      } else if (k == "aircraft") {
        auto r = integers(v, k, 1, 100000);
        if (r.size() != 2) throw BadValue{"aircraft: expected [min, max]"};
        c.aircraft_min = r[0];
        c.aircraft_max = r[1];
      } else {
        return Error{fmt::format(
            "{}: unknown key '{}' (known: steps, method, envs, rollout, critic_warmup, lr, gamma, "
            "lambda, reward_scale, seed, threads, eval_every, checkpoint_every, snapshot_every, "
            "clip, value_clip, value_coef, entropy_coef, max_grad_norm, epochs, minibatch, "
            "hidden, heads, layers, features, instances, samples, expert_evaluations, "
            "labels_per_instance, label_share, label_warm_start, greedy_floor, jobs, machines, "
            "shutdown_p, max_time, vertiports, aircraft)",
            source, k)};
      }
    }
  } catch (const Json::exception& e) {
    return Error{fmt::format("{}: bad value: {}", source, e.what())};
  } catch (const BadValue& e) {
    return Error{fmt::format("{}: {}", source, e.message)};
  }
  auto bad = [&](const std::string& what) { return Error{fmt::format("{}: {}", source, what)}; };
  if (c.method == TrainMethod::kSelfLabel && c.domain != Domain::kJobShop)
    return bad("method: self-label is for the job shop (UAM trains with ppo or imitate)");
  if (c.method == TrainMethod::kDagger && c.domain != Domain::kJobShop)
    return bad("method: dagger is for the job shop (UAM's imitate is DAgger on rollout)");
  if (c.method == TrainMethod::kDagger && c.expert_evaluations == 0) c.expert_evaluations = 2000;
  if (c.domain == Domain::kUam && c.model.features > env::kUamFeaturesCurrent)
    return bad(fmt::format("features: UAM observations have versions 1 to {}",
                           env::kUamFeaturesCurrent));
  if (c.method == TrainMethod::kImitate && c.domain == Domain::kUam && c.samples < 1)
    return bad("imitate (UAM): samples (the expert's futures per action) must be >= 1");
  if (!(c.label_share > 0 && c.label_share <= 1)) return bad("label_share must be in (0, 1]");
  if (!(c.greedy_floor >= 0 && c.greedy_floor <= 1)) return bad("greedy_floor must be in [0, 1]");
  if (c.method == TrainMethod::kImitate && c.domain == Domain::kJobShop && c.expert_evaluations == 0)
    c.expert_evaluations = 2000;
  if (c.method == TrainMethod::kSelfLabel && c.samples == 0 && c.expert_evaluations == 0)
    return bad("self-label needs samples > 0 or expert_evaluations > 0");
  if (c.steps < 1) return bad("steps must be >= 1");
  if (c.envs < 1 || c.envs > 1024) return bad("envs must be in [1, 1024]");
  if (c.rollout < 1) return bad("rollout must be >= 1");
  if (!(c.lr > 0)) return bad("lr must be > 0");
  if (!(c.gamma > 0 && c.gamma <= 1)) return bad("gamma must be in (0, 1]");
  if (!(c.lambda >= 0 && c.lambda <= 1)) return bad("lambda must be in [0, 1]");
  if (c.ppo.epochs < 1 || c.ppo.minibatch < 1) return bad("epochs and minibatch must be >= 1");
  if (c.threads < 1) return bad("threads must be >= 1");
  if (c.jobs.empty() || c.machines.empty() || c.shutdown_p.empty())
    return bad("jobs, machines and shutdown_p must not be empty");
  for (int x : c.jobs) if (x < 2) return bad("jobs entries must be >= 2");
  for (int x : c.machines) if (x < 2) return bad("machines entries must be >= 2");
  for (double p : c.shutdown_p) if (!(p >= 0 && p <= 1)) return bad("shutdown_p entries must be in [0, 1]");
  if (c.max_time < 1) return bad("max_time must be >= 1");
  if (c.vertiports_min < 2 || c.vertiports_max < c.vertiports_min)
    return bad("vertiports must be [min >= 2, max >= min]");
  if (c.aircraft_min < 1 || c.aircraft_max < c.aircraft_min)
    return bad("aircraft must be [min >= 1, max >= min]");
  return c;
}

std::string TrainConfigJson(const TrainConfig& c) {
  Json j;
  j["domain"] = DomainName(c.domain);
  j["method"] = TrainMethodName(c.method);
  j["steps"] = c.steps;
  j["envs"] = c.envs;
  j["rollout"] = c.rollout;
  if (c.critic_warmup > 0) j["critic_warmup"] = c.critic_warmup;
  j["lr"] = c.lr;
  j["gamma"] = c.gamma;
  j["lambda"] = c.lambda;
  j["reward_scale"] = c.reward_scale;
  j["seed"] = c.seed;
  j["eval_every"] = c.eval_every;
  j["checkpoint_every"] = c.checkpoint_every;
  if (c.snapshot_every > 0) j["snapshot_every"] = c.snapshot_every;
  j["epochs"] = c.ppo.epochs;
  j["minibatch"] = c.ppo.minibatch;
  j["clip"] = c.ppo.clip;
  j["value_clip"] = c.ppo.value_clip;
  j["value_coef"] = c.ppo.value_coef;
  j["entropy_coef"] = c.ppo.entropy_coef;
  j["max_grad_norm"] = c.ppo.max_grad_norm;
  j["hidden"] = c.model.hidden;
  j["heads"] = c.model.heads;
  j["layers"] = c.model.layers;
  j["features"] = c.model.features;
  if (c.domain == Domain::kJobShop) {
    j["jobs"] = c.jobs;
    j["machines"] = c.machines;
    j["shutdown_p"] = c.shutdown_p;
    j["max_time"] = c.max_time;
    j["instances"] = c.instances;
    j["samples"] = c.samples;
    j["expert_evaluations"] = c.expert_evaluations;
    j["labels_per_instance"] = c.labels_per_instance;
    j["label_share"] = c.label_share;  // dagger: the share of decisions labelled
    j["label_warm_start"] = c.label_warm_start;
  } else {
    j["instances"] = c.instances;
    j["samples"] = c.samples;
    j["label_share"] = c.label_share;
    j["greedy_floor"] = c.greedy_floor;
    j["vertiports"] = {c.vertiports_min, c.vertiports_max};
    j["aircraft"] = {c.aircraft_min, c.aircraft_max};
  }
  return j.dump();
}

Result<SavedRun> ReadSavedRun(const std::string& checkpoint_path) {
  auto model = NeuralModel::Load(checkpoint_path);
  if (!model) return model.error();
  SavedRun run;
  run.config = DefaultTrainConfig((*model)->domain());
  run.config.model = (*model)->config();
  const Json st = Json::parse((*model)->trainer_state(), nullptr, /*allow_exceptions=*/false);
  if (!st.is_object() || !st.contains("config") || !st["config"].is_object()) return run;
  Json saved = st["config"];
  saved.erase("domain");
  for (auto it = saved.begin(); it != saved.end(); ++it) run.recorded.insert(it.key());
  auto config = ApplyTrainConfigJson(run.config, saved.dump(),
                                     checkpoint_path + ": saved training settings");
  if (!config) return config.error();
  run.config = *config;
  run.saved = true;
  return run;
}

std::vector<std::string> TrainConfigDifferences(const TrainConfig& a, const TrainConfig& b,
                                                const std::set<std::string>& only) {
  const Json ja = Json::parse(TrainConfigJson(a)), jb = Json::parse(TrainConfigJson(b));
  std::vector<std::string> out;
  for (auto it = jb.begin(); it != jb.end(); ++it) {
    if (!only.empty() && !only.count(it.key())) continue;
    const auto old = ja.find(it.key());
    if (old == ja.end() || *old != *it)
      out.push_back(fmt::format("{} {} -> {}", it.key(), old == ja.end() ? "(unset)" : old->dump(),
                                it->dump()));
  }
  return out;
}

// Version of the validation sets below; the trainer state records it, and
// a run resumed under another version re-scores best.pt before comparing.
//   1  job shop: 8 generated instances, one seed at p = 0.05
//   2  job shop: 16 instances (2 per size), p = 0 and p = 0.1, 2 seeds at
//      p = 0.1: one instance per size made best.pt a lottery (two
//      validations of similar weights differed by 7 points)
// UAM is unchanged across versions.
constexpr int kValidationVersion = 2;

double ValidationScore(const NeuralModel& model) {
  // A fixed validation set, distinct from training streams and from the
  // benchmark instances. The torch-free copy of the current weights: what
  // run and eval will use.
  const std::shared_ptr<const FastNet> net = model.fast_net();
  if (model.domain() == Domain::kJobShop) {
    // 16 generated instances from 6x6 to 30x20 (seeds 777000+, apart from
    // the training streams and the benchmark instances) at p = 0 and
    // p = 0.1; the score is minus the mean gap to each instance's lower
    // bound, so every size weighs the same.
    NeuralJobShopPolicy policy(net, "validation");
    const std::pair<int, int> sizes[] = {{6, 6},   {10, 5},  {10, 10}, {15, 10},
                                         {20, 10}, {15, 15}, {20, 15}, {30, 20}};
    double total = 0;
    int n = 0, episodes = 0;
    for (int copy = 0; copy < 2; ++copy)
      for (const auto& [jobs, machines] : sizes) {
        auto inst = *jobshop::GenerateInstance(
            {.jobs = jobs, .machines = machines, .seed = 777000 + static_cast<std::uint64_t>(n++)});
        const double lb = static_cast<double>(MakespanLowerBound(inst));
        for (const auto& [p, seed] : {std::pair{0.0, 4242}, {0.1, 4242}, {0.1, 4243}}) {
          jobshop::SimOptions o;
          o.breakdowns = jobshop::PerOperationBreakdowns(p);
          const double ms =
              static_cast<double>(jobshop::RunEpisode(inst, o, seed, policy).makespan);
          total += 100.0 * (ms / lb - 1.0);
          ++episodes;
        }
      }
    return -total / episodes;
  }
  // UAM: 6 generated scenarios (seeds 888000+, 6 to 12 vertiports, apart
  // from the training streams and the evaluation seeds), 2 days each with
  // uncertainty on; the score is the network's total profit over greedy's
  // on the same days, in %.
  NeuralUamPolicy policy(net, "validation");
  uam::GreedyPolicy greedy;
  const std::pair<int, int> sizes[] = {{8, 30}, {8, 40}, {6, 24}, {10, 50}, {12, 60}, {8, 40}};
  double learned = 0, base = 0;
  std::uint64_t i = 0;
  for (const auto& [vertiports, aircraft] : sizes) {
    auto sc = uam::GenerateScenario({.vertiports = vertiports, .aircraft = aircraft, .seed = 888000 + i++});
    if (!sc) continue;
    for (std::uint64_t day = 0; day < 2; ++day) {
      const uam::SimOptions o{.record_timeline = false};
      learned += uam::RunEpisode(*sc, 4242 + day, policy, o).kpis.profit();
      base += uam::RunEpisode(*sc, 4242 + day, greedy, o).kpis.profit();
    }
  }
  return 100.0 * (learned - base) / std::max(1.0, std::abs(base));
}

// A collective failed (another rank died or the network broke): stop with a
// clear error. The last periodic checkpoint is intact (written atomically).
Error LostRank(const std::exception& e, const std::string& latest) {
  std::string what = e.what();
  if (const auto nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
  std::error_code ec;
  const std::string next =
      std::filesystem::exists(latest, ec)
          ? fmt::format("the last checkpoint {} is intact: restart every rank with --resume", latest)
          : std::string("no checkpoint was written yet: restart every rank");
  return Error{fmt::format("data parallel: lost contact with the other ranks ({}); {}",
                           what.substr(0, 160), next)};
}

// The temporary files of saves that a kill interrupted (NeuralModel::Save
// writes X.pt.tmp, WriteWeightsFile X.safetensors.tmp<pid>, then renames):
// nothing reads them, and the pid-named ones would never be overwritten.
// A directory that does not exist has none.
static void RemoveInterruptedSaves(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  static const std::regex kTemporary(R"(.*\.(pt\.tmp|safetensors\.tmp[0-9]*))");
  std::error_code ec;
  std::vector<fs::path> stale;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    if (std::regex_match(it->path().filename().string(), kTemporary)) stale.push_back(it->path());
  for (const auto& p : stale) fs::remove(p, ec);
}

Result<TrainSummary> Train(const TrainConfig& c, const std::string& out_dir, bool resume,
                           const TrainCallbacks& cb, const std::atomic<bool>* cancel,
                           const DataParallel& dp) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Error{fmt::format("{}: cannot create output directory: {}", out_dir, ec.message())};
  const fs::path snapshots = fs::path(out_dir) / "snapshots";
  if (dp.rank == 0) {
    RemoveInterruptedSaves(out_dir);
    RemoveInterruptedSaves(snapshots);
  }
  const std::string latest = CheckpointPath(out_dir, "checkpoint.pt");
  const std::string best_path = CheckpointPath(out_dir, "best.pt");

  std::unique_ptr<NeuralModel> model;
  std::int64_t step = 0;
  int iteration = 0, episodes = 0;
  std::optional<double> best_score;  // none until a validation has scored best.pt
  if (resume) {
    auto loaded = NeuralModel::Load(latest);
    if (!loaded) return Error{fmt::format("--resume: {}", loaded.error().message)};
    model = std::move(*loaded);
    if (model->domain() != c.domain)
      return Error{fmt::format("--resume: {} holds a {} policy, not {}", latest,
                               DomainName(model->domain()), DomainName(c.domain))};
    if (model->config().features != c.model.features)
      return Error{fmt::format("--resume: {} observes {} features version {}, the config "
                               "asks for {}",
                               latest, DomainName(c.domain), model->config().features,
                               c.model.features)};
    if (model->config().hidden != c.model.hidden || model->config().heads != c.model.heads ||
        model->config().layers != c.model.layers)
      return Error{fmt::format("--resume: {} has model hidden {} heads {} layers {}, the config "
                               "asks for {} {} {}",
                               latest, model->config().hidden, model->config().heads,
                               model->config().layers, c.model.hidden, c.model.heads, c.model.layers)};
    const Json st = Json::parse(model->trainer_state());
    step = st.value("step", std::int64_t{0});
    iteration = st.value("iteration", 0);
    episodes = st.value("episodes", 0);
    // Before best scores were optional, "no validation yet" was -1e300.
    if (const auto b = st.find("best_score");
        b != st.end() && b->is_number() && b->get<double>() > -1e299)
      best_score = b->get<double>();
    // Scored on another validation set: best.pt's score is recomputed on
    // this one, so the next comparisons are like with like.
    if (best_score && st.value("validation", 1) != kValidationVersion) {
      auto best = NeuralModel::Load(best_path);
      best_score = best ? std::optional<double>(ValidationScore(**best)) : std::nullopt;
    }
  } else {
    auto created = NeuralModel::Create(c.domain, c.model, c.seed);
    if (!created) return created.error();
    model = std::move(*created);
  }
  if (dp.world > 1) {
    const GroupConfig g{dp.rank, dp.world, dp.host, dp.port, dp.timeout_s,
                        TrainConfigJson(c) + (resume ? " resume" : " fresh")};
    if (Status st = model->JoinGroup(g); !st.ok()) return st.error();
  }
  const int rank = model->rank(), world = model->world();
  const bool leader = rank == 0;
  NeuralModel::SetThreads(c.threads);
  ParallelFor pool(c.threads);

  std::vector<std::unique_ptr<TrainEnv>> envs;
  std::vector<std::uint64_t> episode_counter(c.envs);
  for (int i = 0; i < (c.method == TrainMethod::kPpo ? c.envs : 0); ++i) {
    envs.push_back(std::make_unique<TrainEnv>(c, i));
    // Episode numbers continue after a resume, so the curve goes on with
    // new instances rather than repeating the first ones.
    // Ranks take disjoint episode numbers.
    episode_counter[i] = static_cast<std::uint64_t>(iteration) * 1000003ULL +
                         static_cast<std::uint64_t>(rank) * c.envs + i;
    envs[i]->NewEpisode(episode_counter[i]);
  }
  Rng rng = Rng::Stream(c.seed, StreamTag::kPolicy, 0x77a1 + static_cast<std::uint64_t>(rank),
                        static_cast<std::uint64_t>(iteration));
  std::deque<double> recent;
  // UAM imitate: the aggregated labels (DAgger), at most kReplayCap (then a
  // random old one is replaced). Not in the checkpoint: a resumed run
  // starts a new set.
  std::vector<Transition> replay;
  constexpr std::int64_t kReplayCap = 60000;
  const auto t0 = Clock::now();
  const std::int64_t start_step = step;
  TrainSummary summary;

  auto save = [&](const std::string& path) {
    Json st;
    st["step"] = step;
    st["iteration"] = iteration;
    st["episodes"] = episodes;
    st["best_score"] = best_score ? Json(*best_score) : Json(nullptr);
    st["validation"] = kValidationVersion;
    st["config"] = Json::parse(TrainConfigJson(c));
    return model->Save(path, st.dump());
  };

  // One cross-entropy update (learning from search), its learning rate
  // decayed with the run's progress to 5%; a lost rank is an error.
  auto imitation_step = [&](const std::vector<Transition>& batch,
                            TrainProgress* p) -> std::optional<Error> {
    const double frac = 1.0 - static_cast<double>(step) / static_cast<double>(c.steps);
    try {
      const auto is = model->UpdateImitation(batch, c.ppo.epochs, c.ppo.minibatch,
                                             c.lr * std::max(0.05, frac), c.ppo.max_grad_norm, rng);
      p->imitation_loss = is.loss;
      p->imitation_accuracy = is.accuracy;
    } catch (const std::exception& e) {
      return LostRank(e, latest);
    }
    return std::nullopt;
  };

  while (step < c.steps) {
    bool stop = false;
    try {
      stop = model->AnyRank(cancel && cancel->load());
    } catch (const std::exception& e) {
      return LostRank(e, latest);
    }
    if (stop) {
      summary.cancelled = true;
      break;
    }
    const auto rollout_start = Clock::now();
    auto update_start = rollout_start;
    PpoStats stats;
    TrainProgress p;
    if (c.method == TrainMethod::kPpo) {
      std::vector<std::vector<Transition>> traj(c.envs);
      for (int t = 0; t < c.rollout; ++t) {
        std::vector<const env::Observation*> obs;
        for (auto& e : envs) obs.push_back(&e->env().observation());
        std::vector<std::vector<float>> probs;
        std::vector<float> values;
        model->Evaluate(obs, &probs, &values);
        std::vector<int> actions(c.envs);
        for (int i = 0; i < c.envs; ++i) actions[i] = SampleLegal(probs[i], obs[i]->mask, rng);
        for (int i = 0; i < c.envs; ++i) {
          Transition tr;
          tr.obs = *obs[i];
          tr.action = actions[i];
          tr.log_prob = std::log(std::max(1e-12f, probs[i][actions[i]]));
          tr.value = values[i];
          traj[i].push_back(std::move(tr));
        }
        std::vector<env::StepResult> results(c.envs);
        pool.Run(c.envs, [&](int i) { results[i] = envs[i]->env().Step(actions[i]); });
        for (int i = 0; i < c.envs; ++i) {
          traj[i].back().reward = static_cast<float>(results[i].reward * c.reward_scale);
          traj[i].back().done = results[i].done;
          envs[i]->episode_return_ += results[i].reward;
          if (results[i].done) {
            recent.push_back(envs[i]->episode_return_);
            if (recent.size() > 50) recent.pop_front();
            ++episodes;
            episode_counter[i] += static_cast<std::uint64_t>(c.envs) * world;
            envs[i]->NewEpisode(episode_counter[i]);
          }
        }
        step += static_cast<std::int64_t>(c.envs) * world;
      }
      // Bootstrap values of the states after the rollout.
      std::vector<const env::Observation*> last;
      for (auto& e : envs) last.push_back(&e->env().observation());
      std::vector<std::vector<float>> lp;
      std::vector<float> lv;
      model->Evaluate(last, &lp, &lv);
      std::vector<Transition> batch;
      for (int i = 0; i < c.envs; ++i) {
        ComputeGae(traj[i], traj[i].back().done ? 0.f : lv[i], c.gamma, c.lambda);
        for (auto& tr : traj[i]) batch.push_back(std::move(tr));
      }
      NormalizeAdvantages(batch);
      update_start = Clock::now();
      const double frac = 1.0 - static_cast<double>(step) / static_cast<double>(c.steps);
      try {
        PpoConfig ppo = c.ppo;
        ppo.value_only = step <= c.critic_warmup;
        stats = model->Update(batch, ppo, c.lr * std::max(0.0, frac), rng);
      } catch (const std::exception& e) {
        return LostRank(e, latest);
      }
    } else if (c.domain == Domain::kUam) {
      // DAgger: label days rolled in by greedy and the current network with
      // the rollout expert, then cross-entropy on the fresh labels plus
      // twice as many drawn from the earlier ones (the aggregated set).
      const std::shared_ptr<const FastNet> net = model->fast_net();
      const double progress = static_cast<double>(step) / static_cast<double>(c.steps);
      UamLabelOptions lo;
      lo.expert_samples = c.samples;
      lo.label_share = c.label_share;
      lo.greedy_share = std::max(c.greedy_floor, std::min(1.0, 1.0 - 2.0 * progress));
      lo.features = c.model.features;
      std::vector<UamLabelledDay> days(c.instances);
      pool.Run(c.instances, [&](int i) {
        Rng draw = Rng::Stream(c.seed, StreamTag::kGenerator, 6000 + static_cast<std::uint64_t>(rank),
                               static_cast<std::uint64_t>(iteration) * 4096 + static_cast<std::uint64_t>(i));
        const UamDraw d = DrawUam(c, draw);
        days[i] = LabelUamDay(d.scenario, d.seed, net, lo, draw.NextU64());
      });
      std::vector<Transition> batch;
      int kept = 0;
      for (auto& d : days) {
        kept += d.expert_kept_greedy;
        for (auto& t : d.decisions) batch.push_back(std::move(t));
        recent.push_back(d.profit / 1000.0);
        if (recent.size() > 50) recent.pop_front();
        ++episodes;
      }
      const std::size_t fresh = batch.size();
      for (std::size_t k = 0; k < 2 * fresh && !replay.empty(); ++k)
        batch.push_back(replay[static_cast<std::size_t>(
            rng.UniformInt(0, static_cast<std::int64_t>(replay.size()) - 1))]);
      for (std::size_t k = 0; k < fresh; ++k) {
        if (replay.size() < kReplayCap) replay.push_back(batch[k]);
        else replay[static_cast<std::size_t>(rng.UniformInt(0, kReplayCap - 1))] = batch[k];
      }
      p.imitation = true;
      p.expert_kept_greedy = fresh > 0 ? static_cast<double>(kept) / static_cast<double>(fresh) : 0;
      p.greedy_share = lo.greedy_share;
      update_start = Clock::now();
      if (auto lost = imitation_step(batch, &p)) return *lost;
      step += static_cast<std::int64_t>(std::max<std::size_t>(1, fresh)) * world;
    } else if (c.method == TrainMethod::kDagger) {
      // DAgger: the policy's own (sampled) episodes, labelled by the planner.
      const std::shared_ptr<const FastNet> net = model->fast_net();
      struct Labelled {
        std::vector<Transition> decisions;
        SimTime makespan = kTimeInfinity;
        int agreed = 0;
        double mean_duration = 1;
      };
      std::vector<Labelled> labelled(c.instances);
      pool.Run(c.instances, [&](int i) {
        Rng draw = Rng::Stream(c.seed, StreamTag::kGenerator, 5000 + static_cast<std::uint64_t>(rank),
                               static_cast<std::uint64_t>(iteration) * 4096 + static_cast<std::uint64_t>(i));
        const JobShopDraw d = DrawJobShop(c, draw);
        TeacherOptions t;
        t.evaluations = c.expert_evaluations;
        t.label_share = c.label_share;
        t.warm_start = c.label_warm_start;
        t.max_labels = c.labels_per_instance > 0 ? c.labels_per_instance : 1 << 30;
        t.sample = true;
        t.stream = draw.NextU64();
        t.label_seed = draw.NextU64();
        Labelled& l = labelled[i];
        l.decisions = LabelWithPlanner(d.instance, d.options, d.seed, net, t, &l.makespan, &l.agreed);
        l.mean_duration = std::max(1e-9, d.instance.MeanDuration());
      });
      std::vector<Transition> batch;
      int agreed = 0;
      for (auto& l : labelled) {
        agreed += l.agreed;
        for (auto& t : l.decisions) batch.push_back(std::move(t));
        if (l.makespan < kTimeInfinity) {
          recent.push_back(-static_cast<double>(l.makespan) / l.mean_duration);
          if (recent.size() > 50) recent.pop_front();
        }
        ++episodes;
      }
      p.imitation = true;
      p.planner_agreed = batch.empty() ? 0 : static_cast<double>(agreed) / batch.size();
      update_start = Clock::now();
      if (auto lost = imitation_step(batch, &p)) return *lost;
      step += static_cast<std::int64_t>(batch.size()) * world;
    } else {
      // Learning from search: label each instance with the best of its
      // sampled (and expert) episodes, then one cross-entropy update.
      const std::shared_ptr<const FastNet> net = model->fast_net();
      struct Labelled {
        std::vector<Transition> decisions;
        BestOfResult search;
        double mean_duration = 1;
      };
      std::vector<Labelled> labelled(c.instances);
      const bool imitate = c.method == TrainMethod::kImitate;
      pool.Run(c.instances, [&](int i) {
        Rng draw = Rng::Stream(c.seed, StreamTag::kGenerator, 5000 + static_cast<std::uint64_t>(rank),
                               static_cast<std::uint64_t>(iteration) * 4096 + static_cast<std::uint64_t>(i));
        const JobShopDraw d = DrawJobShop(c, draw);
        BestOfOptions o;
        o.samples = imitate ? 0 : c.samples;
        o.include_greedy = true;
        o.expert_evaluations = c.expert_evaluations;
        o.threads = 1;
        Labelled& l = labelled[i];
        l.search = BestOfSamples(d.instance, d.options, d.seed, net, o);
        if (imitate) {  // the expert's episode, whatever the greedy one did
          l.search.best = l.search.expert;
          l.search.source = "expert";
        }
        l.mean_duration = std::max(1e-9, d.instance.MeanDuration());
        if (l.search.best.makespan < kTimeInfinity)
          l.decisions = Demonstrate(d.instance, d.options, d.seed, l.search.best.jobs,
                                    c.model.features);
        const std::size_t keep = static_cast<std::size_t>(c.labels_per_instance);
        if (keep > 0 && l.decisions.size() > keep) {  // a random subset, partial Fisher-Yates
          for (std::size_t k = 0; k < keep; ++k)
            std::swap(l.decisions[k],
                      l.decisions[k + static_cast<std::size_t>(draw.UniformInt(
                                          0, static_cast<std::int64_t>(l.decisions.size() - k) - 1))]);
          l.decisions.resize(keep);
        }
      });
      std::vector<Transition> batch;
      double over = 0;
      int counted = 0;
      for (auto& l : labelled) {
        for (auto& t : l.decisions) batch.push_back(std::move(t));
        if (l.search.best.makespan < kTimeInfinity && l.search.greedy_makespan < kTimeInfinity) {
          const double best = static_cast<double>(l.search.best.makespan);
          over += 100.0 * (static_cast<double>(l.search.greedy_makespan) - best) / best;
          ++counted;
          recent.push_back(-static_cast<double>(l.search.greedy_makespan) / l.mean_duration);
          if (recent.size() > 50) recent.pop_front();
        }
        p.won_by_sample += l.search.source == "sample";
        p.won_by_greedy += l.search.source == "greedy";
        p.won_by_expert += l.search.source == "expert";
        ++episodes;
      }
      p.imitation = true;
      p.won_by_sample /= c.instances;
      p.won_by_greedy /= c.instances;
      p.won_by_expert /= c.instances;
      p.greedy_over_best_pct = counted > 0 ? over / counted : 0;
      update_start = Clock::now();
      if (auto lost = imitation_step(batch, &p)) return *lost;
      step += static_cast<std::int64_t>(batch.size()) * world;
    }
    ++iteration;
    const auto update_end = Clock::now();

    p.rollout_s = std::chrono::duration<double>(update_start - rollout_start).count();
    p.update_s = std::chrono::duration<double>(update_end - update_start).count();
    p.step = step;
    p.total_steps = c.steps;
    p.iteration = iteration;
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    p.steps_per_s = wall > 0 ? static_cast<double>(step - start_step) / wall : 0;
    p.eta_s = p.steps_per_s > 0
                  ? static_cast<double>(std::max<std::int64_t>(0, c.steps - step)) / p.steps_per_s
                  : 0;
    double mr = 0;
    for (double r : recent) mr += r;
    p.mean_return = recent.empty() ? 0 : mr / static_cast<double>(recent.size());
    p.episodes = episodes;
    p.ppo = stats;
    if (leader && c.eval_every > 0 && (iteration % c.eval_every == 0 || step >= c.steps)) {
      p.evaluated = true;
      p.eval_score = ValidationScore(*model);
      p.eval_s = std::chrono::duration<double>(Clock::now() - update_end).count();
      if (!best_score || p.eval_score > *best_score) {
        best_score = p.eval_score;
        if (Status st = save(best_path); !st.ok()) return st.error();
      }
    }
    p.best_eval_score = best_score.value_or(p.eval_score);
    // The curve point is stored before the checkpoint that includes this
    // iteration: a kill between the two re-runs the iteration on --resume,
    // which replaces the point (same step), so the curve never misses one.
    if (leader && cb.on_metrics) {
      std::vector<std::pair<std::string, double>> m;
      if (p.expert_kept_greedy >= 0)  // UAM imitate
        m = {{"mean_return", p.mean_return},
             {"imitation_loss", p.imitation_loss},
             {"imitation_accuracy", p.imitation_accuracy},
             {"expert_kept_greedy", p.expert_kept_greedy},
             {"greedy_share", p.greedy_share},
             {"steps_per_s", p.steps_per_s}};
      else if (p.planner_agreed >= 0)  // job-shop dagger
        m = {{"mean_return", p.mean_return},
             {"imitation_loss", p.imitation_loss},
             {"imitation_accuracy", p.imitation_accuracy},
             {"planner_agreed", p.planner_agreed},
             {"steps_per_s", p.steps_per_s}};
      else if (p.imitation)
        m = {{"mean_return", p.mean_return},
             {"imitation_loss", p.imitation_loss},
             {"imitation_accuracy", p.imitation_accuracy},
             {"greedy_over_best_pct", p.greedy_over_best_pct},
             {"won_by_sample", p.won_by_sample},
             {"won_by_expert", p.won_by_expert},
             {"steps_per_s", p.steps_per_s}};
      else
        m = {{"mean_return", p.mean_return},   {"policy_loss", stats.policy_loss},
             {"value_loss", stats.value_loss}, {"entropy", stats.entropy},
             {"approx_kl", stats.approx_kl},   {"steps_per_s", p.steps_per_s}};
      if (p.evaluated) m.push_back({"eval_score", p.eval_score});
      cb.on_metrics(step, m);
    }
    if (leader && (iteration % c.checkpoint_every == 0 || step >= c.steps)) {
      if (Status st = save(latest); !st.ok()) return st.error();
    }
    if (leader && c.snapshot_every > 0 && iteration % c.snapshot_every == 0) {
      fs::create_directories(snapshots, ec);
      if (Status st = save((snapshots / fmt::format("step-{:09d}.pt", step)).string()); !st.ok())
        return st.error();
    }
    if (cb.on_progress) cb.on_progress(p);
  }
  if (leader) {
    // Stopped before any validation (Ctrl-C, or eval_every beyond the run),
    // or best.pt went missing: validate the current weights first, so
    // best.pt and the reported best score always belong together.
    if (!best_score || !fs::exists(best_path)) {
      best_score = ValidationScore(*model);
      if (Status st = save(best_path); !st.ok()) return st.error();
    }
    if (Status st = save(latest); !st.ok()) return st.error();
  }
  summary.steps = step;
  summary.iterations = iteration;
  summary.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  summary.best_eval_score = best_score.value_or(0.0);
  summary.checkpoint = leader ? latest : "";
  summary.best_checkpoint = leader ? best_path : "";
  return summary;
}

}  // namespace dispatchlab::policy
