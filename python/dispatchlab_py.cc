// dispatchlab._core: the C++ side of the `dispatchlab` Python package. The
// pure-Python layer (python/dispatchlab/*.py) wraps it with Gymnasium-style
// names, spaces and result objects; this file owns everything that must be
// fast or must not crash:
//
//   Instance / UamScenario   immutable scenarios (shared_ptr, shared by envs)
//   jobshop_run / uam_run    the cell run path of every front end
//                            (scenarios::CellWorker::Run), GIL released
//   validate_schedule        the independent validator
//   Env                      one env::Env; observations are read-only numpy
//                            views of the env's own buffers (no copies), so
//                            the next step()/reset() overwrites them; a view's
//                            base (a capsule) owns those buffers, never the
//                            Python env (that cycle would never be freed)
//   VectorEnv                N envs stepped on a small C++ thread pool with
//                            the GIL released; batched buffers, same-step
//                            auto-reset
//
// Every action is checked here before env::Env::Step (whose checks abort):
// a bad action or a finished env raises a Python exception, never a crash.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "policy/registry.h"
#include "scenarios/catalog.h"
#include "scenarios/family.h"
#include "scenarios/uam_json.h"
#include "sim/core/rng.h"
#include "sim/env/jobshop_env.h"
#include "sim/env/uam_env.h"
#include "sim/jobshop/generator.h"
#include "sim/jobshop/schedule.h"
#include "sim/jobshop/validator.h"
#include "sim/uam/scenario.h"

namespace py = pybind11;

namespace dispatchlab::python {
namespace {

// --- errors -------------------------------------------------------------------
struct InvalidAction : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct EpisodeOver : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename T>
T OrRaise(Result<T> r) {
  if (!r) throw py::value_error(r.error().message);
  return std::move(*r);
}
void OrRaise(const Status& s) {
  if (!s) throw py::value_error(s.error().message);
}

// --- scenarios ----------------------------------------------------------------
struct PyInstance {
  std::shared_ptr<const jobshop::Instance> inst;
};
struct PyUamScenario {
  std::shared_ptr<const uam::Scenario> sc;
};

PyInstance MakeInstance(jobshop::Instance i) {
  OrRaise(jobshop::ValidateInstance(i));
  return {std::make_shared<const jobshop::Instance>(std::move(i))};
}

// (rows, cols) int64 array of a job-shop instance field; -1 pads shorter jobs.
py::array_t<std::int64_t> InstanceMatrix(const jobshop::Instance& in, bool machines) {
  std::size_t len = 0;
  for (const auto& j : in.jobs) len = std::max(len, j.size());
  py::array_t<std::int64_t> a({static_cast<std::size_t>(in.num_jobs()), len});
  auto v = a.mutable_unchecked<2>();
  for (int j = 0; j < in.num_jobs(); ++j)
    for (std::size_t k = 0; k < len; ++k)
      v(j, k) = k < in.jobs[j].size()
                    ? (machines ? in.jobs[j][k].machine.value : in.jobs[j][k].duration)
                    : -1;
  return a;
}

PyInstance InstanceFromArrays(py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> m,
                              py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> d,
                              std::string name) {
  if (m.ndim() != 2 || d.ndim() != 2 || m.shape(0) != d.shape(0) || m.shape(1) != d.shape(1))
    throw py::value_error("machines and durations must be 2-D arrays of one shape (jobs x operations)");
  jobshop::Instance in;
  in.name = std::move(name);
  auto mv = m.unchecked<2>();
  auto dv = d.unchecked<2>();
  std::int64_t max_machine = -1;
  for (py::ssize_t j = 0; j < m.shape(0); ++j) {
    std::vector<jobshop::Operation> job;
    for (py::ssize_t k = 0; k < m.shape(1); ++k) {
      if (mv(j, k) < 0) break;  // -1 pads a shorter job
      if (mv(j, k) > 1'000'000) throw py::value_error("machine index too large");
      job.push_back({jobshop::MachineId(static_cast<std::int32_t>(mv(j, k))), dv(j, k)});
      max_machine = std::max(max_machine, mv(j, k));
    }
    in.jobs.push_back(std::move(job));
  }
  in.num_machines = static_cast<int>(max_machine + 1);
  return MakeInstance(std::move(in));
}

jobshop::BlockingMode ParseMode(const std::string& mode) {
  if (mode == "bws") return jobshop::BlockingMode::kSwap;
  if (mode == "bns") return jobshop::BlockingMode::kNoSwap;
  throw py::value_error("mode must be 'bws' (swaps allowed) or 'bns' (no swaps), not '" + mode + "'");
}

jobshop::BreakdownOptions MakeBreakdowns(double p, std::optional<double> mtbf,
                                         std::optional<double> mttr) {
  OrRaise(scenarios::CheckLevel(Domain::kJobShop, p));
  if (mtbf || mttr) {
    if (!mtbf || !mttr || !(*mtbf > 0) || !(*mttr > 0))
      throw py::value_error("mtbf and mttr must both be given and positive");
    if (p > 0) throw py::value_error("mtbf/mttr cannot be combined with shutdown_p > 0");
    jobshop::BreakdownOptions b;
    b.model = jobshop::BreakdownModel::kMtbf;
    b.mtbf = *mtbf;
    b.mttr = *mttr;
    return b;
  }
  return jobshop::PerOperationBreakdowns(p);
}

py::array_t<std::int64_t> ScheduleArray(const jobshop::EpisodeResult& r) {
  const auto rows = jobshop::ToScheduleRows(r);
  py::array_t<std::int64_t> a({rows.size(), std::size_t{6}});
  auto v = a.mutable_unchecked<2>();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& x = rows[i];
    v(i, 0) = x.job, v(i, 1) = x.op, v(i, 2) = x.machine;
    v(i, 3) = x.start, v(i, 4) = x.duration, v(i, 5) = x.leave;
  }
  return a;
}

py::array_t<std::int64_t> DownArray(const jobshop::EpisodeResult& r) {
  const auto rows = jobshop::ToDownRows(r);
  py::array_t<std::int64_t> a({rows.size(), std::size_t{3}});
  auto v = a.mutable_unchecked<2>();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    v(i, 0) = rows[i].machine, v(i, 1) = rows[i].start, v(i, 2) = rows[i].end;
  }
  return a;
}

py::dict JobShopEpisodeDict(const jobshop::EpisodeResult& r, bool with_schedule) {
  py::dict d;
  d["outcome"] = jobshop::ToString(r.outcome);
  if (r.outcome == jobshop::Outcome::kCompleted) d["makespan"] = r.makespan;
  else d["makespan"] = py::none();
  d["end_time"] = r.end_time;
  d["swaps"] = r.swaps;
  d["swap_moves"] = r.swap_moves;
  d["breakdowns"] = r.breakdowns;
  d["operations"] = r.operations_dispatched;
  d["decisions"] = r.decisions;
  if (with_schedule) {
    d["schedule"] = ScheduleArray(r);
    d["down"] = DownArray(r);
  }
  return d;
}

