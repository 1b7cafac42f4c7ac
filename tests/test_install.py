"""Installing lmspack once for use in any folder (README, "Install"): pip installs the checkout into
a fresh virtual environment, a real install (the wheel built from the checkout, its dependencies
from the package index, nothing of this checkout or of the tests' environment on the path), and
the installed `lmspack` starts, validates, builds and checks a quiz in a folder outside the
checkout, with the templates and schemas the wheel carries. Skipped when the package index cannot
be reached."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from builder import __version__

from conftest import ROOT

# Nothing of the tests' own environment may help the installed command find a module.
CLEAN_ENV = {name: value for name, value in os.environ.items()
             if name not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")}
WAIT = 600  # seconds: building the wheel and fetching the dependencies, on a slow day


def _pip_can_target_another_python() -> bool:
    """pip 22.3 and later install into another environment (--python): the fresh one then needs
    no pip of its own, which saves seconds."""
    try:
        major, minor = (int(part) for part in importlib.metadata.version("pip").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (22, 3)


def _index_unreachable() -> str | None:
    """Why pip cannot reach the package index (None: it can), asked as an install would ask it."""
    probe = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "hatchling"], capture_output=True,
                           text=True, env=CLEAN_ENV, timeout=WAIT, check=False)
    return None if probe.returncode == 0 else (probe.stderr.strip().splitlines() or ["no answer"])[-1]


@pytest.fixture(scope="module")
def lmspack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `lmspack` command of a fresh virtual environment into which pip installed the checkout."""
    venv = tmp_path_factory.mktemp("install") / "venv"
    own_pip = not _pip_can_target_another_python()
    subprocess.run([sys.executable, "-m", "venv", *([] if own_pip else ["--without-pip"]), str(venv)],
                   check=True, env=CLEAN_ENV, timeout=WAIT)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip"] if own_pip else [sys.executable, "-m", "pip", "--python", str(python)]
    installed = subprocess.run([*pip, "install", "--quiet", str(ROOT)], capture_output=True, text=True,
                               env=CLEAN_ENV, timeout=WAIT, check=False)
    if installed.returncode != 0:
        unreachable = _index_unreachable()
        if unreachable is not None:
            pytest.skip(f"the package index cannot be reached, and installing needs it ({unreachable})")
        raise AssertionError(f"pip install of the checkout failed:\n{installed.stderr}")
    return venv / "bin" / "lmspack"


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=CLEAN_ENV, timeout=WAIT,
                          check=False)


def test_the_installed_command_works_in_any_folder(lmspack: Path, tmp_path: Path) -> None:
    assert not tmp_path.is_relative_to(ROOT)
    version = _run([str(lmspack), "--version"], tmp_path)
    assert (version.returncode, version.stdout) == (0, f"lmspack {__version__}\n")
    # The package that runs is the installed one, not this checkout.
    where = _run([str(lmspack.with_name("python")), "-c", "import builder; print(builder.__file__)"], tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(lmspack.parent.parent), where.stdout

    made = _run([str(lmspack), "new", "course/safety", "--title", "Kitchen safety"], tmp_path)
    assert made.returncode == 0, made.stderr
    quiz = tmp_path / "course" / "safety"
    validated = _run([str(lmspack), "validate", str(quiz)], tmp_path)
    assert (validated.returncode, validated.stdout) == (0, "ok: 1 quiz, 9 items\n"), validated.stderr

    # Inside the quiz folder, with no path: the quiz is its own project, its packages go to its dist/.
    built = _run([str(lmspack), "build", "--format", "all", "--quiet"], quiz)
    assert built.returncode == 0, built.stderr
    packages = sorted(path.name for path in (quiz / "dist").iterdir())
    assert packages == ["SHA256SUMS", "build-manifest.json", "safety-1.0.0-anki.apkg", "safety-1.0.0-canvas.zip",
                        "safety-1.0.0-cards-csv.csv", "safety-1.0.0-flashcards.zip", "safety-1.0.0-flashcards12.zip",
                        "safety-1.0.0-moodle.xml", "safety-1.0.0-qti21.zip", "safety-1.0.0-quizlet.txt",
                        "safety-1.0.0-scorm12.zip", "safety-1.0.0-scorm2004.zip"]

    # The schemas the wheel carries judge the LMS packages (the card decks are no LMS package).
    lms_packages = [name for name in packages[2:] if name.endswith((".zip", ".xml"))]
    checked = _run([str(lmspack), "check", *(str(quiz / "dist" / name) for name in lms_packages)], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
