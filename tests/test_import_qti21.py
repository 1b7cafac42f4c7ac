"""lmspack import of QTI 2.1 and of lmspack's SCORM packages (builder/importing/qti21.py, scorm.py),
the driver and the command: build(import(build(quiz))) is build(quiz) byte for byte, on the test
quizzes and on generated ones; another tool's package comes in with what it holds that lmspack
cannot listed at its place; a broken one is refused with every problem at its place, and nothing
is written."""

from __future__ import annotations

import io
import json
import random
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_properties import TEXT, presented_quizzes, write

from builder import markup
from builder.cli import main
from builder.errors import InputError, UsageError
from builder.formats import Output
from builder.importing import READERS, ImportReport, import_sources
from builder.importing.canonical_text import source_text
from builder.loading import load_quizzes
from builder.model import Quiz

from conftest import ROOT, SHARED
from projects import build_format, make_project

SAMPLES = SHARED / "samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"samples not found under {SHARED} "
                                                                 "(../shared is not beside the checkout)")
EDITIONS = ("qti21", "scorm12", "scorm2004")
FAST = settings(max_examples=8, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def built(quiz: Quiz, fmt: str, folder: Path) -> tuple[Output, Path]:
    output = build_format(fmt, quiz)
    path = folder / output.filename
    path.write_bytes(output.data)
    return output, path


def rebuilt(source: Path, out: Path, fmt: str, cohort: str | None = None) -> tuple[Output, ImportReport]:
    """Import ``source`` into ``out``, load what was written as a build would, and build it again."""
    report = import_sources([source], out)
    (quiz,) = load_quizzes([out / quiz.identifier for _, quiz, _ in report.folders()], out)
    return build_format(fmt, quiz.for_cohort(cohort) if cohort else quiz), report


def assert_same_package(first: Output, second: Output) -> None:
    assert second.filename == first.filename
    if second.data != first.data:  # say which member differs before failing
        with zipfile.ZipFile(io.BytesIO(first.data)) as a, zipfile.ZipFile(io.BytesIO(second.data)) as b:
            assert a.namelist() == b.namelist()
            for name in a.namelist():
                assert a.read(name).decode("utf-8", "replace") == b.read(name).decode("utf-8", "replace"), name
    assert second.data == first.data


# --- the round trip ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", EDITIONS)
@pytest.mark.parametrize("name", ["warm_handoff", "kitchen_safety", "kitchen_tasks", "kitchen_media", "warm_handoff_es",
                                  "hand_washing_ar", "kitchen_brand", "kitchen_brand_evening"])
def test_a_package_lmspack_built_is_built_again_byte_for_byte(name, fmt, request, tmp_path):
    quiz = request.getfixturevalue(name)
    first, source = built(quiz, fmt, tmp_path)
    # A cohort's QTI package imports as the quiz with that cohort; its SCORM package as a quiz of its own.
    second, report = rebuilt(source, tmp_path / "imported", fmt, quiz.cohort if fmt == "qti21" else None)
    assert_same_package(first, second)
    assert report.lost == []  # nothing of lmspack's own package is left out


def test_the_imported_bundled_quiz_reads_as_an_author_writes_it(warm_handoff, tmp_path):
    _, source = built(warm_handoff, "qti21", tmp_path)
    import_sources([source], tmp_path / "out")
    folder = tmp_path / "out" / "warm-handoff"
    quiz = yaml.safe_load((folder / "quiz.yaml").read_text(encoding="utf-8"))
    assert quiz["items"] == [item.id for item in warm_handoff.items]
    assert {key: quiz[key] for key in ("identifier", "version", "pass_mark", "shuffle_choices", "language")} == \
        {"identifier": "warm-handoff", "version": "1.0.0", "pass_mark": 80, "shuffle_choices": True,
         "language": "en-US"}
    diagram = yaml.safe_load((folder / "warm-handoff-diagram.yaml").read_text(encoding="utf-8"))
    assert diagram["prompt"].startswith("![Diagram: three boxes side by side")  # Markdown, the file by its path
    assert "](images/warm-handoff-diagram.png)\n\nThe diagram shows" in diagram["prompt"]
    assert (folder / "images" / "warm-handoff-diagram.png").read_bytes() == \
        (ROOT / "items" / "warm-handoff" / "images" / "warm-handoff-diagram.png").read_bytes()
    definition = yaml.safe_load((folder / "warm-handoff-definition.yaml").read_text(encoding="utf-8"))
    assert definition["explanation"].startswith("A warm handoff is a real-time")
    assert "*warm*" in definition["hints"][1]  # emphasis as Markdown


COHORT_QUIZ = """\
identifier: demo
title: Demo quiz
version: 2.1.0
description: Sections, a cohort and every delivery setting.
language: fr
pass_mark: 62.5
attempts: 3
time_limit: 20
shuffle_items: true
shuffle_choices: true
feedback: after_submit
seed: 11
sections:
  - id: first
    title: The first part
    items: [q3, q1]
    select: 1
cohorts:
  spring-2027: {pass_mark: 80, attempts: 1, feedback: never}
"""


@pytest.mark.parametrize("fmt", EDITIONS)
def test_settings_sections_and_a_cohort_come_back(fmt, tmp_path):
    from projects import SINGLE

    make_project(tmp_path, {f"q{n}.yaml": SINGLE.format(id=f"q{n}") for n in (1, 2, 3)}, COHORT_QUIZ)
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    # A QTI package names its cohort in every identifier; a SCORM package is the quiz's but for its
    # identifier and title, so it imports as a quiz of its own (demo-spring-2027).
    named = fmt == "qti21"
    for variant, cohort in ((quiz, None), (quiz.for_cohort("spring-2027"), "spring-2027")):
        first, source = built(variant, fmt, tmp_path)
        second, _ = rebuilt(source, tmp_path / f"imported-{cohort}", fmt, cohort if named else None)
        assert_same_package(first, second)
    folder = "demo" if named else "demo-spring-2027"
    written = yaml.safe_load((tmp_path / "imported-spring-2027" / folder / "quiz.yaml").read_text(encoding="utf-8"))
    assert written.get("cohorts") == ({"spring-2027": {}} if named else None) and written["version"] == "2.1.0"
    assert written["sections"][0] == {"id": "first", "title": "The first part", "items": ["q3", "q1"], "select": 1}


@st.composite
def delivered_quizzes(draw) -> dict[str, dict]:
    """tests/test_properties.py's generated quizzes, with every setting, draws or sections, a cohort
    and an order of their own."""
    files = draw(presented_quizzes())
    quiz = files["quiz.yaml"]
    ids = [document["id"] for name, document in files.items() if name.startswith("item-")]
    for name, values in (("attempts", st.integers(1, 5)), ("time_limit", st.integers(1, 90)),
                         ("shuffle_items", st.booleans()), ("seed", st.integers(0, 99)),
                         ("pass_mark", st.sampled_from([66.5, 33.33, 12.345, 99.99999])),
                         ("description", TEXT)):
        if draw(st.booleans()):
            quiz[name] = draw(values)
    pools = draw(st.sampled_from(["none", "draw", "sections"]))
    if pools == "draw":
        quiz["draw"] = draw(st.integers(1, len(ids)))
    elif pools == "sections":
        chosen = draw(st.permutations(ids))
        cut = draw(st.integers(1, len(ids)))
        quiz["sections"] = [{"id": "part-a", "title": draw(TEXT), "items": chosen[:cut],
                             "select": draw(st.integers(1, cut))}]
    if draw(st.booleans()):
        quiz["cohorts"] = {"spring": {"pass_mark": 50, "attempts": 2, "navigation": "free",
                                      "show_correct_answers": False, "theme": {"accent": "#6b2c7a"}}}
        if draw(st.booleans()):
            quiz["cohorts"]["spring"]["title"] = draw(TEXT)
    quiz["items"] = draw(st.permutations(ids))
    return files


@pytest.mark.parametrize("fmt", EDITIONS)
def test_generated_quizzes_are_built_again_byte_for_byte(fmt):
    @FAST
    @given(delivered_quizzes())
    def check(files):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            write(folder, files)
            (quiz,) = load_quizzes([folder / "items"], folder)
            for variant in (quiz, *(quiz.for_cohort(cohort) for cohort in quiz.cohorts)):
                first, source = built(variant, fmt, folder)
                cohort = variant.cohort if fmt == "qti21" else None  # SCORM: a quiz of its own
                second, _ = rebuilt(source, folder / f"imported-{variant.cohort}", fmt, cohort)
                assert_same_package(first, second)

    check()


# --- texts ---------------------------------------------------------------------------------------

# Text of every kind the loader reads, with what Markdown cannot say: loose text before a block,
# code blocks starting with a blank line, raw tables and lists of paragraphs, a formula before a digit.
MARKUP = st.sampled_from(["\n\n", "\n", "- a\n- b\n", "1. x\n2. y\n", "```\ncode $x$\n```\n", "## Head", "> quote\n",
                          "| a | b |\n|---|---:|\n| 1 | 2 |\n", "<sub>2</sub>", "<span>s</span>", "a\\\nb",
                          "![alt *x*](img.png)", "[l](https://e.org/a_(b))", "$$\\frac{1}{2}$$", "<pre>\n\nx</pre>",
                          "&nbsp;", "\t", "<table><tr><td>x</td></tr></table>", "<br>", "<q>q</q>", "$x$<b></b>5",
                          "\\$", "<dl><dt>a</dt><dd>b</dd></dl>", "<ol><li><p>a</p></li></ol>", "*", "_", "`", "<",
                          "&amp;", "[[b1]]", "  two  spaces  "])
TEXTS = st.lists(st.one_of(TEXT, MARKUP), max_size=6).map("".join)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.booleans())
def test_a_text_is_written_so_that_the_loader_reads_back_the_same_fragment(text, block):
    render = markup.block if block else markup.inline
    fragment, problems = render(text)
    # A formula inside code is where only the author's own odd writing put it (the formula finder
    # and Markdown disagree on what is code): no text written afresh puts it there.
    if any(problem.warning is None for problem in problems) or ("<code>" in fragment and "<math" in fragment):
        return
    written, _ = source_text(str(fragment), block)
    assert render(written)[0] == fragment


