"""Item text fuzzed (issue 15): random HTML, Markdown, entity and character-reference soup in every
text field of every item and of the quiz, validated and built in every format through the command
line. Whatever the text, lmspack answers with problems at their places (exit 1) or with packages
that pass the independent validator (exit 0), never a traceback and never exit 3; and `validate`
says ok exactly when `build` builds.

Seeds are fixed, so a failure names its seed and reproduces: LMSPACK_FUZZ_SEEDS=start:stop runs others
(thousands were run while fixing what the fuzzer found; the suite keeps about 1,500 texts)."""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
import traceback
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from builder.cli import main

from projects import make_project

PROBLEM_LINE = re.compile(r"^[^:]+:\d+:\d+: ")

# ---- the soup --------------------------------------------------------------------------------

# Allowed, dropped-with-content, unwrapped, raw-text, void, table parts and foreign elements.
_TAGS = ["p", "div", "span", "a", "img", "b", "i", "em", "strong", "code", "pre", "blockquote", "ul", "ol",
         "li", "dl", "dt", "dd", "h1", "h2", "h3", "h6", "br", "hr", "sub", "sup", "small", "abbr", "cite",
         "q", "kbd", "samp", "var", "table", "tbody", "tr", "td", "th", "caption", "script", "style",
         "iframe", "svg", "math", "noscript", "template", "textarea", "title", "head", "body", "html",
         "form", "input", "select", "option", "xmp", "listing", "plaintext", "font", "center", "details",
         "summary", "object", "embed", "button", "label", "av:", "x-y", "image", "frameset"]
_SAFE_ATTRIBUTES = ['href="https://e.example/a?b=1&amp;c=2"', 'href="#place"', "href=' https://e.example/s '",
                    'href="HTTPS://E.EXAMPLE/"', 'href="mailto:a@e.example"', 'src="https://e.example/a.png"',
                    'alt="a picture"', 'alt="a<b>&amp;"', 'width="40"', 'width="50%"', 'width="expression(x)"',
                    'height=" 5 "', 'title="t"', 'lang="fr"', 'class="c"', 'onerror="x()"', 'style="x:y"',
                    'href="javascript:alert(1)"', "href=' JaVaScRiPt:x'", 'href="java&#9;script:x"',
                    'href="data:text/html,x"', 'src="data:image/png;base64,AA"', "href", "src", 'alt=""',
                    'href="https://e.example/a b"', 'href="http://e.example/&#xA0;"', "href=https://e.example/u"]
# Refused with a message: relative and local URLs.
_REFUSED_ATTRIBUTES = ['href="&nbsp;javascript:alert(1)"', 'src="x.png"', 'src="file:///etc/passwd"',
                       'href="//evil.example"', 'href="C:\\x"', 'href="../up"', 'href="?q=1"', 'src="#x"',
                       'href="&#x66;ile:///x"', 'href="\u3000https://e.example"', 'alt="&#1;"']
_SAFE_MARKDOWN = ["*", "**", "_", "`", "``", "```", "~~~", "# ", "## ", "###### ", "> ", "- ", "+ ", "1. ",
                  "2) ", "* * *", "---", "===", "[t](https://e.example)", "![i](https://e.example/i.png)",
                  "[t](<https://e.example/a b>)", "[t](https://e.example \"title\")", "<https://e.example>",
                  "<mailto:a@e.example>", "<javascript:x>", "[a]: https://e.example", "[a]", "[a][]", "[",
                  "](", ")", "![", "[f](#place)", "[j](javascript:x)", "| a | b |\n|---|---|\n| 1 | 2 |",
                  "    code", "\\", "\\*", "  \n", "\n", "\n\n", "\t", "<!-- c -->", "<!--", "-->",
                  "<![CDATA[x]]>", "<![CDATA[", "<?php x ?>", "<!DOCTYPE html>", "</", "<", "<a", "<p x=",
                  "&", "~~x~~", "www.e.example", "a@e.example", "<>", "[[x]]"]
