// Torch-free weights files (policy/weights_file.h): a round trip keeps
// every bit, and damaged or hostile files are clear errors naming the file
// and the field -- never a crash or a huge allocation.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "policy/fast_net.h"
#include "policy/registry.h"
#include "policy/weights_file.h"
#include "sim/core/rng.h"
#include "sim/env/jobshop_env.h"
#include "sim/jobshop/generator.h"

namespace dispatchlab::policy {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kAssets = DISPATCHLAB_SOURCE_DIR "/assets";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A weights file split into its parts, to build damaged variants.
struct Parts {
  Json header;
  std::string data;
};

Parts Split(const std::string& bytes) {
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = n << 8 | static_cast<unsigned char>(bytes[i]);
  return {Json::parse(bytes.substr(8, n)), bytes.substr(8 + n)};
}

std::string Join(const std::string& head, const std::string& data) {
  std::string out;
  const std::uint64_t n = head.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + head + data;
}
std::string Join(const Parts& p) { return Join(p.header.dump(), p.data); }

class WeightsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dl_weights_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    shipped_ = Slurp(kAssets + "/jobshop_gat.safetensors");
    ASSERT_GT(shipped_.size(), 1000u) << "assets/jobshop_gat.safetensors is missing";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& f) const { return (dir_ / f).string(); }

  // Parses `bytes` as "bad.safetensors" and returns the error (fails the
  // test if it parsed).
  std::string ErrorOf(const std::string& bytes) {
    auto r = ParseWeightsFile(bytes, "bad.safetensors");
    EXPECT_FALSE(r.ok()) << "accepted a damaged file";
    if (r.ok()) return "";
    EXPECT_EQ(r.error().message.rfind("bad.safetensors: ", 0), 0u) << r.error().message;
    return r.error().message;
  }

  fs::path dir_;
  std::string shipped_;
};

// Probabilities of `net` along a few decisions of a 10x5 instance.
std::vector<float> Decisions(const FastNet& net) {
  auto inst = *jobshop::GenerateInstance({.jobs = 10, .machines = 5, .seed = 3});
  env::JobShopEnv e(inst, jobshop::SimOptions{}, net.weights().features);
  e.Reset(1);
  FastNet::Workspace ws;
  std::vector<float> all, probs;
  for (int i = 0; i < 8 && !e.done(); ++i) {
    float v = 0;
    net.Evaluate(e.observation(), &ws, &probs, &v);
    all.insert(all.end(), probs.begin(), probs.end());
    all.push_back(v);
    int a = 0;
    while (!e.observation().mask[a]) ++a;
    e.Step(a);
  }
  return all;
}

TEST_F(WeightsFile, RoundTripKeepsEveryBitAndTheBytes) {
  auto a = ReadWeightsFile(kAssets + "/jobshop_gat.safetensors");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->domain, Domain::kJobShop);
  EXPECT_EQ(a->metadata.at("format"), "dispatchlab-weights");
  EXPECT_EQ(a->hash.size(), 16u);
  ASSERT_TRUE(WriteWeightsFile(Path("copy.safetensors"), a->domain, a->weights).ok());
  // Deterministic: the same weights are the same bytes, hence the same hash.
  EXPECT_EQ(Slurp(Path("copy.safetensors")), shipped_);
  auto b = ReadWeightsFile(Path("copy.safetensors"));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->hash, a->hash);
  EXPECT_EQ(Decisions(FastNet(b->weights)), Decisions(FastNet(a->weights)));
  for (const auto& e : fs::directory_iterator(dir_))  // no temporary left behind
    EXPECT_EQ(e.path().filename(), "copy.safetensors");

  // Extra metadata travels; reserved keys are refused.
  ASSERT_TRUE(WriteWeightsFile(Path("m.safetensors"), a->domain, a->weights, {{"note", "x"}}).ok());
  EXPECT_EQ(ReadWeightsFile(Path("m.safetensors"))->metadata.at("note"), "x");
  EXPECT_FALSE(WriteWeightsFile(Path("r.safetensors"), a->domain, a->weights, {{"domain", "uam"}}).ok());

  // One changed weight: a different file, a different hash.
  FastNetWeights w = a->weights;
  w.v2.b[0] += 1.0f;
  ASSERT_TRUE(WriteWeightsFile(Path("changed.safetensors"), a->domain, w).ok());
  EXPECT_NE(ReadWeightsFile(Path("changed.safetensors"))->hash, a->hash);
}

