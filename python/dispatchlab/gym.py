"""Thin gymnasium adapters over dispatchlab's envs (needs the `gymnasium`
package, which Debian does not ship: `pip install gymnasium`). Importing
this module without it raises ImportError saying so.

    from dispatchlab import gym as dlgym
    env = dlgym.make_jobshop("la01", shutdown_p=0.05)   # a gymnasium.Env
    dlgym.register()                                     # gymnasium.make("dispatchlab/JobShop-v0", instance="la01")

The adapter copies each observation (gymnasium code may keep it) and gives
the mask as int8, as gymnasium's MultiBinary expects; `action_masks()`
serves sb3-contrib's MaskablePPO.
"""
try:
    import gymnasium
except ImportError as e:  # pragma: no cover - depends on the machine
    raise ImportError("dispatchlab.gym needs gymnasium (pip install gymnasium); the envs "
                      "themselves (dispatchlab.jobshop.Env, dispatchlab.uam.Env) do not") from e

import numpy as np

from . import jobshop, uam
from .spaces import to_gymnasium


def _copy_obs(obs):
    out = {}
    for k, v in obs.items():
        out[k] = v.astype(np.int8) if v.dtype == np.bool_ else v.copy()
    return out


class GymEnv(gymnasium.Env):
    """A dispatchlab Env as a gymnasium.Env."""

    metadata = {"render_modes": []}

    def __init__(self, env):
        self.env = env
        self.observation_space = to_gymnasium(env.observation_space)
        self.action_space = gymnasium.spaces.Discrete(env.num_actions)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        obs, info = self.env.reset(seed=seed)
        return _copy_obs(obs), dict(info)

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(int(action))
        return _copy_obs(obs), float(reward), bool(terminated), bool(truncated), dict(info)

    def action_masks(self):
        return np.array(self.env.action_masks(), dtype=bool)


def make_jobshop(instance="ft06", **kwargs):
    return GymEnv(jobshop.Env(instance, **kwargs))


def make_uam(scenario="default", **kwargs):
    return GymEnv(uam.Env(scenario, **kwargs))


def register():
    """Registers dispatchlab/JobShop-v0 and dispatchlab/Uam-v0 with gymnasium."""
    gymnasium.register(id="dispatchlab/JobShop-v0", entry_point="dispatchlab.gym:make_jobshop")
    gymnasium.register(id="dispatchlab/Uam-v0", entry_point="dispatchlab.gym:make_uam")
