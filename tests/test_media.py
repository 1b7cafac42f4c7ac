"""Images, audio, video, formulas and tables as the loader reads them: found, checked, reported at
their place. How each format carries them is tested with that format."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import markup
from builder.cli import main
from builder.errors import InputError
from builder.loading import load_quizzes
from builder.model import Quiz

from projects import QUIZ_YAML, make_project

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "tests" / "quizzes" / "kitchen-media" / "media"
PNG = (MEDIA / "thermometer.png").read_bytes()

ITEM = """\
id: q1
type: single_choice
prompt: |
  {prompt}
choices:
  - text: Right
    correct: true
  - text: Wrong
"""


def project(tmp_path: Path, prompt: str, files: dict[str, bytes] | None = None, quiz: str = QUIZ_YAML,
            item_file: str = "q1.yaml") -> Path:
    quiz_dir = make_project(tmp_path, {item_file: ITEM.format(prompt=prompt)}, quiz=quiz)
    for name, data in (files if files is not None else {"chart.png": PNG}).items():
        (quiz_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (quiz_dir / name).write_bytes(data)
    return quiz_dir


def problems(tmp_path: Path) -> list[str]:
    with pytest.raises(InputError) as raised:
        load_quizzes([tmp_path / "items"], tmp_path)
    return [p.format() for p in raised.value.problems]


def loaded(tmp_path: Path) -> Quiz:
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    return quiz


def test_the_test_quiz_reads_every_file_once(kitchen_media: Quiz) -> None:
    assert [(f.name, f.media_type) for f in kitchen_media.media] == [
        ("media/alarm.m4a", "audio/mp4"), ("media/bell.mp3", "audio/mpeg"),
        ("media/cutting-board.svg", "image/svg+xml"), ("media/fridge shelf.jpg", "image/jpeg"),
        ("media/glove.gif", "image/gif"), ("media/handwashing.webm", "video/webm"),
        ("media/knife.mp4", "video/mp4"), ("media/thermometer.png", "image/png"),
        ("media/timer.ogg", "audio/ogg"), ("media/énergie.webp", "image/webp")]
    assert all(f.content == (MEDIA / f.name.removeprefix("media/")).read_bytes() for f in kitchen_media.media)
    picture = kitchen_media.items[0]
    assert '<img src="media/media/fridge%20shelf.jpg" alt="yellow fridge shelf"/>' in picture.prompt
    assert [(use.name, use.place.line, use.place.column) for use in picture.media][:2] == [
        ("media/thermometer.png", 5, 44), ("media/fridge shelf.jpg", 7, 62)]


def test_files_of_one_text_are_those_it_shows(kitchen_media: Quiz) -> None:
    picture = kitchen_media.items[0]
    assert [f.name for f in kitchen_media.media_of([picture.prompt])] == [
        "media/fridge shelf.jpg", "media/thermometer.png"]
    assert kitchen_media.media_of(["<p>no files</p>"]) == ()


def test_audio_and_video_become_objects_with_their_text_alternative(kitchen_media: Quiz) -> None:
    sound = kitchen_media.items[1]
    assert ('<object data="media/media/bell.mp3" type="audio/mpeg">A short beep at one pitch, one second long'
            "</object>") in sound.prompt
    assert '<object data="media/media/handwashing.webm" type="video/webm">' in sound.prompt


def test_a_file_is_named_from_the_item_files_folder(tmp_path: Path) -> None:
    project(tmp_path, "![A chart](../pictures/chart.png)", {"pictures/chart.png": PNG}, item_file="unit1/q1.yaml")
    quiz = loaded(tmp_path)
    assert [f.name for f in quiz.media] == ["pictures/chart.png"]
    assert '<img src="media/pictures/chart.png" alt="A chart"/>' in quiz.items[0].prompt


@pytest.mark.parametrize(("prompt", "files", "message"), [
    ("![A chart](missing.png)", None,
     "4:14: file 'missing.png' does not exist in the quiz folder items/demo; check the name, or add the file"),
    ("Look: ![](chart.png)", None,
     "4:13: image 'chart.png' has no alt text; say what it shows: ![what it shows](file)"),
    ("![A chart](../../chart.png)", None,
     "4:14: image '../../chart.png' points outside the quiz folder items/demo; copy it in, or use an https:// URL"),
    ("![A chart](chart.bmp)", {"chart.bmp": b"BM"},
     "4:14: image 'chart.bmp' is not a file lmspack carries (.gif, .jpeg, .jpg, .m4a, .mp3, .mp4, .ogg, .png, .svg, "
     ".webm, .webp); convert it, or use an https:// URL"),
    ("![A chart](chart.jpg)", {"chart.jpg": PNG},
     "4:14: file 'chart.jpg' is not a image/jpeg file, as its name says; convert it or correct the name"),
    ("![A chart](data:image/png;base64,iVBORw0KGgo=)", None,
     "4:14: image 'data:image/png;base64,iVBORw0KGgo=' is a data: URL, which lmspack does not carry; save it as "
     "a file in the quiz folder and write ![what it shows](file.png)"),
    ("![A chart](<a*b.png>)", {},
     "4:15: file 'a*b.png' has a character that some LMS or file system refuses (\\ : * ? \" < > | or a control); "
     "rename it"),
])
def test_a_file_problem_is_reported_at_the_image(tmp_path: Path, prompt: str, files: dict[str, bytes] | None,
                                                  message: str) -> None:
    project(tmp_path, prompt, files)
    assert problems(tmp_path) == [f"items/demo/q1.yaml:{message}"]


def test_names_with_spaces_and_letters_of_any_script_are_carried(tmp_path: Path) -> None:
    project(tmp_path, "![A chart](<my chart ü.png>) ![Énergie](%C3%A9nergie.png)",
            {"my chart ü.png": PNG, "énergie.png": PNG})
    quiz = loaded(tmp_path)
    assert [f.name for f in quiz.media] == ["my chart ü.png", "énergie.png"]
    assert [f.href for f in quiz.media] == ["my%20chart%20%C3%BC.png", "%C3%A9nergie.png"]


def test_names_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    project(tmp_path, "![One](chart.png) ![Two](Chart.png)", {"chart.png": PNG, "Chart.png": PNG})
    assert problems(tmp_path) == [
        "items/demo/q1.yaml:4:10: file 'chart.png' differs from 'Chart.png' only in case; Windows, macOS and some "
        "LMSs do not tell them apart: rename one"]


def test_a_link_inside_the_quiz_folder_is_followed(tmp_path: Path) -> None:
    quiz_dir = project(tmp_path, "![A chart](linked.png)")
    (quiz_dir / "linked.png").symlink_to(quiz_dir / "chart.png")
    assert loaded(tmp_path).media[0].content == PNG


def test_size_limits_come_from_quiz_yaml(tmp_path: Path) -> None:
    big = PNG + bytes(11_000)
    project(tmp_path, "![A chart](chart.png) ![Big](big.png)", {"chart.png": PNG, "big.png": big},
            quiz=QUIZ_YAML + "media:\n  max_file_mb: 0.01\n")
    assert problems(tmp_path) == [
        "items/demo/q1.yaml:4:32: file 'big.png' is larger than 0.01 MB, the limit for one file (media: max_file_mb "
        "in quiz.yaml); make it smaller, or raise the limit if every LMS you use takes it"]
    half = PNG + bytes(6_000)
    project(tmp_path, "![A chart](chart.png) ![Two](two.png)", {"chart.png": half, "two.png": half},
            quiz=QUIZ_YAML + "media:\n  max_total_mb: 0.01\n")
    assert problems(tmp_path) == [
        "items/demo/q1.yaml:4:32: file 'two.png' takes the quiz's files past 0.01 MB, the limit for one package "
        "(media: max_total_mb in quiz.yaml); make the files smaller, or raise the limit"]


@pytest.mark.parametrize(("svg", "reason"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "holds <script>, which can run or load something; remove it"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
     "has an event handler (onload on <svg>); remove it"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><image x:href="https://e.test/'
     b'a.png"/></svg>', "refers to 'https://e.test/a.png' outside itself (on <image>); embed it or remove it"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(https://e.test/x)"/></svg>',
     "has a style that loads something (on <rect>); remove it"),
    (b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
     "declares a DOCTYPE or entities; save it again without them"),
    (b"<html/>", "is not an SVG image (its root is not <svg> in the SVG namespace)"),
])
def test_an_svg_that_could_run_or_load_anything_is_refused(tmp_path: Path, svg: bytes, reason: str) -> None:
    project(tmp_path, "![A drawing](drawing.svg)", {"drawing.svg": svg})
    assert problems(tmp_path) == [f"items/demo/q1.yaml:4:16: file 'drawing.svg' (SVG) {reason}"]


def test_a_plain_svg_with_inner_references_is_carried(tmp_path: Path) -> None:
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><defs><circle id="c" '
           b'r="4"/></defs><use x:href="#c"/><rect style="fill: url(#g)"/></svg>')
    project(tmp_path, "![A drawing](drawing.svg)", {"drawing.svg": svg})
    assert loaded(tmp_path).media[0].media_type == "image/svg+xml"


def test_a_changed_picture_reaches_the_next_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quiz_dir = project(tmp_path, "![A chart](chart.png)")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["build", "-f", "qti21"]).exit_code == 0
    (quiz_dir / "chart.png").write_bytes(PNG + b"changed")  # the item file is unchanged: its cache entry holds
    assert loaded(tmp_path).media[0].content == PNG + b"changed"
    shutil.rmtree(tmp_path / "dist")


def test_audio_without_a_text_alternative_is_a_warning_not_an_error(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, "Listen: ![](bell.mp3)", {"bell.mp3": (MEDIA / "bell.mp3").read_bytes()})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0
    assert result.stderr == ("warning: text: demo, item q1: audio 'bell.mp3' has no text alternative: describe it or "
                             "name its transcript, ![what it says](audio file) [text-media-no-alternative]\n")


def test_what_the_sanitiser_removes_is_warned_naming_the_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, '<font color="red">Hot</font> <span style="color:red">oil</span> [x](javascript:go())', {})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "-f", "qti21"])
    assert result.exit_code == 0
    assert result.stderr == ("warning: text: demo, item q1: removed <font> (its text kept), the style attribute of "
                             "<span>, the link to a javascript: URL: lmspack keeps only the markup every format "
                             "carries (docs/format.md) [text-removed-markup]\n")


# ---- formulas ---------------------------------------------------------------------------------

def test_formulas_become_mathml_with_their_tex() -> None:
    xhtml, found = markup.inline(r"If $n \geq 500$, pay \$5; `$x$` is code and $5 and $10 are prices")
    assert found == []
    assert str(xhtml) == (
        'If <math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><semantics><mrow><mi>n</mi>'
        '<mo>≥</mo><mn>500</mn></mrow><annotation encoding="application/x-tex">n \\geq 500</annotation>'
        "</semantics></math>, pay $5; <code>$x$</code> is code and $5 and $10 are prices")
    display, _ = markup.block("$$\\frac{a}{b}$$")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in display
    assert markup.plain_text(display) == "ab"


def test_a_formula_in_a_code_block_stays_text() -> None:
    xhtml, _ = markup.block("```\n$x$\n```\n\n    $y$\n")
    assert "<math" not in xhtml and "$x$" in xhtml and "$y$" in xhtml


@pytest.mark.parametrize(("formula", "message"), [
    (r"$\frac{a}{$", r"the formula $\frac{a}{$ cannot be read as TeX (NoAvailableTokensError); check its braces "
                     "and commands"),
    (r"$\foo x$", r"the formula $\foo x$ uses \foo, a command the TeX converter does not know"),
    (r"$\text{<b>x</b>}$",
     r"the formula $\text{<b>x</b>}$ makes <b>, which is not MathML; use \text{...} for words only"),
])
def test_a_formula_the_converter_cannot_handle_is_refused_at_its_place(tmp_path: Path, formula: str,
                                                                     message: str) -> None:
    project(tmp_path, f"How much is {formula}?", {})
    assert problems(tmp_path) == [f"items/demo/q1.yaml:4:15: {message}"]


# ---- tables -------------------------------------------------------------------------------------

def test_a_pipe_table_keeps_its_head_body_and_alignment() -> None:
    xhtml, found = markup.block("| Place | Reading |\n|:--|--:|\n| Fridge | 4 °C |")
    assert found == []
    assert str(xhtml) == ('<table><thead><tr><th align="left">Place</th><th align="right">Reading</th>'
                          '</tr></thead><tbody><tr><td align="left">Fridge</td><td align="right">4 °C'
                          "</td></tr></tbody></table>")


def test_a_pasted_table_keeps_caption_scope_spans_and_alignment() -> None:
    xhtml, found = markup.block(
        '<table><caption>Limits</caption><tr><th scope="row" style="text-align:center">Fridge</th>'
        '<td colspan="2" rowspan="x" align="right" class="odd">5 °C</td></tr></table>')
    assert [p.message for p in found] == [
        "removed the class attribute of <td>: lmspack keeps only the markup every format carries (docs/format.md)"]
    assert str(xhtml) == ('<table><caption>Limits</caption><tbody><tr><th scope="row" align="center">Fridge'
                          '</th><td colspan="2" align="right">5 °C</td></tr></tbody></table>')


def test_a_table_of_a_head_alone_gets_a_body_and_choice_text_keeps_no_table() -> None:
    assert str(markup.block("| Only |\n|---|")[0]) == "<table><tbody><tr><th>Only</th></tr></tbody></table>"
    xhtml, found = markup.inline("<table><tr><td>cell</td></tr></table>")
    assert str(xhtml) == "cell" and found and found[0].warning
