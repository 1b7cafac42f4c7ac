"""Property tests (issue 7, point 3): any generated valid quiz loads and builds in every format
that exists, into packages valid against our schemas (and the official ones when ../shared is
there); QTI's mapping scores every response as builder.scoring does; any mutation that makes the
quiz invalid is refused with place-carrying problems, never another exception."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from builder import scoring
from builder.errors import InputError
from builder.loading import load_quizzes
from builder.model import ChoiceInteraction

from conftest import assert_valid_package
from projects import build_format, package_files

FORMATS = ("qti21", "scorm12", "scorm2004", "moodle", "canvas")
PROBLEM_LINE = re.compile(r"^[^:]+:\d+:\d+: .+")
QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
FAST = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text as authors write it: any printable character (XML-carriable), Markdown, inline HTML, the
# markup the sanitiser removes, right-to-left scripts, combining marks and emoji.
# A dollar sign only in a snippet: random text between two could be TeX no converter reads, which
# the loader refuses (tests/test_media.py); the formulas here are ones it reads.
_CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff$")
_SNIPPETS = st.sampled_from(["*em*", "**strong**", "`code`", "<b>b</b>", "<i>i</i>", "<script>x()</script>",
                             '<img src="https://example.org/a.png" alt="a picture" onerror="x()">',
                             "[link](https://example.org)", "[bad](javascript:x())", "$x^2 \\leq 5$", "costs $5",
                             "مرحبا", "שלום", "🙂", "👩\u200d👧", "e\u0301", "a & b < c > d",
                             "No", "2024-01-01", "~", "- not a list", "# not a heading", "> not a quote"])
TEXT = st.builds(lambda parts: "W " + " ".join(parts),
                 st.lists(st.one_of(st.text(_CHARACTERS, min_size=1, max_size=12), _SNIPPETS), max_size=4))
POINTS = st.sampled_from([0.01, 0.5, 1, 2, 3, 7.25, 1000])


CREDITS = st.sampled_from([100, 100, 50, 33, 25, 66.66667, 10, 1])
NUMBERS = st.one_of(st.integers(-1000, 1000), st.sampled_from([0, 0.5, -2.25, 1e-7, 3e12, 99.99]))
KINDS = ("single_choice", "multiple_response", "true_false", "short_answer", "numeric", "essay", "matching", "ordering",
         "fill_in_blanks")


@st.composite
def items(draw, index: int) -> dict:
    kind = draw(st.sampled_from(KINDS))
    item: dict = {"id": f"item-{index}", "type": kind, "prompt": draw(TEXT), "points": draw(POINTS)}
    if kind in ("single_choice", "multiple_response", "true_false"):
        item |= draw(choice_fields(kind))
    elif kind == "short_answer":
        item |= draw(short_answer_fields())
    elif kind == "numeric":
        item |= draw(numeric_fields())
    elif kind == "essay":
        item |= draw(essay_fields())
    elif kind == "matching":
        item |= draw(matching_fields())
    elif kind == "ordering":
        item |= draw(ordering_fields())
    else:
        item |= draw(blank_fields(item))
    if draw(st.booleans()):
        item["title"] = draw(TEXT)
    item["hints"] = draw(st.lists(TEXT, max_size=2))
    if draw(st.booleans()):
        item["explanation"] = draw(TEXT)
    return item


@st.composite
def choice_fields(draw, kind: str) -> dict:
    count = 2 if kind == "true_false" else draw(st.integers(2, 6))
    if kind == "multiple_response":
        correct = set(draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=count - 1, unique=True)))
    else:
        correct = {draw(st.integers(0, count - 1))}
    choices = []
    for n in range(count):
        choice: dict = {"text": draw(TEXT)}
        if n in correct:
            choice["correct"] = True
        if draw(st.booleans()):
            choice["feedback"] = draw(TEXT)
        choices.append(choice)
    fields: dict = {"choices": choices}
    if kind == "multiple_response" and draw(st.booleans()):
        fields["wrong_choice_penalty"] = draw(st.booleans())
    return fields


def _with_feedback(draw, fields: dict) -> dict:
    if draw(st.booleans()):
        fields["feedback"] = draw(TEXT)
    return fields


@st.composite
def short_answer_fields(draw) -> dict:
    case_sensitive = draw(st.booleans())
    texts = draw(st.lists(st.one_of(TEXT, st.sampled_from(["a*b", " spaced  out ", "ÉCOLE", "école", "Straße"])),
                          min_size=1, max_size=4))
    seen, answers = set(), []
    for text in texts:  # an answer an earlier one already accepts is refused: keep the first
        compared = scoring.normalised_text(text, case_sensitive)
        if compared and compared not in seen:
            seen.add(compared)
            answers.append(_with_feedback(draw, {"text": text} | ({"credit": draw(CREDITS)} if draw(st.booleans())
                                                                   else {})))
    if not any(answer.get("credit", 100) == 100 for answer in answers):
        answers.append({"text": "the answer"})  # one answer worth full credit, or the item is refused
    fields: dict = {"answers": answers, "case_sensitive": case_sensitive}
    if draw(st.booleans()):
        fields["other_feedback"] = draw(TEXT)
    return fields


@st.composite
def numeric_fields(draw) -> dict:
    answers, intervals = [], []
    for _ in range(draw(st.integers(1, 3))):
        value = draw(NUMBERS)
        form = draw(st.sampled_from(["exact", "absolute", "percent", "range"]))
        if form == "range":
            answer: dict = {"range": [value, value + draw(st.sampled_from([0, 1, 2.5, 100]))]}
            low, high = answer["range"]
        else:
            answer = {"value": value}
            margin = 0.0
            if form == "absolute":
                answer["tolerance"] = draw(st.sampled_from([0, 0.1, 2, 50]))
                margin = answer["tolerance"]
            elif form == "percent":
                percent = draw(st.sampled_from([1, 5, 12.5, 100]))
                answer["tolerance"] = f"{percent}%"
                margin = abs(value) * percent / 100
            low, high = value - margin, value + margin
        if any(earlier_low <= low and high <= earlier_high for earlier_low, earlier_high in intervals):
            continue  # an earlier answer covers it: refused, so left out
        intervals.append((low, high))
        if draw(st.booleans()):
            answer["credit"] = draw(CREDITS)
        answers.append(_with_feedback(draw, answer))
    if not any(answer.get("credit", 100) == 100 for answer in answers):
        answers[0].pop("credit")  # one answer worth full credit, or the item is refused
    fields: dict = {"answers": answers}
    if draw(st.booleans()):
        fields["unit"] = draw(st.sampled_from(["mL", "days", "°C", "<b>kg</b> & co"]))
    if draw(st.booleans()):
        fields["other_feedback"] = draw(TEXT)
    return fields


@st.composite
def essay_fields(draw) -> dict:
    fields: dict = {}
    if draw(st.booleans()):
        fields["grader_notes"] = draw(TEXT)
    if draw(st.booleans()):
        fields["response_template"] = draw(TEXT)
    low = draw(st.none() | st.integers(1, 50))
    high = draw(st.none() | st.integers(50, 500))
    if low is not None:
        fields["min_words"] = low
    if high is not None:
        fields["max_words"] = high
    return fields


def _distinct(draw, count: int, prefix: str) -> list[str]:
    """``count`` texts learners can tell apart: generated text after a numbered prefix."""
    return [f"{prefix}{n} {draw(TEXT)}" for n in range(count)]


@st.composite
def matching_fields(draw) -> dict:
    count = draw(st.integers(2, 5))
    lefts, rights = _distinct(draw, count, "L"), _distinct(draw, count, "R")
    fields: dict = {"pairs": [{"left": left, "right": right} for left, right in zip(lefts, rights, strict=True)]}
    if draw(st.booleans()):
        fields["distractors"] = _distinct(draw, draw(st.integers(1, 2)), "D")
    if draw(st.booleans()):
        fields["scoring"] = draw(st.sampled_from(["per_pair", "all_or_nothing"]))
    return fields


@st.composite
def ordering_fields(draw) -> dict:
    fields: dict = {"order": _distinct(draw, draw(st.integers(2, 6)), "S")}
    if draw(st.booleans()):
        fields["scoring"] = draw(st.sampled_from(["per_position", "all_or_nothing"]))
    return fields


@st.composite
def blank_fields(draw, item: dict) -> dict:
    """Blanks of every kind, each [[name]] added to the item's prompt."""
    blanks: dict = {}
    for n in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["typed", "drop-down", "number"]))
        if kind == "typed":
            blanks[f"b{n}"] = {"answers": _distinct(draw, draw(st.integers(1, 3)), "A")}
            if draw(st.booleans()):
                blanks[f"b{n}"]["case_sensitive"] = True
        elif kind == "drop-down":
            options = _distinct(draw, draw(st.integers(2, 4)), "O")
            blanks[f"b{n}"] = {"options": options, "correct": draw(st.sampled_from(options))}
        else:
            value = draw(NUMBERS)
            blanks[f"b{n}"] = draw(st.sampled_from([{"value": value}, {"value": value, "tolerance": 2},
                                                    {"value": value, "tolerance": "10%"},
                                                    {"range": [value, value + 5]}]))
        item["prompt"] += f" [[b{n}]] {draw(TEXT)}"
    return {"blanks": blanks}


