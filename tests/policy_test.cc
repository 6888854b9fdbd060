// Graph-attention policies and PPO on LibTorch (built with torch only).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <atomic>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "policy/fast_net.h"
#include "policy/neural.h"
#include "policy/neural_policy.h"
#include "policy/registry.h"
#include "policy/rollout.h"
#include "policy/self_label.h"
#include "policy/trainer.h"
#include "policy/weights_file.h"
#include "sim/env/jobshop_env.h"
#include "sim/env/uam_env.h"
#include "sim/jobshop/generator.h"
#include "sim/jobshop/search.h"
#include "sim/uam/scenario.h"

namespace dispatchlab::policy {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<NeuralModel> NewModel(Domain d, std::uint64_t seed = 1) {
  NeuralModel::SetThreads(1);
  auto m = NeuralModel::Create(d, ModelConfig{}, seed);
  EXPECT_TRUE(m.ok());
  return std::shared_ptr<NeuralModel>(std::move(m).value());
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dl_policy_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& f) const { return (dir_ / f).string(); }
  fs::path dir_;
};

TEST(GatLayer, AttentionOnAThreeNodeGraphByHand) {
  // x0 = (1, 0), x1 = (0, -2), x2 = (1, 1); edges 0->2, 1->2, 2->2, 2->0;
  // att = (1, -1), LeakyReLU slope 0.2.
  // Node 2: g_02 = LReLU(2, 1) = (2, 1)        score 1
  //         g_12 = LReLU(1, -1) = (1, -0.2)    score 1.2
  //         g_22 = LReLU(2, 2) = (2, 2)        score 0
  //   alpha = (e^1, e^1.2, e^0) / 7.038399 = (0.386213, 0.471715, 0.142077)
  //   out_2 = 0.386213 (1, 0) + 0.471715 (0, -2) + 0.142077 (1, 1)
  //         = (0.528290, -0.801353)
  // Node 0: only 2 -> 0, alpha = 1, out_0 = x2 = (1, 1). Node 1: no edge, 0.
  const auto out = testing::GatAggregate({1, 0, 0, -2, 1, 1}, 3, 2, {0, 1, 2, 2}, {2, 2, 2, 0},
                                         {1, -1});
  ASSERT_EQ(out.size(), 6u);
  EXPECT_NEAR(out[0], 1.0, 1e-5);
  EXPECT_NEAR(out[1], 1.0, 1e-5);
  EXPECT_NEAR(out[2], 0.0, 1e-6);
  EXPECT_NEAR(out[3], 0.0, 1e-6);
  EXPECT_NEAR(out[4], 0.528290, 1e-5);
  EXPECT_NEAR(out[5], -0.801353, 1e-5);
}

TEST(NeuralModel, MaskedActionsGetNoProbability) {
  auto model = NewModel(Domain::kJobShop);
  auto inst = *jobshop::GenerateInstance({.jobs = 8, .machines = 4, .seed = 2});
  env::JobShopEnv e(inst, jobshop::SimOptions{});
  e.Reset(3);
  int checked = 0;
  while (!e.done() && checked < 10) {
    const env::Observation* one[] = {&e.observation()};
    std::vector<std::vector<float>> probs;
    std::vector<float> values;
    model->Evaluate(one, &probs, &values);
    double total = 0;
    for (int a = 0; a < e.num_actions(); ++a) {
      if (!e.observation().mask[a]) {
        EXPECT_EQ(probs[0][a], 0.0f) << "masked action " << a;
      }
      total += probs[0][a];
    }
    EXPECT_NEAR(total, 1.0, 1e-5);
    int a = 0;
    while (!e.observation().mask[a]) ++a;
    e.Step(a);
    ++checked;
  }
  EXPECT_GT(checked, 2);
  // UAM too: the masked own vertiport never gets probability.
  auto umodel = NewModel(Domain::kUam);
  const uam::Scenario s = uam::DefaultScenario();
  env::UamEnv ue(s);
  ue.Reset(1);
  const env::Observation* one[] = {&ue.observation()};
  std::vector<std::vector<float>> probs;
  std::vector<float> values;
  umodel->Evaluate(one, &probs, &values);
  for (int a = 0; a < ue.num_actions(); ++a)
    if (!ue.observation().mask[a]) {
      EXPECT_EQ(probs[0][a], 0.0f);
    }
}

std::vector<Transition> CollectJobShop(NeuralModel& model, const jobshop::Instance& inst,
                                       int episodes, std::uint64_t seed, double* mean_return) {
  env::JobShopEnv e(inst, jobshop::SimOptions{});
  Rng rng(seed);
  std::vector<Transition> batch;
  double total = 0;
  for (int ep = 0; ep < episodes; ++ep) {
    e.Reset(seed + ep);
    std::vector<Transition> traj;
    while (!e.done()) {
      const env::Observation* one[] = {&e.observation()};
      std::vector<std::vector<float>> probs;
      std::vector<float> values;
      model.Evaluate(one, &probs, &values);
      Transition t;
      t.obs = e.observation();
      t.action = SampleLegal(probs[0], t.obs.mask, rng);
      t.log_prob = std::log(std::max(1e-12f, probs[0][t.action]));
      t.value = values[0];
      const auto r = e.Step(t.action);
      t.reward = static_cast<float>(r.reward * 0.1);
      t.done = r.done;
      traj.push_back(std::move(t));
    }
    total += e.episode_return();
    ComputeGae(traj, 0.f, 1.0, 0.95);
    for (auto& t : traj) batch.push_back(std::move(t));
  }
  *mean_return = total / episodes;
  NormalizeAdvantages(batch);
  return batch;
}

// Six sampled episodes of a fresh model on one fixed 6x4 instance.
std::vector<Transition> FixedJobShopBatch(NeuralModel& model) {
  const auto inst = *jobshop::GenerateInstance({.jobs = 6, .machines = 4, .seed = 5});
  double ret = 0;
  return CollectJobShop(model, inst, 6, 10, &ret);
}

TEST(Ppo, UpdateLowersTheLossOnAFixedBatch) {
  auto model = NewModel(Domain::kJobShop, 3);
  const auto batch = FixedJobShopBatch(*model);
  ASSERT_GT(batch.size(), 10u);
  Rng rng(1);
  PpoConfig ppo;
  ppo.epochs = 4;
  ppo.minibatch = 32;
  const PpoStats s = model->Update(batch, ppo, 1e-3, rng);
  EXPECT_LT(s.loss_after, s.loss_before);
  EXPECT_TRUE(std::isfinite(s.policy_loss) && std::isfinite(s.value_loss));
  EXPECT_GT(s.entropy, 0);
}

