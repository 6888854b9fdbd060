#include "sim/jobshop/rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "sim/core/rng.h"

namespace dispatchlab::jobshop {
namespace {

// Lower score wins; "most" rules negate.
template <typename Score>
int ArgMin(std::span<const Candidate> cands, Score score) {
  int best = 0;
  auto best_score = score(cands[0]);
  for (int i = 1; i < static_cast<int>(cands.size()); ++i) {
    auto s = score(cands[i]);
    if (s < best_score) {
      best_score = s;
      best = i;
    }
  }
  return best;
}

class RulePolicy final : public Policy {
 public:
  explicit RulePolicy(Rule rule) : rule_(rule), rng_(0) {}
  std::string name() const override { return RuleName(rule_); }
  void Reset(std::uint64_t seed) override {
    rng_ = Rng::Stream(seed, StreamTag::kPolicy);
  }
  int Choose(const Simulator& sim,
             std::span<const Candidate> candidates) override {
    if (rule_ == Rule::kRandom)
      return static_cast<int>(
          rng_.UniformInt(0, static_cast<std::int64_t>(candidates.size()) - 1));
    return ChooseByRule(rule_, sim, candidates);
  }

 private:
  Rule rule_;
  Rng rng_;
};

}  // namespace

const std::vector<Rule>& AllRules() {
  static const std::vector<Rule> kAll = {
      Rule::kFifo, Rule::kSpt,  Rule::kLpt,  Rule::kMor,  Rule::kLor,
      Rule::kMwkr, Rule::kLwkr, Rule::kStpt, Rule::kLtpt, Rule::kRandom};
  return kAll;
}

std::string RuleName(Rule rule) {
  switch (rule) {
    case Rule::kFifo: return "fifo";
    case Rule::kSpt: return "spt";
    case Rule::kLpt: return "lpt";
    case Rule::kMor: return "mor";
    case Rule::kLor: return "lor";
    case Rule::kMwkr: return "mwkr";
    case Rule::kLwkr: return "lwkr";
    case Rule::kStpt: return "stpt";
    case Rule::kLtpt: return "ltpt";
    case Rule::kRandom: return "random";
  }
  return "?";
}

Result<Rule> ParseRule(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  std::string known;
  for (Rule r : AllRules()) {
    if (RuleName(r) == lower) return r;
    known += (known.empty() ? "" : ", ") + RuleName(r);
  }
  return Error{fmt::format("unknown rule '{}' (known: {})", name, known)};
}

std::unique_ptr<Policy> MakeRulePolicy(Rule rule) {
  return std::make_unique<RulePolicy>(rule);
}

int ChooseByRule(Rule rule, const Simulator& sim,
                 std::span<const Candidate> c) {
  const Instance& inst = sim.instance();
  auto dur = [&](const Candidate& x) {
    return inst.jobs[x.job.value][x.op].duration;
  };
  switch (rule) {
    case Rule::kFifo:
      return ArgMin(c, [&](const Candidate& x) { return sim.ready_time(x.job.value); });
    case Rule::kSpt:
      return ArgMin(c, [&](const Candidate& x) { return dur(x); });
    case Rule::kLpt:
      return ArgMin(c, [&](const Candidate& x) { return -dur(x); });
    case Rule::kMor:
      return ArgMin(c, [&](const Candidate& x) { return -sim.remaining_ops(x.job.value); });
    case Rule::kLor:
      return ArgMin(c, [&](const Candidate& x) { return sim.remaining_ops(x.job.value); });
    case Rule::kMwkr:
      return ArgMin(c, [&](const Candidate& x) { return -sim.remaining_work(x.job.value); });
    case Rule::kLwkr:
      return ArgMin(c, [&](const Candidate& x) { return sim.remaining_work(x.job.value); });
    case Rule::kStpt:
      return ArgMin(c, [&](const Candidate& x) { return sim.total_work(x.job.value); });
    case Rule::kLtpt:
      return ArgMin(c, [&](const Candidate& x) { return -sim.total_work(x.job.value); });
    case Rule::kRandom:
      DL_CHECK_MSG(false, "random needs a policy stream; use MakeRulePolicy");
  }
  return 0;
}

}  // namespace dispatchlab::jobshop