TEST_F(WeightsFile, UamRoundTripToo) {
  auto a = ReadWeightsFile(kAssets + "/uam_gat.safetensors");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->domain, Domain::kUam);
  EXPECT_GE(a->weights.seq_set, 0);  // the forecast transformer is in the file
  ASSERT_TRUE(WriteWeightsFile(Path("u.safetensors"), a->domain, a->weights).ok());
  EXPECT_EQ(Slurp(Path("u.safetensors")), Slurp(kAssets + "/uam_gat.safetensors"));
}

TEST_F(WeightsFile, MissingAndTruncatedFiles) {
  auto missing = ReadWeightsFile(Path("nope.safetensors"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("nope.safetensors: no such weights file"),
            std::string::npos);
  // Every prefix shorter than the header, and a sample of longer ones.
  const Parts p = Split(shipped_);
  const std::size_t header_end = 8 + p.header.dump().size();
  for (std::size_t n = 0; n < shipped_.size(); n += (n < header_end + 64 ? 1 : 997)) {
    auto r = ParseWeightsFile(std::string_view(shipped_).substr(0, n), "cut.safetensors");
    ASSERT_FALSE(r.ok()) << "accepted the first " << n << " bytes";
    ASSERT_EQ(r.error().message.rfind("cut.safetensors: ", 0), 0u) << r.error().message;
  }
  EXPECT_NE(ErrorOf(shipped_.substr(0, 5)).find("too short"), std::string::npos);
  EXPECT_NE(ErrorOf(shipped_.substr(0, 100)).find("runs past the end"), std::string::npos);
  EXPECT_NE(ErrorOf(shipped_.substr(0, shipped_.size() - 4)).find("data_offsets must be"),
            std::string::npos);
  // Through the file API too.
  std::ofstream(Path("cut.safetensors"), std::ios::binary) << shipped_.substr(0, 300);
  auto r = ReadWeightsFile(Path("cut.safetensors"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(Path("cut.safetensors")), std::string::npos);
}

TEST_F(WeightsFile, HugeLengthsAndOffsetsAreRefusedBeforeAnyAllocation) {
  std::string huge = shipped_;
  for (int i = 0; i < 8; ++i) huge[i] = '\xff';
  EXPECT_NE(ErrorOf(huge).find("runs past the end"), std::string::npos);

  Parts p = Split(shipped_);
  p.header["v2.bias"]["data_offsets"] = {0, std::uint64_t{1} << 62};
  EXPECT_NE(ErrorOf(Join(p)).find("tensor 'v2.bias': data_offsets"), std::string::npos);
  p = Split(shipped_);
  p.header["v2.bias"]["shape"] = {std::uint64_t{1} << 31, std::uint64_t{1} << 31,
                                  std::uint64_t{1} << 31};
  EXPECT_NE(ErrorOf(Join(p)).find("tensor 'v2.bias': shape"), std::string::npos);
  p = Split(shipped_);
  p.header["v2.bias"]["shape"] = {-1};
  EXPECT_NE(ErrorOf(Join(p)).find("tensor 'v2.bias': shape"), std::string::npos);
  p = Split(shipped_);
  p.header["v2.bias"]["data_offsets"] = {8, 4};
  EXPECT_NE(ErrorOf(Join(p)).find("tensor 'v2.bias': data_offsets"), std::string::npos);
  p = Split(shipped_);
  p.header["v2.bias"]["data_offsets"] = {-4, 0};
  EXPECT_NE(ErrorOf(Join(p)).find("tensor 'v2.bias': data_offsets"), std::string::npos);
}

TEST_F(WeightsFile, WrongTensorsAreNamed) {
  Parts p = Split(shipped_);
  p.header["v2.bias"]["dtype"] = "F16";
  EXPECT_NE(ErrorOf(Join(p)).find("tensor 'v2.bias': dtype F16"), std::string::npos);

  // Shape consistent with its bytes but not with the network.
  p = Split(shipped_);
  p.header["wq.weight"]["shape"] = {16, 64};
  EXPECT_NE(ErrorOf(Join(p)).find("tensor 'wq.weight': shape [16, 64], expected [32, 32]"),
            std::string::npos);
  // Shape inconsistent with its bytes.
  p = Split(shipped_);
  p.header["wq.weight"]["shape"] = {32, 31};
  EXPECT_NE(ErrorOf(Join(p)).find("tensor 'wq.weight': shape [32, 31] needs"), std::string::npos);

  p = Split(shipped_);
  p.header.erase("ctx.bias");
  const std::string e = ErrorOf(Join(p));
  EXPECT_TRUE(e.find("belong to no tensor") != std::string::npos ||
              e.find("missing tensor 'ctx.bias'") != std::string::npos)
      << e;

  // Two tensors over the same bytes.
  p = Split(shipped_);
  p.header["v2.weight"]["data_offsets"] = p.header["v1.bias"]["data_offsets"];
  p.header["v2.weight"]["shape"] = p.header["v1.bias"]["shape"];
  EXPECT_NE(ErrorOf(Join(p)).find("overlap"), std::string::npos);

  // An extra tensor after the data.
  p = Split(shipped_);
  const std::uint64_t end = p.data.size();
  p.header["extra.weight"] = {{"dtype", "F32"}, {"shape", {1}}, {"data_offsets", {end, end + 4}}};
  p.data += std::string(4, '\0');
  EXPECT_NE(ErrorOf(Join(p)).find("unexpected tensor 'extra.weight'"), std::string::npos);

  // A non-finite weight.
  p = Split(shipped_);
  const std::uint64_t at = p.header["v2.bias"]["data_offsets"][0].get<std::uint64_t>();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(p.data.data() + at, &nan, 4);
  EXPECT_NE(ErrorOf(Join(p)).find("tensor 'v2.bias' holds a non-finite value"), std::string::npos);

  p = Split(shipped_);
  p.header["v2.bias"]["color"] = "blue";
  EXPECT_NE(ErrorOf(Join(p)).find("unknown field 'color'"), std::string::npos);
}

TEST_F(WeightsFile, WrongMetadataIsNamed) {
  auto with = [&](const char* key, const Json& value) {
    Parts p = Split(shipped_);
    if (value.is_null()) p.header["__metadata__"].erase(key);
    else p.header["__metadata__"][key] = value;
    return ErrorOf(Join(p));
  };
  EXPECT_NE(with("format", "other").find("not a dispatchlab weights file"), std::string::npos);
  EXPECT_NE(with("format_version", "2").find("format_version '2' is not supported"),
            std::string::npos);
  EXPECT_NE(with("domain", "chess").find("domain: unknown domain 'chess'"), std::string::npos);
  // The job-shop feature version (5) is not a UAM one.
  EXPECT_NE(with("domain", "uam").find("UAM observations have versions 1 to 2"), std::string::npos);
  EXPECT_NE(with("model", "{\"hidden\": 32, \"heads\": 5, \"layers\": 3}").find("not divisible"),
            std::string::npos);
  EXPECT_NE(with("model", "{\"hidden\": 100000, \"heads\": 4, \"layers\": 3}")
                .find("'hidden' must be an integer in [1, 256]"),
            std::string::npos);
  EXPECT_NE(with("model", "[[[[").find("'model' is not a JSON object"), std::string::npos);
  EXPECT_NE(with("model", nullptr).find("no 'model'"), std::string::npos);
  EXPECT_NE(with("observation", "{\"node_dims\": [1]}").find("observation"), std::string::npos);
  EXPECT_NE(with("format", 7).find("__metadata__ 'format' is not a string"), std::string::npos);
  // A 4-layer header over 3 layers of data (the shipped feature version).
  EXPECT_NE(with("model", "{\"features\": 5, \"hidden\": 32, \"heads\": 4, \"layers\": 4}")
                .find("missing tensor 'layers.3."),
            std::string::npos);

  Parts p = Split(shipped_);
  p.header.erase("__metadata__");
  EXPECT_NE(ErrorOf(Join(p)).find("no __metadata__"), std::string::npos);
  EXPECT_NE(ErrorOf(Join("not json at all!", "")).find("not a safetensors file"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Join("{\"a\": ", "")).find("not valid JSON"), std::string::npos);
  // Deep nesting: no recursion to overflow the stack.
  EXPECT_NE(ErrorOf(Join("{\"a\":" + std::string(200000, '['), "")).find("not valid JSON"),
            std::string::npos);
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(ErrorOf(Join("{\"__metadata__\":{},\"t\":{\"shape\":" + deep + "}}", "")).empty());
}

// Random damage to a real file (a small fuzz run with a fixed seed): every
// variant is accepted or refused with an error naming the file; never a
// crash. The fuzz target proper would feed ParseWeightsFile the same way.
TEST_F(WeightsFile, RandomDamageNeverCrashes) {
  Rng rng(12345);
  int refused = 0;
  for (int i = 0; i < 600; ++i) {
    std::string b = shipped_;
    const int flips = static_cast<int>(rng.UniformInt(1, 8));
    for (int k = 0; k < flips; ++k) {
      // Mostly the header (where the structure is), sometimes the data.
      const std::size_t limit = rng.Uniform() < 0.8 ? std::min<std::size_t>(b.size(), 4096) : b.size();
      b[static_cast<std::size_t>(rng.UniformInt(0, static_cast<std::int64_t>(limit) - 1))] =
          static_cast<char>(rng.UniformInt(0, 255));
    }
    if (rng.Uniform() < 0.2) b.resize(static_cast<std::size_t>(rng.UniformInt(0, static_cast<std::int64_t>(b.size()))));
    auto r = ParseWeightsFile(b, "fuzz.safetensors");
    if (!r.ok()) {
      ++refused;
      ASSERT_EQ(r.error().message.rfind("fuzz.safetensors: ", 0), 0u) << r.error().message;
    }
  }
  EXPECT_GT(refused, 300);
}

// The registry identifies a learned policy by the hash of its weights: the
// same path with replaced weights is a different policy.
TEST_F(WeightsFile, RegistryNamesThePolicyByItsWeightsHash) {
  const PolicyRegistry shipped(kAssets);
  auto gat = shipped.Find(Domain::kJobShop, "gat");
  ASSERT_TRUE(gat.ok()) << gat.error().message;
  EXPECT_EQ(gat->kind, "neural");
  const Json params = Json::parse(gat->parameters);
  EXPECT_EQ(params["weights_hash"], ReadWeightsFile(kAssets + "/jobshop_gat.safetensors")->hash);

  auto a = ReadWeightsFile(kAssets + "/jobshop_gat.safetensors");
  ASSERT_TRUE(WriteWeightsFile(Path("p.safetensors"), a->domain, a->weights).ok());
  auto first = shipped.Find(Domain::kJobShop, Path("p.safetensors"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  FastNetWeights w = a->weights;
  w.v2.b[0] += 1.0f;
  ASSERT_TRUE(WriteWeightsFile(Path("p.safetensors"), a->domain, w).ok());
  auto second = shipped.Find(Domain::kJobShop, Path("p.safetensors"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->name, second->name);
  EXPECT_NE(first->parameters, second->parameters);
  EXPECT_NE(Json::parse(first->parameters)["weights_hash"],
            Json::parse(second->parameters)["weights_hash"]);

  // A checkpoint path loads the weights file beside it; without one, the
  // error says how to make it.
  ASSERT_TRUE(WriteWeightsFile(Path("run.safetensors"), a->domain, a->weights).ok());
  std::ofstream(Path("run.pt")) << "a LibTorch checkpoint";
  auto via_pt = shipped.Find(Domain::kJobShop, Path("run.pt"));
  ASSERT_TRUE(via_pt.ok()) << via_pt.error().message;
  EXPECT_NE(via_pt->parameters.find("run.safetensors"), std::string::npos);
  std::ofstream(Path("old.pt")) << "a LibTorch checkpoint";
  auto old = shipped.Find(Domain::kJobShop, Path("old.pt"));
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.error().message.find("train export --checkpoint"), std::string::npos)
      << old.error().message;
  // A job-shop file where a UAM policy is asked for.
  auto wrong = shipped.Find(Domain::kUam, Path("p.safetensors"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("holds a jobshop policy, not a uam one"), std::string::npos);

  // A damaged shipped file: `all` is an error, not a crash.
  fs::create_directories(dir_ / "assets");
  std::ofstream(dir_ / "assets" / "jobshop_gat.safetensors") << "garbage";
  const PolicyRegistry damaged((dir_ / "assets").string());
  auto all = damaged.Parse(Domain::kJobShop, "all");
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.error().message.find("jobshop_gat.safetensors"), std::string::npos);
}

}  // namespace
}  // namespace dispatchlab::policy
