"""The one model of a quiz. Built only by builder.loading; every output format reads only this.

Text fields hold sanitised XHTML fragments (``Markup``), produced by builder.markup from the
authors' Markdown. Nothing here is raw YAML.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from markupsafe import Markup

ItemType = Literal["single_choice", "multiple_response", "true_false"]
ITEM_TYPES: tuple[ItemType, ...] = ("single_choice", "multiple_response", "true_false")

FeedbackTiming = Literal["immediately", "after_submit", "never"]
FEEDBACK_TIMINGS: tuple[FeedbackTiming, ...] = ("immediately", "after_submit", "never")

FORMAT_NAMES: tuple[str, ...] = ("qti21", "scorm12", "scorm2004", "moodle", "canvas")


def _pickled_as_a_call(self: object) -> tuple[type, tuple[object, ...]]:
    """Pickle a frozen slotted dataclass as a call of its class with its field values (in slot
    order, which is field order): read back several times faster than dataclasses' own
    __setstate__, and a large bank is read back from the cache item by item (builder.loading)."""
    return type(self), tuple(getattr(self, name) for name in self.__slots__)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Place:
    """Where something was written: 1-based line and column in a canonical file."""

    path: str
    line: int
    column: int

    __reduce__ = _pickled_as_a_call


@dataclass(frozen=True, slots=True)
class Choice:
    identifier: str
    """Stable identifier, unique in its item (author-given ``id`` or the letter A, B, C...)."""
    text: Markup
    """Inline XHTML."""
    correct: bool
    feedback: Markup | None
    """Inline XHTML shown when the learner chose this choice."""

    __reduce__ = _pickled_as_a_call


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    type: ItemType
    title: str
    prompt: Markup
    """Block XHTML."""
    choices: tuple[Choice, ...]
    hints: tuple[Markup, ...]
    """Block XHTML each, revealed one at a time in this order."""
    explanation: Markup | None
    """Block XHTML shown after the attempt."""
    points: float
    tags: tuple[str, ...]
    wrong_choice_penalty: bool
    """multiple_response only: a wrong choice takes away what a right one gives (floor 0)."""
    place: Place
    source_sha256: str
    """Hash of the item file's bytes, for build manifests and the cache."""

    @property
    def correct_choices(self) -> tuple[Choice, ...]:
        return tuple(c for c in self.choices if c.correct)

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled as plain strings, tuples and numbers, read back by one call of _item_from: a
        rebuild reads back every item of the bank (builder.loading), and Markup's own __new__, run
        for each of a dozen texts per item, was most of that."""
        choices = tuple((c.identifier, str(c.text), c.correct, None if c.feedback is None else str(c.feedback))
                        for c in self.choices)
        return _item_from, (self.id, self.type, self.title, str(self.prompt), choices, tuple(map(str, self.hints)),
                            None if self.explanation is None else str(self.explanation), self.points, self.tags,
                            self.wrong_choice_penalty, (self.place.path, self.place.line, self.place.column),
                            self.source_sha256)


# Markup from a str, already safe, without Markup.__new__ (a Python function, and a check for
# __html__ that a str never passes).
_markup = functools.partial(str.__new__, Markup)


def _item_from(id: str, type: ItemType, title: str, prompt: str,
               choices: tuple[tuple[str, str, bool, str | None], ...], hints: tuple[str, ...],
               explanation: str | None, points: float, tags: tuple[str, ...], wrong_choice_penalty: bool,
               place: tuple[str, int, int], source_sha256: str) -> Item:
    return Item(id, type, title, _markup(prompt),
                tuple(Choice(identifier, _markup(text), correct, None if feedback is None else _markup(feedback))
                      for identifier, text, correct, feedback in choices),
                tuple(map(_markup, hints)), None if explanation is None else _markup(explanation), points, tags,
                wrong_choice_penalty, Place(*place), source_sha256)


@dataclass(frozen=True, slots=True)
class Pool:
    """A section of the test: draw ``select`` of its items (all when None), in a seeded order."""

    identifier: str
    title: str
    item_ids: tuple[str, ...]
    select: int | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    """Delivery rules; a cohort overrides any of them."""

    pass_mark: float
    """Percent of the maximum score needed to pass, 0 to 100."""
    attempts: int | None = None
    """Attempts allowed; None means unlimited."""
    time_limit: int | None = None
    """Seconds; None means no limit."""
    shuffle_items: bool = False
    shuffle_choices: bool = False
    feedback: FeedbackTiming = "immediately"
    seed: int = 0
    """Seeds the draw from pools, so the same seed always gives the same package."""
    pools: tuple[Pool, ...] = ()


@dataclass(frozen=True, slots=True)
class Quiz:
    identifier: str
    title: str
    version: str
    description: str
    language: str
    settings: Settings
    items: tuple[Item, ...]
    formats: tuple[str, ...]
    """Formats built when the command line names none."""
    directory: Path
    place: Place
    cohort: str | None = None
    cohort_settings: tuple[tuple[str, Settings], ...] = field(default=(), compare=False)
    """Each cohort quiz.yaml defines, with its settings already resolved over the quiz's."""
    source_sha256: str = field(default="", compare=False)
    """Hash of quiz.yaml's bytes as read, for build manifests (not read again: it may have changed)."""

    @property
    def cohorts(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.cohort_settings)

    def for_cohort(self, name: str) -> Quiz:
        """The quiz as cohort ``name`` takes it: that cohort's settings, and its name in identifiers."""
        return dataclasses.replace(self, settings=dict(self.cohort_settings)[name], cohort=name)

    @property
    def max_score(self) -> float:
        return sum(item.points for item in self.items)

    @property
    def package_id(self) -> str:
        """Identifier that tells cohorts apart inside one LMS course."""
        return f"{self.identifier}-{self.cohort}" if self.cohort else self.identifier

    @property
    def display_title(self) -> str:
        return f"{self.title} ({self.cohort})" if self.cohort else self.title