py::dict KpiDict(const uam::Kpis& k) {
  py::dict d;
  d["profit"] = k.profit();
  d["revenue"] = k.revenue;
  d["energy_cost"] = k.energy_cost;
  d["operating_cost"] = k.operating_cost;
  d["landing_fees"] = k.landing_fees;
  d["arrived"] = k.passengers_arrived;
  d["served"] = k.served;
  d["spilled"] = k.spilled;
  d["flights"] = k.flights;
  d["empty_flights"] = k.empty_flights;
  d["stays"] = k.stays;
  d["charges"] = k.charges;
  d["downtimes"] = k.downtimes;
  d["load_factor"] = k.load_factor;
  d["utilisation"] = k.utilisation;
  d["energy_charged_kwh"] = k.energy_charged_kwh;
  d["decisions"] = k.decisions;
  return d;
}

// --- the run path -------------------------------------------------------------
// Runs `seeds` through CellWorker::Run on `threads` threads (one worker, so
// one policy instance, per thread), GIL released. Results in seed order.
std::vector<scenarios::CellResult> RunCells(const scenarios::ParsedScenario& sc,
                                            const PolicySpec& spec,
                                            scenarios::CellParams base,
                                            const std::vector<std::uint64_t>& seeds,
                                            int threads) {
  std::vector<scenarios::CellResult> out(seeds.size());
  threads = std::max(1, std::min<int>(threads, static_cast<int>(seeds.size())));
  py::gil_scoped_release release;
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    scenarios::CellWorker worker({spec});
    for (std::size_t i; (i = next.fetch_add(1)) < seeds.size();) {
      scenarios::CellParams p = base;
      p.seed = seeds[i];
      out[i] = worker.Run(sc, 0, p);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return out;
}

PolicySpec FindPolicy(Domain d, const std::string& name, const std::string& assets_dir) {
  policy::PolicyRegistry registry(assets_dir);
  return OrRaise(registry.Find(d, name));
}

py::list JobShopRun(const PyInstance& inst, const std::string& policy_name,
                    const std::string& assets_dir, double shutdown_p, const std::string& mode,
                    const std::vector<std::uint64_t>& seeds, int threads, bool schedules,
                    std::optional<double> mtbf, std::optional<double> mttr) {
  const PolicySpec spec = FindPolicy(Domain::kJobShop, policy_name, assets_dir);
  scenarios::CellParams params;
  params.mode = ParseMode(mode);
  params.level = shutdown_p;
  params.breakdowns = MakeBreakdowns(shutdown_p, mtbf, mttr);
  params.keep_events = false;
  scenarios::ParsedScenario sc;
  sc.domain = Domain::kJobShop;
  sc.name = inst.inst->name;
  sc.instance = inst.inst;
  const auto cells = RunCells(sc, spec, params, seeds, threads);
  py::list out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    py::dict d = JobShopEpisodeDict(cells[i].jobshop, schedules);
    d["seed"] = seeds[i];
    d["policy"] = spec.name;
    d["status"] = cells[i].record.status;
    d["error"] = cells[i].record.error;
    // "done": completed and accepted by the validator; "deadlock" (BNS) or
    // "failed" (the validator rejected the schedule) otherwise.
    d["valid"] = cells[i].record.status == "done";
    d["wall_s"] = cells[i].record.wall_s;
    out.append(d);
  }
  return out;
}

py::list UamRun(const PyUamScenario& s, const std::string& policy_name,
                const std::string& assets_dir, bool uncertainty,
                const std::vector<std::uint64_t>& seeds, int threads) {
  const PolicySpec spec = FindPolicy(Domain::kUam, policy_name, assets_dir);
  scenarios::CellParams params;
  params.level = uncertainty ? 1 : 0;  // 0: every uncertainty source off
  params.keep_events = false;
  scenarios::ParsedScenario sc;
  sc.domain = Domain::kUam;
  sc.name = s.sc->name;
  sc.uam = s.sc;
  const auto cells = RunCells(sc, spec, params, seeds, threads);
  py::list out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    py::dict d = KpiDict(cells[i].kpis);
    d["seed"] = seeds[i];
    d["policy"] = spec.name;
    d["wall_s"] = cells[i].record.wall_s;
    out.append(d);
  }
  return out;
}

py::dict ValidateSchedule(const PyInstance& inst,
                          py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> sched,
                          std::optional<py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>> down,
                          const std::string& mode) {
  const bool swaps = ParseMode(mode) == jobshop::BlockingMode::kSwap;
  if (sched.ndim() != 2 || sched.shape(1) != 6)
    throw py::value_error("schedule must be an (operations, 6) integer array with columns "
                          "job, op, machine, start, duration, leaves_machine_at");
  std::vector<jobshop::ScheduleRow> rows;
  auto v = sched.unchecked<2>();
  for (py::ssize_t i = 0; i < sched.shape(0); ++i)
    rows.push_back({static_cast<int>(v(i, 0)), static_cast<int>(v(i, 1)),
                    static_cast<int>(v(i, 2)), v(i, 3), v(i, 4), v(i, 5)});
  std::vector<jobshop::DownRow> drows;
  if (down) {
    if (down->size() > 0 && (down->ndim() != 2 || down->shape(1) != 3))
      throw py::value_error("down must be a (intervals, 3) integer array with columns machine, start, end");
    if (down->size() > 0) {
      auto dv = down->unchecked<2>();
      for (py::ssize_t i = 0; i < down->shape(0); ++i)
        drows.push_back({static_cast<int>(dv(i, 0)), dv(i, 1), dv(i, 2)});
    }
  }
  jobshop::ValidationReport rep;
  {
    py::gil_scoped_release release;
    rep = jobshop::ValidateSchedule(*inst.inst, rows, drows, swaps);
  }
  py::dict d;
  d["valid"] = rep.valid;
  d["errors"] = rep.errors;
  d["makespan"] = rep.makespan;
  d["swaps"] = rep.swaps;
  return d;
}

// --- environments -------------------------------------------------------------
// One env of either domain with what keeps its scenario alive.
struct EnvSlot {
  std::unique_ptr<env::Env> env;
  std::shared_ptr<const void> keep;  // the instance / scenario the env points to
};

// How to make envs: a fixed scenario, a list of same-shaped ones (env i
// uses list[i % size]) or a job-shop generator (a new instance per episode,
// seeded by the episode seed).
struct EnvRecipe {
  Domain domain = Domain::kJobShop;
  std::vector<std::shared_ptr<const jobshop::Instance>> instances;
  std::vector<std::shared_ptr<const uam::Scenario>> uam;
  std::optional<jobshop::GeneratorOptions> generator;
  jobshop::SimOptions sim;