TEST(Ppo, CriticWarmUpChangesTheValueAndNotThePolicy) {
  auto model = NewModel(Domain::kJobShop, 3);
  const auto batch = FixedJobShopBatch(*model);
  ASSERT_GT(batch.size(), 10u);
  auto eval = [&](std::vector<std::vector<float>>* probs, std::vector<float>* values) {
    std::vector<const env::Observation*> obs;
    for (std::size_t i = 0; i < 8; ++i) obs.push_back(&batch[i].obs);
    model->Evaluate(obs, probs, values);
  };
  std::vector<std::vector<float>> p0, p1;
  std::vector<float> v0, v1;
  eval(&p0, &v0);
  Rng rng(1);
  PpoConfig ppo;
  ppo.epochs = 4;
  ppo.minibatch = 32;
  ppo.value_only = true;
  const PpoStats s = model->Update(batch, ppo, 1e-2, rng);
  eval(&p1, &v1);
  EXPECT_EQ(p0, p1) << "the policy is bit for bit unchanged";
  EXPECT_NE(v0, v1);
  EXPECT_LT(s.loss_after, s.loss_before);
  // The same update without value_only moves the policy (the control).
  ppo.value_only = false;
  model->Update(batch, ppo, 1e-2, rng);
  std::vector<std::vector<float>> p2;
  eval(&p2, &v1);
  EXPECT_NE(p1, p2);
}

TEST(Ppo, TrainingImprovesTheReturnOnATinyInstance) {
  // Sampled episodes on one fixed 6x4 instance: after 25 PPO iterations the
  // mean return (= -makespan / mean duration) is higher than at the start.
  auto model = NewModel(Domain::kJobShop, 7);
  auto inst = *jobshop::GenerateInstance({.jobs = 6, .machines = 4, .seed = 11});
  double first = 0, last = 0, r = 0;
  Rng rng(2);
  PpoConfig ppo;
  ppo.minibatch = 64;
  for (int it = 0; it < 25; ++it) {
    auto batch = CollectJobShop(*model, inst, 8, 100 + it * 8, &r);
    if (it == 0) first = r;
    model->Update(batch, ppo, 2e-3, rng);
  }
  CollectJobShop(*model, inst, 16, 5000, &last);
  double start = 0;
  auto fresh = NewModel(Domain::kJobShop, 7);
  CollectJobShop(*fresh, inst, 16, 5000, &start);
  RecordProperty("start", std::to_string(start));
  RecordProperty("last", std::to_string(last));
  EXPECT_GT(last, start + 0.2) << "first iteration " << first;
}

// UAM feature versions: a version-1 network (the whole-network layout of
// the earlier shipped policy) and a version-2 one (local) each record their
// version, load back from the weights file, and their torch-free policy
// observes with it and takes LibTorch's actions on a whole day.
TEST_F(TempDir, UamFeatureVersionsRoundTrip) {
  const uam::Scenario s = uam::DefaultScenario();
  for (int features : {1, 2}) {
    ModelConfig mc;
    mc.features = features;
    NeuralModel::SetThreads(1);
    std::shared_ptr<NeuralModel> model(NeuralModel::Create(Domain::kUam, mc, 3).value());
    const std::string path = Path(fmt::format("u{}.pt", features));
    ASSERT_TRUE(model->Save(path, "{}").ok());
    auto w = ReadWeightsFile(WeightsPathFor(path));
    ASSERT_TRUE(w.ok()) << w.error().message;
    EXPECT_EQ(w->weights.features, features);
    EXPECT_EQ(w->weights.node_dims.size(), features == 1 ? 3u : 2u);
    // Version 1 files stay as they were: no "features" in the metadata.
    EXPECT_EQ(w->metadata.at("model").find("features") != std::string::npos, features != 1);
    auto loaded = NeuralModel::Load(path);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ((*loaded)->config().features, features);
    NeuralUamPolicy fast(std::make_shared<const FastNet>(std::move(w->weights)), "fast");
    NeuralUamPolicy torch(TorchPolicyNet(model), "torch");
    uam::Simulator a(s), b(s);
    a.Reset(5);
    b.Reset(5);
    fast.Reset(a);
    torch.Reset(b);
    int decisions = 0;
    while (a.AdvanceToDecision() && decisions < 300) {
      ASSERT_TRUE(b.AdvanceToDecision());
      const int x = fast.Choose(a), y = torch.Choose(b);
      ASSERT_EQ(x, y) << "version " << features << " decision " << decisions;
      a.Apply(x);
      b.Apply(y);
      ++decisions;
    }
    EXPECT_EQ(decisions, 300);
  }
}