@pytest.mark.parametrize(("fragment", "block", "written"), [
    ("<p>A <em>warm</em> handoff, <code>x</code> and <a href=\"https://e.org\">a link</a>.</p>", True,
     "A *warm* handoff, `x` and [a link](https://e.org)."),
    ("<p>One</p>\n<ul>\n<li>two</li>\n<li>three</li>\n</ul>", True, "One\n\n- two\n- three"),
    ("Costs $5 *not* emphasis", False, "Costs \\$5 \\*not\\* emphasis"),
    # Markdown cannot write a table: raw HTML on one line, which Markdown passes on whole.
    ("<table><tbody><tr><td align=\"right\">4 °C</td></tr></tbody></table>", True,
     "<table><tbody><tr><td align=\"right\">4 °C</td></tr></tbody></table>"),
    # Loose text before a block: the loader gathers it into a paragraph with nothing between.
    ("<p>lead</p><ul><li>x</li></ul>", True, "</p>lead<ul><li>x</li></ul>"),
])
def test_a_text_is_markdown_where_markdown_says_it(fragment, block, written):
    render = markup.block if block else markup.inline
    assert source_text(fragment, block)[0] == written
    assert str(render(written)[0]) == fragment


# --- other tools' packages ----------------------------------------------------------------------

QTI = 'xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"'


