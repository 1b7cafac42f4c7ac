"""The content-hash cache: a rebuild redoes only what changed, and never serves stale bytes.

Every test compares a cached rebuild with a fresh build of the same files (no cache): they must be
identical, whatever changed. Then it checks that exactly the packages that should change did."""

from __future__ import annotations

import dataclasses
import gc
import io
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from markupsafe import Markup

from builder import build as building
from builder import cache, loading, packaging, rendering
from builder.build import build
from builder.errors import InputError
from builder.model import FORMAT_NAMES, QUIZ_FORMATS

from projects import QUIZ_YAML, SINGLE, make_project

QUIZ = QUIZ_YAML + "shuffle_choices: false\n"
ITEMS = {f"q{n}.yaml": SINGLE.format(id=f"q{n}") for n in (1, 2, 3)}
ALL = set(FORMAT_NAMES)
QUESTIONS = set(QUIZ_FORMATS)
"""The formats a choice's feedback or the quiz's settings reach: not the cards (builder.cards)."""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    make_project(tmp_path, ITEMS, QUIZ)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """The per-item parts rendered (not taken from the cache) during a test."""
    calls: list[str] = []
    real = rendering.render_part

    def counting(template: str, *args: object, **kwargs: object):
        calls.append(template)
        return real(template, *args, **kwargs)

    monkeypatch.setattr(rendering, "render_part", counting)
    for module in ("moodle", "canvas", "qti21"):
        monkeypatch.setattr(f"builder.formats.{module}.render_part", counting)
    return calls


def packages(project: Path, use_cache: bool) -> dict[str, bytes]:
    out = project / ("cached" if use_cache else "fresh")
    shutil.rmtree(out, ignore_errors=True)
    result = build([project / "items"], project, out, ["all"], use_cache=use_cache)
    return {p.format: p.output.data for p in result.packages}


def rebuild_and_compare(project: Path) -> dict[str, bytes]:
    cached = packages(project, use_cache=True)
    assert cached == packages(project, use_cache=False), "the cache served bytes a fresh build does not make"
    return cached


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {fmt for fmt in before if before[fmt] != after[fmt]}


def test_unchanged_rebuild_renders_nothing_again(project, renders):
    first = packages(project, use_cache=True)
    assert (project / cache.CACHE_DIR / "entries.sqlite").is_file()
    rendered_first = len(renders)
    # Three Moodle questions, three Canvas items, three QTI manifest resources, and the first of each
    # once more, to check the document's frame around it.
    assert rendered_first == 12
    assert rebuild_and_compare(project) == first
    assert len(renders) == rendered_first + 12  # only the fresh build rendered them again


def test_changing_an_item_rerenders_that_item_and_its_segment_only(project, renders, monkeypatch):
    """The Moodle file, the Canvas assessment and the QTI manifest are remembered in segments of
    items (SEGMENT, here 2); a rebuild renders again the items of the changed item's segment only."""
    monkeypatch.setattr(packaging, "SEGMENT", 2)
    before = packages(project, use_cache=True)
    item = project / "items/demo/q3.yaml"
    item.write_text(item.read_text().replace("feedback: No.", "feedback: Not this one."))
    renders.clear()
    after = packages(project, use_cache=True)
    # q3 alone in its segment; q2 once more where segments are compressed (Canvas, the QTI
    # manifest): the segment's dictionary is the piece before it.
    assert sorted(renders) == ["canvas/choice.xml", "canvas/choice.xml", "moodle/question.xml",
                               "qti21/resource.xml", "qti21/resource.xml"]
    assert after == packages(project, use_cache=False)
    assert changed(before, after) == QUESTIONS  # a choice's feedback is on no card
    # A new prompt is a new title in the QTI manifest, as a fresh build writes it.
    item.write_text(item.read_text().replace("Pick the right one.", "Pick the best one."))
    retitled = rebuild_and_compare(project)
    with zipfile.ZipFile(io.BytesIO(retitled["qti21"])) as archive:
        assert b"Pick the best one." in archive.read("imsmanifest.xml")


def test_adding_an_item(project):
    before = packages(project, use_cache=True)
    (project / "items/demo/q4.yaml").write_text(SINGLE.format(id="q4"))
    assert changed(before, rebuild_and_compare(project)) == ALL


def test_deleting_an_item(project):
    before = packages(project, use_cache=True)
    (project / "items/demo/q3.yaml").unlink()
    assert changed(before, rebuild_and_compare(project)) == ALL


