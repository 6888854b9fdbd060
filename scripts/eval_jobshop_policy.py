#!/usr/bin/python3
"""Held-out check of a learned job-shop policy against the dispatching rules.

  scripts/eval_jobshop_policy.py --policy gat [--seeds 30] [--p 0,0.05,0.1]
  scripts/eval_jobshop_policy.py --policy gat,runs/x/best.pt ...   (several, same seeds)

1. la01-la20 (or --instances), every p: mean gap to the best known BWS
   makespan (bws_ub) of every rule and of the policy; the best single rule
   is the rule with the lowest mean gap at that p; the policy's margin in
   points with a paired 95% CI over instances (per-instance mean gaps, same
   seeds for every policy), and on how many instances it beats that rule.
2. Generated sizes (--sizes, 10 instances each, generator seeds from
   --gen-seed on, apart from training streams and the validation set):
   mean makespan of the policy relative to the best single rule of that
   size, paired 95% CI over instances, and per policy the mean over all
   size x p cells (the one number to choose between candidates by).

Every number comes from `dispatchlab jobshop rules --format csv` (the same
run path as eval). Needs the built CLI (--bin, default build/app/dispatchlab).
"""
import argparse
import csv
import io
import math
import os
import statistics
import subprocess
import sys
import tempfile

RULES = ["fifo", "spt", "lpt", "mor", "lor", "mwkr", "lwkr", "stpt", "ltpt", "random"]
T975 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26,
        10: 2.23, 12: 2.18, 15: 2.13, 19: 2.09, 20: 2.09, 29: 2.05, 30: 2.04, 39: 2.02}


def t975(df):
    if df in T975:
        return T975[df]
    keys = sorted(T975)
    for k in keys:
        if k >= df:
            return T975[k]
    return 1.96


def ci(diffs):
    n = len(diffs)
    m = statistics.fmean(diffs)
    if n < 2:
        return m, float("nan")
    return m, t975(n - 1) * statistics.stdev(diffs) / math.sqrt(n)


def run_rules(bin_path, instances, policies, p, seeds, threads):
    cmd = [bin_path, "jobshop", "rules", "--instances", ",".join(instances),
           "--policies", ",".join(RULES + policies), "--shutdown-p", p,
           "--seeds", str(seeds), "--format", "csv"]
    if threads:
        cmd += ["--threads", str(threads)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    table = {}  # (p, instance) -> policy -> (makespan_mean, ref)
    for r in rows:
        if r["completed"] != r["seeds"]:
            print(f"warning: {r['policy']} on {r['instance']} p={r['shutdown_p']}: "
                  f"{r['completed']}/{r['seeds']} completed", file=sys.stderr)
        ref = float(r["bws_ub"]) if r.get("bws_ub") else None
        table.setdefault((r["shutdown_p"], r["instance"]), {})[r["policy"]] = (
            float(r["makespan_mean"]), ref)
    return table


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--policy", required=True,
                    help="gat, a weights file, or NAME:best<K>; several separated by commas")
    ap.add_argument("--bin", default="build/app/dispatchlab")
    ap.add_argument("--instances", default=",".join(f"la{i:02d}" for i in range(1, 21)))
    ap.add_argument("--p", default="0,0.05,0.1")
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--sizes", default="6x6,10x10,20x10,30x20")
    ap.add_argument("--per-size", type=int, default=10)
    ap.add_argument("--gen-seed", type=int, default=50000)
    ap.add_argument("--size-p", default="0,0.1", help="p values of the size table")
    ap.add_argument("--size-seeds", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()

    policies = [x for x in a.policy.split(",") if x]
    if len(set(policies)) != len(policies):
        sys.exit("eval_jobshop_policy.py: --policy names one policy twice")
    table = run_rules(a.bin, a.instances.split(","), policies, a.p, a.seeds, a.threads)
    unbounded = sorted({inst for (_, inst), pols in table.items()
                        if any(ref is None for _, ref in pols.values())})
    if unbounded:
        sys.exit(f"eval_jobshop_policy.py: no best known BWS makespan (bws_ub) for "
                 f"{', '.join(unbounded)}: the gap table needs one; pass --instances "
                 f"with a bound (the built-in la01-la20, ft06, ft10, ft20)")
    for policy in policies:
        print(f"## {policy} on {a.instances.split(',')[0]}..{a.instances.split(',')[-1]}, "
              f"{a.seeds} seeds: mean gap % to bws_ub")
        print("| p | best rule | its gap | policy gap | margin (points, 95% CI) | instances won |")
        print("|---|---|---|---|---|---|")
        for p in a.p.split(","):
            cells = {inst: pol for (pp, inst), pol in table.items() if float(pp) == float(p)}
            gaps = {pol: {} for pol in RULES + policies}
            for inst, pols in cells.items():
                for pol, (ms, ref) in pols.items():
                    gaps[pol][inst] = 100.0 * (ms / ref - 1.0)
            mean = {pol: statistics.fmean(g.values()) for pol, g in gaps.items() if g}
            best = min((r for r in RULES if r in mean), key=lambda r: mean[r])
            diffs = [gaps[best][i] - gaps[policy][i] for i in gaps[best]]
            m, h = ci(diffs)
            won = sum(1 for d in diffs if d > 0)
            print(f"| {p} | {best} | {mean[best]:.1f} | {mean[policy]:.1f} | "
                  f"{m:+.1f} ± {h:.1f} | {won}/{len(diffs)} |")
        print()

    if not a.sizes:
        return
    print(f"## generated sizes ({a.per_size} instances each, generator seeds {a.gen_seed}+, "
          f"{a.size_seeds} seeds): policy makespan vs the best single rule of that size")
    print("| size | p | best rule | policy | policy vs best rule (%, 95% CI) | instances won |")
    print("|---|---|---|---|---|---|")
    cell_means = {pol: [] for pol in policies}
    with tempfile.TemporaryDirectory() as d:
        for k, size in enumerate(a.sizes.split(",")):
            jobs, machines = size.split("x")
            files = []
            for i in range(a.per_size):
                path = os.path.join(d, f"g{size}_{i}.txt")
                subprocess.run([a.bin, "jobshop", "generate", "--jobs", jobs, "--machines", machines,
                                "--seed", str(a.gen_seed + 1000 * k + i), "--out", path],
                               check=True, capture_output=True)
                files.append(path)
            t = run_rules(a.bin, files, policies, a.size_p, a.size_seeds, a.threads)
            for p in a.size_p.split(","):
                cells = {inst: pol for (pp, inst), pol in t.items() if float(pp) == float(p)}
                ms = {pol: {i: cells[i][pol][0] for i in cells} for pol in RULES + policies}
                mean = {pol: statistics.fmean(v.values()) for pol, v in ms.items()}
                best = min(RULES, key=lambda r: mean[r])
                for policy in policies:
                    rel = [100.0 * (ms[policy][i] / ms[best][i] - 1.0) for i in cells]
                    m, h = ci(rel)
                    cell_means[policy].append(m)
                    won = sum(1 for x in rel if x < 0)
                    print(f"| {size} | {p} | {best} | {policy} | {m:+.1f} ± {h:.1f} | "
                          f"{won}/{len(rel)} |")
    print()
    print("| policy | mean of the size x p cells (% vs the best rule) |")
    print("|---|---|")
    for policy in policies:
        print(f"| {policy} | {statistics.fmean(cell_means[policy]):+.2f} |")

if __name__ == "__main__":
    main()
