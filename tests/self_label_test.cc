// Learning from search and best-of-K sampling (policy/self_label.h), the
// job-shop feature versions, and the registry's ":best<K>" policies.
// Torch-free: the shipped network runs on FastNet.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "policy/neural_policy.h"
#include "policy/registry.h"
#include "policy/self_label.h"
#include "policy/uam_imitation.h"
#include "policy/weights_file.h"
#include "scenarios/catalog.h"
#include "sim/env/jobshop_env.h"
#include "sim/jobshop/generator.h"
#include "sim/jobshop/replan.h"
#include "sim/jobshop/rules.h"
#include "sim/uam/policies.h"

namespace dispatchlab::policy {
namespace {

const std::string kAssets = DISPATCHLAB_SOURCE_DIR "/assets";

std::shared_ptr<const FastNet> Load(const std::string& file) {
  auto w = ReadWeightsFile(kAssets + "/" + file);
  EXPECT_TRUE(w.ok()) << w.error().message;
  return std::make_shared<const FastNet>(std::move(w->weights));
}

// The shipped default (`gat`, reserve actions, feature version 5) and the
// shipped non-delay policy (feature version 2, one action per job).
std::shared_ptr<const FastNet> Shipped() { return Load("jobshop_gat.safetensors"); }
std::shared_ptr<const FastNet> NonDelay() { return Load("jobshop_gat_nondelay.safetensors"); }

jobshop::SimOptions WithP(double p) {
  jobshop::SimOptions o;
  o.breakdowns = jobshop::PerOperationBreakdowns(p);
  return o;
}

TEST(SelfLabel, RecordedChoicesReplayTheSameEpisode) {
  const auto inst = *scenarios::LoadJobShopInstance("la16");
  const auto o = WithP(0.1);
  auto rule = jobshop::MakeRulePolicy(jobshop::Rule::kMwkr);
  const auto direct = jobshop::RunEpisode(inst, o, 7, *rule);
  const JobSequence seq = RecordChoices(inst, o, 7, *rule);
  EXPECT_EQ(seq.makespan, direct.makespan);
  EXPECT_EQ(static_cast<int>(seq.jobs.size()), direct.decisions);
  JobReplayPolicy replay(seq.jobs);
  const auto again = jobshop::RunEpisode(inst, o, 7, replay);
  ASSERT_EQ(again.schedule.size(), direct.schedule.size());
  for (std::size_t i = 0; i < direct.schedule.size(); ++i) {
    EXPECT_EQ(again.schedule[i].start, direct.schedule[i].start) << i;
    EXPECT_EQ(again.schedule[i].leave, direct.schedule[i].leave) << i;
  }
}

TEST(SelfLabel, DemonstrationHasOneLegalLabelPerDecision) {
  const auto inst = *jobshop::GenerateInstance({.jobs = 12, .machines = 6, .seed = 3});
  const auto o = WithP(0.05);
  auto rule = jobshop::MakeRulePolicy(jobshop::Rule::kSpt);
  const JobSequence seq = RecordChoices(inst, o, 11, *rule);
  const auto demo = Demonstrate(inst, o, 11, seq.jobs, env::kJobShopFeaturesCurrent);
  ASSERT_EQ(demo.size(), seq.jobs.size());
  ASSERT_GT(demo.size(), 0u);
  for (std::size_t i = 0; i < demo.size(); ++i) {
    EXPECT_EQ(demo[i].action, seq.jobs[i]);
    ASSERT_EQ(demo[i].obs.mask.size(), static_cast<std::size_t>(inst.num_jobs()));
    EXPECT_EQ(demo[i].obs.mask[demo[i].action], 1) << "label " << i << " is not legal";
    int legal = 0;
    for (auto m : demo[i].obs.mask) legal += m;
    EXPECT_GE(legal, 2) << "a forced move was labelled";
  }
  // The observation at a decision is what the learned policy would see
  // there: the first one equals a fresh observer's at the first decision.
  jobshop::Simulator sim(inst, o);
  sim.Reset(11);
  ASSERT_TRUE(sim.AdvanceToDecision());
  env::JobShopObserver obs(inst);
  env::Observation first;
  obs.Init(&first);
  obs.Write(sim, &first);
  EXPECT_EQ(first.node_sets[0].features, demo[0].obs.node_sets[0].features);
  EXPECT_EQ(first.node_sets[1].features, demo[0].obs.node_sets[1].features);
}

TEST(SelfLabel, BestOfSamplesIsNoWorseThanGreedyAndDeterministic) {
  for (const auto& net : {NonDelay(), Shipped()}) {
    SCOPED_TRACE(net->weights().features);
    const auto inst = *scenarios::LoadJobShopInstance("la06");
    const auto o = WithP(0.05);
    BestOfOptions b;
    b.samples = 12;
    b.threads = 1;
    const auto one = BestOfSamples(inst, o, 5, net, b);
    b.threads = 2;
    const auto two = BestOfSamples(inst, o, 5, net, b);
    EXPECT_EQ(one.best.jobs, two.best.jobs) << "threads must not change the result";
    EXPECT_EQ(one.best.makespan, two.best.makespan);
    NeuralJobShopPolicy greedy(net, "gat");
    const auto g = jobshop::RunEpisode(inst, o, 5, greedy);
    EXPECT_EQ(one.greedy_makespan, g.makespan);
    EXPECT_LE(one.best.makespan, g.makespan);
    EXPECT_GT(one.mean_sample_makespan, 0);
    // The best sequence replays to its makespan (in the net's decision mode).
    JobReplayPolicy replay(one.best.jobs, "replay", greedy.decisions());
    EXPECT_EQ(jobshop::RunEpisode(inst, o, 5, replay).makespan, one.best.makespan);
    // An expert in the pool can only help.
    b.expert_evaluations = 500;
    const auto with_expert = BestOfSamples(inst, o, 5, net, b);
    EXPECT_LE(with_expert.best.makespan, one.best.makespan);
    EXPECT_LE(with_expert.best.makespan, with_expert.expert_makespan);
    EXPECT_EQ(with_expert.expert.makespan, with_expert.expert_makespan);
  }
}

// A fixed distribution: `hold` on one machine's hold, `job` on each of its
// start candidates, nothing elsewhere.
class FixedNet final : public PolicyNet {
 public:
  int machine = -1;
  float hold = 0, job = 0;
  int n = 0;
  const std::vector<float>& Probabilities(const env::Observation& obs) override {
    probs_.assign(obs.mask.size(), 0.f);
    for (std::size_t a = 0; a < obs.mask.size(); ++a) {
      if (!obs.mask[a]) continue;
      if (static_cast<int>(a) == n + machine) probs_[a] = hold;
      else if (static_cast<int>(a) < n && starts_here[a]) probs_[a] = job;
    }
    return probs_;
  }
  int features() const override { return 4; }
  std::vector<bool> starts_here;

