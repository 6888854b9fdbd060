#!/usr/bin/python3
"""Decisions per second from Python (issue 16's targets), random masked actions.

  1. one jobshop.Env on a 15x10 instance at shutdown_p=0.05 (target >= 50k/s):
     the plain Python loop reset/step, the action drawn from the mask;
  2. a 64-env jobshop.VectorEnv on 2 threads (target >= 300k/s): actions
     drawn for all envs at once in numpy (random scores, masked argmax).

A decision is one step() of one env (auto-resets included). Decisions per
CPU-second (process time, all threads) are printed too: on a shared, loaded
machine they say more than the wall-clock rate, which needs idle cores (on
2 idle cores the VectorEnv's wall rate is about 2 x its per-CPU-second rate
when both threads keep busy). Run it with the
module on the path, e.g.  PYTHONPATH=build/python /usr/bin/python3 python/bench_env.py
"""
import argparse
import json
import os
import sys
import time

import numpy as np

# This script sits beside the package's sources (python/dispatchlab, without
# the compiled _core): import the built or installed package instead.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
import dispatchlab as dl  # noqa: E402


def bench_env(inst, p, seconds):
    env = dl.jobshop.Env(inst, shutdown_p=p)
    rng = np.random.default_rng(0)
    rand = rng.random
    flatnonzero = np.flatnonzero
    obs, info = env.reset(seed=0)
    mask = info["action_mask"]  # a view: step() updates it in place
    steps = episodes = 0
    t0, c0 = time.perf_counter(), time.process_time()
    deadline = t0 + seconds
    while True:
        for _ in range(1000):
            legal = flatnonzero(mask)
            obs, reward, terminated, truncated, info = env.step(int(legal[int(rand() * len(legal))]))
            steps += 1
            if terminated:
                episodes += 1
                env.reset()
        if time.perf_counter() > deadline:
            break
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return steps / dt, steps, episodes, dt, steps / cpu


def bench_vector(inst, p, num_envs, threads, seconds):
    venv = dl.jobshop.VectorEnv(inst, num_envs, threads=threads, shutdown_p=p)
    rng = np.random.default_rng(0)
    obs, info = venv.reset(seed=0)
    mask = info["action_mask"]  # (num_envs, actions) view, updated in place
    scores = np.empty(mask.shape)
    steps = episodes = 0
    t0, c0 = time.perf_counter(), time.process_time()
    deadline = t0 + seconds
    while True:
        for _ in range(100):
            rng.random(out=scores)
            scores[~mask] = -1.0
            actions = scores.argmax(axis=1)
            obs, rewards, terminated, truncated, info = venv.step(actions)
            steps += num_envs
            episodes += int(terminated.sum())
        if time.perf_counter() > deadline:
            break
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return steps / dt, steps, episodes, dt, steps / cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instance", default="generated",
                    help="'generated' (a random Taillard-style 15x10 instance, seed 7; no built-in "
                    "instance is 15x10), or a built-in name or file")
    ap.add_argument("--shutdown-p", type=float, default=0.05)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--num-envs", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.instance == "generated":
        inst, inst_name = dl.jobshop.generate(15, 10, seed=7), "generated 15x10 (seed 7)"
    else:
        inst = dl.jobshop.load(args.instance)
        inst_name = f"{inst.name} ({inst.num_jobs}x{inst.num_machines})"
    e = bench_env(inst, args.shutdown_p, args.seconds)
    v = bench_vector(inst, args.shutdown_p, args.num_envs, args.threads, args.seconds)
    out = {
        "instance": inst_name, "jobs": inst.num_jobs, "machines": inst.num_machines,
        "shutdown_p": args.shutdown_p,
        "env_decisions_per_s": round(e[0]), "env_decisions_per_cpu_s": round(e[4]),
        "env_episodes": e[2],
        "vector_env_decisions_per_s": round(v[0]), "vector_env_decisions_per_cpu_s": round(v[4]),
        "vector_env_episodes": v[2],
        "num_envs": args.num_envs, "threads": args.threads,
    }
    if args.json:
        print(json.dumps(out))
    else:
        print(f"instance {inst_name}  shutdown_p {args.shutdown_p}")
        print(f"Env                     {e[0]:10.0f} decisions/s  {e[4]:10.0f} per CPU-second  "
              f"({e[1]} decisions, {e[2]} episodes, {e[3]:.1f} s)  target >= 50000/s")
        print(f"VectorEnv {args.num_envs} envs {args.threads} thr  {v[0]:10.0f} decisions/s  {v[4]:10.0f} per CPU-second  "
              f"({v[1]} decisions, {v[2]} episodes, {v[3]:.1f} s)  target >= 300000/s")
        print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: decisions/s need idle cores, "
              "per CPU-second much less so)")


if __name__ == "__main__":
    main()
