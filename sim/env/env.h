// The domain-neutral view a learning policy uses (OpenSpiel-style): reset to
// a seed, read the current decision point as plain buffers, step with an
// action. No torch and no Qt types cross this boundary; the policy code wraps
// the buffers in tensors itself.
//
//   Reset(seed) -> Observation -> policy -> Step(action) -> reward, done
//
// Step is public and non-virtual: it checks the action against the mask and
// counts, then calls the model's DoStep, which advances the event loop to
// the next decision point (or the end).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/check.h"

namespace dispatchlab::env {

// A set of nodes of one type with a row-major feature matrix.
struct NodeSet {
  std::string name;
  int count = 0;
  int dim = 0;
  std::vector<float> features;  // count * dim
  float& at(int node, int f) { return features[node * dim + f]; }
  float at(int node, int f) const { return features[node * dim + f]; }
};

// Directed typed edges from nodes of set `src_set` to nodes of `dst_set`
// (indices into Observation::node_sets).
struct EdgeSet {
  std::string name;
  int src_set = 0;
  int dst_set = 0;
  std::vector<std::int32_t> src;
  std::vector<std::int32_t> dst;
  int dim = 0;                  // edge features per edge (0: none)
  std::vector<float> features;  // edges * dim, row-major
};

struct Observation {
  std::vector<NodeSet> node_sets;
  std::vector<EdgeSet> edge_sets;
  std::vector<float> globals;
  // Fixed-size action space: mask[a] == 1 when action a is legal now.
  std::vector<std::uint8_t> mask;
  // For each action, the node (of set `action_node_set`) it acts on, or -1.
  int action_node_set = 0;
  std::vector<std::int32_t> action_nodes;
  // Optional: the node set of each action's node instead (job shop with
  // holds: jobs act on op nodes, holds on machine nodes). Empty: all act
  // on `action_node_set`.
  std::vector<std::uint8_t> action_sets;
  // Optional per-action features (num_actions x action_feature_dim).
  int action_feature_dim = 0;
  std::vector<float> action_features;
  // Optional node the decision is about (UAM: the deciding aircraft).
  int query_node_set = -1;
  int query_node = -1;
};

struct StepResult {
  double reward = 0.0;
  bool done = false;
};

class Env {
 public:
  virtual ~Env() = default;

  // Starts an episode and advances to its first decision point.
  void Reset(std::uint64_t seed) {
    steps_ = 0;
    return_ = 0.0;
    DoReset(seed);
  }

  StepResult Step(int action) {
    DL_CHECK(!done());
    DL_CHECK(action >= 0 && action < num_actions());
    DL_CHECK_MSG(observation().mask[action], "action is masked");
    StepResult r = DoStep(action);
    ++steps_;
    return_ += r.reward;
    return r;
  }

  virtual int num_actions() const = 0;
  virtual const Observation& observation() const = 0;
  virtual bool done() const = 0;

  int steps() const { return steps_; }
  double episode_return() const { return return_; }

 protected:
  virtual void DoReset(std::uint64_t seed) = 0;
  virtual StepResult DoStep(int action) = 0;

 private:
  int steps_ = 0;
  double return_ = 0.0;
};

}  // namespace dispatchlab::env
