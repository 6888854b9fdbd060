"""dispatchlab.gym: the gymnasium adapter. gymnasium is not a Debian package;
without it this test runs the adapter against a minimal stand-in with
gymnasium's names, so the adapter's own code is still exercised."""
import importlib
import sys
import textwrap

import numpy as np
import pytest

STUB = {
    "__init__.py": """
        from . import spaces
        _registry = {}
        class Env:
            def reset(self, *, seed=None, options=None):
                self.np_random_seed = seed
        def register(id, entry_point):
            _registry[id] = entry_point
    """,
    "spaces.py": """
        import numpy as np
        class Box:
            def __init__(self, low, high, shape, dtype):
                self.low, self.high, self.shape, self.dtype = low, high, tuple(shape), np.dtype(dtype)
            def contains(self, x):
                return x.shape == self.shape and x.dtype == self.dtype
        class Discrete:
            def __init__(self, n):
                self.n = n
        class MultiDiscrete:
            def __init__(self, nvec):
                self.nvec = nvec
        class MultiBinary:
            def __init__(self, n):
                self.n = n
                self.shape = tuple(n) if isinstance(n, (list, tuple)) else (n,)
            def contains(self, x):
                return x.shape == self.shape and x.dtype == np.int8
        class Dict:
            def __init__(self, spaces):
                self.spaces = spaces
            def contains(self, x):
                return set(x) == set(self.spaces) and all(s.contains(x[k]) for k, s in self.spaces.items())
    """,
}


@pytest.fixture
def gym_module(tmp_path, monkeypatch):
    stubbed = False
    try:
        import gymnasium  # noqa: F401
    except ImportError:
        stubbed = True
        pkg = tmp_path / "gymnasium"
        pkg.mkdir()
        for name, text in STUB.items():
            (pkg / name).write_text(textwrap.dedent(text))
        monkeypatch.syspath_prepend(str(tmp_path))
        for m in [m for m in sys.modules if m.startswith("gymnasium")]:
            monkeypatch.delitem(sys.modules, m)
    sys.modules.pop("dispatchlab.gym", None)
    mod = importlib.import_module("dispatchlab.gym")
    yield mod
    sys.modules.pop("dispatchlab.gym", None)
    if stubbed:
        for m in [m for m in sys.modules if m.startswith("gymnasium")]:
            del sys.modules[m]


def test_gym_adapter_runs_an_episode(gym_module):
    env = gym_module.make_jobshop("ft06", shutdown_p=0.1)
    obs, info = env.reset(seed=3)
    assert env.observation_space.contains(obs)
    assert obs["action_mask"].dtype == np.int8
    term, steps = False, 0
    while not term:
        mask = env.action_masks()
        obs, r, term, trunc, info = env.step(int(np.flatnonzero(mask)[0]))
        assert isinstance(r, float) and trunc is False
        steps += 1
    assert info["makespan"] > 0 and steps == info["decisions"]
    u = gym_module.make_uam("default", uncertainty=False)
    obs, info = u.reset(seed=0)
    assert u.observation_space.contains(obs)
    gym_module.register()


def test_import_without_gymnasium_says_what_is_missing(monkeypatch):
    try:
        import gymnasium  # noqa: F401
        pytest.skip("gymnasium is installed")
    except ImportError:
        pass
    sys.modules.pop("dispatchlab.gym", None)
    with pytest.raises(ImportError, match="pip install gymnasium"):
        importlib.import_module("dispatchlab.gym")