def item_xml(body: str, declarations: str = "", identifier: str = "other", processing: str = "", tail: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<assessmentItem {QTI} identifier="{identifier}" '
            f'title="Another tool\'s item" adaptive="false" timeDependent="false">\n{declarations}\n<itemBody>\n'
            f"{body}\n</itemBody>\n{processing}\n{tail}\n</assessmentItem>\n")


CHOICE = item_xml(
    declarations="""<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>B</value></correctResponse></responseDeclaration>""",
    body="""    <div class="grid-row"><p>Which is
      <strong>hot</strong>? <math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mi>x</mi>
      <annotation encoding="LaTeX">x^2</annotation></semantics></math></p>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">
      <prompt>Pick one.</prompt>
      <simpleChoice identifier="A">Ice</simpleChoice>
      <simpleChoice identifier="B">Fire<feedbackInline outcomeIdentifier="FEEDBACK" identifier="B"
        showHide="show">Yes.</feedbackInline></simpleChoice>
    </choiceInteraction></div>""",
    processing='<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>',
    tail="""<modalFeedback outcomeIdentifier="FEEDBACK" identifier="A" showHide="show">No, ice is cold.</modalFeedback>
<modalFeedback outcomeIdentifier="FEEDBACK" identifier="correct" showHide="show">Well done.</modalFeedback>""")
HOTSPOT = item_xml(identifier="spot", body="""    <hotspotInteraction responseIdentifier="R" maxChoices="1">
      <object type="image/png" data="map.png">a map</object>
    </hotspotInteraction>""")


