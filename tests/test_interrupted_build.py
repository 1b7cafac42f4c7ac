"""Nothing lost (issue 7, point 4): a build that fails or is interrupted while writing leaves each
file in dist/ either as the previous build wrote it or as the new one does, never partial, and
never a temporary file; the build never writes under items/ or templates/."""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

import pytest

from builder import build as building
from builder import writing
from builder.errors import UsageError, WriteError
from builder.rendering import TEMPLATE_DIRS

from projects import SINGLE, make_project

FORMATS = ("qti21", "moodle", "canvas")


@pytest.fixture
def project(tmp_path):
    for module in ("qti21", "moodle", "canvas"):
        pytest.importorskip(f"builder.formats.{module}")
    make_project(tmp_path, {"q1.yaml": SINGLE.format(id="q1"), "q2.yaml": SINGLE.format(id="q2")})
    return tmp_path


def run_build(project: Path) -> dict[str, bytes]:
    out = project / "dist"
    building.build([project / "items"], project, out, formats=FORMATS)
    return snapshot(out)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def change_the_items(project: Path) -> None:
    item = project / "items" / "demo" / "q1.yaml"
    item.write_text(item.read_text().replace("Pick the right one.", "Pick the one that is right."))


def assert_old_or_new(dist: Path, old: dict[str, bytes], new: dict[str, bytes]) -> list[str]:
    """Every file is whole, as before or as after; returns the names that are new."""
    now = snapshot(dist)
    assert sorted(now) == sorted(old), f"unexpected files: {sorted(set(now) ^ set(old))}"
    changed = []
    for name, data in now.items():
        assert data in (old[name], new[name]), f"{name} is neither the previous nor the new file"
        if data != old[name]:
            changed.append(name)
    return changed


def new_build(project: Path, tmp_path_factory) -> dict[str, bytes]:
    """What the changed project builds to, built elsewhere (so dist/ keeps the previous build)."""
    other = tmp_path_factory.mktemp("reference")
    building.build([project / "items"], project, other / "dist", formats=FORMATS)
    return snapshot(other / "dist")


def test_failing_rename_after_some_packages_leaves_old_or_new(project, monkeypatch, tmp_path_factory):
    old = run_build(project)
    change_the_items(project)
    new = new_build(project, tmp_path_factory)
    assert all(old[n] != new[n] for n in old if n.endswith((".zip", ".xml")))
    real_replace, calls = os.replace, []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(writing.os, "replace", failing_replace)
    with pytest.raises(WriteError, match="No space left"):
        building.build([project / "items"], project, project / "dist", formats=FORMATS)
    monkeypatch.undo()
    changed = assert_old_or_new(project / "dist", old, new)
    assert len(changed) == 2  # two packages were replaced before the third rename failed


def test_sigint_mid_write_leaves_the_previous_file(project, monkeypatch, tmp_path_factory):
    old = run_build(project)
    change_the_items(project)
    new = new_build(project, tmp_path_factory)
    real_fdopen, opened = os.fdopen, []

    class HalfWritten:
        """A file that receives half its bytes, then the process gets a real SIGINT."""

        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            os.kill(os.getpid(), signal.SIGINT)  # Python raises KeyboardInterrupt right here
            self.handle.write(data[len(data) // 2:])  # never reached

        def __getattr__(self, name):
            return getattr(self.handle, name)

    def fdopen(fd, *args, **kwargs):
        handle = real_fdopen(fd, *args, **kwargs)
        opened.append(handle)
        return HalfWritten(handle) if len(opened) == 2 else handle

    monkeypatch.setattr(writing.os, "fdopen", fdopen)
    with pytest.raises(KeyboardInterrupt):
        building.build([project / "items"], project, project / "dist", formats=FORMATS)
    monkeypatch.undo()
    changed = assert_old_or_new(project / "dist", old, new)
    assert len(changed) == 1  # the first package was written whole; the second kept its old bytes


def test_failure_on_a_first_build_leaves_no_partial_file(project, monkeypatch):
    def failing_replace(source, target):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(writing.os, "replace", failing_replace)
    with pytest.raises(WriteError, match="Input/output error"):
        building.build([project / "items"], project, project / "dist", formats=FORMATS)
    monkeypatch.undo()
    assert snapshot(project / "dist") == {}  # no package, and no temporary file either


def _tree_state(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_build_never_writes_under_items_or_templates(project):
    watched = [project / "items", *TEMPLATE_DIRS]
    before = [_tree_state(folder) for folder in watched]
    run_build(project)
    assert [_tree_state(folder) for folder in watched] == before


@pytest.mark.parametrize("protected", ["items", "items/demo", "templates"])
def test_out_inside_the_sources_is_refused(project, protected):
    (project / protected).mkdir(parents=True, exist_ok=True)
    before = _tree_state(project / protected)
    with pytest.raises(UsageError, match="the build never writes there"):
        building.build([project / "items"], project, project / protected / "dist", formats=FORMATS)
    assert _tree_state(project / protected) == before
