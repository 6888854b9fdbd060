"""dispatchlab from Python: the job-shop (ISBJSSP) and UAM fleet simulators,
their validator and baselines, and Gymnasium-style environments on the C++
core (pybind11, numpy buffers).

    import dispatchlab as dl
    inst = dl.jobshop.load("ft06")
    res = dl.jobshop.run(inst, policy="spt", shutdown_p=0.05, seeds=range(30))
    env = dl.jobshop.Env(inst, shutdown_p=0.05)
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(int(info["action_mask"].argmax()))

Submodules: `jobshop`, `uam`, `spaces` (Gymnasium-like space descriptions
without gymnasium), `gym` (thin gymnasium adapters when it is importable).

Observations are read-only numpy views of the environment's own C++ buffers:
the next `step()`/`reset()` overwrites them in place. Copy (`arr.copy()`)
what you keep.
"""
import os as _os
from pathlib import Path as _Path

from . import _core
from ._core import EpisodeOverError, InvalidActionError

__version__ = "0.1.0"


def data_dir():
    """The data directory (shipped policies in assets/, scenario files), or None.

    The first of: $DISPATCHLAB_DATA_DIR; the build tree's build/share/dispatchlab
    (this package in build/python/dispatchlab); an installed tree's
    <prefix>/share/dispatchlab (this package in <prefix>/lib/pythonX/<site>/);
    /usr/share/dispatchlab. A directory counts when it has an assets/ folder.
    """
    env = _os.environ.get("DISPATCHLAB_DATA_DIR")
    if env:
        if not (_Path(env) / "assets").is_dir():
            raise RuntimeError(f"DISPATCHLAB_DATA_DIR={env} is not a dispatchlab data directory "
                               "(it has no assets/ folder)")
        return str(_Path(env).resolve())
    here = _Path(__file__).resolve().parent
    candidates = [here.parent.parent / "share" / "dispatchlab"]
    if len(here.parents) > 3:
        candidates.append(here.parents[3] / "share" / "dispatchlab")
    candidates.append(_Path("/usr/share/dispatchlab"))
    for c in candidates:
        if (c / "assets").is_dir():
            return str(c)
    return None


def assets_dir():
    """Where the shipped learned policies are ("" when no data directory is found:
    rules and baselines still work, `gat` does not)."""
    d = data_dir()
    return str(_Path(d) / "assets") if d else ""


from . import spaces  # noqa: E402
from . import jobshop  # noqa: E402
from . import uam  # noqa: E402

__all__ = ["jobshop", "uam", "spaces", "data_dir", "assets_dir",
           "InvalidActionError", "EpisodeOverError"]