@st.composite
def quizzes(draw) -> dict[str, dict]:
    """File name -> YAML document of a valid quiz."""
    count = draw(st.integers(1, 4))
    files = {f"item-{n}.yaml": draw(items(n)) for n in range(count)}
    files["quiz.yaml"] = {"identifier": "generated", "title": draw(TEXT), "version": "1.0.0",
                          "pass_mark": draw(st.integers(0, 100)), "shuffle_choices": draw(st.booleans()),
                          "feedback": draw(st.sampled_from(["immediately", "after_submit", "never"]))}
    return files


LOGO = (Path(__file__).parent / "quizzes" / "kitchen-brand" / "images" / "co-op-logo.png").read_bytes()


@st.composite
def presented_quizzes(draw) -> dict[str, dict | bytes]:
    """``quizzes()`` with what learners see (issue 21) drawn too: the language, messages of its own
    (strings:), whether right answers are shown, the navigation, a theme (with its logo file), an
    item keeping its choice order and a choice fixed in place."""
    files: dict[str, dict | bytes] = dict(draw(quizzes()))
    quiz = files["quiz.yaml"]
    assert isinstance(quiz, dict)
    if draw(st.booleans()):
        quiz["language"] = draw(st.sampled_from(["es", "ar", "zh-Hant", "fr-CA", "de"]))
    if draw(st.booleans()):
        quiz["strings"] = {"start.button": draw(TEXT)}
    if draw(st.booleans()):
        quiz["show_correct_answers"] = draw(st.booleans())
    if draw(st.booleans()):
        quiz["navigation"] = draw(st.sampled_from(["linear", "free"]))
    theme = draw(st.sampled_from(["none", "accent", "logo"]))
    if theme != "none":
        quiz["theme"] = {"accent": draw(st.sampled_from(["#0b6e4f", "#6b2c7a"]))}
    if theme == "logo":
        quiz["theme"] |= {"logo": "logo.png", "logo_alt": draw(TEXT)}
        files["logo.png"] = LOGO
    for name, item in files.items():
        if not isinstance(item, dict) or name == "quiz.yaml":
            continue
        choices = item.get("choices") if item["type"] in ("single_choice", "multiple_response") else None
        drop_down = item["type"] == "fill_in_blanks" and any("options" in blank for blank in item["blanks"].values())
        if (choices or drop_down) and draw(st.booleans()):
            item["shuffle_choices"] = False
        if choices and draw(st.booleans()):
            choices[draw(st.integers(0, len(choices) - 1))]["fixed"] = True
    return files


