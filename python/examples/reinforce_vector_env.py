#!/usr/bin/python3
"""REINFORCE on dispatchlab.jobshop.VectorEnv with PyTorch (Debian's python3-torch).

A tiny dispatching policy: each legal action (job) is scored by an MLP from
the features of the operation it would start (obs["op"] gathered at
obs["action_nodes"]) and the env's globals; masked softmax; REINFORCE with
a running-mean baseline on the episode return (-makespan / mean duration).
It trains on fresh random 8x5 instances (jobshop.Generator) with breakdowns
for a few seconds and prints the mean makespan of the episodes it finished,
first against last window, plus a greedy evaluation on la01 against SPT.

    PYTHONPATH=build/python /usr/bin/python3 python/examples/reinforce_vector_env.py --seconds 10

Exit status 77 (ctest: skipped) when torch is not importable.
"""
import argparse
import sys
import time

import numpy as np

try:
    import torch
except ImportError:
    print("reinforce_vector_env: torch is not importable (apt-get install python3-torch); skipped")
    sys.exit(77)

import dispatchlab as dl
from dispatchlab import jobshop


class Scorer(torch.nn.Module):
    def __init__(self, op_dim, global_dim, hidden=32):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(op_dim + global_dim, hidden), torch.nn.Tanh(),
                                       torch.nn.Linear(hidden, 1))

    def forward(self, obs):
        """obs: dict of batched numpy arrays -> masked logits (envs, actions)."""
        # The obs arrays are read-only views that the next step overwrites:
        # copy them into tensors (the autograd graph outlives the step).
        op = torch.tensor(obs["op"])                                # (N, ops, F)
        nodes = torch.tensor(obs["action_nodes"], dtype=torch.int64).clamp(min=0)  # (N, A)
        mask = torch.tensor(obs["action_mask"])                     # (N, A) bool
        g = torch.tensor(obs["globals"])                            # (N, G)
        feats = torch.gather(op, 1, nodes.unsqueeze(-1).expand(-1, -1, op.shape[-1]))
        x = torch.cat([feats, g.unsqueeze(1).expand(-1, feats.shape[1], -1)], dim=-1)
        logits = self.net(x).squeeze(-1)
        return logits.masked_fill(~mask, float("-inf"))


def evaluate(model, inst, seeds):
    env = jobshop.Env(inst, shutdown_p=0.05)
    spans = []
    with torch.no_grad():
        for s in seeds:
            obs, info = env.reset(seed=s)
            term = env.done
            while not term:
                batched = {k: v[None] for k, v in obs.items()}
                a = int(model(batched).argmax(dim=1)[0])
                obs, r, term, trunc, info = env.step(a)
            spans.append(info["makespan"])
    return float(np.mean(spans))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--num-envs", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    gen = jobshop.Generator(8, 5, seed=args.seed)
    venv = jobshop.VectorEnv(gen, args.num_envs, threads=args.threads, shutdown_p=0.05)
    obs, info = venv.reset(seed=args.seed)
    model = Scorer(obs["op"].shape[-1], obs["globals"].shape[-1])
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    logps = [[] for _ in range(venv.num_envs)]   # this episode's log-probabilities, per env
    finished = []                                # (return, sum of log-probs) of finished episodes
    makespans, baseline, updates, steps = [], None, 0, 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < args.seconds:
        dist = torch.distributions.Categorical(logits=model(obs))
        actions = dist.sample()
        logp = dist.log_prob(actions)
        obs, rewards, terminated, truncated, info = venv.step(actions.numpy())
        steps += venv.num_envs
        for i in range(venv.num_envs):
            logps[i].append(logp[i])
            if terminated[i]:
                finished.append((float(info["episode_return"][i]), torch.stack(logps[i]).sum()))
                makespans.append(float(info["makespan"][i]))
                logps[i] = []
        if len(finished) >= 64:
            returns = torch.tensor([g for g, _ in finished])
            baseline = returns.mean() if baseline is None else 0.9 * baseline + 0.1 * returns.mean()
            adv = (returns - baseline) / (returns.std() + 1e-6)
            loss = -(adv * torch.stack([lp for _, lp in finished])).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            updates += 1
            finished = []
            # The still-running episodes' log-probs belong to the old graph: start them afresh.
            logps = [[lp.detach() for lp in l] for l in logps]
    dt = time.perf_counter() - t0
    w = max(1, min(200, len(makespans) // 4))
    first = np.mean(makespans[:w]) if makespans else float("nan")
    last = np.mean(makespans[-w:]) if makespans else float("nan")
    print(f"reinforce: {steps} decisions ({steps / dt:.0f}/s with the network), {len(makespans)} "
          f"episodes, {updates} updates in {dt:.1f} s")
    print(f"mean makespan of random 8x5 instances: first {w} episodes {first:.1f}, last {w} {last:.1f}")
    la01 = jobshop.load("la01")
    spt = jobshop.run(la01, "spt", shutdown_p=0.05, seeds=range(5)).mean
    print(f"la01, p=0.05, 5 seeds: learned greedy {evaluate(model, la01, range(5)):.1f}, spt {spt:.1f}")
    if not makespans or updates == 0:
        print("reinforce: no update happened (too short a run)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
