"""The code stays within the rules chosen in pyproject.toml ([tool.ruff.lint])."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT


def test_ruff_finds_nothing():
    pytest.importorskip("ruff", reason="ruff is in the test extras: pip install -e '.[test]'")
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "builder", "tests", "benchmarks"],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