def write(folder: Path, files: dict[str, object]) -> Path:
    quiz_dir = folder / "items" / "generated"
    quiz_dir.mkdir(parents=True)
    for name, document in files.items():
        data = document if isinstance(document, bytes) else \
            yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")
        (quiz_dir / name).write_bytes(data)
    return quiz_dir


def load(files: dict[str, object]):
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp), files)
        (quiz,) = load_quizzes([Path(tmp) / "items"], Path(tmp))
        return quiz


# ---- valid quizzes build everywhere ---------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_generated_quizzes_build_valid_packages(fmt):
    build_format(fmt, _smallest_quiz())  # skips when the format module is not there yet

    @FAST
    @given(quizzes())
    def check(files):
        quiz = load(files)
        assert len(quiz.items) == len(files) - 1
        output = build_format(fmt, quiz)  # render_xml has validated every XML against our schemas
        assert package_files(output)

    check()


# Moodle XML is no package and has no official schema: our own schema (render_xml) is its check.
VALIDATOR_KINDS = {"qti21": "qti21", "scorm12": "scorm12", "scorm2004": "scorm2004", "canvas": "qti12"}


@pytest.mark.shared
@pytest.mark.parametrize("fmt", sorted(VALIDATOR_KINDS))
def test_generated_packages_pass_the_independent_validator(fmt, package_validator):
    build_format(fmt, _smallest_quiz())

    @settings(FAST, max_examples=6)
    @given(quizzes())
    def check(files):
        output = build_format(fmt, load(files))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / output.filename
            path.write_bytes(output.data)
            if fmt != "canvas":
                assert_valid_package(package_validator, path, kind=VALIDATOR_KINDS[fmt])
                return
            report = package_validator.validate_path(path, kind="qti12")
            problems = report.sorted_problems()
            assert report.errors == 0, "\n".join(p.format() for p in problems)
            # Canvas's manifest namespace has no schema in ../shared: the one expected warning.
            assert [p.code for p in problems] == ["manifest-not-validated"]

    check()


