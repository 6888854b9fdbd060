#!/usr/bin/python3
"""Runs the shipped learned policies from Python, torch-free.

The policies ship as weights files (assets/jobshop_gat.safetensors,
assets/uam_gat.safetensors: safetensors layout, float32); `policy="gat"`
resolves to them through the same policy registry as the CLI, and the
network runs in plain C++ (no LibTorch is loaded). A path to any trained
`.safetensors` (or its `.pt` checkpoint) works the same way.

    PYTHONPATH=build/python /usr/bin/python3 python/examples/run_shipped_policy.py --seeds 10

Exit status 77 (ctest: skipped) when no data directory with the shipped
policies is found.
"""
import argparse
import os
import sys

import numpy as np

import dispatchlab as dl
from dispatchlab import jobshop, uam


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--instance", default="la01")
    ap.add_argument("--shutdown-p", type=float, default=0.05)
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    if "gat" not in jobshop.policies():
        print(f"run_shipped_policy: no shipped policy found (data directory: {dl.data_dir()}); skipped")
        return 77
    weights = os.path.join(dl.assets_dir(), "jobshop_gat.safetensors")
    print(f"weights: {weights} ({os.path.getsize(weights)} bytes)")

    inst = jobshop.load(args.instance)
    seeds = range(args.seeds)
    learned = jobshop.run(inst, policy="gat", shutdown_p=args.shutdown_p, seeds=seeds)
    by_path = jobshop.run(inst, policy=weights, shutdown_p=args.shutdown_p, seeds=seeds)
    assert np.array_equal(learned.makespan, by_path.makespan)  # "gat" is that file
    assert learned.valid.all(), learned.errors
    print(f"{inst.name} ({inst.num_jobs}x{inst.num_machines}), shutdown_p {args.shutdown_p}, "
          f"{args.seeds} seeds: mean makespan")
    print(f"  gat   {learned.mean:8.1f}  ({learned.wall_s.mean() * 1e3:.1f} ms per episode)")
    for rule in ("spt", "mwkr", "ltpt"):
        r = jobshop.run(inst, policy=rule, shutdown_p=args.shutdown_p, seeds=seeds)
        print(f"  {rule:5s} {r.mean:8.1f}")

    # Check one learned schedule with the independent validator.
    v = jobshop.validate(inst, learned.schedules[0], learned.down[0])
    print(f"validator on seed 0: {'valid' if v else 'INVALID: ' + v.reason}, makespan {v.makespan}")

    if "gat" in uam.policies():
        day = uam.run("default", policy="gat", seeds=[0])
        greedy = uam.run("default", policy="greedy", seeds=[0])
        print(f"UAM default day, seed 0: gat {day.profit[0]:.0f} USD, greedy {greedy.profit[0]:.0f} USD")
    return 0 if v else 1


if __name__ == "__main__":
    sys.exit(main())