TEST_F(TempDir, CheckpointRoundTripGivesIdenticalProbabilities) {
  auto model = NewModel(Domain::kUam, 4);
  const uam::Scenario s = uam::DefaultScenario();
  env::UamEnv e(s);
  e.Reset(2);
  for (int i = 0; i < 5; ++i) e.Step(e.num_actions() - 1);
  ASSERT_TRUE(model->Save(Path("m.pt"), R"({"step": 42})").ok());
  EXPECT_FALSE(fs::exists(Path("m.pt.tmp")));
  auto loaded = NeuralModel::Load(Path("m.pt"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ((*loaded)->domain(), Domain::kUam);
  EXPECT_NE((*loaded)->trainer_state().find("42"), std::string::npos);
  const env::Observation* one[] = {&e.observation()};
  std::vector<std::vector<float>> p1, p2;
  std::vector<float> v1, v2;
  model->Evaluate(one, &p1, &v1);
  (*loaded)->Evaluate(one, &p2, &v2);
  ASSERT_EQ(p1[0].size(), p2[0].size());
  for (std::size_t a = 0; a < p1[0].size(); ++a) EXPECT_EQ(p1[0][a], p2[0][a]);
  EXPECT_EQ(v1[0], v2[0]);
}

TEST_F(TempDir, BadCheckpointsAreClearErrors) {
  auto missing = NeuralModel::Load(Path("nope.pt"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no such checkpoint"), std::string::npos);
  std::ofstream(Path("junk.pt")) << "definitely not a checkpoint";
  auto junk = NeuralModel::Load(Path("junk.pt"));
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.error().message.find("not a dispatchlab checkpoint"), std::string::npos)
      << junk.error().message;
  // A UAM checkpoint where a job-shop policy is asked for.
  auto uam = NewModel(Domain::kUam);
  ASSERT_TRUE(uam->Save(Path("uam.pt"), "{}").ok());
  const PolicyRegistry registry(DISPATCHLAB_SOURCE_DIR "/assets");
  auto wrong = registry.Find(Domain::kJobShop, Path("uam.pt"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("holds a uam policy, not a jobshop one"), std::string::npos)
      << wrong.error().message;
  auto right = registry.Find(Domain::kUam, Path("uam.pt"));
  ASSERT_TRUE(right.ok()) << right.error().message;
  EXPECT_EQ(right->kind, "neural");
}

TEST_F(TempDir, ResumeContinuesFromTheSavedStep) {
  TrainConfig c = DefaultTrainConfig(Domain::kJobShop);
  c.steps = 256;
  c.envs = 4;
  c.rollout = 32;
  c.jobs = {4};
  c.machines = {3};
  c.eval_every = 1000;
  c.threads = 1;
  c.ppo.epochs = 1;
  auto first = Train(c, Path("run"), /*resume=*/false, {}, nullptr);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->steps, 256);
  EXPECT_EQ(first->iterations, 2);
  c.steps = 512;
  std::vector<std::int64_t> seen;
  TrainCallbacks cb;
  cb.on_progress = [&](const TrainProgress& p) { seen.push_back(p.step); };
  auto second = Train(c, Path("run"), /*resume=*/true, cb, nullptr);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->steps, 512);
  EXPECT_EQ(second->iterations, 4);  // continues the count, not from 0
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), 384);      // first step after the saved 256
  // Resuming a job-shop run as UAM is refused.
  TrainConfig u = DefaultTrainConfig(Domain::kUam);
  auto bad = Train(u, Path("run"), true, {}, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("holds a jobshop policy, not uam"), std::string::npos)
      << bad.error().message;
  auto none = Train(c, Path("empty"), true, {}, nullptr);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no such checkpoint"), std::string::npos);
}

// The torch-free FastNet and LibTorch must compute the same network: same
// probabilities and value on observations along an episode, for both
// domains, and again after a PPO update changed the weights.
void ExpectSameAsTorch(const NeuralModel& model, env::Env& e, std::uint64_t seed, int steps) {
  const auto fast = model.fast_net();
  ASSERT_NE(fast, nullptr);
  FastNet::Workspace ws;
  Rng rng(seed);
  e.Reset(seed);
  int compared = 0;
  for (; compared < steps && !e.done(); ++compared) {
    const env::Observation* one[] = {&e.observation()};
    std::vector<std::vector<float>> probs;
    std::vector<float> values;
    model.Evaluate(one, &probs, &values);
    std::vector<float> fp;
    float fv = 0;
    fast->Evaluate(e.observation(), &ws, &fp, &fv);
    ASSERT_EQ(fp.size(), probs[0].size());
    for (std::size_t a = 0; a < fp.size(); ++a)
      ASSERT_NEAR(fp[a], probs[0][a], 2e-5) << "action " << a << " at step " << compared;
    ASSERT_NEAR(fv, values[0], 1e-4 * std::max(1.0f, std::abs(values[0])));
    e.Step(SampleLegal(probs[0], e.observation().mask, rng));
  }
  EXPECT_GT(compared, 5);
}

TEST(FastNet, MatchesTorchOnJobShopAndUamObservations) {
  auto jm = NewModel(Domain::kJobShop, 4);
  auto inst = *jobshop::GenerateInstance({.jobs = 10, .machines = 6, .seed = 8});
  jobshop::SimOptions o;
  o.breakdowns = jobshop::PerOperationBreakdowns(0.1);
  env::JobShopEnv je(inst, o);
  ExpectSameAsTorch(*jm, je, 1, 40);

  auto um = NewModel(Domain::kUam, 5);
  const uam::Scenario s = uam::DefaultScenario();
  env::UamEnv ue(s);
  ExpectSameAsTorch(*um, ue, 2, 60);

  // Shapes off the specialised kernels (hidden 24: no fixed-width matmul;
  // 3 heads: the run-time edge loops) compute the same too.
  NeuralModel::SetThreads(1);
  std::shared_ptr<NeuralModel> odd =
      NeuralModel::Create(Domain::kUam, ModelConfig{.hidden = 24, .heads = 3, .layers = 2}, 6)
          .value();
  ExpectSameAsTorch(*odd, ue, 4, 40);

  // After an update the fast copy follows the new weights.
  const auto before = jm->fast_net();
  double ret = 0;
  auto small = *jobshop::GenerateInstance({.jobs = 6, .machines = 4, .seed = 5});
  const auto batch = CollectJobShop(*jm, small, 4, 10, &ret);
  Rng rng(1);
  jm->Update(batch, PpoConfig{}, 1e-2, rng);
  EXPECT_NE(jm->fast_net(), before);
  ExpectSameAsTorch(*jm, je, 3, 40);
}

TEST(FastNet, ShippedPoliciesActTheSameOnBothPaths) {
  // Whole greedy episodes with the shipped checkpoints: the fast path takes
  // the same decisions as LibTorch, so makespan and profit are identical.
  if (!fs::exists(std::string(DISPATCHLAB_SOURCE_DIR "/assets") + "/jobshop_gat.pt") || !fs::exists(std::string(DISPATCHLAB_SOURCE_DIR "/assets") + "/uam_gat.pt"))
    GTEST_SKIP() << "shipped checkpoints not found in " << std::string(DISPATCHLAB_SOURCE_DIR "/assets");
  NeuralModel::SetThreads(1);
  std::shared_ptr<const NeuralModel> jm = NeuralModel::Load(std::string(DISPATCHLAB_SOURCE_DIR "/assets") + "/jobshop_gat.pt").value();
  const auto inst = *jobshop::GenerateInstance({.jobs = 15, .machines = 10, .seed = 21});
  for (const std::uint64_t seed : {1, 2}) {
    jobshop::SimOptions o;
    o.breakdowns = jobshop::PerOperationBreakdowns(0.05);
    SimTime makespan[2];
    for (int path = 0; path < 2; ++path) {
      NeuralJobShopPolicy policy(path ? TorchPolicyNet(jm)
                                      : std::make_unique<FastNetPolicyNet>(jm->fast_net()),
                                 "gat");
      const auto r = jobshop::RunEpisode(inst, o, seed, policy);
      ASSERT_EQ(r.outcome, jobshop::Outcome::kCompleted);
      makespan[path] = r.makespan;
    }
    EXPECT_EQ(makespan[0], makespan[1]) << "seed " << seed;
  }
  std::shared_ptr<const NeuralModel> um = NeuralModel::Load(std::string(DISPATCHLAB_SOURCE_DIR "/assets") + "/uam_gat.pt").value();
  const uam::Scenario s = uam::DefaultScenario();
  double profit[2];
  for (int path = 0; path < 2; ++path) {
    NeuralUamPolicy policy(path ? TorchPolicyNet(um)
                                : std::make_unique<FastNetPolicyNet>(um->fast_net()),
                           "gat");
    profit[path] = uam::RunEpisode(s, 7, policy).kpis.profit();
  }
  EXPECT_EQ(profit[0], profit[1]);
  EXPECT_GT(profit[0], 0);
}