def test_renaming_an_item_file_keeps_the_packages(project):
    before = packages(project, use_cache=True)
    (project / "items/demo/q1.yaml").rename(project / "items/demo/q0.yaml")
    after = rebuild_and_compare(project)
    assert changed(before, after) == set()  # same items in the same order: the file name is not in any package


def test_renaming_changes_order_when_order_comes_from_file_names(project):
    before = packages(project, use_cache=True)
    (project / "items/demo/q1.yaml").rename(project / "items/demo/q9.yaml")
    # The three cards are alike but for the item ids, which neither the CSV nor Quizlet's text holds:
    # the same files.
    assert changed(before, rebuild_and_compare(project)) == ALL - {"cards-csv", "quizlet"}


def test_a_setting_changes_exactly_the_formats_that_carry_it(project):
    before = packages(project, use_cache=True)
    quiz = project / "items/demo/quiz.yaml"
    quiz.write_text(quiz.read_text().replace("pass_mark: 50", "pass_mark: 75"))
    # Moodle XML is a question bank and Canvas has no pass mark: both only warn.
    assert changed(before, rebuild_and_compare(project)) == {"qti21", "scorm12", "scorm2004"}
    quiz.write_text(quiz.read_text().replace("shuffle_choices: false", "shuffle_choices: true"))
    assert changed(before, rebuild_and_compare(project)) == QUESTIONS


def test_a_code_or_template_change_renders_everything_again(project, renders, monkeypatch):
    packages(project, use_cache=True)
    monkeypatch.setattr(cache, "fingerprint", lambda: "another version of lmspack")
    renders.clear()
    rebuild_and_compare(project)
    assert len(renders) == 24  # 12 for the cached build, whose keys all changed, and 12 fresh