  bool per_episode() const { return generator.has_value(); }

  EnvSlot Make(int index, std::uint64_t episode_seed) const {
    EnvSlot s;
    if (domain == Domain::kUam) {
      auto sc = uam[index % uam.size()];
      s.env = std::make_unique<env::UamEnv>(*sc);
      s.keep = sc;
      return s;
    }
    std::shared_ptr<const jobshop::Instance> inst;
    if (generator) {
      jobshop::GeneratorOptions g = *generator;
      g.seed = SplitMix64Mix(generator->seed ^ SplitMix64Mix(episode_seed + 0x51ed27));
      auto r = jobshop::GenerateInstance(g);
      DL_CHECK(r.ok());  // options were checked when the recipe was made
      inst = std::make_shared<const jobshop::Instance>(std::move(*r));
    } else {
      inst = instances[index % instances.size()];
    }
    s.env = std::make_unique<env::JobShopEnv>(*inst, sim);
    s.keep = inst;
    return s;
  }
};

// Which observation buffers change between steps: for the job shop the edges
// are written once per episode (jobshop_env.h), for UAM they move.
bool EdgesChangeEachStep(Domain d) { return d == Domain::kUam; }

void MakeReadOnly(py::array& a) {
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
}

template <typename T>
py::array View(const T* data, std::vector<py::ssize_t> shape, py::handle base) {
  py::array a(py::dtype::of<T>(), std::move(shape), {}, data, base);
  MakeReadOnly(a);
  return a;
}

py::array BoolView(const std::uint8_t* data, std::vector<py::ssize_t> shape, py::handle base) {
  py::array a(py::dtype("bool"), std::move(shape), {}, data, base);
  MakeReadOnly(a);
  return a;
}

std::string LegalList(const std::vector<std::uint8_t>& mask) {
  std::string s;
  for (std::size_t a = 0; a < mask.size(); ++a)
    if (mask[a]) s += (s.empty() ? "" : ", ") + std::to_string(a);
  return "[" + s + "]";
}

// The layout of one observation, as (key, shape, dtype) rows (Python builds
// its spaces from it).
py::list Layout(const env::Observation& o, Domain d) {
  py::list rows;
  auto add = [&](const std::string& key, std::vector<py::ssize_t> shape, const char* dtype) {
    rows.append(py::make_tuple(key, py::tuple(py::cast(shape)), dtype));
  };
  for (const auto& ns : o.node_sets) add(ns.name, {ns.count, ns.dim}, "float32");
  for (const auto& es : o.edge_sets) {
    add(es.name + "_edges", {2, static_cast<py::ssize_t>(es.src.size())}, "int32");
    if (es.dim > 0)
      add(es.name + "_edge_features", {static_cast<py::ssize_t>(es.src.size()), es.dim}, "float32");
  }
  add("globals", {static_cast<py::ssize_t>(o.globals.size())}, "float32");
  add("action_mask", {static_cast<py::ssize_t>(o.mask.size())}, "bool");
  add("action_nodes", {static_cast<py::ssize_t>(o.action_nodes.size())}, "int32");
  if (o.action_feature_dim > 0)
    add("action_features", {static_cast<py::ssize_t>(o.mask.size()), o.action_feature_dim},
        "float32");
  if (o.query_node_set >= 0) add("query_node", {}, "int32");
  return rows;
}

// Converts a Python action to an int; raises TypeError for non-integers.
long long ActionValue(py::handle action) {
  if (PyBool_Check(action.ptr()) || !PyIndex_Check(action.ptr()))
    throw py::type_error("action must be an integer (an index into the action space), not " +
                         std::string(py::str(py::type::handle_of(action).attr("__name__"))));
  const long long a = PyNumber_AsSsize_t(action.ptr(), nullptr);
  if (a == -1 && PyErr_Occurred()) throw py::error_already_set();
  return a;
}

// Refuses a second call into one env while a first one runs with the GIL
// released (two Python threads on one env): an error instead of a race.
class CallGuard {
 public:
  explicit CallGuard(std::atomic<bool>& busy) : busy_(busy) {
    if (busy_.exchange(true))
      throw std::runtime_error("this env is already stepping in another thread; an env serves "
                               "one caller at a time");
  }
  ~CallGuard() { busy_ = false; }

 private:
  std::atomic<bool>& busy_;
};

class PyEnv {
 public:
  PyEnv(EnvRecipe recipe, std::uint64_t seed) : recipe_(std::move(recipe)), next_seed_(seed) {
    buf_->slot = recipe_.Make(0, seed);
  }

  py::tuple Reset(std::optional<std::uint64_t> seed) {
    CallGuard guard(busy_);
    if (seed) next_seed_ = *seed;
    episode_seed_ = next_seed_++;
    if (recipe_.per_episode()) {  // a new env; views of the old one keep it alive
      buf_ = std::make_shared<Buffers>();
      buf_->slot = recipe_.Make(0, episode_seed_);
    }
    {
      py::gil_scoped_release release;
      buf_->slot.env->Reset(episode_seed_);
    }
    started_ = true;
    if (obs_.is_none() || views_of_ != buf_.get() || !ViewsCurrent()) BuildViews();
    RefreshEdges();
    py::dict info = Info();
    info["seed"] = episode_seed_;
    return py::make_tuple(obs_, info);
  }

  py::tuple Step(py::handle action) {
    CallGuard guard(busy_);
    if (!started_) throw EpisodeOver("step() before reset(): call reset() first");
    env::Env& e = *buf_->slot.env;
    if (e.done())
      throw EpisodeOver("step() on a finished episode (it terminated after " +
                        std::to_string(e.steps()) + " steps): call reset() first");
    const long long a = ActionValue(action);
    const auto& mask = e.observation().mask;
    if (a < 0 || a >= e.num_actions())
      throw InvalidAction("action " + std::to_string(a) + " is out of range: this env has " +
                          std::to_string(e.num_actions()) + " actions (0.." +
                          std::to_string(e.num_actions() - 1) + ")");
    if (!mask[a])
      throw InvalidAction("action " + std::to_string(a) +
                          " is not legal now (info['action_mask'] is 0 there); legal actions: " +
                          LegalList(mask));
    const env::StepResult r = e.Step(static_cast<int>(a));
    if (EdgesChangeEachStep(recipe_.domain)) RefreshEdges();
    return py::make_tuple(obs_, r.reward, r.done, false, Info());
  }