// Every float of a FastNet, in order, for exact comparisons.
std::vector<float> AllWeights(const FastNetWeights& w) {
  std::vector<float> out;
  auto add = [&](const std::vector<float>& v) { out.insert(out.end(), v.begin(), v.end()); };
  auto dense = [&](const DenseWeights& d) {
    add(d.wt);
    add(d.b);
  };
  auto norm = [&](const LayerNormWeights& n) {
    add(n.gamma);
    add(n.beta);
  };
  for (const auto& d : w.in_proj) dense(d);
  for (const auto& d : w.edge_proj) dense(d);
  for (const auto& l : w.layers) {
    dense(l.wl), dense(l.wr), dense(l.ff1), dense(l.ff2);
    add(l.type_emb), add(l.att);
    norm(l.ln1), norm(l.ln2);
  }
  dense(w.seq.qkv), dense(w.seq.out), dense(w.seq.ff1), dense(w.seq.ff2);
  norm(w.seq.ln1), norm(w.seq.ln2);
  for (const DenseWeights* d : {&w.globals_proj, &w.ctx, &w.wq, &w.wk, &w.v1, &w.v2}) dense(*d);
  return out;
}

// Save writes the torch-free weights file beside the checkpoint; it holds
// exactly the network's weights, for both domains and an odd shape.
TEST_F(TempDir, SaveWritesTheWeightsFileWithExactlyTheNetworksWeights) {
  NeuralModel::SetThreads(1);
  for (const auto& [domain, config] :
       {std::pair{Domain::kJobShop, ModelConfig{}}, std::pair{Domain::kUam, ModelConfig{}},
        std::pair{Domain::kUam, ModelConfig{.hidden = 24, .heads = 3, .layers = 2}}}) {
    auto model = NeuralModel::Create(domain, config, 9).value();
    ASSERT_TRUE(model->Save(Path("m.pt"), "{}").ok());
    auto loaded = ReadWeightsFile(Path("m.safetensors"));
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded->domain, domain);
    EXPECT_EQ(loaded->weights.hidden, config.hidden);
    EXPECT_EQ(loaded->weights.layers.size(), static_cast<std::size_t>(config.layers));
    EXPECT_EQ(AllWeights(loaded->weights), AllWeights(model->fast_net()->weights()));
    EXPECT_FALSE(fs::exists(Path("m.safetensors.tmp")));
  }
}

// Averaging checkpoints gives the element-wise mean of their weights (a
// checkpoint with itself: the same weights, exactly), keeps the last one's
// trainer state with the inputs named, and refuses mixed model shapes.
TEST_F(TempDir, AveragedCheckpointHoldsTheMeanOfTheWeights) {
  NeuralModel::SetThreads(1);
  auto a = NeuralModel::Create(Domain::kJobShop, ModelConfig{}, 3).value();
  auto b = NeuralModel::Create(Domain::kJobShop, ModelConfig{}, 4).value();
  ASSERT_TRUE(a->Save(Path("a.pt"), R"({"step": 1})").ok());
  ASSERT_TRUE(b->Save(Path("b.pt"), R"({"step": 2})").ok());
  const auto wa = AllWeights(a->fast_net()->weights()), wb = AllWeights(b->fast_net()->weights());
  ASSERT_NE(wa, wb);

  const std::vector<std::string> same = {Path("a.pt"), Path("a.pt")};
  EXPECT_EQ(AllWeights(NeuralModel::Average(same).value()->fast_net()->weights()), wa);

  const std::vector<std::string> both = {Path("a.pt"), Path("b.pt")};
  auto mean = NeuralModel::Average(both);
  ASSERT_TRUE(mean.ok()) << mean.error().message;
  const auto wm = AllWeights((*mean)->fast_net()->weights());
  ASSERT_EQ(wm.size(), wa.size());
  for (std::size_t i = 0; i < wm.size(); ++i)
    ASSERT_NEAR(wm[i], 0.5f * (wa[i] + wb[i]), 1e-6f) << i;
  const auto st = nlohmann::json::parse((*mean)->trainer_state());
  EXPECT_EQ(st.value("step", 0), 2);
  EXPECT_EQ(st["averaged_from"], nlohmann::json(both));
  // Saved, it is a checkpoint like any other.
  ASSERT_TRUE((*mean)->Save(Path("m.pt"), (*mean)->trainer_state()).ok());
  EXPECT_EQ(AllWeights(ReadWeightsFile(Path("m.safetensors")).value().weights), wm);

  auto small = NeuralModel::Create(Domain::kJobShop, ModelConfig{.hidden = 24, .heads = 3}, 5);
  ASSERT_TRUE(small.value()->Save(Path("s.pt"), "{}").ok());
  auto uam = NeuralModel::Create(Domain::kUam, ModelConfig{}, 5);
  ASSERT_TRUE(uam.value()->Save(Path("u.pt"), "{}").ok());
  for (const char* other : {"s.pt", "u.pt"}) {
    const std::vector<std::string> mixed = {Path(other), Path("a.pt")};
    auto refused = NeuralModel::Average(mixed);
    ASSERT_FALSE(refused.ok()) << other;
    EXPECT_NE(refused.error().message.find("only one model shape"), std::string::npos)
        << refused.error().message;
  }
  EXPECT_FALSE(NeuralModel::Average(std::vector<std::string>{}).ok());
  const std::vector<std::string> missing = {Path("a.pt"), Path("none.pt")};
  EXPECT_NE(NeuralModel::Average(missing).error().message.find("no such checkpoint"),
            std::string::npos);
}