def test_another_tools_item_comes_in_with_what_it_cannot_hold_listed_at_its_place(tmp_path):
    (tmp_path / "choice.xml").write_text(CHOICE, encoding="utf-8")
    report = import_sources([tmp_path / "choice.xml"], tmp_path / "out")
    item = yaml.safe_load((tmp_path / "out" / "choice" / "other.yaml").read_text(encoding="utf-8"))
    assert item["type"] == "single_choice"
    assert item["prompt"] == "Which is **hot**? $x^2$\n\nPick one."  # the layout div gone, TeX from its annotation
    assert item["choices"] == [{"text": "Ice", "feedback": "No, ice is cold."},  # ids A and B: the default
                               {"text": "Fire", "correct": True, "feedback": "Yes."}]
    assert [(lost.place, lost.what) for lost in report.lost] == [
        (f"{tmp_path / 'choice.xml'}:18:1", "feedback 'correct' of item 'other' (shown as its response processing "
                                            "decides; lmspack's items have per-choice, per-answer and general "
                                            "feedback)")]


def test_an_interaction_lmspack_does_not_carry_is_listed_and_an_item_of_none_is_refused(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "a-choice.xml").write_text(CHOICE, encoding="utf-8")
    (folder / "b-hotspot.xml").write_text(HOTSPOT, encoding="utf-8")
    report = import_sources([folder], tmp_path / "out")
    assert [item.identifier for _, quiz, _ in report.folders() for item in quiz.items] == ["other"]
    assert f"{folder / 'b-hotspot.xml'}:5:5" in [lost.place for lost in report.lost]
    with pytest.raises(InputError) as refused:
        import_sources([folder / "b-hotspot.xml"], tmp_path / "out2")
    assert [problem.format() for problem in refused.value.problems] == [
        f"{folder / 'b-hotspot.xml'}:0:0: no item of this source can be carried (each is listed)",
        f"{folder / 'b-hotspot.xml'}:5:5: not carried: a hotspotInteraction (not an interaction lmspack carries): "
        "item 'spot' is not carried"]
    assert not (tmp_path / "out2").exists()


@needs_samples
@pytest.mark.shared
@pytest.mark.parametrize("sample", sorted(p.name for p in [*(SAMPLES / "qti21" / "valid").iterdir(),
                                                            *(SAMPLES / "qti21" / "invalid").iterdir(),
                                                            *(SAMPLES / "broken").glob("qti21_*")])
                         if SAMPLES.is_dir() else [])