  py::list layout() const { return Layout(buf_->slot.env->observation(), recipe_.domain); }
  int num_actions() const { return buf_->slot.env->num_actions(); }
  bool done() const { return started_ && buf_->slot.env->done(); }
  int steps() const { return buf_->slot.env->steps(); }
  double episode_return() const { return buf_->slot.env->episode_return(); }
  std::uint64_t episode_seed() const { return episode_seed_; }
  py::array action_mask() const {
    if (obs_.is_none()) throw EpisodeOver("call reset() first");
    return py::reinterpret_borrow<py::dict>(obs_)["action_mask"].cast<py::array>();
  }
  std::int64_t now() const {
    if (auto* j = dynamic_cast<const env::JobShopEnv*>(buf_->slot.env.get())) return j->simulator().now();
    return static_cast<const env::UamEnv*>(buf_->slot.env.get())->simulator().now();
  }
  py::object instance() const {
    if (recipe_.domain == Domain::kUam)
      return py::cast(PyUamScenario{std::static_pointer_cast<const uam::Scenario>(buf_->slot.keep)});
    return py::cast(PyInstance{std::static_pointer_cast<const jobshop::Instance>(buf_->slot.keep)});
  }

 private:
  py::dict Info() {
    py::dict info;
    info["action_mask"] = mask_view_;
    env::Env& e = *buf_->slot.env;
    if (!e.done()) return info;
    info["episode_return"] = e.episode_return();
    info["episode_length"] = e.steps();
    if (auto* j = dynamic_cast<const env::JobShopEnv*>(&e)) {
      const auto& r = j->simulator().result();
      for (auto item : JobShopEpisodeDict(r, true)) info[item.first] = item.second;
    } else {
      const auto* u = static_cast<const env::UamEnv*>(&e);
      py::dict k = KpiDict(u->simulator().kpis());
      info["profit"] = k["profit"];
      info["kpis"] = k;
    }
    return info;
  }

  // Views of the env's buffers. They stay valid while the buffers are not
  // reallocated, which the observers never do after Init (checked here: a
  // moved buffer rebuilds the views).
  std::vector<const void*> BufferPointers() const {
    const env::Observation& o = buf_->slot.env->observation();
    std::vector<const void*> p;
    for (const auto& ns : o.node_sets) p.push_back(ns.features.data());
    for (const auto& es : o.edge_sets) p.push_back(es.features.data());
    p.push_back(o.globals.data());
    p.push_back(o.mask.data());
    p.push_back(o.action_nodes.data());
    p.push_back(o.action_features.data());
    return p;
  }
  bool ViewsCurrent() const { return BufferPointers() == pointers_; }

  // The views' base owns the buffers (env and edge copies), so a view stays
  // valid after its env is replaced (generator episodes) or deleted.
  void BuildViews() {
    const env::Observation& o = buf_->slot.env->observation();
    auto* owner = new std::shared_ptr<Buffers>(buf_);
    py::capsule self(owner, [](void* p) { delete static_cast<std::shared_ptr<Buffers>*>(p); });
    auto& edges_ = buf_->edges;
    py::dict d;
    for (const auto& ns : o.node_sets) d[py::str(ns.name)] = View(ns.features.data(), {ns.count, ns.dim}, self);
    edges_.assign(o.edge_sets.size(), {});
    for (std::size_t k = 0; k < o.edge_sets.size(); ++k) {
      const auto& es = o.edge_sets[k];
      const auto e = static_cast<py::ssize_t>(es.src.size());
      edges_[k].assign(2 * es.src.size(), 0);
      d[py::str(es.name + "_edges")] = View(edges_[k].data(), {2, e}, self);
      if (es.dim > 0) d[py::str(es.name + "_edge_features")] = View(es.features.data(), {e, es.dim}, self);
    }
    d["globals"] = View(o.globals.data(), {static_cast<py::ssize_t>(o.globals.size())}, self);
    mask_view_ = BoolView(o.mask.data(), {static_cast<py::ssize_t>(o.mask.size())}, self);
    d["action_mask"] = mask_view_;
    d["action_nodes"] = View(o.action_nodes.data(), {static_cast<py::ssize_t>(o.action_nodes.size())}, self);
    if (o.action_feature_dim > 0)
      d["action_features"] = View(o.action_features.data(),
                                  {static_cast<py::ssize_t>(o.mask.size()), o.action_feature_dim}, self);
    if (o.query_node_set >= 0) d["query_node"] = View(&buf_->query, {}, self);
    obs_ = d;
    pointers_ = BufferPointers();
    views_of_ = buf_.get();
  }

  void RefreshEdges() {
    const env::Observation& o = buf_->slot.env->observation();
    auto& edges_ = buf_->edges;
    for (std::size_t k = 0; k < o.edge_sets.size(); ++k) {
      const auto& es = o.edge_sets[k];
      DL_CHECK(edges_[k].size() == 2 * es.src.size());
      std::copy(es.src.begin(), es.src.end(), edges_[k].begin());
      std::copy(es.dst.begin(), es.dst.end(), edges_[k].begin() + es.src.size());
    }
    buf_->query = o.query_node;
  }

  struct Buffers {
    EnvSlot slot;
    std::vector<std::vector<std::int32_t>> edges;  // (2, E) copies of the edge lists
    std::int32_t query = -1;
  };
  EnvRecipe recipe_;
  std::shared_ptr<Buffers> buf_ = std::make_shared<Buffers>();
  const Buffers* views_of_ = nullptr;
  std::uint64_t next_seed_ = 0, episode_seed_ = 0;
  bool started_ = false;
  py::object obs_ = py::none();
  py::object mask_view_ = py::none();
  std::vector<const void*> pointers_;
  std::atomic<bool> busy_{false};
};