// The committed .safetensors of the shipped policies are their .pt's
// weights, bit for bit (made with `train export`).
TEST(WeightsFile, ShippedWeightsFilesAreTheShippedCheckpoints) {
  const std::string assets = DISPATCHLAB_SOURCE_DIR "/assets";
  for (const char* name : {"jobshop_gat", "uam_gat"}) {
    const std::string pt = assets + "/" + name + ".pt";
    if (!fs::exists(pt)) GTEST_SKIP() << "no " << pt;
    auto model = NeuralModel::Load(pt);
    ASSERT_TRUE(model.ok()) << model.error().message;
    auto file = ReadWeightsFile(assets + "/" + name + ".safetensors");
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->domain, (*model)->domain());
    EXPECT_EQ(AllWeights(file->weights), AllWeights((*model)->fast_net()->weights())) << name;
  }
}

// Feature version 4 holds machines: the planner's wide-mode schedule (it
// holds machines for jobs that have not arrived) is a sequence of job and
// hold actions; its demonstration labels are legal, and a network fitted
// to them replays the planner's schedule exactly in the wide mode.
TEST(Imitation, AHoldingPolicyLearnsThePlannersWideSchedule) {
  NeuralModel::SetThreads(1);
  ModelConfig mc;
  mc.features = 4;
  auto created = NeuralModel::Create(Domain::kJobShop, mc, 5);
  ASSERT_TRUE(created.ok()) << created.error().message;
  std::shared_ptr<NeuralModel> model(std::move(created).value());
  auto inst = *jobshop::GenerateInstance({.jobs = 8, .machines = 5, .seed = 4});
  const int n = inst.num_jobs();
  jobshop::SimOptions o;
  jobshop::PlannedCeilingPolicy planner({.evaluations = 3000});
  const JobSequence seq = RecordChoices(inst, o, 1, planner);
  ASSERT_LT(seq.makespan, kTimeInfinity);
  int holds = 0;
  for (int a : seq.jobs) holds += a >= n;
  EXPECT_GT(holds, 0) << "the planner's schedule needs no hold: pick another instance";
  JobReplayPolicy replay(seq.jobs, "replay", jobshop::DecisionMode::kHold);
  EXPECT_EQ(jobshop::RunEpisode(inst, o, 1, replay).makespan, seq.makespan);
  const auto demo = Demonstrate(inst, o, 1, seq.jobs, 4);
  ASSERT_EQ(demo.size(), seq.jobs.size());
  for (std::size_t i = 0; i < demo.size(); ++i) {
    ASSERT_EQ(demo[i].obs.mask.size(), static_cast<std::size_t>(n + inst.num_machines));
    EXPECT_EQ(demo[i].action, seq.jobs[i]);
    EXPECT_EQ(demo[i].obs.mask[demo[i].action], 1) << "label " << i << " is not legal";
  }
  Rng rng(3);
  for (int i = 0; i < 150; ++i) model->UpdateImitation(demo, 1, 16, 3e-3, 1.0, rng);
  NeuralJobShopPolicy greedy(model->fast_net(), "fit");
  EXPECT_EQ(greedy.decisions(), jobshop::DecisionMode::kHold);
  EXPECT_EQ(jobshop::RunEpisode(inst, o, 1, greedy).makespan, seq.makespan);
}

// Cross-entropy on an expert's demonstrations: the policy comes to agree
// with the labels it is trained on.
TEST(Imitation, UpdateFitsAFixedDemonstration) {
  auto model = NewModel(Domain::kJobShop, 4);
  auto inst = *jobshop::GenerateInstance({.jobs = 15, .machines = 5, .seed = 9});
  jobshop::SimOptions o;
  jobshop::IteratedGreedyPolicy ig({.evaluations = 300});
  const JobSequence seq = RecordChoices(inst, o, 2, ig);
  const auto demo = Demonstrate(inst, o, 2, seq.jobs, model->config().features);
  ASSERT_GT(demo.size(), 5u);
  Rng rng(3);
  const auto first = model->UpdateImitation(demo, 1, 16, 3e-3, 1.0, rng);
  NeuralModel::ImitationStats last;
  for (int i = 0; i < 60; ++i) last = model->UpdateImitation(demo, 1, 16, 3e-3, 1.0, rng);
  EXPECT_LT(last.loss, 0.5 * first.loss);
  EXPECT_GT(last.accuracy, 0.9);
  // The fitted greedy policy now replays the expert's episode.
  NeuralJobShopPolicy greedy(model->fast_net(), "fit");
  EXPECT_EQ(jobshop::RunEpisode(inst, o, 2, greedy).makespan, seq.makespan);
}

// Self-labeling trains, records its method and resumes where it stopped.
// A small job-shop training run from `json` in `dir`: the config, the
// summary and every progress report.
struct SmallRun {
  Result<TrainConfig> config;
  Result<TrainSummary> run = Error{"not run"};
  std::vector<TrainProgress> seen;

  ::testing::AssertionResult Ok() const {
    if (!config.ok()) return ::testing::AssertionFailure() << config.error().message;
    if (!run.ok()) return ::testing::AssertionFailure() << run.error().message;
    if (seen.empty()) return ::testing::AssertionFailure() << "no progress reported";
    return ::testing::AssertionSuccess();
  }
};

SmallRun TrainSmallJobShop(const char* json, const std::string& dir) {
  SmallRun r{ApplyTrainConfigJson(DefaultTrainConfig(Domain::kJobShop), json, "test"),
             Error{"not run"}, {}};
  if (!r.config.ok()) return r;
  TrainCallbacks cb;
  cb.on_progress = [&r](const TrainProgress& p) { r.seen.push_back(p); };
  r.run = Train(*r.config, dir, false, cb, nullptr);
  return r;
}

