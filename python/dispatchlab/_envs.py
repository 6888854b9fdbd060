"""Shared Python side of Env and VectorEnv (both domains): spaces and the
Gymnasium-facing attributes. The stepping itself is C++ (_core)."""
from . import _core, spaces


class EnvBase(_core.Env):
    """One environment with Gymnasium's signatures.

    reset(seed=None, options=None) -> (obs, info)
    step(action) -> (obs, reward, terminated, truncated, info)

    `obs` is a dict of read-only numpy views of the env's C++ buffers (no
    copies): the next step()/reset() overwrites them in place, so copy what
    you keep. info["action_mask"] (also obs["action_mask"]) marks the legal
    actions. A masked or out-of-range action raises InvalidActionError (a
    ValueError), a non-integer TypeError, stepping a finished episode (or
    before reset) EpisodeOverError (a RuntimeError).

    Seeds: reset(seed=s) runs episode seed s; each later reset() without a
    seed runs the next one (s+1, s+2, ...), starting from the constructor's
    `seed`. truncated is always False (episodes always end).
    """

    metadata = {"render_modes": []}
    render_mode = None

    def __init__(self, recipe, seed=0):
        super().__init__(recipe, seed)
        self.observation_space = spaces.from_layout(self._layout())
        self.action_space = spaces.Discrete(self.num_actions)

    def close(self):
        pass

    @property
    def unwrapped(self):
        return self


class VectorEnvBase(_core.VectorEnv):
    """num_envs environments stepped together in C++ threads (GIL released).

    reset(seed=None) -> (obs, infos); step(actions) -> (obs, rewards,
    terminated, truncated, infos), everything batched on axis 0. `obs` is a
    dict of read-only batched arrays overwritten by the next call (copy what
    you keep); rewards/terminated/truncated are fresh arrays.

    Auto-reset in the same step (Gymnasium < 1.0 / SB3 convention): when env
    i terminates, obs[...][i] is already the first observation of its next
    episode, and infos carries the finished episode's values with
    Gymnasium's "_key" validity masks (infos["makespan"] or
    infos["profit"], "episode_return", "episode_length"). The terminal
    observation itself is not returned (episodes only terminate, they are
    never truncated, so nothing needs bootstrapping).

    Seeds: reset(seed=s) starts env i at episode seed s + i (or a list, one
    per env); env i's later episodes use its seed + num_envs, + 2 num_envs,
    ... so no two episodes of one VectorEnv share a seed. infos["seed"] has
    the current episode seed of every env after a reset or an episode end.
    """

    metadata = {"render_modes": [], "autoreset_mode": "same-step"}
    render_mode = None

    def __init__(self, recipe, num_envs, threads=1):
        super().__init__(recipe, num_envs, threads)
        layout = self._layout()
        self.single_observation_space = spaces.from_layout(layout)
        self.single_action_space = spaces.Discrete(self.num_actions)
        self.observation_space = spaces.from_layout(layout, batch=self.num_envs)
        self.action_space = spaces.MultiDiscrete([self.num_actions] * self.num_envs)

    def close(self):
        pass
