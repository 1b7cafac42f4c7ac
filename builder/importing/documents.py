"""What every reader writes alike: identifiers, numbers and an item's fields in their order."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from lxml import etree

from builder.importing import package_texts as texts
from builder.loading import IDENTIFIER, TITLE_LIMIT, VERSION, reserved_use
from builder.markup import plain_text


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
        line = (element.sourceline if element is not None else None) or self.line
        entry = (line, f"{self.kind} {self.name!r}: {what}")
        if entry not in self.lost:
            self.lost.append(entry)


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
        shown = plain_text(texts.fragment_of(source, True))
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
    """A number as YAML writes it best: 2, not 2.0."""
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


ITEM_KEYS = ("id", "type", "title", "points", "tags", "prompt")


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
