"""dispatchlab.uam: scenarios, run() against the CLI, the Env."""
import json
import subprocess

import numpy as np
import pytest

import dispatchlab as dl
from dispatchlab import uam


def test_load_and_generate():
    s = uam.load("default")
    assert (s.num_vertiports, s.num_aircraft) == (8, 40)
    assert s.uncertainty == {"takeoff_delay": True, "weather": True, "downtime": True}
    again = uam.from_json(s.to_json())
    assert again.num_aircraft == 40
    g1, g2 = uam.generate(6, 20, seed=3), uam.generate(6, 20, seed=3)
    assert (g1.num_vertiports, g1.num_aircraft) == (6, 20)
    assert g1.to_json() == g2.to_json()
    with pytest.raises(ValueError):
        uam.load("no-such-scenario.json")
    with pytest.raises(ValueError, match="unknown|field|typo|not"):
        uam.from_json('{"vertiports": [], "no_such_field": 1}')


def cli_json(cli, *args):
    out = subprocess.run([cli, *args, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


@pytest.mark.parametrize("policy,unc", [("greedy", True), ("random", False)])
def test_run_equals_cli(cli, policy, unc):
    res = uam.run("default", policy=policy, uncertainty=unc, seeds=[0, 1])
    j = cli_json(cli, "uam", "run", "--scenario", "default", "--policy", policy,
                 "--uncertainty", "on" if unc else "off", "--episodes", "2")
    assert res.mean == pytest.approx(j["profit_mean"], rel=1e-12)
    assert res.kpis["served"].mean() == pytest.approx(j["served"])
    assert res.kpis["decisions"].sum() == j["decisions"]


def test_run_shipped_policy(cli):
    if "gat" not in uam.policies():
        pytest.skip("no shipped UAM policy")
    res = uam.run("default", policy="gat", seeds=[0])
    j = cli_json(cli, "uam", "run", "--policy", "gat", "--episodes", "1")
    assert res.profit[0] == pytest.approx(j["profit_mean"], rel=1e-12)


def test_random_episode_and_seeds():
    def play(seed):
        env = uam.Env("default")
        obs, info = env.reset(seed=seed)
        rng = np.random.default_rng(0)
        total, steps, term = 0.0, 0, False
        while not term:
            # The query node is the deciding aircraft's vertiport (flagged current).
            assert obs["vertiport"][int(obs["query_node"]), 9] == 1.0
            a = int(rng.choice(np.flatnonzero(info["action_mask"])))
            obs, r, term, trunc, info = env.step(a)
            total += r
            steps += 1
        return total, steps, info

    t1, n1, i1 = play(4)
    t2, n2, i2 = play(4)
    assert (t1, n1) == (t2, n2) and i1["profit"] == i2["profit"]
    # Return = day's profit / 1000 (uam_env.h).
    assert t1 == pytest.approx(i1["profit"] / 1000.0, rel=1e-9, abs=1e-9)
    assert i1["kpis"]["decisions"] == n1


def test_uam_errors_and_layout():
    env = uam.Env(uam.load("default"), uncertainty=False)
    obs, info = env.reset(seed=0)
    assert env.num_actions == 9  # 8 vertiports + stay
    assert obs["action_features"].shape == (9, 7)
    # Local layout: 7 corridors out of and 7 into the deciding aircraft's
    # vertiport, plus 3 nearest-neighbour edges into each of the 8.
    assert obs["corridor_edges"].shape == (2, 38) and obs["corridor_edge_features"].shape == (38, 5)
    assert obs["vertiport"].shape == (8, 13) and "aircraft" not in obs
    assert env.observation_space.contains(obs)
    illegal = np.flatnonzero(~info["action_mask"])
    with pytest.raises(dl.InvalidActionError):
        env.step(int(illegal[0]))  # its own vertiport is never legal
    with pytest.raises(dl.InvalidActionError):
        env.step(9)