_REFUSED_MARKDOWN = ["[r](rel/page)", "![f](../x.png)", "![i](pic.png)", "[f](file:///etc/passwd)",
                     "[n](&nbsp;javascript:x)", "![c](C:/x.png)", "[q](?x=1)", "![h](#x)"]
_SAFE_REFERENCES = ["&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&copy;", "&bogus;", "&#9;", "&#xA;", "&#13;",
                    "&#x7F;", "&#x80;", "&#x85;", "&#x9F;", "&#xFFFD;", "&#x10FFFF;", "&#x110000;", "&#0;",
                    "&#xD800;", "&#xDFFF;", "&#99999999999;", "&#x;", "&#;", "&#65;", "&#x1F600;", "&amp",
                    "&#x202E;", "&#xFEFF;", "&NotANamedOne;", "&ampx;", "&#x2028;", "&#32;"]
# Characters XML cannot carry, as references: reported at the text's place.
_REFUSED_REFERENCES = ["&#1;", "&#7;", "&#xB;", "&#xC;", "&#x1F;", "&#xFFFE;", "&#xFFFF;", "&#65534;",
                       "&#x1FFFE;"]
_SAFE_CHARACTERS = ["\x7f", "\x85", "\u2028", "\ufeff", "😀", "\U0010fffd", "é", "e\u0301", "مرحبا", "\u202e",
                    "\xa0", "\u3000", '"', "'", "<", ">", "&", ":", "#", "-", "|", "{", "}", "%", "@", "!",
                    "\t", "\r", "\r\n"]
_REFUSED_CHARACTERS = ["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff", "\ud83d", "\udfff"]
_WORDS = ["word", "Right", "x", "123", "true", "null", "~", "yes", " ", "no", "- ", "a: b", "#"]


class Soup:
    """Random text from one seed. ``refused`` adds what lmspack must refuse with a message
    (characters XML cannot carry, local and relative URLs); without it most quizzes build."""

    def __init__(self, seed: int, refused: bool) -> None:
        self.random = random.Random(seed)
        self.attributes = _SAFE_ATTRIBUTES + (_REFUSED_ATTRIBUTES if refused else [])
        self.markdown = _SAFE_MARKDOWN + (_REFUSED_MARKDOWN if refused else [])
        self.references = _SAFE_REFERENCES + (_REFUSED_REFERENCES if refused else [])
        self.characters = _SAFE_CHARACTERS + (_REFUSED_CHARACTERS if refused else [])

    def text(self, depth: int = 0) -> str:
        pick = self.random
        parts = []
        for _ in range(pick.randint(1, 6)):
            roll = pick.random()
            if roll < 0.3 and depth < 3:
                parts.append(self.element(depth))
            elif roll < 0.5:
                parts.append(pick.choice(self.markdown))
            elif roll < 0.65:
                parts.append(pick.choice(self.references))
            elif roll < 0.72:
                parts.append(pick.choice(self.characters))
            else:
                parts.append(pick.choice(_WORDS))
        return "".join(part + pick.choice(["", "", " ", "\n"]) for part in parts)

    def element(self, depth: int) -> str:
        pick = self.random
        tag = pick.choice(_TAGS)
        attributes = "".join(" " + pick.choice(self.attributes) for _ in range(pick.choice([0, 0, 1, 2])))
        opening = f"<{tag}{attributes}{pick.choice(['', '', '/'])}>"
        inner = self.text(depth + 1)
        closing = pick.choice([f"</{tag}>", f"</{tag}>", f"</{tag}>", "", f"</{pick.choice(_TAGS)}>"])
        return opening + inner + closing

    def sometimes(self, probability: float = 0.5) -> bool:
        return self.random.random() < probability


