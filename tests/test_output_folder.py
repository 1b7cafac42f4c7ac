"""dist/ stays consistent (issue 20): after any build into a folder, SHA256SUMS and
build-manifest.json list every package of lmspack's in it, whichever formats were built this time,
each with the SHA-256 of its bytes as they are (``sha256sum -c`` passes), in file name order; other
files are not listed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from builder import build as building
from builder import writing
from builder.cli import main
from builder.formats import FORMATS
from builder.model import FORMAT_NAMES

from projects import FORMAT_MODULES, SINGLE, make_project


@pytest.fixture
def project(tmp_path, monkeypatch):
    for module in FORMAT_MODULES.values():
        pytest.importorskip(module)
    make_project(tmp_path, {"q1.yaml": SINGLE.format(id="q1"), "q2.yaml": SINGLE.format(id="q2")})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    return tmp_path


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def sums(dist) -> list[tuple[str, str]]:
    """SHA256SUMS as (file, sha256) pairs, in its order."""
    return [(name, digest) for digest, name in
            (line.split("  ", 1) for line in (dist / "SHA256SUMS").read_text().splitlines())]


def listed(dist) -> dict[str, dict[str, object]]:
    """build-manifest.json's package entries by file name (checking they are in file name order)."""
    entries = json.loads((dist / "build-manifest.json").read_text())["packages"]
    assert [e["file"] for e in entries] == sorted(e["file"] for e in entries)
    return {e["file"]: e for e in entries}


def assert_checksums_hold(dist) -> None:
    """``sha256sum -c SHA256SUMS`` passes in the folder, and the manifest agrees with SHA256SUMS."""
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=dist,
                               capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stdout + check.stderr
    pairs = sums(dist)
    assert [name for name, _ in pairs] == sorted(name for name, _ in pairs)
    for name, digest in pairs:
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest
    assert {name: (e["sha256"], e["size"]) for name, e in listed(dist).items()} == \
        {name: (digest, (dist / name).stat().st_size) for name, digest in pairs}


ALL_FILES = sorted(f"demo-1.0.0-{fmt}{FORMATS[fmt].ending}" for fmt in FORMAT_NAMES)


def test_a_first_build_lists_what_it_built(project):
    run("build", "-f", "qti21", "-q")
    dist = project / "dist"
    assert_checksums_hold(dist)
    assert [name for name, _ in sums(dist)] == ["demo-1.0.0-qti21.zip"]
    assert listed(dist)["demo-1.0.0-qti21.zip"] == {
        "file": "demo-1.0.0-qti21.zip", "quiz": "demo", "cohort": None, "format": "qti21", "version": "1.0.0",
        "sha256": sums(dist)[0][1], "size": (dist / "demo-1.0.0-qti21.zip").stat().st_size, "built": "now"}


def test_one_format_built_after_all_lists_every_package_in_the_folder(project):
    run("build", "-f", "all", "-q")
    dist = project / "dist"
    assert [name for name, _ in sums(dist)] == ALL_FILES
    assert all(building.PACKAGE_FILE.fullmatch(name) for name in ALL_FILES)  # each format's name is ours
    full_sums, full = (dist / "SHA256SUMS").read_bytes(), listed(dist)
    run("build", "-f", "scorm2004", "-q")
    assert_checksums_hold(dist)
    assert (dist / "SHA256SUMS").read_bytes() == full_sums  # the same folder, the same list
    now = listed(dist)
    assert {name: entry.pop("built") for name, entry in now.items()} == {
        name: "now" if name.endswith("-scorm2004.zip") else "earlier" for name in ALL_FILES}
    assert now == {name: {k: v for k, v in entry.items() if k != "built"} for name, entry in full.items()}
    run("build", "-f", "all", "-q")  # and a full build again writes what the first one did
    assert listed(dist) == full


def test_a_package_deleted_by_hand_is_no_longer_listed(project):
    run("build", "-f", "all", "-q")
    dist = project / "dist"
    (dist / "demo-1.0.0-qti21.zip").unlink()
    run("build", "-f", "moodle", "-q")
    assert_checksums_hold(dist)
    assert [name for name, _ in sums(dist)] == [n for n in ALL_FILES if not n.endswith("-qti21.zip")]