// A fixed pool of threads - 1 workers; the calling thread works too.
class ThreadPool {
 public:
  explicit ThreadPool(int threads) : threads_(threads) {
    for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { Loop(t); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int threads() const { return threads_; }

  // Runs fn(i) for i in [0, n) in parallel, returns when all are done.
  // Thread t takes the t-th contiguous block of indices, the same block on
  // every call, so an env's state stays in one core's cache.
  void Run(int n, const std::function<void(int)>& fn) {
    if (workers_.empty() || n <= 1) {
      for (int i = 0; i < n; ++i) fn(i);
      return;
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      fn_ = &fn;
      n_ = n;
      busy_ = static_cast<int>(workers_.size());
      ++generation_;
    }
    wake_.notify_all();
    Work(0);
    std::unique_lock<std::mutex> l(mu_);
    done_.wait(l, [this] { return busy_ == 0; });
    fn_ = nullptr;
  }

 private:
  void Work(int t) {
    const int T = threads();
    const int lo = static_cast<int>(static_cast<long>(n_) * t / T);
    const int hi = static_cast<int>(static_cast<long>(n_) * (t + 1) / T);
    for (int i = lo; i < hi; ++i) (*fn_)(i);
  }
  void Loop(int t) {
    std::uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> l(mu_);
        wake_.wait(l, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      Work(t);
      std::lock_guard<std::mutex> l(mu_);
      if (--busy_ == 0) done_.notify_one();
    }
  }

  const int threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* fn_ = nullptr;
  int n_ = 0;
  int busy_ = 0;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
};

// N envs with batched buffers (one contiguous block per observation key,
// env-major) and same-step auto-reset.
class PyVectorEnv {
 public:
  PyVectorEnv(EnvRecipe recipe, int num_envs, int threads)
      : recipe_(std::move(recipe)), n_(num_envs), pool_(std::max(1, threads)) {
    if (num_envs < 1) throw py::value_error("num_envs must be at least 1");
    if (threads < 1) throw py::value_error("threads must be at least 1");
    slots_.resize(n_);
    for (int i = 0; i < n_; ++i) slots_[i] = recipe_.Make(i, static_cast<std::uint64_t>(i));
    const env::Observation& o = slots_[0].env->observation();
    for (int i = 1; i < n_; ++i) CheckSameShape(o, slots_[i].env->observation());
    num_actions_ = slots_[0].env->num_actions();
    // Per-env sizes of every buffer.
    for (const auto& ns : o.node_sets) node_sz_.push_back(ns.features.size());
    for (const auto& es : o.edge_sets) {
      edge_sz_.push_back(es.src.size());
      edge_feat_sz_.push_back(es.features.size());
    }
    batch_->nodes.resize(node_sz_.size());
    for (std::size_t k = 0; k < batch_->nodes.size(); ++k) batch_->nodes[k].assign(n_ * node_sz_[k], 0.f);
    batch_->edges.resize(edge_sz_.size());
    batch_->edge_feats.resize(edge_sz_.size());
    for (std::size_t k = 0; k < batch_->edges.size(); ++k) {
      batch_->edges[k].assign(n_ * 2 * edge_sz_[k], 0);
      batch_->edge_feats[k].assign(n_ * edge_feat_sz_[k], 0.f);
    }
    batch_->globals.assign(n_ * o.globals.size(), 0.f);
    batch_->mask.assign(n_ * o.mask.size(), 0);
    batch_->action_nodes.assign(n_ * o.action_nodes.size(), 0);
    batch_->action_feats.assign(n_ * o.action_features.size(), 0.f);
    batch_->query.assign(n_, -1);
    for (int i = 0; i < n_; ++i) Mirror(i);
    rewards_.assign(n_, 0.0);
    terminated_.assign(n_, 0);
    final_.assign(n_, 0.0);
    final_return_.assign(n_, 0.0);
    final_length_.assign(n_, 0);
    seeds_.assign(n_, 0);
  }

  py::tuple Reset(py::object seed) {
    CallGuard guard(busy_);
    std::vector<std::uint64_t> seeds(n_);
    if (seed.is_none()) {
      for (int i = 0; i < n_; ++i) seeds[i] = started_ ? seeds_[i] + n_ : static_cast<std::uint64_t>(i);
    } else if (py::isinstance<py::int_>(seed)) {
      const auto s = seed.cast<std::uint64_t>();
      for (int i = 0; i < n_; ++i) seeds[i] = s + static_cast<std::uint64_t>(i);
    } else {
      seeds = seed.cast<std::vector<std::uint64_t>>();
      if (static_cast<int>(seeds.size()) != n_)
        throw py::value_error("reset(seed=list) needs one seed per env (" + std::to_string(n_) + ")");
    }
    seeds_ = seeds;
    std::atomic<bool> empty{false};
    {
      py::gil_scoped_release release;
      pool_.Run(n_, [&](int i) {
        if (!ResetEnv(i)) empty = true;
        CopyOut(i, /*edges=*/true);
      });
    }
    if (empty)
      throw py::value_error("VectorEnv: episodes of this scenario end without a single "
                            "decision (no machine ever has two candidates)");
    started_ = true;
    if (obs_.is_none()) BuildViews();
    py::dict info;
    info["action_mask"] = mask_view_;
    info["seed"] = py::array_t<std::uint64_t>(n_, seeds_.data());
    return py::make_tuple(obs_, info);
  }

  py::tuple Step(py::array actions_in) {
    CallGuard guard(busy_);
    if (!started_) throw EpisodeOver("step() before reset(): call reset() first");
    if (actions_in.ndim() != 1 || actions_in.shape(0) != n_)
      throw InvalidAction("actions must be a 1-D integer array of length num_envs (" +
                          std::to_string(n_) + ")");
    const char kind = actions_in.dtype().kind();
    if (kind != 'i' && kind != 'u')
      throw py::type_error("actions must be an integer array, not dtype " +
                           std::string(py::str(actions_in.dtype())));
    auto actions = py::array_t<std::int64_t, py::array::forcecast>::ensure(actions_in);
    auto av = actions.unchecked<1>();
    for (int i = 0; i < n_; ++i) {
      const std::int64_t a = av(i);
      if (a < 0 || a >= num_actions_)
        throw InvalidAction("env " + std::to_string(i) + ": action " + std::to_string(a) +
                            " is out of range (0.." + std::to_string(num_actions_ - 1) + ")");
      if (!slots_[i].env->observation().mask[a])
        throw InvalidAction("env " + std::to_string(i) + ": action " + std::to_string(a) +
                            " is not legal now; legal actions: " +
                            LegalList(slots_[i].env->observation().mask));
    }
    std::vector<int> act(n_);
    for (int i = 0; i < n_; ++i) act[i] = static_cast<int>(av(i));
    {
      py::gil_scoped_release release;
      pool_.Run(n_, [&](int i) { StepOne(i, act[i]); });
    }
    py::array_t<double> rewards(n_, rewards_.data());
    py::array_t<bool> terminated(n_);
    py::array_t<bool> truncated(n_);
    auto tv = terminated.mutable_unchecked<1>();
    auto uv = truncated.mutable_unchecked<1>();
    bool any = false;
    for (int i = 0; i < n_; ++i) {
      tv(i) = terminated_[i] != 0;
      uv(i) = false;
      any = any || tv(i);
    }
    py::dict info;
    info["action_mask"] = mask_view_;
    if (any) {
      const char* key = recipe_.domain == Domain::kJobShop ? "makespan" : "profit";
      py::array_t<double> fin(n_), ret(n_);
      py::array_t<std::int64_t> len(n_);
      auto fv = fin.mutable_unchecked<1>();
      auto rv = ret.mutable_unchecked<1>();
      auto lv = len.mutable_unchecked<1>();
      for (int i = 0; i < n_; ++i) {
        fv(i) = terminated_[i] ? final_[i] : std::numeric_limits<double>::quiet_NaN();
        rv(i) = terminated_[i] ? final_return_[i] : 0.0;
        lv(i) = terminated_[i] ? final_length_[i] : 0;
      }
      info[key] = fin;
      info[py::str(std::string("_") + key)] = terminated;
      info["episode_return"] = ret;
      info["_episode_return"] = terminated;
      info["episode_length"] = len;
      info["_episode_length"] = terminated;
      info["seed"] = py::array_t<std::uint64_t>(n_, seeds_.data());
    }
    return py::make_tuple(obs_, rewards, terminated, truncated, info);
  }

  py::list layout() const { return Layout(slots_[0].env->observation(), recipe_.domain); }
  int num_envs() const { return n_; }
  int num_actions() const { return num_actions_; }
  int threads() const { return pool_.threads(); }
  std::vector<std::uint64_t> episode_seeds() const { return seeds_; }

 private:
  static void CheckSameShape(const env::Observation& a, const env::Observation& b) {
    bool same = a.node_sets.size() == b.node_sets.size() &&
                a.edge_sets.size() == b.edge_sets.size() && a.mask.size() == b.mask.size() &&
                a.globals.size() == b.globals.size() &&
                a.action_features.size() == b.action_features.size();
    for (std::size_t k = 0; same && k < a.node_sets.size(); ++k)
      same = a.node_sets[k].features.size() == b.node_sets[k].features.size();
    for (std::size_t k = 0; same && k < a.edge_sets.size(); ++k)
      same = a.edge_sets[k].src.size() == b.edge_sets[k].src.size() &&
             a.edge_sets[k].features.size() == b.edge_sets[k].features.size();
    if (!same)
      throw py::value_error("VectorEnv: every env must have observations of one shape "
                            "(same jobs and operations per job / same vertiports and aircraft)");
  }

  // Resets env i at seeds_[i]. Auto-reset: env i's episodes use seeds s,
  // s + N, s + 2N, ...; an episode that ends before its first decision
  // (every machine had one candidate at most) is skipped the same way, a
  // bounded number of times (false: no decision found).
  bool ResetEnv(int i) {
    for (int t = 0;; ++t) {
      if (recipe_.per_episode()) {
        slots_[i] = recipe_.Make(i, seeds_[i]);
        Mirror(i);
      }
      slots_[i].env->Reset(seeds_[i]);
      if (!slots_[i].env->done()) return true;
      if (t == 16) return false;
      seeds_[i] += static_cast<std::uint64_t>(n_);
    }
  }

  // Worker thread: steps env i, records an episode end, auto-resets.
  void StepOne(int i, int action) {
    EnvSlot& s = slots_[i];
    const env::StepResult r = s.env->Step(action);
    rewards_[i] = r.reward;
    terminated_[i] = r.done;
    bool edges = EdgesChangeEachStep(recipe_.domain);
    if (r.done) {
      final_return_[i] = s.env->episode_return();
      final_length_[i] = s.env->steps();
      if (auto* j = dynamic_cast<const env::JobShopEnv*>(s.env.get())) {
        const auto& res = j->simulator().result();
        final_[i] = res.outcome == jobshop::Outcome::kCompleted
                        ? static_cast<double>(res.makespan)
                        : std::numeric_limits<double>::quiet_NaN();
      } else {
        final_[i] = static_cast<const env::UamEnv*>(s.env.get())->simulator().kpis().profit();
      }
      seeds_[i] += static_cast<std::uint64_t>(n_);
      ResetEnv(i);
      edges = true;
    }
    CopyOut(i, edges);
  }

  // A job-shop env writes its node features into env i's batched rows
  // itself, only the rows a step changed (JobShopEnv::MirrorFeatures).
  void Mirror(int i) {
    if (recipe_.domain != Domain::kJobShop) return;
    static_cast<env::JobShopEnv*>(slots_[i].env.get())
        ->MirrorFeatures(batch_->nodes[0].data() + i * node_sz_[0],
                         batch_->nodes[1].data() + i * node_sz_[1]);
  }

  void CopyOut(int i, bool edges) {
    const env::Observation& o = slots_[i].env->observation();
    if (recipe_.domain != Domain::kJobShop)
      for (std::size_t k = 0; k < batch_->nodes.size(); ++k)
        std::memcpy(batch_->nodes[k].data() + i * node_sz_[k], o.node_sets[k].features.data(),
                    node_sz_[k] * sizeof(float));
    for (std::size_t k = 0; k < batch_->edges.size(); ++k) {
      const auto& es = o.edge_sets[k];
      if (edges) {
        std::int32_t* dst = batch_->edges[k].data() + i * 2 * edge_sz_[k];
        std::memcpy(dst, es.src.data(), edge_sz_[k] * sizeof(std::int32_t));
        std::memcpy(dst + edge_sz_[k], es.dst.data(), edge_sz_[k] * sizeof(std::int32_t));
      }
      if (edge_feat_sz_[k])
        std::memcpy(batch_->edge_feats[k].data() + i * edge_feat_sz_[k], es.features.data(),
                    edge_feat_sz_[k] * sizeof(float));
    }
    std::memcpy(batch_->globals.data() + i * o.globals.size(), o.globals.data(), o.globals.size() * sizeof(float));
    std::memcpy(batch_->mask.data() + i * o.mask.size(), o.mask.data(), o.mask.size());
    std::memcpy(batch_->action_nodes.data() + i * o.action_nodes.size(), o.action_nodes.data(),
                o.action_nodes.size() * sizeof(std::int32_t));
    if (!o.action_features.empty())
      std::memcpy(batch_->action_feats.data() + i * o.action_features.size(), o.action_features.data(),
                  o.action_features.size() * sizeof(float));
    batch_->query[i] = o.query_node;
  }

  void BuildViews() {
    const env::Observation& o = slots_[0].env->observation();
    auto* owner = new std::shared_ptr<Batch>(batch_);
    py::capsule self(owner, [](void* p) { delete static_cast<std::shared_ptr<Batch>*>(p); });
    const py::ssize_t n = n_;
    py::dict d;
    for (std::size_t k = 0; k < batch_->nodes.size(); ++k)
      d[py::str(o.node_sets[k].name)] =
          View(batch_->nodes[k].data(), {n, o.node_sets[k].count, o.node_sets[k].dim}, self);
    for (std::size_t k = 0; k < batch_->edges.size(); ++k) {
      const auto& es = o.edge_sets[k];
      const auto e = static_cast<py::ssize_t>(edge_sz_[k]);
      d[py::str(es.name + "_edges")] = View(batch_->edges[k].data(), {n, 2, e}, self);
      if (es.dim > 0)
        d[py::str(es.name + "_edge_features")] = View(batch_->edge_feats[k].data(), {n, e, es.dim}, self);
    }
    d["globals"] = View(batch_->globals.data(), {n, static_cast<py::ssize_t>(o.globals.size())}, self);
    mask_view_ = BoolView(batch_->mask.data(), {n, static_cast<py::ssize_t>(o.mask.size())}, self);
    d["action_mask"] = mask_view_;
    d["action_nodes"] = View(batch_->action_nodes.data(), {n, static_cast<py::ssize_t>(o.action_nodes.size())}, self);
    if (o.action_feature_dim > 0)
      d["action_features"] = View(batch_->action_feats.data(),
                                  {n, static_cast<py::ssize_t>(o.mask.size()), o.action_feature_dim}, self);
    if (o.query_node_set >= 0) d["query_node"] = View(batch_->query.data(), {n}, self);
    obs_ = d;
  }

  EnvRecipe recipe_;
  int n_;
  ThreadPool pool_;
  std::vector<EnvSlot> slots_;
  int num_actions_ = 0;
  bool started_ = false;
  std::vector<std::size_t> node_sz_, edge_sz_, edge_feat_sz_;
  // The batched buffers; the numpy views' base owns them (not the VectorEnv
  // object: a view -> env -> view cycle through C++ would never be freed).
  struct Batch {
    std::vector<std::vector<float>> nodes, edge_feats;
    std::vector<std::vector<std::int32_t>> edges;
    std::vector<float> globals, action_feats;
    std::vector<std::uint8_t> mask;
    std::vector<std::int32_t> action_nodes, query;
  };
  std::shared_ptr<Batch> batch_ = std::make_shared<Batch>();
  std::vector<double> rewards_, final_, final_return_;
  std::vector<std::uint8_t> terminated_;
  std::vector<std::int64_t> final_length_;
  std::vector<std::uint64_t> seeds_;
  py::object obs_ = py::none();
  py::object mask_view_ = py::none();
  std::atomic<bool> busy_{false};
};

// Recipes from Python arguments.
EnvRecipe JobShopRecipe(py::object source, double shutdown_p, const std::string& mode,
                        std::optional<double> mtbf, std::optional<double> mttr) {
  EnvRecipe r;
  r.domain = Domain::kJobShop;
  r.sim.mode = ParseMode(mode);
  r.sim.breakdowns = MakeBreakdowns(shutdown_p, mtbf, mttr);
  if (py::isinstance<PyInstance>(source)) {
    r.instances.push_back(source.cast<PyInstance>().inst);
  } else if (py::isinstance<jobshop::GeneratorOptions>(source)) {
    r.generator = source.cast<jobshop::GeneratorOptions>();
    OrRaise(jobshop::GenerateInstance(*r.generator));  // checks the options once
  } else {
    for (auto item : source) r.instances.push_back(item.cast<PyInstance>().inst);
    if (r.instances.empty()) throw py::value_error("need at least one instance");
    for (const auto& in : r.instances) {
      bool same = in->jobs.size() == r.instances[0]->jobs.size();
      for (std::size_t j = 0; same && j < in->jobs.size(); ++j)
        same = in->jobs[j].size() == r.instances[0]->jobs[j].size();
      if (!same || in->num_machines != r.instances[0]->num_machines)
        throw py::value_error("instances of one VectorEnv need the same jobs, machines and "
                              "operations per job ('" + in->name + "' differs from '" +
                              r.instances[0]->name + "')");
    }
  }
  return r;
}

EnvRecipe UamRecipe(py::object source, bool uncertainty) {
  EnvRecipe r;
  r.domain = Domain::kUam;
  std::vector<std::shared_ptr<const uam::Scenario>> list;
  if (py::isinstance<PyUamScenario>(source)) list.push_back(source.cast<PyUamScenario>().sc);
  else
    for (auto item : source) list.push_back(item.cast<PyUamScenario>().sc);
  if (list.empty()) throw py::value_error("need at least one scenario");
  for (auto& sc : list) {
    if (!uncertainty) {
      auto calm = std::make_shared<uam::Scenario>(*sc);
      calm->uncertainty.SetAll(false);
      sc = calm;
    }
    if (sc->num_vertiports() != list[0]->num_vertiports() ||
        sc->fleet.aircraft != list[0]->fleet.aircraft)
      throw py::value_error("scenarios of one VectorEnv need the same vertiports and aircraft");
  }
  r.uam = std::move(list);
  return r;
}

}  // namespace
}  // namespace dispatchlab::python

