"""builder/ passes mypy in strict mode, as configured in pyproject.toml ([tool.mypy]).

Strict typing is what makes a forgotten case a type error (``match`` on an item's interaction
ends in ``typing.assert_never``), so the check is part of the suite, not a separate step. mypy
keeps its cache in .mypy_cache/ beside pyproject.toml: after the first run it reads only the
modules that changed (about a second).
"""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_mypy_strict_finds_nothing_in_builder():
    # No arguments: the files, strictness and Python version all come from pyproject.toml, so
    # this test and a developer's `python -m mypy` check the same thing.
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert "No module named mypy" not in run.stderr, "mypy is in the test extras: pip install -e '.[test]'"
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("Success: no issues found"), run.stdout + run.stderr