def test_a_package_changed_by_hand_is_listed_as_it_is_and_no_longer_as_the_quizs(project):
    run("build", "-f", "qti21", "-f", "canvas", "-q")
    dist = project / "dist"
    with (dist / "demo-1.0.0-canvas.zip").open("ab") as package:
        package.write(b"edited")
    result = run("build", "-f", "qti21")
    assert_checksums_hold(dist)
    assert [line for line in result.stderr.splitlines() if "changed since" in line] == [
        "warning: output: demo-1.0.0-canvas.zip in dist changed since lmspack built it: SHA256SUMS lists it as it now "
        "is, and build-manifest.json no longer says which quiz and version it is (build it again, or delete it) "
        "[package-changed-by-hand]"]
    changed = {"quiz": None, "cohort": None, "format": "canvas", "version": None, "built": "unknown"}
    assert {k: listed(dist)["demo-1.0.0-canvas.zip"][k] for k in changed} == changed
    again = run("build", "-f", "qti21")  # said once; it stays listed as it is
    assert "changed since" not in again.stderr
    assert_checksums_hold(dist)
    assert listed(dist)["demo-1.0.0-canvas.zip"]["built"] == "unknown"
    run("build", "-f", "canvas", "-q")  # built again: the quiz's once more
    assert listed(dist)["demo-1.0.0-canvas.zip"]["built"] == "now"
    assert_checksums_hold(dist)


def test_an_older_version_in_the_folder_stays_listed(project):
    run("build", "-f", "qti21", "-q")
    run("build", "-f", "qti21", "--package-version", "1.1.0", "-q")
    dist = project / "dist"
    assert_checksums_hold(dist)
    entries = listed(dist)
    assert [(e["file"], e["version"], e["built"]) for e in entries.values()] == [
        ("demo-1.0.0-qti21.zip", "1.0.0", "earlier"), ("demo-1.1.0-qti21.zip", "1.1.0", "now")]


def test_only_lmspacks_packages_are_listed(project):
    dist = project / "dist"
    dist.mkdir()
    (dist / "notes.txt").write_text("mine")
    (dist / "course-export.zip").write_bytes(b"not ours")
    (dist / "other-1.0.0-qti21.zip").mkdir()  # a folder named like a package
    (dist / "old-2.0-scorm12.zip").write_bytes(b"from an lmspack before these lists")
    os.symlink(dist / "notes.txt", dist / "link-1.0.0-moodle.xml")  # the build never writes links
    run("build", "-f", "qti21", "-q")
    assert_checksums_hold(dist)
    assert [name for name, _ in sums(dist)] == ["demo-1.0.0-qti21.zip", "old-2.0-scorm12.zip"]
    assert listed(dist)["old-2.0-scorm12.zip"] == {
        "file": "old-2.0-scorm12.zip", "quiz": None, "cohort": None, "format": "scorm12", "version": None,
        "sha256": hashlib.sha256(b"from an lmspack before these lists").hexdigest(), "size": 34, "built": "unknown"}


def test_a_previous_manifest_is_trusted_only_for_plain_names_and_unchanged_bytes(project):
    run("build", "-f", "qti21", "-q")
    dist = project / "dist"
    manifest = json.loads((dist / "build-manifest.json").read_text())
    (project / "outside.zip").write_bytes(b"x")
    (dist / "mine.zip").write_bytes(b"not named as a package")
    (dist / "other-1.0.0-canvas.zip").write_bytes(b"named as one")
    entry = manifest["packages"][0]
    manifest["packages"] += [
        {**entry, "file": "../outside.zip"}, {**entry, "file": "SHA256SUMS"}, {**entry, "file": "mine.zip"},
        {**entry, "file": "gone-1.0.0-qti21.zip"}, "not an entry",
        {**entry, "file": "other-1.0.0-canvas.zip", "sha256": hashlib.sha256(b"named as one").hexdigest()}]
    (dist / "build-manifest.json").write_text(json.dumps(manifest))
    run("build", "-f", "moodle", "-q")
    assert_checksums_hold(dist)
    assert [name for name, _ in sums(dist)] == ["demo-1.0.0-moodle.xml", "demo-1.0.0-qti21.zip",
                                                "other-1.0.0-canvas.zip"]
    # Recorded as qti21, which that name is not: not what the manifest recorded of this file.
    assert listed(dist)["other-1.0.0-canvas.zip"]["built"] == "unknown"
    assert listed(dist)["demo-1.0.0-qti21.zip"]["built"] == "earlier"


@pytest.mark.parametrize(("name", "fmt"), [
    ("warm-handoff-1.0.0-qti21.zip", "qti21"), ("warm-handoff-spring-2027-2.0.0-rc1+b.7-scorm12.zip", "scorm12"),
    ("a-1-scorm2004.zip", "scorm2004"), ("_x.y-1_0-moodle.xml", "moodle"), ("q-1-canvas.zip", "canvas")])
