"""pytest set-up: the built package (PYTHONPATH=build/python, as ctest sets
it) and the CLI binary to compare against ($DISPATCHLAB_CLI, else the build
tree's app/dispatchlab beside the package)."""
import os
import sys
from pathlib import Path

import pytest

# Never pick up the package's sources (they lack the compiled _core).
_src = str(Path(__file__).resolve().parent.parent)
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _src]

import dispatchlab  # noqa: E402


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("DISPATCHLAB_CLI")
    if not path:
        path = str(Path(dispatchlab.__file__).resolve().parent.parent.parent / "app" / "dispatchlab")
    if not os.access(path, os.X_OK):
        pytest.skip(f"the dispatchlab CLI is not built ({path})")
    return path