TEST_F(TempDir, SelfLabelTrainsAndResumes) {
  auto small = TrainSmallJobShop(R"({"method": "self-label", "instances": 3, "samples": 4,
                                     "expert_evaluations": 100, "labels_per_instance": 8,
                                     "jobs": [5], "machines": [3], "steps": 40, "epochs": 1,
                                     "minibatch": 16, "eval_every": 2, "threads": 1})",
                                 Path("sl"));
  ASSERT_TRUE(small.Ok());
  const auto& [c, run, seen] = small;
  for (const auto& p : seen) {
    EXPECT_TRUE(p.imitation);
    EXPECT_NEAR(p.won_by_sample + p.won_by_greedy + p.won_by_expert, 1.0, 1e-9);
    EXPECT_GE(p.greedy_over_best_pct, 0);
  }
  EXPECT_GE(run->steps, 40);
  auto saved = ReadSavedRun(Path("sl/checkpoint.pt"));
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->config.method, TrainMethod::kSelfLabel);
  EXPECT_EQ(saved->config.samples, 4);
  EXPECT_EQ(saved->config.model.features, env::kJobShopFeaturesCurrent);
  auto w = ReadWeightsFile(Path("sl/best.safetensors"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->weights.features, env::kJobShopFeaturesCurrent);
  TrainConfig more = *c;
  more.steps = run->steps + 30;
  auto resumed = Train(more, Path("sl"), true, {}, nullptr);
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_GT(resumed->iterations, run->iterations);
  EXPECT_GE(resumed->steps, more.steps);
  // Feature versions: the job shop has 1 to 5, UAM 1 and 2.
  EXPECT_TRUE(ApplyTrainConfigJson(DefaultTrainConfig(Domain::kJobShop), R"({"features": 5})",
                                   "t").ok());
  EXPECT_FALSE(ApplyTrainConfigJson(DefaultTrainConfig(Domain::kJobShop), R"({"features": 6})",
                                    "t").ok());
  EXPECT_FALSE(ApplyTrainConfigJson(DefaultTrainConfig(Domain::kUam), R"({"features": 3})",
                                    "t").ok());
  ModelConfig uam3;
  uam3.features = 3;
  EXPECT_FALSE(NeuralModel::Create(Domain::kUam, uam3, 1).ok());
  // UAM has no search to learn from.
  EXPECT_FALSE(ApplyTrainConfigJson(DefaultTrainConfig(Domain::kUam), R"({"method": "self-label"})",
                                    "t").ok());
  EXPECT_FALSE(ApplyTrainConfigJson(DefaultTrainConfig(Domain::kJobShop), R"({"method": "daggers"})",
                                    "t").ok());
}

// The job shop's DAgger method trains on the planner's labels, records its
// method and resumes; it is for the job shop only.
// With reserve actions (feature version 5), as the shipped policy trains.
TEST_F(TempDir, JobShopDaggerTrainsAndResumes) {
  auto small = TrainSmallJobShop(R"({"method": "dagger", "instances": 3,
                                     "expert_evaluations": 200, "label_share": 0.5,
                                     "labels_per_instance": 8, "jobs": [5], "machines": [3],
                                     "steps": 30, "epochs": 1, "minibatch": 16,
                                     "eval_every": 1000, "threads": 1, "features": 5,
                                     "snapshot_every": 1})",
                                 Path("dg"));
  ASSERT_TRUE(small.Ok());
  const auto& [c, run, seen] = small;
  for (const auto& p : seen) {
    EXPECT_TRUE(p.imitation);
    EXPECT_GE(p.planner_agreed, 0);
    EXPECT_LE(p.planner_agreed, 1);
  }
  auto saved = ReadSavedRun(Path("dg/checkpoint.pt"));
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->config.method, TrainMethod::kDagger);
  EXPECT_EQ(saved->config.model.features, 5);
  // The labelled share is the run's setting: a plain --resume keeps it.
  EXPECT_EQ(saved->config.label_share, 0.5);
  EXPECT_EQ(saved->config.snapshot_every, 1);
  // One snapshot per iteration, named by step, each with its weights file;
  // the last one is the final checkpoint's weights.
  std::vector<std::string> snaps;
  for (const auto& e : fs::directory_iterator(Path("dg/snapshots")))
    if (e.path().extension() == ".pt") snaps.push_back(e.path().string());
  std::sort(snaps.begin(), snaps.end());
  ASSERT_EQ(snaps.size(), static_cast<std::size_t>(run->iterations));
  EXPECT_EQ(fs::path(snaps.back()).filename().string(), fmt::format("step-{:09d}.pt", run->steps));
  EXPECT_TRUE(fs::exists(fs::path(snaps.back()).replace_extension(".safetensors")));
  EXPECT_EQ(AllWeights(NeuralModel::Load(snaps.back()).value()->fast_net()->weights()),
            AllWeights(NeuralModel::Load(Path("dg/checkpoint.pt")).value()->fast_net()->weights()));
  TrainConfig more = *c;
  more.steps = run->steps + 20;
  auto resumed = Train(more, Path("dg"), true, {}, nullptr);
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_GT(resumed->iterations, run->iterations);
  EXPECT_FALSE(ApplyTrainConfigJson(DefaultTrainConfig(Domain::kUam), R"({"method": "dagger"})",
                                    "t").ok());
}

// A save that a kill interrupted leaves its temporary file; the next run in
// that directory removes such files (and only those).
TEST_F(TempDir, TrainingRemovesTheTemporaryFilesOfInterruptedSaves) {
  fs::create_directories(Path("run/snapshots"));
  const char* stale[] = {"run/checkpoint.pt.tmp", "run/best.safetensors.tmp4242",
                         "run/snapshots/step-000000010.pt.tmp",
                         "run/snapshots/step-000000010.safetensors.tmp17"};
  const char* kept[] = {"run/notes.tmp", "run/best.safetensors.tmp.txt", "run/a.pt.tmp.bak"};
  for (const char* f : stale) std::ofstream(Path(f)) << "partial";
  for (const char* f : kept) std::ofstream(Path(f)) << "mine";
  auto small = TrainSmallJobShop(R"({"method": "dagger", "instances": 2,
                                     "expert_evaluations": 50, "labels_per_instance": 4,
                                     "jobs": [4], "machines": [3], "steps": 8, "epochs": 1,
                                     "minibatch": 8, "eval_every": 1000, "threads": 1})",
                                 Path("run"));
  ASSERT_TRUE(small.Ok());
  for (const char* f : stale) EXPECT_FALSE(fs::exists(Path(f))) << f;
  for (const char* f : kept) EXPECT_TRUE(fs::exists(Path(f))) << f;
  EXPECT_TRUE(fs::exists(Path("run/checkpoint.pt")));
}

