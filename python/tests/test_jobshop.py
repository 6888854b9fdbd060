"""dispatchlab.jobshop: loading, run() against the CLI, the validator, and
the Gymnasium-style Env (random masked episodes, seeds, errors, views)."""
import json
import subprocess

import numpy as np
import pytest

import dispatchlab as dl
from dispatchlab import jobshop


def random_episode(env, seed, rng):
    """Plays one episode with uniformly random legal actions; returns
    (actions, rewards, final info)."""
    obs, info = env.reset(seed=seed)
    actions, rewards = [], []
    terminated = env.done
    while not terminated:
        legal = np.flatnonzero(info["action_mask"])
        a = int(rng.choice(legal))
        obs, r, terminated, truncated, info = env.step(a)
        assert truncated is False
        actions.append(a)
        rewards.append(r)
    return actions, rewards, info


# --- loading -----------------------------------------------------------------
def test_load_builtin_and_shapes():
    inst = jobshop.load("ft06")
    assert (inst.num_jobs, inst.num_machines, inst.num_operations) == (6, 6, 36)
    assert inst.durations.shape == (6, 6) and inst.machines.shape == (6, 6)
    # ft06 job 0 (standard format): machines 2 0 1 3 5 4, times 1 3 6 7 3 6.
    assert inst.machines[0].tolist() == [2, 0, 1, 3, 5, 4]
    assert inst.durations[0].tolist() == [1, 3, 6, 7, 3, 6]
    assert "ft06" in jobshop.builtin_names()


def test_load_bad_name_is_value_error():
    with pytest.raises(ValueError, match="no-such-instance"):
        jobshop.load("no-such-instance")


def test_from_arrays_round_trip():
    inst = jobshop.load("la01")
    again = jobshop.from_arrays(inst.machines, inst.durations, name="copy")
    a = jobshop.run(inst, "spt", shutdown_p=0.1, seeds=range(3)).makespan
    b = jobshop.run(again, "spt", shutdown_p=0.1, seeds=range(3)).makespan
    assert a.tolist() == b.tolist()
    with pytest.raises(ValueError):
        jobshop.from_arrays([[0, 0]], [[1, 2]])  # the same machine twice in a row


def test_generate_is_seeded():
    a, b, c = jobshop.generate(15, 10, seed=3), jobshop.generate(15, 10, seed=3), jobshop.generate(15, 10, seed=4)
    assert (a.num_jobs, a.num_machines) == (15, 10)
    assert np.array_equal(a.durations, b.durations) and np.array_equal(a.machines, b.machines)
    assert not np.array_equal(a.durations, c.durations)
    with pytest.raises(ValueError):
        jobshop.generate(0, 10)


