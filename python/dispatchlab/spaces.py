"""Space descriptions with Gymnasium's names and fields (Box, Discrete,
Dict), so that code can read shapes and bounds without gymnasium installed
(it is not a Debian package). `to_gymnasium(space)` converts when it is.
"""
import numpy as np


class Space:
    def to_gymnasium(self):
        return to_gymnasium(self)


class Box(Space):
    def __init__(self, low, high, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.low = low
        self.high = high

    def contains(self, x):
        x = np.asarray(x)
        return x.shape == self.shape and x.dtype == self.dtype and \
            bool(np.all(x >= self.low)) and bool(np.all(x <= self.high))

    def __repr__(self):
        return f"Box({self.low}, {self.high}, {self.shape}, {self.dtype})"


class Discrete(Space):
    """n actions 0..n-1; sample(mask) draws among the legal ones."""

    def __init__(self, n, seed=None):
        self.n = int(n)
        self.shape = ()
        self.dtype = np.dtype(np.int64)
        self._rng = np.random.default_rng(seed)

    def seed(self, seed=None):
        self._rng = np.random.default_rng(seed)

    def sample(self, mask=None):
        if mask is None:
            return int(self._rng.integers(self.n))
        legal = np.flatnonzero(mask)
        if legal.size == 0:
            raise ValueError("no legal action in the mask")
        return int(legal[self._rng.integers(legal.size)])

    def contains(self, x):
        return isinstance(x, (int, np.integer)) and 0 <= int(x) < self.n

    def __repr__(self):
        return f"Discrete({self.n})"


class MultiDiscrete(Space):
    """One Discrete(n) per env of a VectorEnv."""

    def __init__(self, nvec, seed=None):
        self.nvec = np.asarray(nvec, dtype=np.int64)
        self.shape = self.nvec.shape
        self.dtype = np.dtype(np.int64)
        self._rng = np.random.default_rng(seed)

    def sample(self, mask=None):
        if mask is None:
            return (self._rng.random(self.shape) * self.nvec).astype(np.int64)
        scores = self._rng.random(np.shape(mask))
        scores[~np.asarray(mask, dtype=bool)] = -1.0
        return scores.argmax(axis=-1).astype(np.int64)

    def __repr__(self):
        return f"MultiDiscrete({self.nvec.tolist()})"


class Dict(Space):
    def __init__(self, spaces):
        self.spaces = dict(spaces)

    def __getitem__(self, key):
        return self.spaces[key]

    def keys(self):
        return self.spaces.keys()

    def items(self):
        return self.spaces.items()

    def contains(self, x):
        return set(x) == set(self.spaces) and all(s.contains(x[k]) for k, s in self.spaces.items())

    def __repr__(self):
        inner = ", ".join(f"{k!r}: {v!r}" for k, v in self.spaces.items())
        return "Dict({" + inner + "})"


_INT_HIGH = np.iinfo(np.int32).max


def from_layout(layout, batch=None):
    """Dict space of an observation layout [(key, shape, dtype), ...]."""
    out = {}
    for key, shape, dtype in layout:
        shape = ((batch,) if batch else ()) + tuple(shape)
        if dtype == "float32":
            out[key] = Box(-np.inf, np.inf, shape, np.float32)
        elif dtype == "bool":
            out[key] = Box(0, 1, shape, np.bool_)
        else:
            out[key] = Box(-1, _INT_HIGH, shape, np.int32)
    return Dict(out)


def to_gymnasium(space):
    """The same space as a gymnasium.spaces object (needs gymnasium)."""
    from gymnasium import spaces as gs
    if isinstance(space, Dict):
        return gs.Dict({k: to_gymnasium(v) for k, v in space.items()})
    if isinstance(space, Discrete):
        return gs.Discrete(space.n)
    if isinstance(space, MultiDiscrete):
        return gs.MultiDiscrete(space.nvec)
    if isinstance(space, Box):
        if space.dtype == np.bool_:
            return gs.MultiBinary(list(space.shape)) if space.shape else gs.MultiBinary(1)
        return gs.Box(low=space.low, high=space.high, shape=space.shape, dtype=space.dtype)
    raise TypeError(f"unknown space {space!r}")