// UAM learns from the rollout planner (DAgger): labelled days, a
// cross-entropy update, the local observation recorded, resume.
TEST_F(TempDir, UamImitationTrainsAndResumes) {
  auto c = ApplyTrainConfigJson(DefaultTrainConfig(Domain::kUam),
                                R"({"method": "imitate", "instances": 2, "samples": 1,
                                    "label_share": 0.02, "vertiports": [4, 5], "aircraft": [8, 12],
                                    "steps": 30, "epochs": 1, "minibatch": 16, "eval_every": 100,
                                    "threads": 1})",
                                "test");
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::vector<TrainProgress> seen;
  TrainCallbacks cb;
  cb.on_progress = [&](const TrainProgress& p) { seen.push_back(p); };
  auto run = Train(*c, Path("ui"), false, cb, nullptr);
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_FALSE(seen.empty());
  EXPECT_DOUBLE_EQ(seen.front().greedy_share, 1.0);  // the first roll-in is greedy's
  for (const auto& p : seen) {
    EXPECT_TRUE(p.imitation);
    EXPECT_GE(p.expert_kept_greedy, 0);
    EXPECT_LE(p.expert_kept_greedy, 1);
    EXPECT_GT(p.imitation_loss, 0);
  }
  EXPECT_GE(run->steps, 30);
  auto saved = ReadSavedRun(Path("ui/checkpoint.pt"));
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->config.method, TrainMethod::kImitate);
  EXPECT_EQ(saved->config.samples, 1);
  EXPECT_DOUBLE_EQ(saved->config.label_share, 0.02);
  auto w = ReadWeightsFile(Path("ui/best.safetensors"));
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->weights.features, env::kUamFeaturesCurrent);
  EXPECT_EQ(w->weights.node_dims.size(), 2u);  // vertiports and the forecast
  TrainConfig more = *c;
  more.steps = run->steps + 20;
  auto resumed = Train(more, Path("ui"), true, {}, nullptr);
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_GT(resumed->iterations, run->iterations);
  // A version-1 run cannot be resumed as version 2.
  TrainConfig v1 = more;
  v1.model.features = 1;
  v1.steps = resumed->steps + 10;
  auto refused = Train(v1, Path("ui"), true, {}, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("features version 2"), std::string::npos)
      << refused.error().message;
  for (const char* bad : {R"({"method": "imitate", "samples": 0})", R"({"label_share": 0})",
                          R"({"label_share": 1.5})", R"({"greedy_floor": -0.1})"})
    EXPECT_FALSE(ApplyTrainConfigJson(DefaultTrainConfig(Domain::kUam), bad, "t").ok()) << bad;
}

// A run that ends before its first periodic validation still validates
// before it writes best.pt, and reports that score (never -1e300).
TEST_F(TempDir, BestCheckpointIsAlwaysValidated) {
  TrainConfig c = DefaultTrainConfig(Domain::kJobShop);
  c.steps = 64;
  c.envs = 2;
  c.rollout = 32;
  c.jobs = {4};
  c.machines = {3};
  c.eval_every = 1000;  // never during the run
  c.threads = 1;
  c.ppo.epochs = 1;
  auto run = Train(c, Path("run"), /*resume=*/false, {}, nullptr);
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_TRUE(fs::exists(Path("run/best.pt")));
  EXPECT_TRUE(fs::exists(Path("run/best.safetensors")));
  auto best = NeuralModel::Load(Path("run/best.pt"));
  ASSERT_TRUE(best.ok());
  EXPECT_GT(run->best_eval_score, -1e6);
  EXPECT_EQ(run->best_eval_score, ValidationScore(**best));
  const auto state = nlohmann::json::parse((*best)->trainer_state());
  EXPECT_EQ(state["best_score"].get<double>(), run->best_eval_score);

  // Cancelled before the first iteration: no training, still a scored best.pt.
  std::atomic<bool> stop{true};
  auto cancelled = Train(c, Path("cancelled"), false, {}, &stop);
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message;
  EXPECT_TRUE(cancelled->cancelled);
  EXPECT_EQ(cancelled->iterations, 0);
  EXPECT_GT(cancelled->best_eval_score, -1e6);
  EXPECT_TRUE(fs::exists(Path("cancelled/best.pt")));
}

// A best score recorded on another validation set is not compared with
// this one's: a resumed run re-scores best.pt first. Control: the same
// recorded score under the current version is kept as it is.
TEST_F(TempDir, ResumeRescoresABestScoredOnAnotherValidationSet) {
  TrainConfig c = DefaultTrainConfig(Domain::kJobShop);
  c.steps = 64;
  c.envs = 2;
  c.rollout = 32;
  c.jobs = {4};
  c.machines = {3};
  c.eval_every = 1000;  // no validation during the resumed runs
  c.threads = 1;
  c.ppo.epochs = 1;
  auto run = Train(c, Path("run"), false, {}, nullptr);
  ASSERT_TRUE(run.ok()) << run.error().message;
  // An impossible score (gaps are >= 0, so scores are <= 0) stands for
  // one from an older, different validation set.
  auto restamp = [&](int version) {
    for (const char* file : {"run/checkpoint.pt", "run/best.pt"}) {
      auto m = NeuralModel::Load(Path(file));
      ASSERT_TRUE(m.ok());
      auto state = nlohmann::json::parse((*m)->trainer_state());
      state["best_score"] = 1000.0;
      state["validation"] = version;
      ASSERT_TRUE((*m)->Save(Path(file), state.dump()).ok());
    }
  };
  restamp(1);
  TrainConfig more = c;
  more.steps = run->steps + 32;
  auto resumed = Train(more, Path("run"), true, {}, nullptr);
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  auto best = NeuralModel::Load(Path("run/best.pt"));
  ASSERT_TRUE(best.ok());
  EXPECT_LT(resumed->best_eval_score, 0);
  EXPECT_EQ(resumed->best_eval_score, ValidationScore(**best));

  // The resumed run's own checkpoint carries the current version.
  auto latest = NeuralModel::Load(Path("run/checkpoint.pt"));
  ASSERT_TRUE(latest.ok());
  const int current = nlohmann::json::parse((*latest)->trainer_state())["validation"].get<int>();
  EXPECT_NE(current, 1);
  restamp(current);
  more.steps += 32;
  auto kept = Train(more, Path("run"), true, {}, nullptr);
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  EXPECT_EQ(kept->best_eval_score, 1000.0);
}