# --- run() equals the CLI ------------------------------------------------------
def cli_json(cli, *args):
    out = subprocess.run([cli, *args, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


@pytest.mark.parametrize("policy,p,mode", [("spt", 0.1, "bws"), ("mwkr", 0.05, "bws"),
                                           ("random", 0.1, "bws"), ("lpt", 0.0, "bns")])
def test_run_equals_cli_per_seed(cli, policy, p, mode):
    seeds = [0, 1, 7]
    res = jobshop.run("la01", policy=policy, shutdown_p=p, mode=mode, seeds=seeds)
    for i, s in enumerate(seeds):
        j = cli_json(cli, "jobshop", "run", "--instance", "la01", "--policy", policy,
                     "--shutdown-p", str(p), "--mode", mode, "--seed", str(s), "--episodes", "1")
        if j["deadlocks"]:
            assert res.outcome[i] == "deadlock" and np.isnan(res.makespan[i])
        else:
            assert res.makespan[i] == j["makespan_mean"], (policy, s)
        assert res.swaps[i] == j["swaps"] and res.breakdowns[i] == j["breakdowns"]
        assert res.decisions[i] == j["decisions"] and res.operations[i] == j["operations"]


def test_run_equals_cli_many_seeds(cli):
    res = jobshop.run("ft10", policy="mwkr", shutdown_p=0.1, seeds=range(20), threads=2)
    j = cli_json(cli, "jobshop", "run", "--instance", "ft10", "--policy", "mwkr",
                 "--shutdown-p", "0.1", "--episodes", "20")
    assert res.valid.all() and j["valid"]
    assert res.mean == pytest.approx(j["makespan_mean"], abs=1e-9)
    assert res.std == pytest.approx(j["makespan_std"], abs=1e-6)
    assert (res.makespan.min(), res.makespan.max()) == (j["makespan_min"], j["makespan_max"])
    assert (res.swaps.sum(), res.breakdowns.sum(), res.decisions.sum()) == \
        (j["swaps"], j["breakdowns"], j["decisions"])


def test_run_shipped_policy_equals_cli(cli):
    if "gat" not in jobshop.policies():
        pytest.skip("no shipped job-shop policy in the data directory")
    res = jobshop.run("la01", policy="gat", shutdown_p=0.05, seeds=[0, 1])
    j = cli_json(cli, "jobshop", "run", "--instance", "la01", "--policy", "gat",
                 "--shutdown-p", "0.05", "--episodes", "2")
    assert res.policy == j["policy"] and res.valid.all()
    assert res.mean == pytest.approx(j["makespan_mean"], abs=1e-9)


def test_run_threads_do_not_change_results():
    a = jobshop.run("la05", policy="random", shutdown_p=0.1, seeds=range(12), threads=1)
    b = jobshop.run("la05", policy="random", shutdown_p=0.1, seeds=range(12), threads=3)
    assert a.makespan.tolist() == b.makespan.tolist()
    assert all(np.array_equal(x, y) for x, y in zip(a.schedules, b.schedules))


def test_run_bad_arguments():
    with pytest.raises(ValueError, match="nosuchrule"):
        jobshop.run("ft06", policy="nosuchrule")
    with pytest.raises(ValueError, match="mode"):
        jobshop.run("ft06", mode="xyz")
    with pytest.raises(ValueError):
        jobshop.run("ft06", shutdown_p=1.5)


# --- validate ------------------------------------------------------------------
def test_validate_accepts_run_schedules_and_rejects_broken_ones():
    inst = jobshop.load("la01")
    res = jobshop.run(inst, "spt", shutdown_p=0.1, seeds=[3])
    sched, down = res.schedules[0], res.down[0]
    assert sched.shape == (inst.num_operations, 6) and down.shape[1] == 3
    v = jobshop.validate(inst, sched, down)
    assert v and v.valid and v.reason == "" and v.makespan == res.makespan[0]
    bad = sched.copy()
    row = int(np.flatnonzero((sched[:, 0] == 1) & (sched[:, 1] == 2))[0])
    bad[row, 3] += 1  # O(1,2) starts after O(1,1) left its machine: blocking broken
    v = jobshop.validate(inst, bad, down)
    assert not v and v.reason and len(v.errors) >= 1
    bad = sched.copy()
    bad[row, 2] = (bad[row, 2] + 1) % inst.num_machines  # on the wrong machine
    assert not jobshop.validate(inst, bad, down)


def test_validate_oracle_needs_swaps():
    # ft06's BWS optimum (63) needs a swap cycle: valid with swaps, not without.
    inst = jobshop.load("ft06")
    env = jobshop.Env(inst)
    import csv
    from pathlib import Path
    path = Path(dl.data_dir()) / "scenarios" / "jobshop" / "ft06_bws_optimal_63.csv"
    if not path.exists():
        pytest.skip("oracle file not in the data directory")
    rows = list(csv.DictReader(path.open()))
    sched = np.array([[int(r[c]) for c in jobshop.SCHEDULE_COLUMNS] for r in rows])
    assert jobshop.validate(inst, sched, mode="bws").makespan == 63
    assert jobshop.validate(inst, sched, mode="bws")
    assert not jobshop.validate(inst, sched, mode="bns")
    del env


# --- Env -------------------------------------------------------------------------
@pytest.mark.parametrize("name,p", [("ft06", 0.0), ("la01", 0.1), ("ft10", 0.2), ("la16", 0.05)])
def test_random_masked_episode_validates(name, p):
    inst = jobshop.load(name)
    env = jobshop.Env(inst, shutdown_p=p)
    rng = np.random.default_rng(5)
    for seed in range(3):
        actions, rewards, info = random_episode(env, seed, rng)
        assert info["outcome"] == "completed"
        v = jobshop.validate(inst, info["schedule"], info["down"])
        assert v, v.reason
        assert v.makespan == info["makespan"]
        # Return = -makespan / mean processing time (jobshop_env.h).
        assert sum(rewards) == pytest.approx(-info["makespan"] / inst.mean_duration, rel=1e-9)
        assert info["episode_length"] == len(actions) == info["decisions"]


def test_bns_episode_ends_in_completion_or_deadlock():
    inst = jobshop.load("la01")
    env = jobshop.Env(inst, mode="bns", shutdown_p=0.05)
    rng = np.random.default_rng(1)
    outcomes = set()
    for seed in range(6):
        _, _, info = random_episode(env, seed, rng)
        outcomes.add(info["outcome"])
        if info["outcome"] == "completed":
            assert jobshop.validate(inst, info["schedule"], info["down"], mode="bns")
        else:
            assert info["outcome"] == "deadlock" and info["makespan"] is None
    assert outcomes <= {"completed", "deadlock"}


def test_env_seeds_reproduce():
    inst = jobshop.load("la01")
    a, b = jobshop.Env(inst, shutdown_p=0.2), jobshop.Env(inst, shutdown_p=0.2)
    acts, rew_a, info_a = random_episode(a, 11, np.random.default_rng(0))
    acts_b, rew_b, info_b = random_episode(b, 11, np.random.default_rng(0))
    assert acts == acts_b and rew_a == rew_b
    assert np.array_equal(info_a["schedule"], info_b["schedule"])
    assert np.array_equal(info_a["down"], info_b["down"])
    # Replaying the same actions on the same seed gives the same episode.
    obs, info = a.reset(seed=11)
    for x in acts:
        obs, r, term, trunc, info = a.step(x)
    assert np.array_equal(info["schedule"], info_a["schedule"])
    # Another seed draws other breakdowns.
    _, _, info_c = random_episode(a, 12, np.random.default_rng(0))
    assert not np.array_equal(info_c["down"], info_a["down"])
    # reset() without a seed continues with the next one.
    a.reset(seed=40)
    a.reset()
    assert a.episode_seed == 41


def test_bad_actions_raise_clear_errors_and_env_survives():
    env = jobshop.Env("la01", shutdown_p=0.1)
    with pytest.raises(dl.EpisodeOverError, match="reset"):
        env.step(0)
    obs, info = env.reset(seed=0)
    mask = info["action_mask"]
    illegal = np.flatnonzero(~mask)
    assert illegal.size > 0
    with pytest.raises(dl.InvalidActionError, match="not legal"):
        env.step(int(illegal[0]))
    with pytest.raises(ValueError, match="out of range"):  # InvalidActionError is a ValueError
        env.step(env.num_actions)
    with pytest.raises(ValueError, match="out of range"):
        env.step(-1)
    with pytest.raises(TypeError, match="integer"):
        env.step(1.0)
    with pytest.raises(TypeError):
        env.step("3")
    with pytest.raises(TypeError):
        env.step(True)
    assert env.steps == 0  # nothing was applied
    # numpy integers are fine; the episode still runs to a valid end.
    term = False
    while not term:
        obs, r, term, trunc, info = env.step(np.int64(np.flatnonzero(info["action_mask"])[0]))
    assert jobshop.validate(env.instance, info["schedule"], info["down"])
    with pytest.raises(RuntimeError, match="finished episode"):  # EpisodeOverError is a RuntimeError
        env.step(0)
    env.reset(seed=1)  # and it can start again
    assert not env.done


def test_observation_views_are_read_only_and_updated_in_place():
    inst = jobshop.load("la01")
    env = jobshop.Env(inst, shutdown_p=0.1)
    obs, info = env.reset(seed=0)
    op = obs["op"]
    assert op.shape == (inst.num_operations, len(jobshop.OP_FEATURES)) and op.dtype == np.float32
    assert obs["machine"].shape == (inst.num_machines, len(jobshop.MACHINE_FEATURES))
    assert not op.flags.writeable and op.base is not None  # a view, not a copy
    with pytest.raises(ValueError):
        op[0, 0] = 1.0
    before = op.copy()
    obs2, *_ = env.step(int(np.flatnonzero(info["action_mask"])[0]))
    assert obs2["op"] is op  # the same buffer, overwritten
    assert not np.array_equal(before, op)
    # Typed edges: next_edges[:, e] = (op(j,k), op(j,k+1)).
    nxt = obs["next_edges"]
    assert nxt.shape == (2, inst.num_operations - inst.num_jobs)
    assert np.all(nxt[1] == nxt[0] + 1)
    om = obs["op_machine_edges"]
    assert np.array_equal(om[1], inst.machines.reshape(-1))
    # Action nodes point at the candidate's operation node, -1 when illegal.
    an, m = obs["action_nodes"], obs["action_mask"]
    assert np.all((an >= 0) == m)
    assert np.all(op[an[m], jobshop.OP_FEATURES.index("candidate")] == 1.0)


def test_spaces_describe_the_observation():
    env = jobshop.Env("ft06")
    obs, info = env.reset(seed=0)
    assert set(env.observation_space.keys()) == set(obs)
    assert env.observation_space.contains(obs)
    assert env.action_space.n == 6
    for _ in range(20):
        assert info["action_mask"][env.action_space.sample(info["action_mask"])]


def test_env_keeps_instance_alive():
    env = jobshop.Env(jobshop.generate(8, 4, seed=2), shutdown_p=0.1)
    import gc
    gc.collect()
    _, _, info = random_episode(env, 0, np.random.default_rng(0))
    assert info["outcome"] == "completed"
    views = env.reset(seed=1)[0]
    del env
    gc.collect()
    assert views["op"].sum() >= 0  # the views keep the env alive


def test_learned_policy_runs_without_libtorch():
    # DESIGN.md: the Python module infers through the torch-free path.
    if "gat" not in jobshop.policies():
        pytest.skip("no shipped policy")
    assert jobshop.run("ft06", policy="gat", seeds=[0]).valid.all()
    try:
        maps = open("/proc/self/maps").read()
    except OSError:
        pytest.skip("no /proc")
    if "torch" in __import__("sys").modules:
        pytest.skip("torch was imported by someone else in this process")
    assert "libtorch" not in maps and "libc10" not in maps


def test_env_on_a_generator_and_old_views_stay_valid():
    env = jobshop.Env(jobshop.Generator(6, 4, seed=9), shutdown_p=0.1)
    obs1, info1 = env.reset(seed=0)
    kept, copy1 = obs1["op"], obs1["op"].copy()
    edges1 = obs1["op_machine_edges"].copy()
    obs2, info2 = env.reset(seed=1)  # a new instance, so a new env and new buffers
    assert obs2["op"] is not kept
    assert np.array_equal(kept, copy1)  # the old view still reads the old (live) buffers
    assert not np.array_equal(edges1, obs2["op_machine_edges"])
    _, _, info = random_episode(env, 2, np.random.default_rng(0))
    assert info["outcome"] == "completed"
    assert jobshop.validate(env.instance, info["schedule"], info["down"])  # this episode's instance


@pytest.mark.parametrize("jobs,machines,mode,kw", [
    (5, 3, "bws", {"shutdown_p": 0.3}),
    (12, 6, "bws", {"mtbf": 200.0, "mttr": 30.0}),
    (20, 5, "bws", {"shutdown_p": 0.1}),
    (8, 8, "bns", {"shutdown_p": 0.05}),
])
def test_random_episodes_on_generated_instances(jobs, machines, mode, kw):
    """Random masked play on generated instances: every completed schedule is
    accepted by the validator with the env's makespan, in both modes and both
    breakdown models."""
    rng = np.random.default_rng(jobs * 100 + machines)
    for k in range(4):
        inst = jobshop.generate(jobs, machines, seed=k)
        env = jobshop.Env(inst, mode=mode, **kw)
        _, _, info = random_episode(env, k, rng)
        if info["outcome"] == "deadlock":
            assert mode == "bns"
            continue
        v = jobshop.validate(inst, info["schedule"], info["down"], mode=mode)
        assert v, v.reason
        assert v.makespan == info["makespan"]


def test_run_mtbf_equals_cli(cli):
    res = jobshop.run("la02", policy="spt", mtbf=400.0, mttr=40.0, seeds=range(4))
    j = cli_json(cli, "jobshop", "run", "--instance", "la02", "--policy", "spt", "--mtbf", "400",
                 "--mttr", "40", "--episodes", "4")
    assert res.mean == pytest.approx(j["makespan_mean"], abs=1e-9)
    assert res.breakdowns.sum() == j["breakdowns"] > 0
    with pytest.raises(ValueError, match="mtbf"):
        jobshop.run("la02", mtbf=400.0)
