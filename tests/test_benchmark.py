"""The benchmark at 1,000 items, as CI runs it: it must complete and every package must validate.
Timings are printed for the README, never asserted (the machine's load decides them)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, VALIDATOR


def test_benchmark_completes_at_1000_items_and_packages_validate(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "1000", "--repeat", "1",
                          "--check", "--work", str(tmp_path)], capture_output=True, text=True, timeout=900,
                         check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "| 1,000 |" in run.stdout
    if VALIDATOR.is_file():
        assert "all 6 packages pass validate_package.py" in run.stdout
    print(run.stdout)