def _smallest_quiz():
    return load({"a.yaml": {"id": "a", "type": "true_false", "prompt": "P",
                            "choices": [{"text": "T", "correct": True}, {"text": "F"}]},
                 "quiz.yaml": {"identifier": "q", "title": "Q", "version": "1", "pass_mark": 50}})


# ---- QTI scores every response as builder.scoring does -------------------------------------

def qti_score(declaration: etree._Element, selected: list[str]) -> float:
    """QTI 2.1 mapResponse: the mapped values of the distinct selected keys (defaultValue for
    unmapped ones), bounded by lowerBound and upperBound; no response scores 0."""
    if not selected:
        return 0.0
    mapping = declaration.find(f"{QTI}mapping")
    values = {e.get("mapKey"): float(e.get("mappedValue")) for e in mapping.iter(f"{QTI}mapEntry")}
    total = sum(values.get(key, float(mapping.get("defaultValue", "0"))) for key in set(selected))
    if mapping.get("lowerBound") is not None:
        total = max(total, float(mapping.get("lowerBound")))
    if mapping.get("upperBound") is not None:
        total = min(total, float(mapping.get("upperBound")))
    return total


def test_qti_mapping_equals_builder_scoring_for_choice_items():
    pytest.importorskip("builder.formats.qti21")

    @FAST
    @given(quizzes(), st.data())
    def check(files, data):
        quiz = load(files)
        members = package_files(build_format("qti21", quiz))
        for item in quiz.items:
            if not isinstance(item.interaction, ChoiceInteraction):
                continue  # typed items: tests/test_qti21.py evaluates their response processing
            (name,) = [n for n in members if n.startswith("items/") and n.endswith(f"{item.id}.xml")]
            root = etree.fromstring(members[name])
            response = root.find(f".//{QTI}choiceInteraction").get("responseIdentifier")
            declaration = root.find(f"{QTI}responseDeclaration[@identifier='{response}']")
            keys = [c.get("identifier") for c in root.iter(f"{QTI}simpleChoice")]
            assert len(keys) == len(item.interaction.choices)
            by_key = dict(zip(keys, (c.identifier for c in item.interaction.choices), strict=True))
            if item.interaction.kind == "multiple_response":
                chosen = data.draw(st.lists(st.sampled_from(keys), unique=True, max_size=len(keys)))
            else:
                chosen = data.draw(st.lists(st.sampled_from(keys), min_size=0, max_size=1))
            expected = scoring.score(item, [by_key[k] for k in chosen]) if chosen else 0.0
            assert qti_score(declaration, chosen) == pytest.approx(expected, abs=1e-6), (item.id, chosen)

    check()