PYBIND11_MODULE(_core, m) {
  using namespace dispatchlab;
  using namespace dispatchlab::python;
  m.doc() = "dispatchlab C++ core (use the `dispatchlab` package, not this module)";

  static py::exception<InvalidAction> invalid_action(m, "InvalidActionError", PyExc_ValueError);
  static py::exception<EpisodeOver> episode_over(m, "EpisodeOverError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InvalidAction& e) {
      PyErr_SetString(invalid_action.ptr(), e.what());
    } catch (const EpisodeOver& e) {
      PyErr_SetString(episode_over.ptr(), e.what());
    }
  });

  // --- job shop ---
  py::class_<PyInstance>(m, "Instance")
      .def_property_readonly("name", [](const PyInstance& i) { return i.inst->name; })
      .def_property_readonly("num_jobs", [](const PyInstance& i) { return i.inst->num_jobs(); })
      .def_property_readonly("num_machines", [](const PyInstance& i) { return i.inst->num_machines; })
      .def_property_readonly("num_operations", [](const PyInstance& i) { return i.inst->num_operations(); })
      .def_property_readonly("machines", [](const PyInstance& i) { return InstanceMatrix(*i.inst, true); })
      .def_property_readonly("durations", [](const PyInstance& i) { return InstanceMatrix(*i.inst, false); })
      .def_property_readonly("mean_duration", [](const PyInstance& i) { return i.inst->MeanDuration(); })
      .def_property_readonly("total_work", [](const PyInstance& i) { return i.inst->TotalWork(); })
      .def("__repr__", [](const PyInstance& i) {
        return "<dispatchlab.jobshop.Instance '" + i.inst->name + "' " +
               std::to_string(i.inst->num_jobs()) + "x" + std::to_string(i.inst->num_machines) + ">";
      });

  py::class_<jobshop::GeneratorOptions>(m, "JobShopGenerator")
      .def(py::init([](int jobs, int machines, std::int64_t min_time, std::int64_t max_time,
                       std::uint64_t seed) {
             jobshop::GeneratorOptions g{jobs, machines, min_time, max_time, seed};
             OrRaise(jobshop::GenerateInstance(g));
             return g;
           }),
           py::arg("jobs"), py::arg("machines"), py::arg("min_time") = 1,
           py::arg("max_time") = 99, py::arg("seed") = 0)
      .def_readonly("jobs", &jobshop::GeneratorOptions::jobs)
      .def_readonly("machines", &jobshop::GeneratorOptions::machines)
      .def_readonly("min_time", &jobshop::GeneratorOptions::min_time)
      .def_readonly("max_time", &jobshop::GeneratorOptions::max_time)
      .def_readonly("seed", &jobshop::GeneratorOptions::seed)
      .def("instance", [](const jobshop::GeneratorOptions& g, std::uint64_t seed) {
             jobshop::GeneratorOptions o = g;
             o.seed = seed;
             return MakeInstance(OrRaise(jobshop::GenerateInstance(o)));
           }, py::arg("seed"))
      .def("__repr__", [](const jobshop::GeneratorOptions& g) {
        return "<dispatchlab.jobshop.Generator " + std::to_string(g.jobs) + "x" +
               std::to_string(g.machines) + " times " + std::to_string(g.min_time) + ".." +
               std::to_string(g.max_time) + " seed " + std::to_string(g.seed) + ">";
      });

  m.def("jobshop_load", [](const std::string& name) {
    return MakeInstance(OrRaise(scenarios::LoadJobShopInstance(name)));
  });
  m.def("jobshop_builtin_names", &scenarios::BuiltinJobShopNames);
  m.def("jobshop_generate", [](int jobs, int machines, std::uint64_t seed, std::int64_t lo,
                               std::int64_t hi) {
    return MakeInstance(OrRaise(jobshop::GenerateInstance({jobs, machines, lo, hi, seed})));
  });
  m.def("jobshop_from_arrays", &InstanceFromArrays);
  m.def("jobshop_run", &JobShopRun);
  m.def("jobshop_validate", &ValidateSchedule);
  m.def("policy_names", [](const std::string& domain, const std::string& assets_dir) {
    policy::PolicyRegistry r(assets_dir);
    return r.Names(domain == "uam" ? Domain::kUam : Domain::kJobShop);
  });

  // --- UAM ---
  py::class_<PyUamScenario>(m, "UamScenario")
      .def_property_readonly("name", [](const PyUamScenario& s) { return s.sc->name; })
      .def_property_readonly("num_vertiports", [](const PyUamScenario& s) { return s.sc->num_vertiports(); })
      .def_property_readonly("num_aircraft", [](const PyUamScenario& s) { return s.sc->fleet.aircraft; })
      .def_property_readonly("uncertainty", [](const PyUamScenario& s) {
        const auto& u = s.sc->uncertainty;
        return py::dict(py::arg("takeoff_delay") = u.takeoff_delay, py::arg("weather") = u.weather,
                        py::arg("downtime") = u.downtime);
      })
      .def("to_json", [](const PyUamScenario& s) { return scenarios::FormatUamScenario(*s.sc); })
      .def("__repr__", [](const PyUamScenario& s) {
        return "<dispatchlab.uam.Scenario '" + s.sc->name + "' " +
               std::to_string(s.sc->num_vertiports()) + " vertiports, " +
               std::to_string(s.sc->fleet.aircraft) + " aircraft>";
      });
  m.def("uam_load", [](const std::string& name) {
    auto s = OrRaise(scenarios::LoadUamScenario(name));
    OrRaise(uam::ValidateScenario(s));
    return PyUamScenario{std::make_shared<const uam::Scenario>(std::move(s))};
  });
  m.def("uam_from_json", [](const std::string& text, const std::string& source) {
    auto s = OrRaise(scenarios::ParseUamScenario(text, source));
    OrRaise(uam::ValidateScenario(s));
    return PyUamScenario{std::make_shared<const uam::Scenario>(std::move(s))};
  });
  m.def("uam_builtin_names", &scenarios::BuiltinUamNames);
  m.def("uam_generate", [](int vertiports, int aircraft, std::uint64_t seed, double demand,
                           double spread) {
    uam::GeneratorOptions o;
    o.vertiports = vertiports;
    o.aircraft = aircraft;
    o.seed = seed;
    o.demand_level = demand;
    o.spread_mi = spread;
    return PyUamScenario{std::make_shared<const uam::Scenario>(OrRaise(uam::GenerateScenario(o)))};
  });
  m.def("uam_run", &UamRun);

  // --- environments ---
  // A recipe says how to make envs (scenario(s) or generator, options);
  // Env and VectorEnv take one (the Python layer makes them).
  py::class_<EnvRecipe>(m, "EnvRecipe")
      .def_property_readonly("domain", [](const EnvRecipe& r) {
        return r.domain == Domain::kUam ? "uam" : "jobshop";
      });
  m.def("jobshop_recipe", &JobShopRecipe, py::arg("source"), py::arg("shutdown_p") = 0.0,
        py::arg("mode") = "bws", py::arg("mtbf") = py::none(), py::arg("mttr") = py::none());
  m.def("uam_recipe", &UamRecipe, py::arg("source"), py::arg("uncertainty") = true);

  py::class_<PyEnv>(m, "Env")
      .def(py::init([](const EnvRecipe& r, std::uint64_t seed) { return std::make_unique<PyEnv>(r, seed); }),
           py::arg("recipe"), py::arg("seed") = 0)
      .def("reset", [](PyEnv& self, std::optional<std::uint64_t> seed, py::object /*options*/) {
             return self.Reset(seed);
           },
           py::arg("seed") = py::none(), py::arg("options") = py::none())
      .def("step", &PyEnv::Step, py::arg("action"))
      .def("action_masks", &PyEnv::action_mask)
      .def("_layout", &PyEnv::layout)
      .def_property_readonly("num_actions", &PyEnv::num_actions)
      .def_property_readonly("done", &PyEnv::done)
      .def_property_readonly("steps", &PyEnv::steps)
      .def_property_readonly("episode_return", &PyEnv::episode_return)
      .def_property_readonly("episode_seed", &PyEnv::episode_seed)
      .def_property_readonly("now", &PyEnv::now)
      .def_property_readonly("scenario", &PyEnv::instance);

  py::class_<PyVectorEnv>(m, "VectorEnv")
      .def(py::init([](const EnvRecipe& r, int num_envs, int threads) {
             return std::make_unique<PyVectorEnv>(r, num_envs, threads);
           }),
           py::arg("recipe"), py::arg("num_envs"), py::arg("threads") = 1)
      .def("reset", [](PyVectorEnv& self, py::object seed, py::object /*options*/) {
             return self.Reset(seed);
           },
           py::arg("seed") = py::none(), py::arg("options") = py::none())
      .def("step", &PyVectorEnv::Step, py::arg("actions"))
      .def("_layout", &PyVectorEnv::layout)
      .def_property_readonly("num_envs", &PyVectorEnv::num_envs)
      .def_property_readonly("num_actions", &PyVectorEnv::num_actions)
      .def_property_readonly("threads", &PyVectorEnv::threads)
      .def_property_readonly("episode_seeds", &PyVectorEnv::episode_seeds);
}