def test_every_qti21_sample_is_read_or_refused_at_its_places(sample, tmp_path):
    path = next(p for p in [*(SAMPLES / "qti21" / "valid").iterdir(), *(SAMPLES / "qti21" / "invalid").iterdir(),
                            *(SAMPLES / "broken").glob("qti21_*")] if p.name == sample)
    try:
        report = import_sources([path], tmp_path / "out")
    except UsageError as refused:  # not QTI 2.1 at all: a damaged manifest, QTI 2.2, a zip slip
        assert "is not a source lmspack import reads" in str(refused)
        return
    except InputError as refused:
        assert refused.problems and all(problem.path.startswith(str(path)) for problem in refused.problems)
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
        return
    folders = [folder for _, _, folder in report.folders()]
    assert load_quizzes(folders, tmp_path / "out")  # what was written loads, as the import checked
    assert all(lost.place.startswith(str(path)) for lost in report.lost)


@needs_samples
@pytest.mark.shared
def test_the_samples_come_in_as_they_should(tmp_path):
    folder = SAMPLES / "qti21" / "valid"
    report = import_sources([folder / "tao_package.zip", folder / "ims_interaction_mix_sachsen"], tmp_path)
    tao = yaml.safe_load((tmp_path / "tao_package" / "choice.yaml").read_text(encoding="utf-8"))
    assert tao["prompt"] == ("Look at the text in the picture.\n\n![NEVER LEAVE LUGGAGE UNATTENDED]"
                             "(i146219207248061213/images/sign.png)\n\nWhat does it say?")
    assert (tmp_path / "tao_package" / "i146219207248061213" / "images" / "sign.png").is_file()
    sachsen = yaml.safe_load((tmp_path / "InteractionMixSachsen_1901710679" / "quiz.yaml").read_text("utf-8"))
    assert len(sachsen["items"]) == 11  # of 13: the hotspot and hottext items are listed as not carried
    lost = {lost.place.rsplit("/", 1)[-1]: lost.what for lost in report.lost}
    assert lost["Hotspot_278940407.xml:37:3"].startswith("a hotspotInteraction")
    number = yaml.safe_load((tmp_path / "InteractionMixSachsen_1901710679" / "TextEntrynumeric_770468849.yaml")
                            .read_text(encoding="utf-8"))
    assert number["blanks"] == {"blank1": {"value": 4.136, "tolerance": "5%"}}


