"""The UAM fleet (electric aircraft between vertiports) from Python.

    load(name_or_path) -> Scenario        "default" (8 vertiports, 40 aircraft) or a JSON file
    from_json(text)                       a scenario from JSON text
    generate(vertiports, aircraft, seed, demand_level=1.0)
    run(scenario, policy="greedy", uncertainty=True, seeds=range(10)) -> RunResult
    Env(scenario, uncertainty=True)       Gymnasium-style env: one decision per ready aircraft
    VectorEnv(scenario_or_list, num_envs, threads=1, uncertainty=True)

Env: actions 0..V-1 fly the deciding aircraft to vertiport v, V stays (15
min, charging if a charger is free). Reward: profit since the last decision
in thousands of USD. Observation keys (the local layout, feature version 2
of sim/env/uam_env.h: its size grows with the vertiports only): "vertiport"
(V, 13) and "forecast" (8, 6) node features, "corridor_edges" (2, E) int32 +
"corridor_edge_features" (E, 5) with E = 2(V-1) + 3V (the corridors out of
and into the deciding aircraft's vertiport, then each vertiport's 3 nearest
neighbours), "globals", "action_mask", "action_nodes", "action_features",
"query_node" (the deciding aircraft's vertiport). At the end info holds
"profit" and "kpis".
"""
from dataclasses import dataclass, field
from typing import Dict, List

import numpy as np

from . import _core, assets_dir
from ._envs import EnvBase, VectorEnvBase

Scenario = _core.UamScenario


def load(name_or_path="default") -> Scenario:
    """A built-in scenario ("default") or a JSON file; ValueError names the field at fault."""
    return _core.uam_load(str(name_or_path))


def from_json(text, source="<json>") -> Scenario:
    return _core.uam_from_json(text, source)


def builtin_names() -> List[str]:
    return _core.uam_builtin_names()


def generate(vertiports=8, aircraft=40, seed=0, demand_level=1.0, spread_mi=50.0) -> Scenario:
    """Random layout, fleet and demand (seeded)."""
    return _core.uam_generate(vertiports, aircraft, seed, demand_level, spread_mi)


def policies() -> List[str]:
    return _core.policy_names("uam", assets_dir())


def _as_scenario(x):
    return load(x) if isinstance(x, (str, bytes)) or hasattr(x, "__fspath__") else x


@dataclass
class RunResult:
    """One row per seed (day), as numpy arrays; kpis holds every KPI by name."""
    policy: str
    seeds: np.ndarray
    profit: np.ndarray
    kpis: Dict[str, np.ndarray] = field(repr=False)
    wall_s: np.ndarray = field(repr=False)

    def __len__(self):
        return len(self.seeds)

    @property
    def mean(self):
        return float(np.mean(self.profit))


def run(scenario="default", policy="greedy", uncertainty=True, seeds=range(10), threads=1) -> RunResult:
    """Runs `policy` (see policies(): random, greedy, ga, gat or a weights file) for
    one day per seed through the CLI's cell run path (`dispatchlab uam run`):
    uncertainty=False switches every uncertainty source off."""
    seeds = [int(s) for s in seeds]
    rows = _core.uam_run(_as_scenario(scenario), policy, assets_dir(), bool(uncertainty), seeds,
                         int(threads))
    keys = [k for k in (rows[0] if rows else {}) if k not in ("seed", "policy", "wall_s")]
    return RunResult(policy=rows[0]["policy"] if rows else policy,
                     seeds=np.array(seeds, dtype=np.uint64),
                     profit=np.array([r["profit"] for r in rows], dtype=float),
                     kpis={k: np.array([r[k] for r in rows]) for k in keys},
                     wall_s=np.array([r["wall_s"] for r in rows], dtype=float))


class Env(EnvBase):
    """Env(scenario="default", uncertainty=True, seed=0); see the module docstring
    and EnvBase for the conventions."""

    def __init__(self, scenario="default", uncertainty=True, seed=0):
        scenario = _as_scenario(scenario)
        super().__init__(_core.uam_recipe(scenario, bool(uncertainty)), seed)


class VectorEnv(VectorEnvBase):
    """VectorEnv(scenario_or_list, num_envs, threads=1, uncertainty=True): env i runs
    list[i % len] (scenarios of one size). See VectorEnvBase."""

    def __init__(self, scenario_or_list="default", num_envs=8, threads=1, uncertainty=True):
        src = scenario_or_list
        src = [_as_scenario(x) for x in src] if isinstance(src, (list, tuple)) else _as_scenario(src)
        super().__init__(_core.uam_recipe(src, bool(uncertainty)), num_envs, threads)