def fuzzed_quiz(seed: int, item_count: int = 3) -> dict[str, object]:
    """File name -> YAML document: a quiz whose every text field is soup (ids, types and the
    correct marks stay valid, so that text is the only thing that can be wrong)."""
    soup = Soup(seed, refused=seed % 3 == 0)
    files: dict[str, object] = {}
    ids = [f"item-{n}" for n in range(item_count)]
    for item_id in ids:
        kind = soup.random.choice(["single_choice", "multiple_response", "true_false"])
        count = 2 if kind == "true_false" else soup.random.randint(2, 4)
        choices: list[dict[str, object]] = []
        for n in range(count):
            choice: dict[str, object] = {"text": "W " + soup.text() if soup.sometimes(0.7) else soup.text()}
            if n == 0 or (kind == "multiple_response" and n < count - 1 and soup.sometimes()):
                choice["correct"] = True
            if soup.sometimes(0.7):
                choice["feedback"] = soup.text()
            choices.append(choice)
        item: dict[str, object] = {"id": item_id, "type": kind,
                                   "prompt": "P " + soup.text() if soup.sometimes(0.7) else soup.text(),
                                   "choices": choices}
        if soup.sometimes():
            item["title"] = soup.text()
        if soup.sometimes(0.7):
            item["hints"] = ["H " + soup.text() for _ in range(soup.random.randint(1, 2))]
        if soup.sometimes(0.7):
            item["explanation"] = soup.text()
        if soup.sometimes():
            item["tags"] = [soup.text() for _ in range(soup.random.randint(1, 2))]
        files[f"{item_id}.yaml"] = item
    quiz: dict[str, object] = {"identifier": "fuzz", "title": "Q " + soup.text(), "version": "1.0.0",
                               "pass_mark": 50, "description": soup.text()}
    if soup.sometimes(0.3):
        quiz["sections"] = [{"id": "s1", "title": soup.text(), "items": ids}]
    files["quiz.yaml"] = quiz
    return files


def write_quiz(root: Path, files: dict[str, object]) -> None:
    folder = root / "items" / "fuzz"
    folder.mkdir(parents=True)
    for name, document in files.items():
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1_000_000)
        (folder / name).write_bytes(text.encode("utf-8"))


# ---- the checks --------------------------------------------------------------------------------

def run(root: Path, *args: str):
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(cwd)


def problem_lines(result) -> list[str]:
    """The problems printed by an exit 1, every one of them at its place; the summary line apart."""
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines and re.fullmatch(r"\d+ problems? found; nothing was written", lines[-1]), result.stderr
    assert [line for line in lines[:-1] if not PROBLEM_LINE.match(line)] == [], result.stderr
    return lines[:-1]


def no_crash(result) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output


# Moodle XML is no package: our own schema checked it during the build.
_VALIDATOR_KINDS = {"-qti21.zip": "qti21", "-scorm12.zip": "scorm12", "-scorm2004.zip": "scorm2004",
                    "-canvas.zip": "qti12", "-flashcards.zip": "scorm2004", "-flashcards12.zip": "scorm12"}


def check_packages(validator, out: Path) -> None:
    built = sorted(path for path in out.iterdir() if path.suffix == ".zip")
    assert len(built) == len(_VALIDATOR_KINDS), built
    for path in built:
        (kind,) = [kind for suffix, kind in _VALIDATOR_KINDS.items() if path.name.endswith(suffix)]
        report = validator.validate_path(path, kind=kind)
        problems = report.sorted_problems()
        assert report.errors == 0, "\n".join(p.format() for p in problems)
        # Canvas's manifest namespace has no schema in ../shared: the one expected warning.
        expected = ["manifest-not-validated"] if kind == "qti12" else []
        assert [p.code for p in problems] == expected, "\n".join(p.format() for p in problems)


