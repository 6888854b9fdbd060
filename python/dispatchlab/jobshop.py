"""The interrupting, swap-allowed blocking job shop (ISBJSSP) from Python.

    load(name_or_path) -> Instance        built-in name (ft06, la01, ta01, ...) or a file
    generate(jobs, machines, seed)        Taillard-style random instance
    from_arrays(machines, durations)      an instance from (jobs x ops) arrays
    run(instance, policy="spt", shutdown_p=0.0, mode="bws", seeds=range(10))
                                          -> RunResult (the CLI's run path)
    validate(instance, schedule, down=None, mode="bws") -> Validation (truthy when valid)
    Env(instance, shutdown_p=0.0, mode="bws")         Gymnasium-style env
    VectorEnv(instance_or_generator, num_envs, threads=1, ...)

Schedules are (operations, 6) int64 arrays with SCHEDULE_COLUMNS (the
columns of the CSV files); down intervals (intervals, 3) with DOWN_COLUMNS.

Env: action a = "start job a's next operation on its machine" (one action
per job, legal when that (machine, job) pair is a candidate now). Reward:
minus the simulated time since the last decision / mean processing time, so
an episode's return is -makespan / mean. Observation keys: "op" (operation
nodes, job-major, OP_FEATURES), "machine" (MACHINE_FEATURES), the typed
edge lists "next_edges", "prev_edges", "op_machine_edges",
"machine_op_edges" as (2, E) int32 (source row, destination row),
"globals", "action_mask", "action_nodes" (the op node each action would
start, -1 when illegal). At the end info holds makespan, schedule, down,
outcome, swaps, breakdowns, decisions.
"""
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from . import _core, assets_dir
from ._envs import EnvBase, VectorEnvBase

Instance = _core.Instance
Generator = _core.JobShopGenerator
Generator.__doc__ = ("Generator(jobs, machines, min_time=1, max_time=99, seed=0): a source of "
                     "random Taillard-style instances for VectorEnv (a new instance every "
                     "episode, keyed by (seed, episode seed)); .instance(seed) makes one.")

SCHEDULE_COLUMNS = ("job", "op", "machine", "start", "duration", "leaves_machine_at")
DOWN_COLUMNS = ("machine", "start", "end")
OP_FEATURES = ("done", "processing", "blocked", "candidate", "future", "duration",
               "remaining_processing", "job_remaining_work", "job_remaining_ops", "waiting",
               "machine_down", "machine_repair_left")
MACHINE_FEATURES = ("free", "down", "holder_processing", "holder_blocked", "repair_left",
                    "queued_work")


def load(name_or_path) -> Instance:
    """A built-in instance by name, else a file (standard or Taillard format).
    Raises ValueError naming the file and line on bad input."""
    return _core.jobshop_load(str(name_or_path))


def builtin_names() -> List[str]:
    return _core.jobshop_builtin_names()


def generate(jobs, machines, seed=0, min_time=1, max_time=99) -> Instance:
    """Random instance: every job visits every machine once in random order,
    durations uniform integers in [min_time, max_time]. Same arguments, same instance."""
    return _core.jobshop_generate(jobs, machines, seed, min_time, max_time)


def from_arrays(machines, durations, name="custom") -> Instance:
    """Instance from two (jobs x operations) integer arrays; -1 in `machines`
    ends a shorter job."""
    return _core.jobshop_from_arrays(np.asarray(machines), np.asarray(durations), name)


def policies() -> List[str]:
    """Policy names usable in run() (rules, `ig`, and `gat` when shipped)."""
    return _core.policy_names("jobshop", assets_dir())


def _as_instance(x):
    return load(x) if isinstance(x, (str, bytes)) or hasattr(x, "__fspath__") else x


@dataclass
class RunResult:
    """One row per seed, as numpy arrays. makespan is NaN for a BNS deadlock."""
    policy: str
    seeds: np.ndarray
    makespan: np.ndarray
    outcome: List[str]
    valid: np.ndarray        # completed and accepted by the validator
    swaps: np.ndarray
    breakdowns: np.ndarray
    operations: np.ndarray
    decisions: np.ndarray
    wall_s: np.ndarray
    schedules: List[np.ndarray] = field(repr=False, default_factory=list)
    down: List[np.ndarray] = field(repr=False, default_factory=list)
    errors: List[str] = field(repr=False, default_factory=list)

    def __len__(self):
        return len(self.seeds)

    @property
    def mean(self):
        return float(np.nanmean(self.makespan)) if np.any(~np.isnan(self.makespan)) else float("nan")

    @property
    def std(self):
        return float(np.nanstd(self.makespan, ddof=1)) if np.sum(~np.isnan(self.makespan)) > 1 else 0.0