@needs_samples
@pytest.mark.shared
def test_a_broken_sample_is_refused_at_its_place(tmp_path):
    broken = SAMPLES / "broken" / "qti21_item_not_wellformed.zip"
    result = CliRunner().invoke(main, ["import", str(broken), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{broken}!/i146219207248061213/qti.xml:37:14: not well-formed XML: Opening and ending tag mismatch: "
        "itemBody line 14 and itembody, line 37, column 14",
        "1 problem found; nothing was written"]
    assert not (tmp_path / "out").exists()


# --- what the readers refuse ------------------------------------------------------------------


def zip_of(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_package_that_escapes_or_declares_entities_is_refused_and_nothing_is_written(warm_handoff, tmp_path):
    output, _ = built(warm_handoff, "qti21", tmp_path)
    with zipfile.ZipFile(io.BytesIO(output.data)) as archive:
        members: dict[str, bytes | str] = {name: archive.read(name) for name in archive.namelist()}
    escaping = zip_of(tmp_path / "escaping.zip", members | {"../outside.txt": "x"})
    entity = members["items/warm-handoff-steps.xml"].replace(  # type: ignore[union-attr]
        b"?>", b'?>\n<!DOCTYPE assessmentItem [<!ENTITY e "expanded">]>', 1)
    entities = zip_of(tmp_path / "entities.zip", members | {"items/warm-handoff-steps.xml": entity})
    with pytest.raises(InputError) as refused:
        import_sources([escaping, entities], tmp_path / "out")
    assert [problem.format() for problem in refused.value.problems] == [
        f"{entities}!/items/warm-handoff-steps.xml:1:1: its DOCTYPE declares entities, which lmspack import never "
        "expands; remove them (write the text they stand for)",
        f"{escaping}:0:0: zip entry '../outside.txt' contains '..'; it was not used"]
    assert not (tmp_path / "out").exists()


def test_a_file_outside_the_package_is_not_read(tmp_path):
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\nsecret")
    folder = tmp_path / "package"
    folder.mkdir()
    (folder / "item.xml").write_text(item_xml(
        declarations=CHOICE.split("<itemBody>")[0].split("timeDependent=\"false\">")[1],
        body='<p><img src="../secret.png" alt="a secret"/></p>' + CHOICE.split("</p>", 1)[1].split("</div>")[0]),
        encoding="utf-8")
    report = import_sources([folder / "item.xml"], tmp_path / "out")
    assert any(lost.what == "file '../secret.png', which the package does not hold" for lost in report.lost)
    assert not list((tmp_path / "out").rglob("*.png"))


def damaged(members: dict[str, bytes], seed: int) -> dict[str, bytes]:
    """``members`` with one XML or HTML member damaged: elements removed or moved, attributes and
    texts set to odd values, or bytes overwritten."""
    rng = random.Random(seed)
    name = rng.choice(sorted(member for member in members if member.endswith((".xml", ".html"))))
    data = members[name]
    if name.endswith(".xml") and rng.random() < 0.8:
        tree = etree.fromstring(data)
        elements = list(tree.iter())
        for _ in range(rng.randint(1, 4)):
            element = rng.choice(elements)
            parent = element.getparent()
            odd = rng.choice(["", "x", "-1", "1e400", "NaN", "multiple", "true", "R1 L1", "../x.png", "section"])
            operation = rng.randrange(4)
            if operation == 0 and parent is not None:
                parent.remove(element)
            elif operation == 1 and element.attrib:
                element.set(rng.choice(sorted(element.attrib)), odd)
            elif operation == 2:
                element.text = odd
            elif parent is not None and element not in elements[0].iterancestors():
                other = rng.choice(elements)
                if other is not element and element not in other.iterancestors():
                    other.append(element)
        data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    else:
        position = rng.randrange(len(data))
        data = data[:position] + bytes([rng.randrange(256)]) * 3 + data[position + 3:]
    return members | {name: data}


@pytest.mark.parametrize("fmt", EDITIONS)
def test_a_damaged_package_is_imported_or_refused_never_a_traceback(kitchen_safety, fmt):
    with zipfile.ZipFile(io.BytesIO(build_format(fmt, kitchen_safety).data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}

    @settings(max_examples=25, deadline=None, derandomize=True)
    @given(st.integers(0, 2**32))
    def check(seed):
        with tempfile.TemporaryDirectory() as tmp:
            source = zip_of(Path(tmp) / f"kitchen-safety-1.0.0-{fmt}.zip", dict(damaged(members, seed)))
            try:
                import_sources([source], Path(tmp) / "out")
            except UsageError as refused:  # a manifest damaged so that it is no package lmspack reads
                assert "is not a source lmspack import reads" in str(refused)
            except InputError as refused:
                assert all(problem.path.startswith(str(source)) or problem.path.startswith(tmp)
                           for problem in refused.problems)

    check()


# --- the command ----------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, ["import", *args])


def test_the_command_writes_the_folders_and_never_replaces_a_file_without_force(warm_handoff, tmp_path):
    _, source = built(warm_handoff, "qti21", tmp_path)
    out = tmp_path / "quizzes"
    result = run(str(source), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out / 'warm-handoff'} (8 items, 1 media file)\n" and result.stderr == ""
    edited = out / "warm-handoff" / "quiz.yaml"
    edited.write_text("# mine\n", encoding="utf-8")
    refused = run(str(source), "--out", str(out))
    assert refused.exit_code == 2
    assert "these files exist already; lmspack import never replaces a file unless given --force" in refused.stderr
    assert edited.read_text(encoding="utf-8") == "# mine\n"
    forced = run(str(source), "--out", str(out), "--force")
    assert forced.exit_code == 0 and edited.read_text(encoding="utf-8").startswith("# Imported by lmspack import")


def test_json_and_the_lines_of_what_was_not_carried(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "a-choice.xml").write_text(CHOICE, encoding="utf-8")
    (folder / "b-hotspot.xml").write_text(HOTSPOT, encoding="utf-8")
    result = run(str(folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert result.stdout == f"wrote {tmp_path / 'out' / 'bank'} (1 item)\n"
    assert result.stderr.splitlines() == [
        f"{folder / 'a-choice.xml'}:18:1: not carried: feedback 'correct' of item 'other' (shown as its response "
        "processing decides; lmspack's items have per-choice, per-answer and general feedback)",
        f"{folder / 'b-hotspot.xml'}:5:5: not carried: a hotspotInteraction (not an interaction lmspack carries): item "
        "'spot' is not carried"]
    as_json = run(str(folder), "--out", str(tmp_path / "json"), "--json")
    assert as_json.exit_code == 0 and as_json.stderr == ""
    report = json.loads(as_json.stdout)
    assert report["ok"] is True and report["written"] == [str(tmp_path / "json" / "bank" / name)
                                                           for name in ("quiz.yaml", "other.yaml")]
    (quiz,) = report["quizzes"]
    assert {key: quiz[key] for key in ("source", "reader", "quiz", "items", "media")} == \
        {"source": str(folder), "reader": "qti21", "quiz": "bank", "items": 1, "media": 0}
    assert [entry["place"] for entry in quiz["not_carried"]] == [f"{folder / 'a-choice.xml'}:18:1",
                                                                 f"{folder / 'b-hotspot.xml'}:5:5"]


def test_a_source_no_reader_recognises_is_a_usage_error_naming_what_lmspack_reads(tmp_path):
    (tmp_path / "notes.txt").write_text("not a quiz\n", encoding="utf-8")
    result = run(str(tmp_path / "notes.txt"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'notes.txt'} is not a source lmspack import reads; it "
                                    "reads: QTI 2.1 content packages")
    assert "SCORM 1.2 and SCORM 2004 packages made by lmspack" in result.stderr
    assert run(str(tmp_path / "missing.zip"), "--out", str(tmp_path / "out")).exit_code == 2
    assert not (tmp_path / "out").exists()


def test_problems_of_every_source_are_reported_at_once_and_nothing_is_written(warm_handoff, kitchen_safety, tmp_path):
    output, _ = built(warm_handoff, "qti21", tmp_path)
    with zipfile.ZipFile(io.BytesIO(output.data)) as archive:
        members: dict[str, bytes | str] = {name: archive.read(name) for name in archive.namelist()}
    broken = zip_of(tmp_path / "broken.zip", members | {"items/warm-handoff-steps.xml": "<assessmentItem>\n  <oops>"})
    _, fine = built(kitchen_safety, "qti21", tmp_path)
    damaged = tmp_path / "cut.zip"
    damaged.write_bytes(output.data[: len(output.data) // 2])
    result = run(str(fine), str(broken), str(damaged), "--out", str(tmp_path / "out"), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"] == [
        f"{broken}!/items/warm-handoff-steps.xml:2:9: not well-formed XML: Premature end of data in tag oops line 2, "
        "line 2, column 9",
        f"{damaged}:0:0: not a readable zip archive (cut short or damaged)"]
    assert not (tmp_path / "out").exists()


def test_every_reader_is_a_module_with_the_two_functions():
    import importlib

    for name in READERS:
        module = importlib.import_module(f"builder.importing.{name}")
        assert callable(module.recognises) and callable(module.read)
