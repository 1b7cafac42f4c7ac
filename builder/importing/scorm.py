"""SCORM 1.2 and SCORM 2004 packages made by lmspack: the quiz comes back from the player's data
(the JSON in index.html, which builder/formats/scorm.py writes), the version from the manifest
and the files from ``media/``.

The data holds all the player needs, which is all the package is made of: building the imported
quiz in the same edition gives the same package, byte for byte, and the same file name. It does
not hold what the player never shows, so a quiz imported from it has none of it: the items' tags,
an essay's grader notes (kept out of the package on purpose), a numeric answer's value and
tolerance (only the interval it accepts; the correct answer's value as SCORM 1.2's pattern has it),
and the formatting of a matching item's options (the player shows them as plain text in a list).
A QTI 2.1 package of the same quiz holds all of these. It holds what only the player shows: the
theme (its logo under media/), the messages (those that differ from the language's catalogue are
quiz.yaml's strings:), the navigation and whether right answers are shown. A cohort's package
imports as a quiz of its own, named as the package is (nothing in it tells the cohort from the
quiz), which builds the same package. Another tool's SCORM package holds its own player, not a
quiz: it is not recognised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote

from builder import catalogues
from builder.errors import InputError
from builder.importing import ImportedItem, ImportedQuiz
from builder.importing.canonical_text import source_text
from builder.importing.documents import credit_earning, default_title, number, with_field, with_tolerance
from builder.importing.package_files import Package, opened
from builder.loading import IDENTIFIER, VERSION
from builder.markup import MEDIA_TYPES
from builder.model import MEDIA_REFERENCE, choice_letters
from builder.scoring import format_number

SOURCE_FORMAT = "SCORM 1.2 and SCORM 2004 packages made by lmspack (a zip or an unzipped folder)"

MANIFEST = "imsmanifest.xml"
LAUNCH = "index.html"
DATA = re.compile(rb'<script type="application/json" id="quiz-data">(.*?)</script>', re.DOTALL)
PLAYER = re.compile(r'<(audio|video) controls="controls" src="([^"]*)" aria-label="[^"]*">(.*?)</\1>', re.DOTALL)


def recognises(path: Path, head: bytes) -> bool:
    """A zip or folder with a SCORM manifest and lmspack's player, its quiz data in index.html."""
    if not (path.is_dir() or head.startswith(b"PK")):
        return False
    try:
        with opened(path) as package:
            if not (package.has(MANIFEST) and package.has(LAUNCH)):
                return False
            return DATA.search(package.read(LAUNCH) or b"") is not None
    except OSError:
        return False


def read(path: Path) -> list[ImportedQuiz]:
    with opened(path) as package:
        quiz = _Reader(package).quiz()
    if package.problems or quiz is None:
        raise InputError(package.problems)
    return [quiz]


class _Malformed(Exception):
    """The player's data is not as lmspack writes it, at ``path`` (items[2].choices, ...)."""


