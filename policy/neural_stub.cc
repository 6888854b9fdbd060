// NeuralModel for builds without LibTorch (DISPATCHLAB_WITH_TORCH=OFF): every
// entry point that needs the network says so, clearly, as an error value.
#include <fmt/format.h>

#include "policy/neural.h"
#include "policy/fast_net.h"

namespace dispatchlab::policy {
namespace {
Error NoTorch() {
  return Error{"this dispatchlab was built without LibTorch: learned policies and training "
               "are unavailable (rebuild with -DDISPATCHLAB_WITH_TORCH=ON and libtorch-dev)"};
}
}  // namespace

struct NeuralModel::Impl {};
NeuralModel::NeuralModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NeuralModel::~NeuralModel() = default;
Result<std::unique_ptr<NeuralModel>> NeuralModel::Create(Domain, const ModelConfig&, std::uint64_t) {
  return NoTorch();
}
Result<std::unique_ptr<NeuralModel>> NeuralModel::Load(const std::string&) { return NoTorch(); }
Domain NeuralModel::domain() const { DL_CHECK(false); return Domain::kJobShop; }
const ModelConfig& NeuralModel::config() const { DL_CHECK(false); static ModelConfig c; return c; }
std::int64_t NeuralModel::parameter_count() const { return 0; }
const std::string& NeuralModel::trainer_state() const { static std::string s = "{}"; return s; }
void NeuralModel::Evaluate(std::span<const env::Observation* const>,
                           std::vector<std::vector<float>>*, std::vector<float>*) const {
  DL_CHECK(false);
}
PpoStats NeuralModel::Update(const std::vector<Transition>&, const PpoConfig&, double, Rng&) {
  DL_CHECK(false);
  return {};
}
std::shared_ptr<const FastNet> NeuralModel::fast_net() const { return nullptr; }
Status NeuralModel::JoinGroup(const GroupConfig&) { return NoTorch(); }
int NeuralModel::rank() const { return 0; }
int NeuralModel::world() const { return 1; }
bool NeuralModel::AnyRank(bool local) { return local; }
Status NeuralModel::Save(const std::string&, const std::string&) const { return NoTorch(); }
void NeuralModel::SetThreads(int) {}

namespace testing {
std::vector<float> GatAggregate(const std::vector<float>&, int, int, const std::vector<int>&,
                                const std::vector<int>&, const std::vector<float>&) {
  DL_CHECK(false);
  return {};
}
}  // namespace testing

}  // namespace dispatchlab::policy
