"""The message catalogues (builder/catalogues): every language has every key, every plural
category its language needs (as Node's Intl.PluralRules says) and no placeholder English lacks;
every key is used; a quiz's language picks its catalogue; quiz.yaml's strings: overrides a
message, refused at its place when it names no message, a category the language lacks, or a
placeholder the message has not."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from builder import catalogues
from builder.errors import InputError
from builder.formats.moodle import build as build_moodle
from builder.formats.scorm import SCORM12, build_scorm12, player_data
from builder.formats.wording import outcome_feedback, wording
from builder.loading import load_quizzes

from conftest import ROOT
from projects import QUIZ_YAML, make_project, package_files

ENGLISH = catalogues.catalogue("en")
TAGS = catalogues.tags()
LANGUAGES = ("en", "es", "vi", "zh-Hans", "zh-Hant", "tl", "ko", "hy", "ru", "fa", "ar", "fr", "de", "pt")
"""The languages issue 21 names, each with a catalogue."""
USERS = (ROOT / "templates" / "scorm" / "player.js", ROOT / "templates" / "scorm" / "index.html",
         ROOT / "builder" / "formats" / "wording.py", ROOT / "templates" / "flashcards" / "flashcards.js",
         ROOT / "templates" / "flashcards" / "index.html")
"""Where the keys are used: the player, the generic wording of Moodle and Canvas packages and the
study player of flashcards."""


def node_plural_categories(tags: tuple[str, ...]) -> dict[str, list[str]]:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing (CI is set, so the catalogue tests must run)")
        pytest.skip("node is not installed")
    program = ("const tags = JSON.parse(process.argv[1]); const out = {};"
               "tags.forEach(t => { out[t] = new Intl.PluralRules(t).resolvedOptions().pluralCategories; });"
               "process.stdout.write(JSON.stringify(out));")
    done = subprocess.run([node, "-e", program, json.dumps(list(tags))], capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(done.stdout)


def test_every_language_the_issue_names_has_a_catalogue():
    assert set(LANGUAGES) <= set(TAGS)


@pytest.fixture(scope="module")
def plural_categories() -> dict[str, list[str]]:
    return node_plural_categories(TAGS)


@pytest.mark.parametrize("tag", TAGS)
def test_catalogue_has_every_key_form_and_placeholder(tag, plural_categories):
    found = catalogues.catalogue(tag)
    assert set(found.plural_categories) == set(plural_categories[tag]), "plural must be Intl.PluralRules' categories"
    assert list(found.plural_categories) == [c for c in ("zero", "one", "two", "few", "many", "other")
                                             if c in found.plural_categories]
    assert list(found.messages) == list(ENGLISH.messages), "the same keys as en.json, in its order"
    for key, english in ENGLISH.messages.items():
        message = found.messages[key]
        if isinstance(english, str):
            assert isinstance(message, str), key
        else:
            assert isinstance(message, dict) and list(message) == list(found.plural_categories), key
        texts = [message] if isinstance(message, str) else list(message.values())
        assert all(text.strip() and text == text.strip() for text in texts), key
        extra = catalogues.placeholders(message) - catalogues.placeholders(english)
        assert not extra, f"{key} has placeholders English lacks: {extra}"
        # Every brace is a placeholder: a stray one would show on the page as it is.
        assert all(text.count("{") == text.count("}") == len(catalogues.PLACEHOLDER.findall(text))
                   for text in texts), key


def test_every_key_is_used_and_every_used_key_exists():
    """Each message is said somewhere, and each key written there is a message: keys are always
    written whole (never built from parts), so that this can see them."""
    prefixes = {key.split(".")[0] for key in ENGLISH.messages}
    used = set()
    for path in USERS:
        for key in re.findall(r"""["']([a-z]+\.[A-Za-z]+)["']""", path.read_text(encoding="utf-8")):
            if key.split(".")[0] in prefixes:
                used.add(key)
    assert used - set(ENGLISH.messages) == set(), "keys used but not in en.json"
    assert set(ENGLISH.messages) - used == set(), "messages never used"


@pytest.mark.parametrize(("language", "tag"), [
    ("en", "en"), ("en-US", "en"), ("es", "es"), ("es-MX", "es"), ("es-419", "es"), ("ES-mx", "es"),
    ("zh", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh-SG", "zh-Hans"), ("zh-Hans", "zh-Hans"), ("zh-Hans-HK", "zh-Hans"),
    ("zh-TW", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh-MO", "zh-Hant"), ("zh-Hant", "zh-Hant"), ("zh-Hant-CN", "zh-Hant"),
    ("fil", "tl"), ("tl-PH", "tl"), ("pt-BR", "pt"), ("pt-PT", "pt"), ("fa-IR", "fa"), ("ar-EG", "ar"),
    ("hy-AM", "hy"), ("ja", "en"), ("he", "en"), ("xx-YY", "en"),
])
def test_a_quizs_language_picks_its_catalogue(language, tag):
    assert catalogues.catalogue_tag(language) == tag


@pytest.mark.parametrize(("language", "direction", "plural"), [
    ("ar", "rtl", "ar"), ("ar-EG", "rtl", "ar-EG"), ("fa", "rtl", "fa"), ("he", "rtl", "en"), ("ur-PK", "rtl", "en"),
    ("az-Arab", "rtl", "en"), ("en", "ltr", "en"), ("es-MX", "ltr", "es-MX"), ("zh-TW", "ltr", "zh-TW"),
    ("sr-Cyrl", "ltr", "en"), ("ja", "ltr", "en"), ("fil", "ltr", "fil"),
])
def test_direction_and_the_plural_rules_a_quiz_reads_by(language, direction, plural):
    """Right to left for the languages written so; plurals by the quiz's own language where its
    catalogue is of that language, else by the catalogue's (a Hebrew quiz reads English)."""
    assert catalogues.text_direction(language) == direction
    assert catalogues.plural_language(language) == plural


# ---- strings: in quiz.yaml --------------------------------------------------------------------

def quiz_with(tmp_path, strings: str, language: str = "en"):
    make_project(tmp_path, quiz=QUIZ_YAML + f"language: {language}\n" + strings)
    return load_quizzes([tmp_path / "items"], tmp_path)


def problems_of(tmp_path, strings: str, language: str = "en") -> list[str]:
    with pytest.raises(InputError) as raised:
        quiz_with(tmp_path, strings, language)
    return [problem.format() for problem in raised.value.problems]


def test_strings_override_messages_in_the_player_and_in_moodle(tmp_path):
    (quiz,) = quiz_with(tmp_path, """\
strings:
  start.button: Begin the module
  question.points: {one: "{count} mark", other: "{count} marks"}
  result.review: Vérifiez
  outcome.correct: "Well done: that is right."
""")
    assert quiz.strings == (("start.button", "Begin the module"),
                            ("question.points", (("one", "{count} mark"), ("other", "{count} marks"))),
                            ("result.review", "Vérifiez"), ("outcome.correct", "Well done: that is right."))
    messages = player_data(quiz, SCORM12)["messages"]
    assert messages["start.button"] == "Begin the module"
    assert messages["question.points"] == {"one": "{count} mark", "other": "{count} marks"}
    assert messages["question.next"] == ENGLISH.messages["question.next"]
    page = package_files(build_scorm12(quiz))["index.html"].decode("utf-8")
    assert '<button type="button" id="start-button" class="primary">Begin the module</button>' in page
    assert "Well done: that is right." in build_moodle(quiz).data.decode("utf-8")


def test_strings_in_another_language_and_the_rest_from_its_catalogue(tmp_path):
    (quiz,) = quiz_with(tmp_path, """\
strings:
  question.points: {one: "{count} punto de crédito", many: "{count} de puntos", other: "{count} puntos de crédito"}
""", language="es-MX")
    messages = player_data(quiz, SCORM12)["messages"]
    assert messages["question.points"]["other"] == "{count} puntos de crédito"
    assert messages["question.submit"] == "Enviar respuesta"
    assert str(outcome_feedback(wording(quiz), True).incorrect) == "<p>Respuesta incorrecta.</p>"


def test_strings_refused_at_their_place(tmp_path):
    problems = problems_of(tmp_path, """\
strings:
  start.buton: Begin
  question.points: {one: "{count} punto", other: "{count} puntos", few: "{count} puntitos"}
  question.heading: "Pregunta {number} de {total}"
  result.passed: ""
  nav.label: [a, list]
  verdict.correct: {one: "Bien: {count} punto.", other: "Bien: {count} {unit}."}
""", language="es")
    path = "items/demo/quiz.yaml"
    assert problems == [
        f"{path}:7:3: no message has the key 'start.buton'; did you mean 'start.button'? "
        "(builder/catalogues/en.json lists them)",
        f"{path}:8:20: 'strings' question.points lacks the plural form 'many' (plural forms of es: one, many, other)",
        f"{path}:8:68: unknown field 'few' in 'strings' question.points (plural forms of es: one, many, other)",
        f"{path}:9:21: {{total}} is not a placeholder of message question.heading (it has: {{count}}, {{number}})",
        f"{path}:10:18: 'result.passed' is empty; write some text",
        f"{path}:11:14: 'nav.label' must be text",
        f"{path}:12:20: 'strings' verdict.correct lacks the plural form 'many' (plural forms of es: one, many, other)",
        f"{path}:12:57: {{unit}} is not a placeholder of message verdict.correct (it has: {{count}})",
    ]


def test_strings_must_be_a_mapping(tmp_path):
    assert problems_of(tmp_path, "strings: [start.button]\n") == [
        "items/demo/quiz.yaml:6:10: 'strings' must be a mapping of message keys to text, such as "
        "{start.button: Begin}"]


# ---- the player's words, under Node -----------------------------------------------------------

def test_the_player_writes_plurals_and_numbers_as_each_language_does(plural_categories):
    """wordsFor: the plural form Intl.PluralRules picks (Arabic's six, Russian's four), numbers and
    percents in the language's own digits and marks, lists with its own 'and' and 'or'."""
    node = shutil.which("node")
    program = (f"const player = require({json.dumps(str(USERS[0]))});"
               "const cases = JSON.parse(process.argv[1]); const out = {};"
               "Object.keys(cases).forEach(function (tag) {"
               " const c = cases[tag]; const w = player.wordsFor({language: tag, pluralLanguage: tag}, c.messages);"
               " out[tag] = {points: [0, 1, 2, 3, 11, 100, 1.5].map(n => w.text('question.points', {count: n})),"
               "  heading: w.text('question.heading', {number: 3, count: 11}), percent: w.percent(66.66),"
               "  clock: w.number(4) + ':' + w.padded(5),"
               "  list: w.list(['2', '5', '7'], 'conjunction'), either: w.list(['12', '1.5e3'], 'disjunction')}; });"
               "process.stdout.write(JSON.stringify(out));")
    cases = {tag: {"messages": catalogues.catalogue(tag).messages} for tag in ("en", "ar", "ru", "fa", "fr")}
    got = json.loads(subprocess.run([node, "-e", program, json.dumps(cases)], capture_output=True, text=True,
                                    timeout=60, check=True).stdout)
    assert got["en"] == {"points": ["0 points", "1 point", "2 points", "3 points", "11 points", "100 points",
                                    "1.5 points"],
                         "heading": "Question 3 of 11", "percent": "66.66%", "clock": "4:05",
                         "list": "2, 5, and 7", "either": "12 or 1.5e3"}
    assert got["ar"]["points"][:4] == ["0 درجة", "درجة واحدة", "درجتان", "3 درجات"]
    assert got["ar"]["points"][4:6] == ["11 درجة", "100 درجة"]
    assert got["ru"]["points"] == ["0 баллов", "1 балл", "2 балла", "3 балла", "11 баллов", "100 баллов", "1,5 балла"]
    assert got["fa"]["heading"] == "سؤال ۳ از ۱۱" and got["fa"]["clock"] == "۴:۰۵"
    assert got["fr"]["points"][:2] == ["0 point", "1 point"] and got["fr"]["points"][6] == "1,5 point"
    assert got["fr"]["list"] == "2, 5 et 7"