def test_package_file_names(name, fmt):
    assert building.format_named(name) == fmt


@pytest.mark.parametrize("name", ["notes.zip", "qti21.zip", "-1.0-qti21.zip", "x-1.0-qti21.xml",
                                  "x-1.0-moodle.zip", "x-1.0-scorm.zip", "x-.1-canvas.zip", "x y-1-canvas.zip",
                                  ".x-1-canvas.zip", "x-1-canvas.zip.part", "x-1-canvas.ZIP"])
def test_other_file_names(name):
    assert building.PACKAGE_FILE.fullmatch(name) is None


@pytest.mark.parametrize("text", ["", "{", "[]", '{"packages": 3}', '{"packages": [null]}'])
def test_a_previous_manifest_lmspack_did_not_write_is_passed_over(tmp_path, text):
    (tmp_path / "build-manifest.json").write_text(text)
    assert building.recorded_packages(tmp_path / "build-manifest.json") == {}


def test_earlier_packages_are_hashed_from_their_bytes_now(tmp_path):
    package = tmp_path / "quiz-1.0.0-qti21.zip"
    package.write_bytes(b"first")
    recorded = {"file": package.name, "quiz": "quiz", "cohort": None, "format": "qti21", "version": "1.0.0",
                "sha256": hashlib.sha256(b"first").hexdigest(), "size": 5, "built": "now"}
    (tmp_path / "build-manifest.json").write_text(json.dumps({"packages": [recorded]}))
    earlier, changed = building.earlier_packages(tmp_path, [])
    assert (earlier, changed) == ([building.ListedPackage(package.name, "qti21", recorded["sha256"], 5, "earlier",
                                                          "quiz", None, "1.0.0")], [])
    assert building.earlier_packages(tmp_path, [package.name]) == ([], [])  # built again now: not earlier
    (tmp_path / "build-manifest.json").write_text(json.dumps({"packages": [{**recorded, "format": "canvas"}]}))
    assert building.earlier_packages(tmp_path, [])[0][0].built == "unknown"  # a record that does not fit
    (tmp_path / "build-manifest.json").write_text(json.dumps({"packages": [recorded]}))
    package.write_bytes(b"second")
    earlier, changed = building.earlier_packages(tmp_path, [])
    assert changed == [package.name]
    assert earlier == [building.ListedPackage(package.name, "qti21", hashlib.sha256(b"second").hexdigest(), 6,
                                              "unknown")]
    package.unlink()
    assert building.earlier_packages(tmp_path, []) == ([], [])
    assert building.earlier_packages(tmp_path / "none", []) == ([], [])


def test_file_sha256_reads_regular_files_only(tmp_path):
    data = os.urandom(3 << 20)  # more than one chunk
    (tmp_path / "package.zip").write_bytes(data)
    assert writing.file_sha256(tmp_path / "package.zip") == (hashlib.sha256(data).hexdigest(), len(data))
    (tmp_path / "empty.zip").write_bytes(b"")
    assert writing.file_sha256(tmp_path / "empty.zip") == (hashlib.sha256(b"").hexdigest(), 0)
    os.symlink(tmp_path / "package.zip", tmp_path / "link.zip")
    (tmp_path / "folder.zip").mkdir()
    os.mkfifo(tmp_path / "pipe.zip")  # opened without blocking, and passed over
    for name in ("link.zip", "folder.zip", "pipe.zip", "missing.zip"):
        assert writing.file_sha256(tmp_path / name) is None, name


def test_quizzes_and_cohorts_built_one_by_one_are_all_listed(project):
    (project / "lmspack.yaml").write_text("# the project folder: its quizzes' packages go to its dist/\n")
    make_project(project, {"q1.yaml": SINGLE.format(id="o1")},
                 quiz="identifier: other\ntitle: Other\nversion: 2.0\npass_mark: 50\n"
                      "cohorts:\n  spring: {attempts: 2}\n",
                 folder="items/other")
    run("build", "items/demo", "-f", "qti21", "-q")
    run("build", "items/other", "-f", "qti21", "--cohort", "spring", "-q")
    run("build", "items/other", "-f", "moodle", "-q")
    dist = project / "dist"
    assert_checksums_hold(dist)
    assert [(e["file"], e["quiz"], e["cohort"], e["built"]) for e in listed(dist).values()] == [
        ("demo-1.0.0-qti21.zip", "demo", None, "earlier"),
        ("other-2.0-moodle.xml", "other", None, "now"),
        ("other-spring-2.0-qti21.zip", "other", "spring", "earlier")]
