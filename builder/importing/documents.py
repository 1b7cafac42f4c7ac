"""What every reader writes alike, so that the documents load back to what the source holds:
identifiers lmspack takes, numbers written as an author writes them (the shortest decimals that
give exactly the numbers a package wrote: a credit, a pass mark, a tolerance), an item's fields in
docs/format.md's order, and the language of the combined feedback."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from builder import catalogues, markup
from builder.formats.wording import language_wording, outcome_feedback
from builder.importing import Lost
from builder.importing import html_cleaning as cleaning
from builder.loading import IDENTIFIER, SECTIONS_OF_THE_REST, TITLE_LIMIT, VERSION, reserved_use
from builder.markup import plain_text
from builder.model import NumericAnswer
from builder.scoring import credit_points, format_number


@dataclass
class Question:
    """One question of a source while a reader reads it: what it is (its type in the source, its
    name) and what of it is not carried, by line."""

    element: etree._Element
    kind: str
    name: str
    lost: list[tuple[int, str]] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.element.sourceline or 0

    def lose(self, what: str, element: etree._Element | None = None) -> None:
        """Note that ``what`` (of ``element``, else of the question) is not carried."""
        entry = self.entry(what, element)
        if entry not in self.lost:
            self.lost.append(entry)


    def entry(self, what: str, element: etree._Element | None = None) -> tuple[int, str]:
        """(line, what) of ``what`` of ``element`` (else of the question), as ``lost`` lists it."""
        line = (element.sourceline if element is not None else None) or self.line
        return line, f"{self.kind} {self.name!r}: {what}"


class Skipped(Exception):
    """A question the model cannot hold at all: not imported, the reason listed."""


DEFAULT_VERSION = "1.0.0"
DEFAULT_PASS_MARK = 80
"""What quiz.yaml says when the source has no pass mark (the loader needs one); the import says so."""


def slug(text: str, fallback: str) -> str:
    """``text`` as an identifier in lower case (letters, digits, '_', '-', '.'; a letter first; at
    most 64), or ``fallback`` when nothing of it is left: 'Étape 2: l'eau' -> 'etape-2-l-eau'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"[^a-z0-9_.]+", "-", ascii_text).strip("-.")
    words = re.sub(r"^[^A-Za-z_]+", "", words)[:64].rstrip("-.")
    return words if words and IDENTIFIER.match(words) else fallback


class Ids:
    """Identifiers unique in one quiz, compared in any case (they become file names), none that a
    package keeps for its own, none the quiz's own."""

    def __init__(self, quiz_identifier: str) -> None:
        self._taken = {quiz_identifier.casefold()}

    def take(self, wanted: str, fallback: str) -> str:
        """``wanted`` when it is a usable, free identifier; else its slug, or ``fallback``, with
        '-2', '-3', ... added until it is free."""
        base = wanted if IDENTIFIER.match(wanted) and reserved_use(wanted, "item") is None else slug(wanted, fallback)
        if reserved_use(base, "item") is not None:
            base = fallback
        candidate, count = base, 1
        while candidate.casefold() in self._taken or reserved_use(candidate, "item") is not None:
            count += 1
            candidate = f"{base[:60]}-{count}"
        self._taken.add(candidate.casefold())
        return candidate


def repeated(sources: list[str]) -> str | None:
    """The first of these inline canonical texts that learners could not tell from an earlier one
    (the same words in any case, as the loader compares them), or None."""
    seen: set[str] = set()
    for source in sources:
        shown = plain_text(cleaning.fragment_of(source, True))
        folded = " ".join(shown.casefold().split())
        if folded and folded in seen:
            return shown
        seen.add(folded)
    return None


def title(text: str) -> tuple[str, bool]:
    """A quiz's title as the loader takes it (at most TITLE_LIMIT characters), and whether it was cut."""
    text = text.strip()
    return (text, False) if len(text) <= TITLE_LIMIT else (text[:TITLE_LIMIT - 1].rstrip() + "…", True)


def number(value: float) -> int | float:
    """A number as canonical files write it: 2, not 2.0."""
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else float(value)


def package_name(file_name: str, suffix: str) -> list[tuple[str, str]]:
    """The (identifier, version) pairs a file named as lmspack names its packages
    (``<identifier>-<version><suffix>``) can be read as, the likeliest first: the version from the
    last '-' followed by a digit. Empty when the name is not of that form."""
    if not file_name.endswith(suffix):
        return []
    stem = file_name[: -len(suffix)]
    splits = [found.start() for found in re.finditer(r"-(?=[0-9])", stem)]
    splits += [found.start() for found in re.finditer(r"-", stem) if found.start() not in splits]
    pairs = []
    for position in sorted(splits, key=lambda at: (not stem[at + 1].isdigit(), -at)):
        identifier, version = stem[:position], stem[position + 1:]
        if IDENTIFIER.match(identifier) and VERSION.match(version) and reserved_use(identifier, "quiz") is None:
            pairs.append((identifier, version))
    return pairs


def safe_identifier(text: str, scope: str, taken: Iterable[str] = ()) -> str:
    """``text`` as an identifier lmspack takes for a ``scope`` ('item', 'quiz', 'choice' or
    'section'), unchanged when it is one, unique (in any case) among ``taken``: characters it does
    not take become '-', a name it refuses gets the scope in front ('item-SCORE'), a name taken a
    number after it."""
    folded_taken = {name.casefold() for name in taken}

    def refused(name: str) -> bool:
        if not IDENTIFIER.match(name):
            return True
        if scope == "section":
            return name.casefold() in SECTIONS_OF_THE_REST
        return reserved_use(name, scope) is not None

    candidate = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:64] or scope
    if refused(candidate):
        candidate = f"{scope}-{candidate}"[:64]  # never reserved, and starts with a letter
    base, number = candidate, 2
    while candidate.casefold() in folded_taken or refused(candidate):
        candidate = f"{base[:58]}-{number}"
        number += 1
    return candidate