// The settings a run started with travel in its checkpoint.
TEST_F(TempDir, CheckpointsRecordTheRunsSettings) {
  TrainConfig c = DefaultTrainConfig(Domain::kJobShop);
  c.steps = 64;
  c.envs = 2;
  c.rollout = 32;
  c.jobs = {4};
  c.machines = {3};
  c.eval_every = 1000;
  c.threads = 1;
  c.ppo.epochs = 1;
  c.lr = 1e-3;
  ASSERT_TRUE(Train(c, Path("run"), false, {}, nullptr).ok());
  auto saved = ReadSavedRun(Path("run/checkpoint.pt"));
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_TRUE(saved->saved);
  EXPECT_TRUE(TrainConfigDifferences(c, saved->config).empty())
      << fmt::format("{}", fmt::join(TrainConfigDifferences(c, saved->config), "; "));
  TrainConfig more = c;
  more.steps = 128;
  const auto diff = TrainConfigDifferences(c, more);
  ASSERT_EQ(diff.size(), 1u);
  EXPECT_EQ(diff[0], "steps 64 -> 128");
}

// Two ranks (threads here, on loopback) start from different random weights
// and update on different batches; after joining they hold rank 0's weights,
// and after the update the same averaged-gradient weights: identical
// probabilities on both, different from a rank that updated alone.
TEST(DataParallel, RanksAgreeOnWeightsAfterJoinAndUpdate) {
  const auto inst = *jobshop::GenerateInstance({.jobs = 6, .machines = 4, .seed = 5});
  env::JobShopEnv probe(inst, jobshop::SimOptions{});
  probe.Reset(99);
  auto probs_of = [&](const NeuralModel& m) {
    const env::Observation* one[] = {&probe.observation()};
    std::vector<std::vector<float>> p;
    std::vector<float> v;
    m.Evaluate(one, &p, &v);
    return p[0];
  };
  auto m0 = NewModel(Domain::kJobShop, 2), m1 = NewModel(Domain::kJobShop, 3);
  auto alone = NewModel(Domain::kJobShop, 2);
  ASSERT_NE(probs_of(*m0), probs_of(*m1));
  double r = 0;
  auto b0 = CollectJobShop(*m0, inst, 4, 10, &r), b1 = CollectJobShop(*m1, inst, 4, 50, &r);
  // Equal batch sizes: the ranks must take the same number of steps.
  const std::size_t n = std::min(b0.size(), b1.size());
  ASSERT_GE(n, 16u);
  b0.resize(n);
  b1.resize(n);
  const int port = 20000 + static_cast<int>((::getpid() + 7919) % 20000);
  PpoConfig ppo;
  ppo.minibatch = 16;
  std::vector<float> after_join[2];
  Status joined[2] = {Status::Ok(), Status::Ok()};
  auto run = [&](int rank, NeuralModel* m, std::vector<Transition>* batch) {
    joined[rank] = m->JoinGroup({rank, 2, "127.0.0.1", port, 60, "test"});
    if (!joined[rank].ok()) return;
    after_join[rank] = probs_of(*m);
    Rng rng(rank + 1);
    m->Update(*batch, ppo, 1e-2, rng);
  };
  std::thread t1(run, 1, m1.get(), &b1);
  run(0, m0.get(), &b0);
  t1.join();
  ASSERT_TRUE(joined[0].ok()) << joined[0].error().message;
  ASSERT_TRUE(joined[1].ok()) << joined[1].error().message;
  EXPECT_EQ(m0->world(), 2);
  EXPECT_EQ(m1->rank(), 1);
  EXPECT_EQ(after_join[0], after_join[1]);  // rank 0's weights everywhere
  const auto p0 = probs_of(*m0), p1 = probs_of(*m1);
  EXPECT_EQ(p0, p1);
  EXPECT_NE(p0, after_join[0]);  // the update did change them
  Rng rng(1);
  alone->Update(b0, ppo, 1e-2, rng);
  EXPECT_NE(probs_of(*alone), p0);  // rank 1's gradients mattered
}

TEST(TrainConfig, RejectsUnknownKeysAndBadValues) {
  const auto base = DefaultTrainConfig(Domain::kJobShop);
  auto ok = ApplyTrainConfigJson(base, R"({"steps": 100, "hidden": 16, "jobs": [5]})", "c.json");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->steps, 100);
  EXPECT_EQ(ok->model.hidden, 16);
  auto unknown = ApplyTrainConfigJson(base, R"({"stepz": 1})", "c.json");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("c.json: unknown key 'stepz'"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("known: steps, "), std::string::npos)
      << unknown.error().message;
  // The critic warm-up is read and written back.
  auto warm = ApplyTrainConfigJson(base, R"({"method": "ppo", "critic_warmup": 4096})", "c.json");
  ASSERT_TRUE(warm.ok()) << warm.error().message;
  EXPECT_EQ(warm->critic_warmup, 4096);
  EXPECT_NE(TrainConfigJson(*warm).find("\"critic_warmup\":4096"), std::string::npos)
      << TrainConfigJson(*warm);
  auto bad = ApplyTrainConfigJson(base, R"({"gamma": 2})", "c.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("gamma"), std::string::npos);
  auto type = ApplyTrainConfigJson(base, R"({"envs": "many"})", "c.json");
  ASSERT_FALSE(type.ok());
  // Counts are JSON integers in range: no truncation of 5.999, no
  // out-of-range cast of 1e31 (found by the fuzzer), no division by a zero
  // checkpoint interval.
  for (const auto& [json, what] :
       std::vector<std::pair<std::string, std::string>>{
           {R"({"steps": 5.999})", "steps: expected an integer"},
           {R"({"hidden": 1e31})", "hidden: expected an integer"},
           {R"({"checkpoint_every": 0})", "checkpoint_every: must be in [1, "},
           {R"({"jobs": [3, 1e9]})", "jobs: expected an integer"},
           {R"({"machines": [3, 20000]})", "machines: must be in [2, 10000]"}}) {
    auto r = ApplyTrainConfigJson(base, json, "c.json");
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_NE(r.error().message.find(what), std::string::npos) << r.error().message;
  }
  auto badmodel = NeuralModel::Create(Domain::kJobShop, ModelConfig{.hidden = 30, .heads = 4}, 0);
  ASSERT_FALSE(badmodel.ok());
}

}  // namespace
}  // namespace dispatchlab::policy
