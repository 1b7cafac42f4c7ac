"""Shared fixtures: the project root, the bundled quiz, golden files and the independent checks
from ../shared (official schemas and validate_package.py), skipped with a reason when absent."""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from lxml import etree

from builder.loading import load_quizzes
from builder.model import Quiz

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
VALIDATOR = SHARED / "tools" / "validate_package.py"
OFFICIAL_SCHEMAS = SHARED / "schemas"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_GOLDEN = os.environ.get("LMSPACK_UPDATE_GOLDEN") == "1"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def warm_handoff() -> Quiz:
    (quiz,) = load_quizzes([ROOT / "items" / "warm-handoff"], ROOT)
    return quiz


@pytest.fixture(scope="session")
def kitchen_safety() -> Quiz:
    """A test quiz (not user content) with an item of every type."""
    (quiz,) = load_quizzes([ROOT / "tests" / "quizzes" / "kitchen-safety"], ROOT)
    return quiz


@pytest.fixture(scope="session")
def kitchen_tasks() -> Quiz:
    """A test quiz (not user content) with matching, ordering and fill-in-the-blanks items."""
    (quiz,) = load_quizzes([ROOT / "tests" / "quizzes" / "kitchen-tasks"], ROOT)
    return quiz


@pytest.fixture(scope="session")
def kitchen_media() -> Quiz:
    """A test quiz (not user content) with images of every type, audio, video, formulas and tables."""
    (quiz,) = load_quizzes([ROOT / "tests" / "quizzes" / "kitchen-media"], ROOT)
    return quiz


@pytest.fixture(scope="session")
def warm_handoff_es() -> Quiz:
    """The Spanish edition of the bundled quiz (items/warm-handoff-es/)."""
    (quiz,) = load_quizzes([ROOT / "items" / "warm-handoff-es"], ROOT)
    return quiz


@pytest.fixture(scope="session")
def hand_washing_ar() -> Quiz:
    """A small test quiz in Arabic (not user content), for the player right to left."""
    (quiz,) = load_quizzes([ROOT / "tests" / "quizzes" / "hand-washing-ar"], ROOT)
    return quiz


@pytest.fixture(scope="session")
def kitchen_brand() -> Quiz:
    """A test quiz (not user content) with a theme, free navigation, hidden answers, kept and
    fixed choice orders and a cohort with a title of its own."""
    (quiz,) = load_quizzes([ROOT / "tests" / "quizzes" / "kitchen-brand"], ROOT)
    return quiz


@pytest.fixture(scope="session")
def kitchen_brand_evening(kitchen_brand: Quiz) -> Quiz:
    """kitchen_brand's cohort 'evening', with its own title, navigation, shown answers and accent."""
    return kitchen_brand.for_cohort("evening")


@functools.cache
def _validator_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("validate_package", VALIDATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["validate_package"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def package_validator() -> ModuleType:
    """../shared/tools/validate_package.py, loaded once so its schemas compile once."""
    if not VALIDATOR.is_file():
        pytest.skip(f"independent validator not found at {VALIDATOR} (../shared is not beside the checkout)")
    return _validator_module()


def assert_valid_package(validator: ModuleType, path: Path, kind: str = "auto") -> None:
    report = validator.validate_path(path, kind=kind)
    problems = "\n".join(p.format() for p in report.sorted_problems())
    assert report.ok, problems
    assert report.warnings == 0, problems


@functools.cache
def _official_schema(relative: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(OFFICIAL_SCHEMAS / relative), parser))


@pytest.fixture(scope="session")
def official_schema():
    """official_schema('qti21/qti21_umbrella.xsd') -> compiled official schema, or skip."""
    if not OFFICIAL_SCHEMAS.is_dir():
        pytest.skip(f"official schemas not found at {OFFICIAL_SCHEMAS} (../shared is not beside the checkout)")
    return _official_schema


def assert_golden(relative: str, data: bytes) -> None:
    """Compare with tests/golden/RELATIVE. Refresh with: LMSPACK_UPDATE_GOLDEN=1 pytest (then review the diff)."""
    path = GOLDEN / relative
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.is_file(), f"no golden file {path}; create it with LMSPACK_UPDATE_GOLDEN=1 and review it"
    expected = path.read_bytes()
    assert data.decode("utf-8") == expected.decode("utf-8"), f"output differs from golden file {relative}"


def require_tool(condition: bool, reason: str) -> None:
    """Skip on a developer machine without the tool; fail in CI, where .ci/run installs it."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium through Playwright, for the tests of pages (the player, the preview)."""
    require_tool(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_tool(False, "the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