def run(instance, policy="spt", shutdown_p=0.0, mode="bws", seeds=range(10), threads=1,
        schedules=True, mtbf=None, mttr=None) -> RunResult:
    """Runs `policy` on `instance` once per seed through the same cell run path as
    `dispatchlab jobshop run` (scenarios::CellWorker::Run), so the makespans are
    the CLI's. `policy`: a rule (fifo, spt, lpt, mor, lor, mwkr, lwkr, stpt, ltpt,
    random), ig, gat (the shipped learned policy, torch-free) or a weights file.
    Breakdowns: shutdown_p per operation start, or mtbf/mttr. threads > 1 runs
    seeds in parallel (one policy instance per thread)."""
    seeds = [int(s) for s in seeds]
    rows = _core.jobshop_run(_as_instance(instance), policy, assets_dir(), float(shutdown_p), mode,
                             seeds, int(threads), bool(schedules), mtbf, mttr)
    nan = float("nan")
    return RunResult(
        policy=rows[0]["policy"] if rows else policy,
        seeds=np.array(seeds, dtype=np.uint64),
        makespan=np.array([nan if r["makespan"] is None else r["makespan"] for r in rows], dtype=float),
        outcome=[r["outcome"] for r in rows],
        valid=np.array([r["valid"] for r in rows], dtype=bool),
        swaps=np.array([r["swaps"] for r in rows], dtype=np.int64),
        breakdowns=np.array([r["breakdowns"] for r in rows], dtype=np.int64),
        operations=np.array([r["operations"] for r in rows], dtype=np.int64),
        decisions=np.array([r["decisions"] for r in rows], dtype=np.int64),
        wall_s=np.array([r["wall_s"] for r in rows], dtype=float),
        schedules=[r["schedule"] for r in rows] if schedules else [],
        down=[r["down"] for r in rows] if schedules else [],
        errors=[r["error"] for r in rows])


class Validation:
    """The validator's answer: truthy when the schedule is valid; `reason` is the
    first error ("" when valid), `errors` all of them (at most 20)."""

    def __init__(self, d):
        self.valid = bool(d["valid"])
        self.errors = list(d["errors"])
        self.makespan = int(d["makespan"])
        self.swaps = int(d["swaps"])

    @property
    def reason(self):
        return self.errors[0] if self.errors else ""

    def __bool__(self):
        return self.valid

    def __repr__(self):
        return (f"Validation(valid={self.valid}, makespan={self.makespan}, swaps={self.swaps}"
                + (f", reason={self.reason!r})" if not self.valid else ")"))


def validate(instance, schedule, down=None, mode="bws") -> Validation:
    """Checks a finished schedule with the independent validator (precedence,
    blocking, no overlap, swaps legal for the mode, no processing while down).
    `schedule`: (operations, 6) array (SCHEDULE_COLUMNS), `down`: (k, 3) array
    (DOWN_COLUMNS) or None."""
    sched = np.asarray(schedule, dtype=np.int64)
    d = None if down is None else np.asarray(down, dtype=np.int64).reshape(-1, 3)
    return Validation(_core.jobshop_validate(_as_instance(instance), sched, d, mode))


class Env(EnvBase):
    """Env(instance, shutdown_p=0.0, mode="bws", mtbf=None, mttr=None, seed=0).
    See the module docstring for actions, rewards and observation keys, and
    EnvBase for the Gymnasium conventions."""

    def __init__(self, instance, shutdown_p=0.0, mode="bws", mtbf=None, mttr=None, seed=0):
        instance = _as_instance(instance)
        super().__init__(_core.jobshop_recipe(instance, float(shutdown_p), mode, mtbf, mttr), seed)

    @property
    def instance(self) -> Instance:
        """The current episode's instance (a Generator makes one per episode)."""
        return self.scenario


class VectorEnv(VectorEnvBase):
    """VectorEnv(instance_or_generator, num_envs, threads=1, shutdown_p=0.0,
    mode="bws", mtbf=None, mttr=None).

    The source: an Instance (or name), a list of instances of one shape (env i
    uses list[i % len]), or a Generator (a fresh random instance every
    episode). See VectorEnvBase for the batching and auto-reset conventions."""

    def __init__(self, instance_or_generator, num_envs, threads=1, shutdown_p=0.0, mode="bws",
                 mtbf=None, mttr=None):
        src = instance_or_generator
        if isinstance(src, (list, tuple)):
            src = [_as_instance(x) for x in src]
        elif not isinstance(src, Generator):
            src = _as_instance(src)
        super().__init__(_core.jobshop_recipe(src, float(shutdown_p), mode, mtbf, mttr),
                         num_envs, threads)