class _Value:
    """A value of the player's data, with its path in it for messages."""

    def __init__(self, value: object, path: str) -> None:
        self.value, self.path = value, path

    def __getitem__(self, key: str | int) -> _Value:
        container = self.value
        try:
            value = container[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            raise _Malformed(f"{self.path}: no {key!r}") from None
        return _Value(value, f"{self.path}[{key!r}]" if isinstance(key, str) else f"{self.path}[{key}]")

    def get(self, key: str) -> _Value:
        return self[key] if isinstance(self.value, dict) and key in self.value else _Value(None, self.path)

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise _Malformed(f"{self.path} is not text")
        return self.value

    def optional_text(self) -> str | None:
        return None if self.value is None else self.text()

    def number(self) -> float:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise _Malformed(f"{self.path} is not a number")
        return float(self.value)

    def optional_number(self) -> float | None:
        return None if self.value is None else self.number()

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            raise _Malformed(f"{self.path} is not true or false")
        return self.value

    def optional_flag(self) -> bool:
        """True when absent (as the player takes it)."""
        return True if self.value is None else self.flag()

    def entries(self) -> Iterator[_Value]:
        if not isinstance(self.value, list):
            raise _Malformed(f"{self.path} is not a list")
        return (self[index] for index in range(len(self.value)))


class _Reader:
    def __init__(self, package: Package) -> None:
        self.package = package

    def quiz(self) -> ImportedQuiz | None:
        package = self.package
        manifest = package.document(MANIFEST)
        page = package.read(LAUNCH)
        if manifest is None or page is None:
            return None
        found = DATA.search(page)
        line = page.count(b"\n", 0, found.start()) + 1 if found else 0
        place = f"{package.display(LAUNCH)}:{line}:0"
        try:
            data = _Value(json.loads(found.group(1)) if found else None, "quiz data")
            return self._quiz(data, manifest.root.get("version") or "")
        except (_Malformed, ValueError, RecursionError) as error:
            package.problem(place, f"the player's quiz data is not as lmspack writes it ({error}); only packages "
                                   "lmspack made are read")
            return None

    def _quiz(self, data: _Value, version: str) -> ImportedQuiz:
        quiz = data["quiz"]
        # A cohort's package is the quiz's but for its identifier (<quiz>-<cohort>) and its title
        # (the cohort's own, if it has one), and nothing in it tells the two apart: it imports as a
        # quiz of its own, which builds the same package.
        identifier, title = quiz["id"].text(), quiz["title"].text()
        if not IDENTIFIER.match(identifier):
            raise _Malformed(f"{quiz.path}['id'] {identifier!r} is not an identifier lmspack writes")
        items = [_item(item) for item in data["items"].entries()]
        ids = [item.identifier for item in items]
        document: dict[str, object] = {"identifier": identifier, "title": title,
                                       "version": version if VERSION.match(version) else "1.0.0"}
        if quiz.get("description").optional_text():
            document["description"] = quiz["description"].text()
        language = quiz["language"].text()
        if language != "en":
            document["language"] = language
        strings = _strings(data["messages"], language)
        if strings:
            document["strings"] = strings
        document |= _settings(data["settings"]) | _theme(data["theme"]) | _pools(data["pools"], ids)
        document["items"] = ids
        files = {name[len(MEDIA_REFERENCE):]: self.package.read(name) or b""
                 for name in self.package.names if name.startswith(MEDIA_REFERENCE)}
        return ImportedQuiz(identifier, document, items, files)


def _strings(messages: _Value, language: str) -> dict[str, object]:
    """quiz.yaml's ``strings:``: the player's messages that are not its language's catalogue's."""
    catalogue = catalogues.messages(language)
    if not isinstance(messages.value, dict) or set(messages.value) != set(catalogue):
        raise _Malformed(f"{messages.path} does not hold the messages of a catalogue")
    return {key: value for key, value in sorted(messages.value.items()) if value != catalogue[key]}


def _theme(theme: _Value) -> dict[str, object]:
    """The theme: the logo by its path in the quiz folder (its file is under media/ as the items'
    are), its alt text and the accent colour."""
    written: dict[str, object] = {}
    logo = theme.get("logo").optional_text()
    if logo is not None:
        if not logo.startswith(MEDIA_REFERENCE):
            raise _Malformed(f"{theme.path}['logo'] {logo!r} is not a file of the package's media/")
        written["logo"] = unquote(logo[len(MEDIA_REFERENCE):])
        written["logo_alt"] = theme["logoAlt"].text()
    accent = theme.get("accent").optional_text()
    if accent is not None:
        written["accent"] = accent
    return {"theme": written} if written else {}


def _settings(settings: _Value) -> dict[str, object]:
    written: dict[str, object] = {"pass_mark": number(settings["passMark"].number())}
    attempts, seconds = settings["attempts"].optional_number(), settings["timeLimit"].optional_number()
    if attempts is not None:
        written["attempts"] = int(attempts)
    if seconds is not None:
        written["time_limit"] = int(seconds) // 60
    for name, key in (("shuffle_items", "shuffleItems"), ("shuffle_choices", "shuffleChoices")):
        if settings[key].flag():
            written[name] = True
    if settings["feedback"].text() != "immediately":
        written["feedback"] = settings["feedback"].text()
    if not settings.get("showCorrectAnswers").optional_flag():
        written["show_correct_answers"] = False
    if settings.get("navigation").optional_text() not in (None, "linear"):
        written["navigation"] = settings["navigation"].text()
    if settings["seed"].number():
        written["seed"] = int(settings["seed"].number())
    return written


def _pools(pools: _Value, ids: list[str]) -> dict[str, object]:
    """The quiz's draw or sections, from the player's pools (builder/formats/scorm.py _pools: the
    quiz's own, then one of the items they leave out, 'rest', or 'main' when there are none)."""
    read = [(pool["id"].text(), pool["title"].text(), [ids[int(index.number())] for index in pool["items"].entries()],
             pool["select"].optional_number()) for pool in pools.entries()]
    if read and read[-1][0] in ("rest", "main") and not read[-1][1] and read[-1][3] is None:
        read = read[:-1]
    if not read:
        return {}
    if len(read) == 1 and read[0][0] == "main" and not read[0][1] and read[0][2] == ids:
        return {"draw": int(read[0][3] or len(ids))}
    sections = []
    for identifier, title, items, select in read:
        section: dict[str, object] = {"id": identifier}
        if title != identifier:
            section["title"] = title
        section["items"] = items
        if select is not None:
            section["select"] = int(select)
        sections.append(section)
    return {"sections": sections}


def _text(fragment: _Value, block: bool) -> str:
    """A text the player shows, as the item file writes it: its audio and video players back to
    the <object> the model holds (builder/formats/richtext.py writes them from it)."""
    def as_object(found: re.Match[str]) -> str:
        _, url, alternative = found.groups()
        extension = "." + unquote(url).rsplit(".", 1)[-1].lower()
        return f'<object data="{url}" type="{MEDIA_TYPES.get(extension, "")}">{alternative}</object>'

    text, _ = source_text(PLAYER.sub(as_object, fragment.text()), block)
    return text


def _item(item: _Value) -> ImportedItem:
    identifier = item["id"].text()
    points = item["points"].number()
    prompt = _text(item["prompt"], block=True)
    document: dict[str, object] = {"id": identifier, "type": item["type"].text()}
    if item["title"].text() != default_title(prompt, identifier):
        document["title"] = item["title"].text()
    if points != 1:
        document["points"] = number(points)
    document["prompt"] = prompt
    document |= _interaction(item, points)
    if not item.get("shuffleChoices").optional_flag():
        document = with_field(document, "shuffle_choices", False)
    hints = [_text(hint, block=True) for hint in item["hints"].entries()]
    if hints:
        document["hints"] = hints
    if item["explanation"].optional_text() is not None:
        document["explanation"] = _text(item["explanation"], block=True)
    return ImportedItem(identifier, document)


def _interaction(item: _Value, points: float) -> dict[str, object]:
    kind = item["type"].text()
    match kind:
        case "single_choice" | "multiple_response" | "true_false":
            return _choices(item)
        case "short_answer":
            return _short_answer(item, points)
        case "numeric":
            return _numeric(item, points)
        case "essay":
            fields: dict[str, object] = {}
            for name, key in (("response_template", "template"), ("min_words", "minWords"),
                              ("max_words", "maxWords")):
                value = item[key].value
                if value not in (None, ""):
                    fields[name] = item[key].text() if name == "response_template" else int(item[key].number())
            return fields
        case "matching":
            return _matching(item)
        case "ordering":
            fields = {"order": [_text(step["html"], block=False) for step in item["steps"].entries()]}
            return fields | ({"scoring": "per_position"} if item["scoring"].text() == "per_position" else {})
        case "fill_in_blanks":
            return {"blanks": {blank["name"].text(): _blank(blank) for blank in item["blanks"].entries()}}
        case _:
            raise _Malformed(f"{item.path}['type'] {kind!r} is no item type lmspack writes")


def _choices(item: _Value) -> dict[str, object]:
    choices: list[dict[str, object]] = []
    wrong = []
    for index, choice in enumerate(item["choices"].entries()):
        written: dict[str, object] = {}
        if choice["id"].text() != choice_letters(index):
            written["id"] = choice["id"].text()
        written["text"] = _text(choice["html"], block=False)
        if choice["correct"].flag():
            written["correct"] = True
        else:
            wrong.append(choice["weight"].number())
        if choice["feedback"].optional_text() is not None:
            written["feedback"] = _text(choice["feedback"], block=False)
        if choice.get("fixed").value is not None and choice["fixed"].flag():
            written["fixed"] = True
        choices.append(written)
    fields: dict[str, object] = {"choices": choices}
    if item["type"].text() == "multiple_response" and wrong and all(weight == 0 for weight in wrong):
        fields["wrong_choice_penalty"] = False
    return fields


def _feedback(holder: _Value, key: str, fields: dict[str, object], name: str) -> None:
    if holder.get(key).optional_text() is not None:
        fields[name] = _text(holder[key], block=False)


def _answers(item: _Value, points: float, fields: Callable[[_Value, bool], dict[str, object]]) -> list[object]:
    """A typed item's answers: each one's own ``fields`` (told whether it is the first worth full
    credit, the one reported as correct), its credit and its feedback."""
    answers: list[object] = []
    correct_found = False
    for answer in item["answers"].entries():
        credit = credit_earning(points, answer["weight"].number(), exact=True)
        written = fields(answer, credit == 100 and not correct_found)
        correct_found |= credit == 100
        if credit != 100:
            written["credit"] = number(credit)
        _feedback(answer, "feedback", written, "feedback")
        answers.append(written)
    return answers


def _short_answer(item: _Value, points: float) -> dict[str, object]:
    fields: dict[str, object] = {"answers": _answers(item, points, lambda answer, _: {"text": answer["text"].text()})}
    if item["caseSensitive"].flag():
        fields["case_sensitive"] = True
    _feedback(item, "otherFeedback", fields, "other_feedback")
    return fields


def _numeric(item: _Value, points: float) -> dict[str, object]:
    pattern = item["patterns"].get("scorm12").optional_text()
    fields: dict[str, object] = {"answers": _answers(item, points, lambda answer, correct: _interval(
        answer, pattern if correct else None))}
    if item["unit"].text():
        fields["unit"] = item["unit"].text()
    _feedback(item, "otherFeedback", fields, "other_feedback")
    return fields


def _interval(answer: _Value, pattern: str | None) -> dict[str, object]:
    """A numeric answer (or blank) from what the player holds: the value the author wrote (None
    for a range) and the interval it accepts, which give back the tolerance. Packages made before
    the player showed the value hold only the interval: the answer SCORM 1.2 reports as correct was
    written as a value (its pattern is the value) when the pattern is one number and the interval
    more: that value, with a tolerance that gives the same interval."""
    low, high = answer["low"].number(), answer["high"].number()
    if isinstance(answer.value, dict) and "value" in answer.value:
        value = answer["value"].optional_number()
        if value is None:
            return {"range": [number(low), number(high)]}
        found = with_tolerance(value, low, high)
        if found is None:
            raise _Malformed(f"{answer.path}: no tolerance of the value {format_number(value)} gives its interval")
        return found
    if low == high:
        return {"value": number(low)}
    if pattern is not None:
        middle = low + (high - low) / 2
        values = [float(pattern), *(round(middle, places) for places in range(18))]
        for value in dict.fromkeys(values):
            found = with_tolerance(value, low, high) if format_number(value) == pattern else None
            if found is not None:
                return found
    return {"range": [number(low), number(high)]}


def _matching(item: _Value) -> dict[str, object]:
    lefts = list(item["lefts"].entries())
    options = [option["label"].text() for option in item["options"].entries()]
    pairs = [{"left": _text(left["html"], block=False), "right": _plain(options[index])}
             for index, left in enumerate(lefts)]
    fields: dict[str, object] = {"pairs": pairs}
    if options[len(lefts):]:
        fields["distractors"] = [_plain(option) for option in options[len(lefts):]]
    if item["scoring"].text() == "all_or_nothing":
        fields["scoring"] = "all_or_nothing"
    return fields


def _plain(text: str) -> str:
    """Plain text (a matching option as the player shows it) as inline text that shows just it."""
    written, _ = source_text(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), block=False)
    return written


def _blank(blank: _Value) -> dict[str, object]:
    kind = blank["kind"].text()
    if kind == "text":
        fields: dict[str, object] = {"answers": [answer.text() for answer in blank["answers"].entries()]}
        if blank["caseSensitive"].flag():
            fields["case_sensitive"] = True
        return fields
    if kind == "choice":
        options = [option.text() for option in blank["options"].entries()]
        return {"options": options, "correct": options[int(blank["correct"].number())]}
    if kind == "numeric":
        return _interval(blank, blank["patterns"].get("scorm12").optional_text())
    raise _Malformed(f"{blank.path}['kind'] {kind!r} is no blank lmspack writes")