# ---- invalid quizzes are refused with places ---------------------------------------------------

def _item_names(files: dict) -> list[str]:
    return sorted(n for n in files if n != "quiz.yaml")


@st.composite
def invalid_quizzes(draw) -> dict[str, object]:
    files = draw(quizzes())
    name = draw(st.sampled_from(_item_names(files)))
    item = dict(files[name])
    mutation = draw(st.sampled_from(["delete", "break", "duplicate", "two-correct", "bad-yaml", "bad-bytes"]))
    if mutation == "two-correct" and "choices" not in item:
        mutation = "delete"
    if mutation == "delete":
        del item[draw(st.sampled_from([name for name in ("id", "type", "prompt", "choices", "answers")
                                       if name in item]))]
    elif mutation == "break":
        field, value = draw(st.sampled_from([("type", "hotspot"), ("points", "lots"), ("points", -1),
                                             ("choices", "none"), ("id", "1 bad id"), ("prompt", ["a"]),
                                             ("hints", "one"), ("wrong_choice_penalty", "sometimes"),
                                             ("choices", [{"text": "only"}]), ("answers", []),
                                             ("answers", [{"credit": 0}]), ("min_words", 0)]))
        item[field] = value
    elif mutation == "duplicate":
        files["copy.yaml"] = dict(item)
    elif mutation == "two-correct":
        item["type"] = "single_choice"
        item["choices"] = [dict(c, correct=True) for c in item["choices"]]
    files[name] = item
    if mutation == "bad-yaml":
        text = yaml.safe_dump(item, allow_unicode=True, sort_keys=False)
        files[name] = (text + draw(st.sampled_from(["extra: [unclosed\n", "\tindented: tab\n", "id: again\n",
                                                    "x: &anchor 1\n", "y: !!python/object:os.system 1\n",
                                                    "---\nsecond: document\n"]))).encode("utf-8")
    elif mutation == "bad-bytes":
        text = yaml.safe_dump(item, allow_unicode=True, sort_keys=False).encode("utf-8")
        files[name] = draw(st.sampled_from([text.replace(b"\n", b"\n\xff", 1), text.replace(b"\n", b"\x00\n", 1),
                                            text.decode().encode("utf-16")]))
    return files


def test_invalid_quizzes_are_refused_with_places():
    @settings(FAST, max_examples=40)
    @given(invalid_quizzes())
    def check(files):
        with tempfile.TemporaryDirectory() as tmp:
            write(Path(tmp), files)
            with pytest.raises(InputError) as raised:
                load_quizzes([Path(tmp) / "items"], Path(tmp))
        problems = [p.format() for p in raised.value.problems]
        assert problems
        assert [p for p in problems if not PROBLEM_LINE.match(p)] == []

    check()