 private:
  std::vector<float> probs_;
};

// Greedy in the wide mode holds a machine only when its hold is likelier
// than all its jobs together; plain argmax would hold whenever the hold
// beats each job alone.
TEST(SelfLabel, GreedyHoldsOnlyWhenTheHoldOutweighsTheMachinesJobs) {
  const auto inst = *scenarios::LoadJobShopInstance("la01");
  jobshop::SimOptions o;
  o.decisions = jobshop::DecisionMode::kHold;
  jobshop::Simulator sim(inst, o);
  sim.Reset(1);
  // Find a decision where a machine offers a hold and at least 3 jobs.
  int machine = -1;
  while (machine < 0 && sim.AdvanceToDecision()) {
    const auto c = sim.candidates();
    for (const auto& h : c) {
      if (!h.hold()) continue;
      int jobs = 0;
      for (const auto& x : c) jobs += !x.hold() && x.machine == h.machine;
      if (jobs >= 3) machine = h.machine.value;
    }
    if (machine < 0) {  // start something (never hold) and look again
      int start = 0;
      while (c[start].hold()) ++start;
      sim.Apply(start);
    }
  }
  ASSERT_GE(machine, 0);
  auto fixed = std::make_unique<FixedNet>();
  FixedNet* net = fixed.get();
  net->n = inst.num_jobs();
  net->machine = machine;
  net->starts_here.assign(inst.num_jobs(), false);
  for (const auto& x : sim.candidates())
    if (!x.hold() && x.machine.value == machine) net->starts_here[x.job.value] = true;
  NeuralJobShopPolicy greedy(std::move(fixed), "greedy");
  ASSERT_EQ(greedy.decisions(), jobshop::DecisionMode::kHold);
  greedy.Reset(1);
  const auto cands = sim.candidates();
  // The hold beats each job (0.3 > 0.2 or so) but not their sum: start a job.
  net->hold = 0.3f;
  net->job = 0.7f / 3;
  int c = greedy.Choose(sim, cands);
  EXPECT_FALSE(cands[c].hold());
  EXPECT_EQ(cands[c].machine.value, machine);
  // The hold outweighs them all: hold.
  net->hold = 0.7f;
  net->job = 0.3f / 3;
  c = greedy.Choose(sim, cands);
  EXPECT_TRUE(cands[c].hold());
  EXPECT_EQ(cands[c].machine.value, machine);
}

// DAgger labels: legal in the state they were taken in, at most
// max_labels, and asking the planner never changes the policy's episode
// (it is the sampled episode of the same stream).
TEST(SelfLabel, PlannerLabelsThePoliciesOwnEpisode) {
  const auto inst = *jobshop::GenerateInstance({.jobs = 10, .machines = 5, .seed = 8});
  const auto o = WithP(0.1);
  TeacherOptions t;
  t.evaluations = 300;
  t.label_share = 1.0;
  t.max_labels = 1000;
  t.stream = 3;
  for (const auto& net : {NonDelay(), Shipped()}) {
    const int features = net->weights().features;
    SCOPED_TRACE(features);
    SimTime makespan = 0;
    int agreed = -1;
    const auto labels = LabelWithPlanner(inst, o, 5, net, t, &makespan, &agreed);
    NeuralJobShopPolicy own(net, "s", /*sample=*/true);
    own.set_sample_stream(3);
    const auto episode = jobshop::RunEpisode(inst, o, 5, own);
    EXPECT_EQ(makespan, episode.makespan);
    if (env::JobShopReserves(features)) {
      // Share 1 labels every decision with a choice, except a planner's
      // hold whose planned job is not a reserve action yet.
      EXPECT_LE(static_cast<int>(labels.size()), episode.decisions);
      EXPECT_GE(static_cast<int>(labels.size()), episode.decisions / 2);
    } else {
      EXPECT_EQ(static_cast<int>(labels.size()), episode.decisions);  // share 1: every decision
    }
    EXPECT_GE(agreed, 0);
    EXPECT_LT(agreed, static_cast<int>(labels.size()));  // the planner disagrees somewhere
    for (const auto& l : labels) {
      ASSERT_EQ(l.obs.mask.size(), static_cast<std::size_t>(inst.num_jobs()));
      EXPECT_EQ(l.obs.mask[l.action], 1);
    }
    t.label_share = 0.3;
    t.max_labels = 4;
    EXPECT_LE(LabelWithPlanner(inst, o, 5, net, t).size(), 4u);
    t.label_share = 1.0;
    t.max_labels = 1000;
  }
}

// Warm-started labels come from the same episode and the same labelled
// decisions; only the planner's starting point differs. At p = 0 each
// warm-started plan is never longer than the rest of the net's own
// episode, even on a budget of one evaluation; the cold planner on that
// budget is longer at the first decision on a 15x10 instance.
TEST(SelfLabel, WarmStartedLabelsComeFromThePoliciesOwnEpisode) {
  const auto net = Shipped();
  const auto inst = *jobshop::GenerateInstance({.jobs = 15, .machines = 10, .seed = 8});
  for (double p : {0.0, 0.1}) {
    SCOPED_TRACE(p);
    TeacherOptions t;
    t.evaluations = 200;
    t.label_share = 0.5;
    t.max_labels = 1000;
    t.stream = 3;
    t.label_seed = 9;
    SimTime cold_ms = 0, warm_ms = 0;
    int cold_agreed = -1, warm_agreed = -1;
    const auto cold = LabelWithPlanner(inst, WithP(p), 5, net, t, &cold_ms, &cold_agreed);
    t.warm_start = true;
    const auto warm = LabelWithPlanner(inst, WithP(p), 5, net, t, &warm_ms, &warm_agreed);
    EXPECT_EQ(cold_ms, warm_ms);
    ASSERT_GT(warm.size(), 10u);
    // The same decisions are labelled (a reserve label can be dropped
    // either way, so compare the observations that both labelled).
    std::size_t same_obs = 0;
    for (const auto& w : warm) {
      EXPECT_EQ(w.obs.mask[w.action], 1);
      for (const auto& c : cold) same_obs += c.obs.node_sets[0].features == w.obs.node_sets[0].features &&
                                              c.obs.globals == w.obs.globals;
    }
    EXPECT_GE(same_obs, std::min(cold.size(), warm.size()) * 9 / 10);
    EXPECT_NE(cold_agreed, warm_agreed);  // the labels themselves differ
  }

  // The bound, decision by decision, on the greedy episode at p = 0.
  NeuralJobShopPolicy greedy(net, "g");
  jobshop::SimOptions o = WithP(0);
  o.decisions = greedy.decisions();
  const auto episode = jobshop::RunEpisode(inst, o, 5, greedy);
  ASSERT_EQ(episode.outcome, jobshop::Outcome::kCompleted);
  const auto plan = jobshop::ReplanPolicy::SequencesOf(inst, episode);
  jobshop::Simulator sim(inst, o);
  sim.Reset(5);
  greedy.Reset(5);
  int decision = 0;
  while (sim.AdvanceToDecision()) {
    const auto cands = sim.candidates();
    if (decision % 7 == 0) {
      jobshop::ReplanOptions ro;
      ro.plan_evaluations = 1;
      jobshop::ReplanPolicy warm(ro), cold(ro);
      warm.Reset(5);
      warm.WarmStart(plan);
      warm.Choose(sim, cands);
      EXPECT_LE(warm.planned_makespan(), episode.makespan) << "decision " << decision;
      if (decision == 0) {
        cold.Reset(5);
        cold.Choose(sim, cands);
        EXPECT_GT(cold.planned_makespan(), episode.makespan);
      }
    }
    sim.Apply(cands.size() < 2 ? 0 : greedy.Choose(sim, cands));
    ++decision;
  }
  EXPECT_EQ(sim.result().makespan, episode.makespan);
}

TEST(SelfLabel, SamplesUseDifferentStreamsOnOneSeed) {
  // K samples of one episode must differ somewhere (else best-of-K is
  // greedy): on la16 at least two distinct makespans among 8 samples.
  const auto net = Shipped();
  const auto inst = *scenarios::LoadJobShopInstance("la16");
  std::set<SimTime> makespans;
  for (int k = 0; k < 8; ++k) {
    NeuralJobShopPolicy p(net, "s", /*sample=*/true);
    p.set_sample_stream(static_cast<std::uint64_t>(k));
    makespans.insert(jobshop::RunEpisode(inst, WithP(0), 3, p).makespan);
  }
  EXPECT_GE(makespans.size(), 2u);
}

TEST(SelfLabel, SampledBestPolicyFollowsItsBestSample) {
  const auto net = Shipped();
  const auto inst = *scenarios::LoadJobShopInstance("la02");
  const auto o = WithP(0.1);
  SampledBestPolicy best(net, "gat:best16", 16, 2, BestOfTemperature(net->weights().features));
  const auto r = jobshop::RunEpisode(inst, o, 9, best);
  ASSERT_EQ(r.outcome, jobshop::Outcome::kCompleted);
  EXPECT_EQ(r.makespan, best.last_search().best.makespan);
  NeuralJobShopPolicy greedy(net, "gat");
  EXPECT_LE(r.makespan, jobshop::RunEpisode(inst, o, 9, greedy).makespan);
}

TEST(SelfLabel, RegistryNamesBestOfKAsACeiling) {
  const PolicyRegistry reg(kAssets);
  EXPECT_EQ(PolicyRegistry::WithSamples("spt,gat,runs/x.pt", 8),
            "spt,gat:best8,runs/x.pt:best8");
  EXPECT_EQ(PolicyRegistry::WithSamples("gat:best4,mwkr", 8), "gat:best4,mwkr");
  EXPECT_EQ(PolicyRegistry::WithSamples("gat", 0), "gat");
  auto spec = reg.Find(Domain::kJobShop, "gat:best8");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->name, "gat:best8");
  EXPECT_EQ(spec->kind, "ceiling");
  EXPECT_NE(spec->parameters.find("\"samples\":8"), std::string::npos);
  EXPECT_NE(spec->parameters.find("weights_hash"), std::string::npos);
  // The default temperature is the one chosen for the net's decision mode.
  EXPECT_NE(spec->parameters.find(fmt::format("\"temperature\":{}", kBestOfTemperatureReserve)),
            std::string::npos)
      << spec->parameters;
  auto nondelay = reg.Find(Domain::kJobShop, kAssets + "/jobshop_gat_nondelay.pt:best8");
  ASSERT_TRUE(nondelay.ok()) << nondelay.error().message;
  EXPECT_NE(nondelay->parameters.find("\"temperature\":1.0"), std::string::npos)
      << nondelay->parameters;
  auto tempered = reg.Find(Domain::kJobShop, "gat:best8:t0.8");
  ASSERT_TRUE(tempered.ok()) << tempered.error().message;
  EXPECT_EQ(tempered->kind, "ceiling");
  EXPECT_NE(tempered->parameters.find("\"temperature\":0.8"), std::string::npos)
      << tempered->parameters;
  for (const char* bad : {"gat:best8:t0", "gat:best8:t", "gat:best8:tx", "gat:best8:t11",
                          "gat:best8:t-1", "gat:best:t1"}) {
    auto r = reg.Find(Domain::kJobShop, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("temperature"), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(reg.Find(Domain::kJobShop, "gat:best1").ok());
  EXPECT_FALSE(reg.Find(Domain::kJobShop, "gat:bestx").ok());
  EXPECT_FALSE(reg.Find(Domain::kJobShop, "spt:best8").ok());
  EXPECT_FALSE(reg.Find(Domain::kUam, "gat:best8").ok());
}

TEST(FeatureVersions, Version2ScalesLoadFeaturesByMachines) {
  const auto inst = *jobshop::GenerateInstance({.jobs = 8, .machines = 4, .seed = 1});
  jobshop::Simulator sim(inst, WithP(0));
  sim.Reset(0);
  ASSERT_TRUE(sim.AdvanceToDecision());
  auto rule = jobshop::MakeRulePolicy(jobshop::Rule::kSpt);
  for (int i = 0; i < 3 && sim.AdvanceToDecision(); ++i) sim.Apply(rule->Choose(sim, sim.candidates()));
  ASSERT_TRUE(sim.AdvanceToDecision());
  env::JobShopObserver v1(inst, 1), v2(inst, 2);
  env::Observation a, b;
  v1.Init(&a);
  v2.Init(&b);
  v1.Write(sim, &a);
  v2.Write(sim, &b);
  const float m = static_cast<float>(inst.num_machines);
  EXPECT_GT(sim.now(), 0);
  EXPECT_FLOAT_EQ(b.globals[0], a.globals[0] * m);
  EXPECT_EQ(b.globals[1], a.globals[1]);
  EXPECT_EQ(a.node_sets[0].features, b.node_sets[0].features);
  const int d = b.node_sets[1].dim;
  for (int mm = 0; mm < inst.num_machines; ++mm)
    for (int f = 0; f < d; ++f) {
      const float x1 = a.node_sets[1].features[mm * d + f], x2 = b.node_sets[1].features[mm * d + f];
      if (f == env::JobShopFeatures::kMachineQueuedWork) EXPECT_FLOAT_EQ(x2, x1 * m);
      else EXPECT_EQ(x2, x1);
    }
}

TEST(FeatureVersions, WeightsFilesRecordTheVersionAndOldOnesAreVersion1) {
  auto js = ReadWeightsFile(kAssets + "/jobshop_gat_nondelay.safetensors");
  ASSERT_TRUE(js.ok());
  const auto dir = std::filesystem::temp_directory_path() / "dl_features_test";
  std::filesystem::create_directories(dir);
  FastNetWeights w = js->weights;
  w.features = 2;
  const std::string path = (dir / "v2.safetensors").string();
  ASSERT_TRUE(WriteWeightsFile(path, Domain::kJobShop, w).ok());
  auto back = ReadWeightsFile(path);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->weights.features, 2);
  EXPECT_NE(back->metadata.at("model").find("\"features\":2"), std::string::npos);
  w.features = 1;
  ASSERT_TRUE(WriteWeightsFile(path, Domain::kJobShop, w).ok());
  back = ReadWeightsFile(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->weights.features, 1);
  EXPECT_EQ(back->metadata.at("model").find("features"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// UAM DAgger labels: labelling forks the day and never changes it (with a
// greedy roll-in the day is greedy's own), every label is a legal action on
// the local observation, and fixed inputs give the same labels.
TEST(UamImitation, LabelsLeaveTheDayUnchangedAndAreLegal) {
  const uam::Scenario s = uam::DefaultScenario();
  UamLabelOptions o;
  o.expert_samples = 2;
  o.label_share = 0.02;
  o.greedy_share = 1.0;
  const UamLabelledDay day = LabelUamDay(s, 7, nullptr, o, 99);
  uam::GreedyPolicy greedy;
  const auto ep = uam::RunEpisode(s, 7, greedy, uam::SimOptions{.record_timeline = false});
  EXPECT_DOUBLE_EQ(day.profit, ep.kpis.profit());
  EXPECT_EQ(day.decisions_total, ep.kpis.decisions);
  ASSERT_GE(day.decisions.size(), 10u);
  EXPECT_LT(day.decisions.size(), static_cast<std::size_t>(day.decisions_total) / 10);
  for (const auto& t : day.decisions) {
    ASSERT_EQ(t.obs.node_sets.size(), 2u);  // version 2: vertiports, forecast
    ASSERT_GE(t.action, 0);
    ASSERT_LT(t.action, static_cast<int>(t.obs.mask.size()));
    EXPECT_TRUE(t.obs.mask[t.action]);
    int legal = 0;
    for (auto m : t.obs.mask) legal += m;
    EXPECT_GE(legal, 2);  // only real choices are labelled
  }
  const UamLabelledDay again = LabelUamDay(s, 7, nullptr, o, 99);
  ASSERT_EQ(again.decisions.size(), day.decisions.size());
  for (std::size_t k = 0; k < day.decisions.size(); ++k) {
    EXPECT_EQ(again.decisions[k].action, day.decisions[k].action);
    EXPECT_EQ(again.decisions[k].obs.node_sets[0].features, day.decisions[k].obs.node_sets[0].features);
  }
  EXPECT_LE(day.expert_kept_greedy, static_cast<int>(day.decisions.size()));
}

}  // namespace
}  // namespace dispatchlab::policy