def credit_earning(points: float, earned: float, exact: bool = False) -> float:
    """The credit (percent of the item's points) with the fewest decimals that earns ``earned``:
    exactly (the SCORM player's data holds the number), or as format_number writes it (7 decimals)."""
    def earns(credit: float) -> bool:
        made = credit_points(points, credit)
        return made == earned if exact else format_number(made) == format_number(earned)

    return shortest(earned / points * 100, earns, 1, 100)


def shortest(raw: float, fits: Callable[[float], bool], low: float, high: float) -> float:
    """The number with the fewest decimals that ``fits`` (from ``raw``), else ``raw``."""
    for places in range(0, 12):
        candidate = round(raw, places)
        if low <= candidate <= high and fits(candidate):
            return candidate
    return raw


def default_title(prompt: str, identifier: str) -> str:
    """The title the loader gives an item that writes none: the start of its prompt's text."""
    text = markup.plain_text(markup.block(prompt)[0])
    return (text if len(text) <= 80 else text[:79].rsplit(" ", 1)[0] + "…") or identifier


def with_tolerance(value: float, low: float, high: float) -> dict[str, object] | None:
    """``value`` with the shortest absolute or percent tolerance whose bounds (NumericAnswer.bounds,
    worked out in decimal) are exactly (low, high): how an answer the author wrote as a value and a
    tolerance is written again from the interval a package holds."""
    margins = [high - value, value - low]
    candidates: list[tuple[float, bool]] = []
    for margin in margins:
        for digits in range(1, 18):
            candidates.append((float(f"{margin:.{digits}g}"), False))
    if value:
        for margin in margins:
            for digits in range(1, 18):
                candidates.append((float(f"{margin / abs(value) * 100:.{digits}g}"), True))
    for tolerance, relative in candidates:
        if tolerance < 0 or (relative and tolerance > 100):
            continue
        if NumericAnswer(value, tolerance, relative, None, 100.0, None).bounds == (low, high):
            written: object = f"{number(tolerance)}%" if relative else number(tolerance)
            return {"value": number(value), "tolerance": written} if tolerance else {"value": number(value)}
    return None


ITEM_KEYS = ("id", "type", "title", "points", "tags", "prompt")


ITEM_KEYS_AFTER_CHOICES = ("hints", "explanation", "wrong_choice_penalty")
"""The keys of an item file that docs/format.md lists after ``shuffle_choices``."""


def with_field(document: dict[str, object], key: str, value: object) -> dict[str, object]:
    """``document`` with ``key`` set, before the keys that docs/format.md lists after it
    (``shuffle_choices`` comes after an item's choices, before its hints)."""
    keys = list(document)
    at = next((keys.index(name) for name in ITEM_KEYS_AFTER_CHOICES if name in keys), len(keys))
    return {**dict(list(document.items())[:at]), key: value, **dict(list(document.items())[at:])}


def item_document(identifier: str, item_type: str, title: str, points: float, tags: list[str], prompt: str,
                  fields: dict[str, object], hints: list[str], explanation: str) -> dict[str, object]:
    """An item file's mapping, its keys in docs/format.md's order; defaults left out."""
    document: dict[str, object] = {"id": identifier, "type": item_type}
    if title:
        document["title"] = title
    if points != 1:
        document["points"] = number(points)
    if tags:
        document["tags"] = tags
    document["prompt"] = prompt
    document.update(fields)
    if hints:
        document["hints"] = hints
    if explanation:
        document["explanation"] = explanation
    return document


class OutcomeLanguage:
    """Which language a Moodle or Canvas package's combined feedback is in: lmspack writes it from
    the quiz's catalogue (builder/formats/wording.py) and neither format holds a language, so the
    catalogue whose wording every question's feedback has is the quiz's language. A text that the
    chosen catalogue does not have is not carried (the model has per-choice feedback only)."""

    def __init__(self) -> None:
        self.seen: list[tuple[OutcomeKind, str, Lost]] = []

    def see(self, kind: OutcomeKind, shown: str, lost: Lost) -> None:
        """One combined feedback's plain text, and how it is listed when it is not carried."""
        self.seen.append((kind, shown, lost))

    def language(self) -> tuple[str, list[Lost]]:
        """The catalogue that has the most of the texts seen (English when none is better), and the
        texts seen that it has not."""
        fits = {tag: [(kind, shown) in _outcome_texts(tag) for kind, shown, _ in self.seen]
                for tag in catalogues.tags()}
        best = max(sorted(fits), key=lambda tag: (sum(fits[tag]), tag == catalogues.SOURCE_TAG))
        return best, [lost for (_, _, lost), fits_best in zip(self.seen, fits[best], strict=True) if not fits_best]


OutcomeKind = Literal["correct", "partially_correct", "incorrect"]


@functools.cache
def _outcome_texts(tag: str) -> frozenset[tuple[str, str]]:
    """(kind, plain text) of each combined feedback the catalogue ``tag`` gives."""
    words = language_wording(tag)
    found: set[tuple[str, str]] = set()
    for partial in (True, False):
        feedback = outcome_feedback(words, partial)
        found |= {("correct", plain_text(feedback.correct)), ("incorrect", plain_text(feedback.incorrect)),
                  ("partially_correct", plain_text(feedback.partially_correct))}
    return frozenset(found)
