"""VectorEnv of both domains: batching, auto-reset, per-env seeds, errors."""
import numpy as np
import pytest

import dispatchlab as dl
from dispatchlab import jobshop, uam


def masked_random(rng, mask):
    scores = rng.random(mask.shape)
    scores[~mask] = -1.0
    return scores.argmax(axis=1)


def test_batched_shapes_and_autoreset_match_single_envs():
    """Every episode a VectorEnv finishes equals a single Env on that episode's
    seed with the same actions (so per-env seeds and auto-reset are right)."""
    inst = jobshop.load("la01")
    n = 3
    venv = jobshop.VectorEnv(inst, n, threads=2, shutdown_p=0.1)
    obs, info = venv.reset(seed=100)
    assert obs["op"].shape == (n, inst.num_operations, 12)
    assert obs["next_edges"].shape == (n, 2, inst.num_operations - inst.num_jobs)
    assert info["action_mask"].shape == (n, inst.num_jobs)
    assert info["seed"].tolist() == [100, 101, 102]
    assert venv.observation_space.contains(obs)
    rng = np.random.default_rng(0)
    seeds = list(info["seed"])
    actions = [[] for _ in range(n)]
    finished = []
    while len(finished) < 9:
        a = masked_random(rng, info["action_mask"])
        obs, rew, term, trunc, info = venv.step(a)
        assert rew.shape == (n,) and not trunc.any()
        for i in range(n):
            actions[i].append(int(a[i]))
            if term[i]:
                assert info["_makespan"][i]
                finished.append((seeds[i], actions[i], info["makespan"][i], info["episode_return"][i]))
                seeds[i] = int(info["seed"][i])
                actions[i] = []
    assert {s for s, *_ in finished} >= {100, 101, 102, 103, 104, 105}  # s, s+n, ...
    env = jobshop.Env(inst, shutdown_p=0.1)
    for seed, acts, makespan, ret in finished:
        env.reset(seed=seed)
        for x in acts:
            _, _, term, _, info1 = env.step(x)
        assert term and info1["makespan"] == makespan and info1["episode_return"] == pytest.approx(ret)
        assert jobshop.validate(inst, info1["schedule"], info1["down"])


def test_vector_env_seeds_reproduce_across_thread_counts():
    inst = jobshop.generate(10, 5, seed=1)

    def roll(threads):
        venv = jobshop.VectorEnv(inst, 8, threads=threads, shutdown_p=0.05)
        obs, info = venv.reset(seed=7)
        rng = np.random.default_rng(3)
        out = []
        for _ in range(200):
            obs, r, term, _, info = venv.step(masked_random(rng, info["action_mask"]))
            out.append((r.copy(), term.copy(), obs["op"].copy()))
        return out

    a, b = roll(1), roll(3)
    for (ra, ta, oa), (rb, tb, ob) in zip(a, b):
        assert np.array_equal(ra, rb) and np.array_equal(ta, tb) and np.array_equal(oa, ob)


def test_generator_source_makes_new_instances():
    gen = jobshop.Generator(6, 4, seed=5)
    venv = jobshop.VectorEnv(gen, 4, threads=2)
    obs, info = venv.reset(seed=0)
    e0 = obs["op_machine_edges"].copy()
    assert not all(np.array_equal(e0[0], e0[i]) for i in range(1, 4))  # different instances
    rng = np.random.default_rng(0)
    ended = 0
    while ended < 8:
        obs, r, term, _, info = venv.step(masked_random(rng, info["action_mask"]))
        ended += int(term.sum())
    assert gen.instance(3).num_jobs == 6


def test_vector_env_errors():
    venv = jobshop.VectorEnv("la01", 4)
    with pytest.raises(dl.EpisodeOverError):
        venv.step(np.zeros(4, dtype=np.int64))
    obs, info = venv.reset(seed=0)
    with pytest.raises(ValueError, match="length"):
        venv.step(np.zeros(3, dtype=np.int64))
    with pytest.raises(TypeError, match="integer"):
        venv.step(np.zeros(4))
    a = masked_random(np.random.default_rng(0), info["action_mask"])
    bad = a.copy()
    bad[2] = int(np.flatnonzero(~info["action_mask"][2])[0])
    with pytest.raises(dl.InvalidActionError, match="env 2"):
        venv.step(bad)
    bad[2] = 99
    with pytest.raises(dl.InvalidActionError, match="out of range"):
        venv.step(bad)
    venv.step(a)  # still fine after the errors
    with pytest.raises(ValueError, match="same jobs"):
        jobshop.VectorEnv([jobshop.load("la01"), jobshop.load("ft06")], 2)
    with pytest.raises(ValueError):
        jobshop.VectorEnv("la01", 0)


def test_uam_vector_env():
    venv = uam.VectorEnv("default", 4, threads=2, uncertainty=True)
    obs, info = venv.reset(seed=0)
    assert obs["vertiport"].shape == (4, 8, 13) and obs["query_node"].shape == (4,)
    assert obs["corridor_edges"].shape == (4, 2, 38)
    rng = np.random.default_rng(0)
    total = np.zeros(4)
    profits = {}
    while len(profits) < 4:
        obs, r, term, _, info = venv.step(masked_random(rng, info["action_mask"]))
        total += r
        for i in np.flatnonzero(term):
            profits[int(i)] = info["profit"][i]
            assert info["episode_return"][i] == pytest.approx(info["profit"][i] / 1000.0)
    assert len(profits) == 4


@pytest.mark.parametrize("make", [lambda: jobshop.Env("la01", shutdown_p=0.1),
                                  lambda: jobshop.VectorEnv("la01", 4, threads=2),
                                  lambda: uam.VectorEnv("default", 2)])
def test_envs_are_freed_and_their_views_outlive_them(make):
    import gc
    import weakref
    env = make()
    obs, info = env.reset(seed=0)
    kept = {k: v.copy() for k, v in obs.items()}
    ref = weakref.ref(env)
    del env, info
    gc.collect()
    assert ref() is None  # no env <-> view cycle keeps it alive
    for k, v in obs.items():  # the views own their buffers
        assert np.array_equal(v, kept[k])


def test_uam_vector_episode_equals_single_env():
    """The first day of each env of a UAM VectorEnv equals a single Env on that
    seed with the same actions (profit, return)."""
    n = 2
    venv = uam.VectorEnv("default", n, threads=2, uncertainty=True)
    obs, info = venv.reset(seed=30)
    rng = np.random.default_rng(1)
    actions = [[] for _ in range(n)]
    result = {}
    while len(result) < n:
        a = masked_random(rng, info["action_mask"])
        obs, r, term, _, info = venv.step(a)
        for i in range(n):
            if i in result:
                continue
            actions[i].append(int(a[i]))
            if term[i]:
                result[i] = (info["profit"][i], info["episode_return"][i])
    env = uam.Env("default")
    for i in range(n):
        env.reset(seed=30 + i)
        for x in actions[i]:
            _, _, term, _, info1 = env.step(x)
        assert term and info1["profit"] == result[i][0]
        assert info1["episode_return"] == pytest.approx(result[i][1])