def test_the_fingerprint_covers_template_bytes(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(rendering.TEMPLATE_DIRS[-1], templates)
    monkeypatch.setattr(cache, "TEMPLATE_DIRS", [templates])
    cache.fingerprint.cache_clear()
    try:
        first = cache.fingerprint()
        question = templates / "moodle" / "question.xml"
        question.write_text(question.read_text() + "\n")
        cache.fingerprint.cache_clear()
        assert cache.fingerprint() != first
    finally:
        cache.fingerprint.cache_clear()


def test_the_fingerprint_covers_the_libraries_versions(monkeypatch):
    cache.fingerprint.cache_clear()
    try:
        first = cache.fingerprint()
        real = cache.installed_version
        monkeypatch.setattr(cache, "installed_version",
                            lambda name: "9.9" if name == "nh3" else real(name))
        cache.fingerprint.cache_clear()
        assert cache.fingerprint() != first
    finally:
        cache.fingerprint.cache_clear()
    assert cache.installed_version("no-such-library") == "?"


def test_a_failed_build_writes_no_cache(project):
    (project / "items/demo/q1.yaml").write_text("id: q1\n")
    with pytest.raises(InputError):
        packages(project, use_cache=True)
    assert not (project / cache.CACHE_DIR).exists()


def test_entries_are_read_back_as_given_compressed_here_or_kept_as_they_are(tmp_path):
    with cache.session(tmp_path) as active:
        active.put("plain", b"<item/>" * 100)
        active.put("deflated", b"\x78\x9c already compressed", "as is")
    with cache.session(tmp_path) as active:
        assert active.get("plain") == b"<item/>" * 100
        assert active.get("deflated") == b"\x78\x9c already compressed"
        assert active.get("missing") is None


def test_prefetched_entries_are_read_in_one_go(tmp_path):
    with cache.session(tmp_path) as active:
        for n in range(1200):
            active.put(f"entry {n}", f"value {n}".encode())
    with cache.session(tmp_path) as active:
        active.prefetch([f"entry {n}" for n in range(0, 1200, 2)] + ["missing"])
        assert active.get("entry 1000") == b"value 1000"
        assert active.get("entry 1001") == b"value 1001"  # not prefetched: read on its own
        assert active.get("missing") is None
        assert active.get("entry 1000") == b"value 1000"  # asked again


def test_a_cache_of_the_older_layout_is_replaced_not_an_error(tmp_path):
    # An earlier lmspack kept each value with its marker joined to it, in a table named entries.
    stored = cache.make_folder(tmp_path) / "entries.sqlite"
    with sqlite3.connect(stored) as db:
        db.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, code TEXT, value BLOB)")
        db.execute("INSERT INTO entries VALUES ('old', 'code', x'72')")
    with cache.session(tmp_path) as active:
        assert active.get("old") is None
        active.put("new", b"value")
    with cache.session(tmp_path) as active:
        assert active.get("new") == b"value"
    with sqlite3.connect(stored) as db:
        assert [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["parts"]


def test_workers_read_the_parents_entries_and_hand_theirs_back_to_be_saved(tmp_path):
    from builder import parallel

    with cache.session(tmp_path) as active:
        def work(n: int) -> int:
            assert active.get("parent") == b"stored"
            active.put(f"worker {n}", b"new")
            return n

        active.put("parent", b"stored")
        assert parallel.map_ordered(work, [1, 2, 3, 4], parallel=True, cache=active) == [1, 2, 3, 4]
        assert set(active.pending) == {"parent", "worker 1", "worker 2", "worker 3", "worker 4"}
    with cache.session(tmp_path) as active:
        assert active.get("worker 4") == b"new"


@pytest.mark.parametrize("edition_name", ["scorm12", "scorm2004"])
def test_scorm_player_json_is_tojson_of_the_player_data(warm_handoff, edition_name):
    from builder.formats import scorm

    edition = {"scorm12": scorm.SCORM12, "scorm2004": scorm.SCORM2004}[edition_name]
    expected = rendering.environment().from_string("{{ data|tojson }}").render(
        data=scorm.player_data(warm_handoff, edition))
    assert joined(scorm.player_json(warm_handoff, edition)) == expected


def joined(player_json) -> str:
    head, entries, piece, tail = player_json
    return (head + b"".join(piece(index) for index in range(len(entries))) + tail).decode()


@pytest.fixture
def segments(monkeypatch) -> list[int]:
    """Segments of two pieces (so the three-item quiz has two), and the size of each segment
    compressed during a test (not taken from the cache)."""
    monkeypatch.setattr(packaging, "SEGMENT", 2)
    sizes: list[int] = []
    real = packaging._compressed

    def counting(data: bytes, before: bytes, flush: int):
        if before:  # a segment (the last one ends with the tail): not the head, which has no dictionary
            sizes.append(len(data))
        return real(data, before, flush)

    monkeypatch.setattr(packaging, "_compressed", counting)
    return sizes


def test_large_members_compress_again_only_the_segment_that_changed(project, segments):
    before = rebuild_and_compare(project)
    item = project / "items/demo/q1.yaml"
    item.write_text(item.read_text().replace("feedback: No.", "feedback: Not this one."))
    packages(project, use_cache=True)  # after the change: the rebuild compresses what changed
    segments.clear()
    packages(project, use_cache=True)
    assert segments == []  # nothing changed since: every segment remembered
    item.write_text(item.read_text().replace("Not this one.", "Still not this one."))
    after = rebuild_and_compare(project)
    # The first of the two segments (q1, q2) in each of the QTI manifest, the Canvas assessment
    # and the two SCORM launch pages, compressed once by the cached build; the fresh build
    # compresses all eight.
    assert len(segments) == 4 + 8
    assert changed(before, after) == QUESTIONS


@pytest.fixture
def in_workers(monkeypatch) -> None:
    """Make even a three-item quiz take the large-build path: items read and packages made in
    worker processes, in segments of two."""
    monkeypatch.setattr(building, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(loading, "PARALLEL_ITEMS", 1)
    monkeypatch.setattr(packaging, "SEGMENT", 2)


def test_large_build_path_refuses_what_a_format_cannot_carry_at_the_items_place(project, in_workers):
    """An item a format cannot carry is an input problem at its place, not a crash in a worker."""
    many = "".join(f"  - text: Choice {n}\n" for n in range(40))
    (project / "items/demo/q2.yaml").write_text(SINGLE.format(id="q2") + many)
    with pytest.raises(InputError) as raised:
        build([project / "items"], project, project / "dist", ["all"])
    assert [p.format() for p in raised.value.problems] == [
        "items/demo/q2.yaml:1:1: SCORM 1.2 can report at most 36 choices per item (a-z, 0-9) and this item "
        "has 42; build scorm2004 for it, or split it"]
    assert not (project / "dist").exists()


def test_only_a_build_with_much_to_make_forks_workers(project, in_workers, monkeypatch):
    """Put together from remembered segments a package is quick, and a forked worker costs more
    than it saves: a rebuild after one item changed stays in one process; a rebuild after a
    setting that every item's part depends on changed has as much to make as a first build."""
    from builder import parallel

    forked: list[bool] = []

    def recording(function, inputs, parallel, **options):
        if getattr(function, "func", None) is building._compile_job:
            forked.append(parallel)
        return real(function, inputs, parallel, **options)

    real = parallel.map_ordered
    monkeypatch.setattr(building.parallel, "map_ordered", recording)
    # 3 items in 5 formats: 18 items' worth of segments to make at first (6 members), 6 after one
    # item changed (its segment in each), 8 after the choices are shuffled (QTI's items and Moodle's
    # questions, and the SCORM launch pages' last segment, which holds the tail).
    monkeypatch.setattr(building, "PARALLEL_THRESHOLD", 7)
    packages(project, use_cache=True)
    item = project / "items/demo/q3.yaml"
    item.write_text(item.read_text().replace("feedback: No.", "feedback: Not this one."))
    assert packages(project, use_cache=True) == packages(project, use_cache=False)
    quiz = project / "items/demo/quiz.yaml"
    quiz.write_text(quiz.read_text().replace("shuffle_choices: false", "shuffle_choices: true"))
    assert packages(project, use_cache=True) == packages(project, use_cache=False)
    # Cached: the first build, after one item changed, after the reshuffle; the fresh builds (in
    # between) have everything to make.
    assert forked == [True, False, True, True, True]


def test_large_build_path_gives_the_same_bytes_cached_or_not(project, in_workers, monkeypatch):
    """Every phase in workers, with cohorts: a rebuild after each kind of change is identical to a
    fresh build, and to the bytes the small-build path makes in one process."""
    quiz = project / "items/demo/quiz.yaml"
    quiz.write_text(quiz.read_text() + "cohorts:\n  spring:\n    pass_mark: 70\n  autumn:\n    shuffle_choices: true\n")

    def every_cohort(use_cache: bool) -> dict[tuple[str, str | None], bytes]:
        out = project / ("cached" if use_cache else "fresh")
        shutil.rmtree(out, ignore_errors=True)
        result = build([project / "items"], project, out, ["all"], ["all"], use_cache=use_cache)
        return {(p.format, p.quiz.cohort): p.output.data for p in result.packages}

    first = every_cohort(use_cache=True)
    assert len(first) == 2 * len(ALL)
    item = project / "items/demo/q3.yaml"
    item.write_text(item.read_text().replace("feedback: No.", "feedback: Not this one."))
    after_edit = every_cohort(use_cache=True)
    assert after_edit == every_cohort(use_cache=False)
    assert {key for key in first if first[key] != after_edit[key]} == {key for key in first if key[0] in QUESTIONS}
    (project / "items/demo/q4.yaml").write_text(SINGLE.format(id="q4"))
    in_workers_bytes = every_cohort(use_cache=True)
    assert in_workers_bytes == every_cohort(use_cache=False)
    monkeypatch.setattr(building, "PARALLEL_THRESHOLD", 10**9)
    monkeypatch.setattr(loading, "PARALLEL_ITEMS", 10**9)
    assert every_cohort(use_cache=False) == in_workers_bytes


def test_compiled_templates_are_kept_and_never_stale(tmp_path):
    import jinja2

    def rendered(source: str, root) -> str:
        env = jinja2.Environment(loader=jinja2.DictLoader({"t.xml": source}),
                                 bytecode_cache=rendering.CompiledTemplates(root))
        return env.get_template("t.xml").render(x=1)

    assert rendered("a {{ x }}", tmp_path) == "a 1"
    assert list((tmp_path / cache.CACHE_DIR / "templates").iterdir())  # kept for the next process
    assert (tmp_path / cache.CACHE_DIR / ".gitignore").read_text() == "*\n"
    assert rendered("b {{ x }}", tmp_path) == "b 1"  # an edited template is compiled again
    (tmp_path / "a-file").write_text("")
    assert rendered("c {{ x }}", tmp_path / "a-file") == "c 1"  # no usable folder: compiled, not kept


def test_a_build_leaves_the_collector_as_it_found_it(project):
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            packages(project, use_cache=True)
            assert gc.isenabled() == enabled
        finally:
            gc.enable()


def run_cli(*args: str):
    from click.testing import CliRunner

    from builder.cli import main

    return CliRunner().invoke(main, list(args))


def cache_warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning: cache:")]


def test_no_cache_neither_reads_nor_writes_the_cache(project):
    result = run_cli("build", "--format", "all", "--no-cache", "--out", "fresh")
    assert result.exit_code == 0, result.output
    assert not (project / cache.CACHE_DIR).exists()
    assert result.exit_code == 0 and cache_warnings(result.stderr) == []
    fresh = {p.name: p.read_bytes() for p in (project / "fresh").iterdir()}
    assert run_cli("build", "--format", "all", "--out", "cached").exit_code == 0
    assert (project / cache.CACHE_DIR / "entries.sqlite").is_file()
    assert fresh == {p.name: p.read_bytes() for p in (project / "cached").iterdir()}


@pytest.mark.parametrize(("spoil", "reason"), [
    # A file where the folder should be: nothing can be kept.
    (lambda folder: folder.write_text("not a folder"), "cannot write "),
    # A file that is not an SQLite database: nothing can be read (or written).
    (lambda folder: (folder.mkdir(), (folder / "entries.sqlite").write_bytes(b"not a database" * 100)),
     "cannot read "),
])
def test_an_unusable_cache_is_said_once_and_the_build_completes(project, spoil, reason):
    spoil(project / cache.CACHE_DIR)
    result = run_cli("build", "--format", "all", "--out", "cached")
    assert result.exit_code == 0, result.output
    (warning,) = cache_warnings(result.stderr)
    assert warning.startswith(f"warning: cache: {reason}")
    assert warning.endswith("; the packages are complete, but a rebuild will not be faster "
                            "(--no-cache builds without it) [cache-unusable]")
    report = run_cli("build", "--format", "all", "--out", "cached", "--json")
    (reported,) = [w for w in json.loads(report.stdout)["warnings"] if w["format"] == "cache"]
    assert reported == {"code": "cache-unusable", "format": "cache", "quiz": None, "items": [],
                        "message": warning.removeprefix("warning: cache: ").removesuffix(" [cache-unusable]")}
    assert run_cli("build", "--format", "all", "--no-cache", "--out", "fresh").exit_code == 0
    assert {p.name: p.read_bytes() for p in (project / "fresh").iterdir()} \
        == {p.name: p.read_bytes() for p in (project / "cached").iterdir()}


def shown_in_full(value: object) -> bool:
    """Whether ``repr(value)`` shows everything ``value`` holds, so that a cache key made of it
    changes whenever it does: plain values, and frozen containers and records of them."""
    if value is None or type(value) in (str, Markup, int, float, bool, bytes):
        return True
    if type(value) in (tuple, list, frozenset) or (isinstance(value, tuple) and hasattr(value, "_fields")):
        return all(shown_in_full(part) for part in value)  # a named tuple's repr shows every field
    if type(value) is dict:
        return all(shown_in_full(name) and shown_in_full(part) for name, part in value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        params = type(value).__dataclass_params__  # type: ignore[attr-defined]
        return params.frozen and params.repr and all(
            field.repr and shown_in_full(getattr(value, field.name)) for field in dataclasses.fields(value))
    return False


def test_the_completeness_check_refuses_what_a_repr_may_hide():
    @dataclasses.dataclass(frozen=True)
    class Hidden:
        shown: str
        hidden: str = dataclasses.field(default="", repr=False)

    @dataclasses.dataclass
    class Mutable:
        value: str

    assert shown_in_full(("a", 1, Markup("<p/>"), {"k": (None, 2.5)}, packaging.Deflated(b"", 0, 0)))
    for hiding in (Hidden("a"), Mutable("a"), object(), ("a", object()), {"k": Mutable("a")}, {1, 2}):
        assert not shown_in_full(hiding), hiding


def test_every_cache_key_is_made_of_values_that_show_all_they_hold(project, monkeypatch, tmp_path):
    """Keys are the repr of what a value is made from (builder.cache.key): a template context or
    options object whose repr left something out could serve stale bytes. Every key made while
    building the bundled quiz, the tests' quizzes and a quiz with cohorts, in every format, is checked."""
    real = cache.key
    made: list[tuple[object, ...]] = []

    def checked(*parts: object) -> str:
        for part in parts:
            assert shown_in_full(part), f"a cache key is made of a {type(part).__name__}, whose repr may hide a part"
        made.append(parts)
        return real(*parts)

    for module in (cache, rendering, packaging):
        monkeypatch.setattr(module, "key", checked)
    root = Path(__file__).resolve().parents[1]
    for folder in (root / "items", root / "tests" / "hostile" / "sanitised"):
        build([folder], root, tmp_path / folder.name, ["all"], use_cache=False)
    quiz = project / "items/demo/quiz.yaml"
    quiz.write_text(quiz.read_text() + "cohorts:\n  spring:\n    pass_mark: 70\n  autumn:\n    shuffle_choices: true\n")
    build([project / "items"], project, tmp_path / "cohorts", ["all"], ["all"], use_cache=False)
    assert {parts[0] for parts in made} >= {"render_xml", "render_frame", "segment", "zip records"}