def check_seed(seed: int, validator) -> bool:
    """Validate and build the quiz of ``seed``; True when it built."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_quiz(root, fuzzed_quiz(seed))
        validated = run(root, "validate")
        no_crash(validated)
        built = run(root, "build", "--format", "all", "--out", "out")
        no_crash(built)
        assert (validated.exit_code == 0) == (built.exit_code == 0), (validated.output, built.output)
        if built.exit_code == 1:
            assert problem_lines(built) == problem_lines(validated)
            assert not (root / "out").exists() or not any((root / "out").iterdir())
            return False
        if validator is not None:
            check_packages(validator, root / "out")
        return True


DEFAULT_SEEDS = "0:40"  # 40 quizzes of 3 items: about 1,500 texts, a few seconds


def _seeds() -> range:
    start, _, stop = os.environ.get("LMSPACK_FUZZ_SEEDS", DEFAULT_SEEDS).partition(":")
    return range(int(start), int(stop))


@pytest.fixture(scope="module")
def validator_or_none(request):
    """The independent validator, or None when ../shared is absent (then only our own schemas,
    which every build applies, check the packages)."""
    try:
        return request.getfixturevalue("package_validator")
    except pytest.skip.Exception:
        return None


def check_seeds(seeds: range, validator) -> list[int]:
    """The seeds whose quiz built; a failure names its seed."""
    built = []
    for seed in seeds:
        try:
            if check_seed(seed, validator):
                built.append(seed)
        except Exception:  # any failure, named with the seed that reproduces it
            pytest.fail(f"seed {seed} (LMSPACK_FUZZ_SEEDS={seed}:{seed + 1}):\n{traceback.format_exc()}")
    return built


def test_fuzzed_text_never_crashes_and_validate_agrees_with_build():
    seeds = _seeds()
    if "LMSPACK_FUZZ_SEEDS" not in os.environ:
        assert sum(_text_count(fuzzed_quiz(seed)) for seed in seeds) >= 1000
    built = check_seeds(seeds, None)
    # Soup without refused ingredients mostly builds: the build path is fuzzed too, not only validate.
    assert len(built) >= len(seeds) // 3, built


@pytest.mark.shared
def test_fuzzed_text_builds_packages_the_independent_validator_accepts(package_validator):
    seeds = _seeds()
    built = check_seeds(range(seeds.start, seeds.start + max(1, len(seeds) // 2)), package_validator)
    assert built


def _text_count(files: dict[str, object]) -> int:
    count = 0
    for document in files.values():
        stack: list[object] = [document]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                stack += [v for k, v in value.items() if k not in ("id", "type", "identifier", "version")]
            elif isinstance(value, list):
                stack += value
            elif isinstance(value, str):
                count += 1
    return count


# ---- the findings of issue 15, one command-line case per kind ----------------------------------

def _item(prompt: str = "Pick one.", text: str = "Right", feedback: str = "Yes.", hint: str = "Think.",
          explanation: str = "Because.") -> str:
    """An item file with each text field on a line of its own, written as a JSON string (valid YAML)."""
    return "\n".join([
        "id: q1",
        "type: single_choice",
        f"prompt: {json.dumps(prompt)}",
        "choices:",
        f"  - text: {json.dumps(text)}",
        "    correct: true",
        f"    feedback: {json.dumps(feedback)}",
        "  - text: Wrong",
        "hints:",
        f"  - {json.dumps(hint)}",
        f"explanation: {json.dumps(explanation)}",
        ""])


def _project(tmp_path: Path, item: str) -> Path:
    make_project(tmp_path, {"q1.yaml": item})
    return tmp_path


def _both(root: Path):
    validated = run(root, "validate")
    built = run(root, "build", "--format", "all", "--out", "out")
    no_crash(validated)
    no_crash(built)
    return validated, built


# Tracebacks before: UnicodeDecodeError (cmark), XMLSyntaxError / ValueError (lxml).
@pytest.mark.parametrize(("field", "value", "place", "message"), [
    ("prompt", "a &#xFFFE; b", "3:9", "control character U+FFFE cannot be carried in XML; remove it"),
    ("hint", "&#xFFFF;", "10:5", "control character U+FFFF cannot be carried in XML; remove it"),
    ("feedback", "[]()&#xC;", "7:15", "control character U+000C cannot be carried in XML; remove it"),
    ("feedback", "&#7;[]()", "7:15", "control character U+0007 cannot be carried in XML; remove it"),
    ("explanation", '<img src="https://e.example/a.png" alt="a&#1;">', "11:14",
     "control character U+0001 cannot be carried in XML; remove it"),
    # Not well-formed XML in QTI, Moodle and Canvas before (validate said ok).
    ("text", '">&#xB;_', "5:11", "control character U+000B cannot be carried in XML; remove it"),
    # The link reached Moodle, Canvas and SCORM (validate said ok; QTI's schema refused it: exit 3).
    ("prompt", '<a href="&nbsp;javascript:alert(1)">x</a>', "3:9",
     "link '\\xa0javascript:alert(1)' is a local file; only images, audio and video are carried: use an https:// URL"),
])
def test_refused_text_is_reported_at_its_place(tmp_path, field, value, place, message):
    root = _project(tmp_path, _item(**{field: value}))
    validated, built = _both(root)
    expected = [f"items/demo/q1.yaml:{place}: {message}"]
    assert (validated.exit_code, built.exit_code) == (1, 1)
    assert problem_lines(validated) == problem_lines(built) == expected
    assert "Traceback" not in validated.output + built.output


# Exit 3 before (validate said ok): now mended into what QTI allows and built in every format.
@pytest.mark.parametrize(("field", "value"), [
    ("text", '"><head/><av:><body>'),  # AssertionError: too many bodies (lxml.html)
    ("prompt", "<blockquote>quoted</blockquote>"),
    ("hint", "<li>x</li>"),
    ("explanation", "<dt>term</dt><dd>meaning</dd>"),
    ("prompt", "<ul>text directly in a list</ul>"),
    ("hint", "<dl>text directly in a dl</dl>"),
    ("explanation", "<ol><p>x</p></ol>"),
    ("prompt", "<pre><p>x</p></pre>"),
    ("hint", "<h2><p>x</p></h2>"),
    ("explanation", "<strong><blockquote>x</blockquote></strong>"),
    ("prompt", '<a href="https://e.example/1">1<table><td><a href="https://e.example/2">2</a></td></table></a>'),
])
def test_pasted_html_builds_in_every_format(tmp_path, field, value, validator_or_none):
    root = _project(tmp_path, _item(**{field: value}))
    validated, built = _both(root)
    assert (validated.exit_code, built.exit_code) == (0, 0), validated.output + built.output
    assert sorted(p.name for p in (root / "out").iterdir() if p.suffix in (".zip", ".xml")) == [
        "demo-1.0.0-canvas.zip", "demo-1.0.0-flashcards.zip", "demo-1.0.0-flashcards12.zip", "demo-1.0.0-moodle.xml",
        "demo-1.0.0-qti21.zip", "demo-1.0.0-scorm12.zip", "demo-1.0.0-scorm2004.zip"]
    if validator_or_none is not None:
        check_packages(validator_or_none, root / "out")


def test_every_finding_at_once_is_reported_in_one_run(tmp_path):
    root = _project(tmp_path, _item(prompt="x&#xFFFE;", text='">&#xB;_', feedback="&#7;[]()",
                                    hint='<a href="&nbsp;javascript:alert(1)">x</a>',
                                    explanation="<blockquote>fine</blockquote>"))
    validated, built = _both(root)
    assert problem_lines(validated) == problem_lines(built) == [
        "items/demo/q1.yaml:3:9: control character U+FFFE cannot be carried in XML; remove it",
        "items/demo/q1.yaml:5:11: control character U+000B cannot be carried in XML; remove it",
        "items/demo/q1.yaml:7:15: control character U+0007 cannot be carried in XML; remove it",
        "items/demo/q1.yaml:10:5: link '\\xa0javascript:alert(1)' is a local file; only images, audio and video "
        "are carried: "
        "use an https:// URL",
    ]
