#!/usr/bin/python3
"""Chooses the sampling temperature of best-of-K (NAME:best<K>:t<T>) on
generated validation instances, never on the instances we report.

  scripts/tune_sampling_temperature.py [--policy gat] [--samples 128]
      [--temperatures 0.5,0.7,0.85,1,1.3] [--episodes 2]

16 generated instances (two each of 10x5, 15x5, 20x5, 10x10, 15x10, 20x10,
30x10, 15x15; generator seeds 990000+, apart from training streams, the
trainer's validation set and scripts/eval_jobshop_policy.py's sizes), p = 0,
`--episodes` seeds each. Prints the mean best-of-K makespan at each
temperature relative to T = 1, with a paired 95% CI over instances.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

SIZES = [(10, 5), (15, 5), (20, 5), (10, 10), (15, 10), (20, 10), (30, 10), (15, 15)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--policy", default="gat")
    ap.add_argument("--samples", type=int, default=128)
    ap.add_argument("--temperatures", default="0.5,0.7,0.85,1,1.3")
    ap.add_argument("--episodes", type=int, default=2)
    ap.add_argument("--bin", default="build/app/dispatchlab")
    ap.add_argument("--data-dir", default="build/share/dispatchlab")
    a = ap.parse_args()
    temps = [float(t) for t in a.temperatures.split(",")]
    if 1.0 not in temps:
        temps.append(1.0)
    base = [a.bin, "--data-dir", a.data_dir]
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, (j, m) in enumerate(SIZES * 2):
            f = os.path.join(tmp, f"val_{i}.txt")
            subprocess.run(base + ["jobshop", "generate", "--jobs", str(j), "--machines", str(m),
                                   "--seed", str(990000 + i), "--out", f],
                           check=True, stdout=subprocess.DEVNULL)
            files.append(f)
        mk = {}  # (temperature, instance) -> mean makespan
        for t in temps:
            for k, f in enumerate(files):
                name = f"{a.policy}:best{a.samples}:t{t:g}"
                out = subprocess.run(base + ["jobshop", "run", "--instance", f, "--policy", name,
                                             "--episodes", str(a.episodes), "--json"],
                                     check=True, capture_output=True, text=True).stdout
                mk[t, k] = json.loads(out)["makespan_mean"]
            print(f"T={t:g}: mean makespan {statistics.mean(mk[t, k] for k in range(len(files))):.1f}",
                  file=sys.stderr)
    n = len(files)
    print(f"{'T':>6} {'vs T=1, %':>10} {'95% CI':>18} {'better/worse':>13}")
    for t in temps:
        d = [100.0 * (mk[t, k] / mk[1.0, k] - 1) for k in range(n)]
        mean = statistics.mean(d)
        half = 2.13 * statistics.stdev(d) / math.sqrt(n) if n > 1 else 0
        better = sum(x < 0 for x in d)
        worse = sum(x > 0 for x in d)
        print(f"{t:6g} {mean:+10.2f} {mean - half:+8.2f} to {mean + half:+.2f} {better:6d}/{worse:<6d}")


if __name__ == "__main__":
    main()
