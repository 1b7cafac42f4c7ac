"""The one model of a quiz. Built only by builder.loading; every output format reads only this.

Text fields hold sanitised XHTML fragments (``Markup``), produced by builder.markup from the
authors' Markdown. Nothing here is raw YAML.
"""

from __future__ import annotations

import copyreg
import dataclasses
import io
import operator
import pickle
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal, NamedTuple, TypeAlias, assert_never
from urllib.parse import quote

from markupsafe import Markup

ChoiceKind = Literal["single_choice", "multiple_response", "true_false"]
CHOICE_KINDS: tuple[ChoiceKind, ...] = ("single_choice", "multiple_response", "true_false")

FeedbackTiming = Literal["immediately", "after_submit", "never"]
FEEDBACK_TIMINGS: tuple[FeedbackTiming, ...] = ("immediately", "after_submit", "never")

Navigation = Literal["linear", "free"]
NAVIGATIONS: tuple[Navigation, ...] = ("linear", "free")
"""linear: one question after another, never back; free: any question, in any order, submitted at the end."""

MEDIA_REFERENCE = "media/"
"""How a fragment names a file of the quiz folder: this, then its path there URL-quoted
(builder.markup writes it; it is also the file's path in SCORM packages)."""

QUIZ_FORMATS: tuple[str, ...] = ("qti21", "scorm12", "scorm2004", "moodle", "canvas")
"""The formats that carry the quiz's items as questions (Quiz.items; never a flashcard item)."""
CARD_FORMATS: tuple[str, ...] = ("anki", "cards-csv", "quizlet", "flashcards", "flashcards12")
"""The formats that carry the quiz's cards (builder.cards: Quiz.items chosen by ``flashcards:``, and
every flashcard item)."""
FORMAT_NAMES: tuple[str, ...] = QUIZ_FORMATS + CARD_FORMATS

MessageText: TypeAlias = str | tuple[tuple[str, str], ...]
"""A message lmspack shows learners (builder/catalogues) as quiz.yaml's ``strings:`` gives it: a
text, or a text per CLDR plural category (category, text) for a message with plural forms."""


_FIELD_VALUES: dict[type, Callable[[object], tuple[object, ...]]] = {}
"""For each dataclass pickled as a call: what gives the values of its fields, in the order its
constructor takes them."""


def _pickled_as_a_call(self: object) -> tuple[type, tuple[object, ...]]:
    """Pickle a frozen slotted dataclass as a call of its class with its field values, every field
    of the dataclass (a field added later is never left out): read back several times faster than
    dataclasses' own __setstate__, and a rebuild reads back every item of the bank (builder.loading)."""
    cls = type(self)
    values = _FIELD_VALUES.get(cls)
    if values is None:
        names = [f.name for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        getter = operator.attrgetter(*names)
        # attrgetter of one name gives the value itself, not a tuple of it.
        values = _FIELD_VALUES[cls] = getter if len(names) > 1 else lambda obj: (getter(obj),)
    return cls, values(self)


@dataclass(frozen=True, slots=True)
class Place:
    """Where something was written: 1-based line and column in a canonical file."""

    path: str
    line: int
    column: int

    __reduce__ = _pickled_as_a_call


def choice_letters(index: int) -> str:
    """The identifier of the choice at ``index`` when its author gave none: A, B, ..., Z, AA, AB,
    ... like spreadsheet columns."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Choice:
    identifier: str
    """Stable identifier, unique in its item (author-given ``id`` or the letter A, B, C...)."""
    text: Markup
    """Inline XHTML."""
    correct: bool
    feedback: Markup | None
    """Inline XHTML shown when the learner chose this choice."""
    fixed: bool = False
    """Pinned at its place when the other choices are shuffled ("All of the above")."""

    __reduce__ = _pickled_as_a_call


@dataclass(frozen=True, slots=True)
class ChoiceInteraction:
    """The learner picks among choices: one (single_choice, true_false) or any number
    (multiple_response)."""

    kind: ChoiceKind
    choices: tuple[Choice, ...]
    wrong_choice_penalty: bool
    """multiple_response only: a wrong choice takes away what a right one gives (floor 0)."""

    __reduce__ = _pickled_as_a_call

    @property
    def correct_choices(self) -> tuple[Choice, ...]:
        return tuple(c for c in self.choices if c.correct)

    @property
    def multiple(self) -> bool:
        """Whether the learner may select more than one choice."""
        match self.kind:
            case "single_choice" | "true_false":
                return False
            case "multiple_response":
                return True
            case _:
                assert_never(self.kind)

    @property
    def pinned(self) -> bool:
        """Whether a choice is pinned at its place (``fixed``) among choices that may be shuffled."""
        return self.may_shuffle and any(choice.fixed for choice in self.choices)

    @property
    def may_shuffle(self) -> bool:
        """Whether the choices may be shown in a shuffled order: never True and False, which come in
        that order in every LMS."""
        match self.kind:
            case "single_choice" | "multiple_response":
                return True
            case "true_false":
                return False
            case _:
                assert_never(self.kind)


@dataclass(frozen=True, slots=True)
class TextAnswer:
    """An accepted typed answer of a short_answer item, tried in order (the first match counts)."""

    text: str
    """Plain text as the author wrote it, trimmed; compared after folding whitespace (scoring.normalised_text)."""
    credit: float
    """Percent of the item's points, 1 to 100."""
    feedback: Markup | None
    """Inline XHTML shown when the learner's answer matched this one."""

    __reduce__ = _pickled_as_a_call


@dataclass(frozen=True, slots=True)
class ShortAnswerInteraction:
    """The learner types a word or phrase."""

    answers: tuple[TextAnswer, ...]
    case_sensitive: bool
    other_feedback: Markup | None
    """Inline XHTML shown for any answer not listed."""

    __reduce__ = _pickled_as_a_call


@dataclass(frozen=True, slots=True)
class NumericAnswer:
    """An accepted number: ``value`` within ``tolerance`` (absolute, or percent of the value when
    ``relative``), or, when ``value`` is None, any number from ``low`` to ``high``."""

    value: float | None
    tolerance: float
    relative: bool
    range: tuple[float, float] | None
    credit: float
    """Percent of the item's points, 1 to 100."""
    feedback: Markup | None

    __reduce__ = _pickled_as_a_call

    @property
    def bounds(self) -> tuple[float, float]:
        """The closed interval of numbers this answer accepts, worked out in decimal as the author
        wrote the numbers (in binary, 0.3 with 10 % would end at 0.32999999999999996 and refuse 0.33)."""
        if self.range is not None:
            return self.range
        assert self.value is not None, "a numeric answer has a value or a range"
        value, tolerance = Decimal(repr(self.value)), Decimal(repr(self.tolerance))
        margin = abs(value) * tolerance / 100 if self.relative else tolerance
        return float(value - margin), float(value + margin)


@dataclass(frozen=True, slots=True)
class NumericInteraction:
    """The learner types a number."""

    answers: tuple[NumericAnswer, ...]
    unit: str
    """Shown beside the box ('' for none); never typed by the learner."""
    other_feedback: Markup | None

    __reduce__ = _pickled_as_a_call


@dataclass(frozen=True, slots=True)
class EssayInteraction:
    """The learner writes a text that a person grades: never scored automatically."""

    grader_notes: Markup | None
    """Block XHTML for the grader; never shown to learners."""
    response_template: str
    """Plain text the answer box starts with ('' for none)."""
    min_words: int | None
    max_words: int | None

    __reduce__ = _pickled_as_a_call


MatchScoring = Literal["per_pair", "all_or_nothing"]
OrderScoring = Literal["all_or_nothing", "per_position"]


@dataclass(frozen=True, slots=True)
class Pair:
    """A left side and the right side it matches (inline XHTML each)."""

    left: Markup
    right: Markup

    __reduce__ = _pickled_as_a_call


@dataclass(frozen=True, slots=True)
class MatchingInteraction:
    """The learner matches each left side with one of the right-hand options: the pairs' right
    sides and the distractors, which match nothing."""

    pairs: tuple[Pair, ...]
    distractors: tuple[Markup, ...]
    scoring: MatchScoring
    """per_pair: each right pair earns points / pairs; all_or_nothing: all right, or nothing."""

    __reduce__ = _pickled_as_a_call

    @property
    def left_ids(self) -> tuple[str, ...]:
        """The left sides' identifiers in a response: L1, L2, ... in the author's order."""
        return tuple(f"L{n}" for n in range(1, len(self.pairs) + 1))

    @property
    def options(self) -> tuple[tuple[str, Markup], ...]:
        """The right-hand options with their identifiers: R1 ... the pairs' right sides in order
        (Rn matches Ln), then the distractors."""
        rights = [pair.right for pair in self.pairs] + list(self.distractors)
        return tuple((f"R{n}", text) for n, text in enumerate(rights, start=1))


@dataclass(frozen=True, slots=True)
class OrderingInteraction:
    """The learner puts the steps in order."""

    steps: tuple[Markup, ...]
    """Inline XHTML each, in the correct order."""
    scoring: OrderScoring
    """all_or_nothing: the whole order right, or nothing; per_position: each step in its place
    earns points / steps."""

    __reduce__ = _pickled_as_a_call

    @property
    def step_ids(self) -> tuple[str, ...]:
        """The steps' identifiers in a response: S1, S2, ... in the correct order."""
        return tuple(f"S{n}" for n in range(1, len(self.steps) + 1))


@dataclass(frozen=True, slots=True)
class TextBlank:
    """A blank the learner types into; compared as a short answer is (builder.scoring)."""

    name: str
    answers: tuple[str, ...]
    """Plain text, each accepted for full credit."""
    case_sensitive: bool

    __reduce__ = _pickled_as_a_call


@dataclass(frozen=True, slots=True)
class ChoiceBlank:
    """A drop-down blank."""

    name: str
    options: tuple[str, ...]
    """Plain text, in the author's order."""
    correct: int
    """The index of the right option."""

    __reduce__ = _pickled_as_a_call


@dataclass(frozen=True, slots=True)
class NumericBlank:
    """A blank the learner types a number into."""

    name: str
    answer: NumericAnswer
    """Its value and tolerance or its range (full credit, no feedback)."""

    __reduce__ = _pickled_as_a_call


Blank: TypeAlias = TextBlank | ChoiceBlank | NumericBlank
BLANK_MARKER = re.compile(r"\[\[([A-Za-z][A-Za-z0-9_]{0,31})\]\]")
"""Where a blank stands in the prompt: [[name]]."""


@dataclass(frozen=True, slots=True)
class FillInBlanksInteraction:
    """Blanks in the prompt's text, each ``[[name]]`` in it: typed, a drop-down or a number. Each
    blank is worth points / blanks."""

    blanks: tuple[Blank, ...]
    """In the order they stand in the prompt."""

    __reduce__ = _pickled_as_a_call

    def fill(self, prompt: Markup, blank: Callable[[Blank, int], Markup]) -> Markup:
        """The prompt with each ``[[name]]`` replaced by ``blank(the blank, its index)``: how each
        format puts its controls where the blanks stand."""
        by_name = {b.name: (b, n) for n, b in enumerate(self.blanks)}
        return Markup(BLANK_MARKER.sub(lambda found: str(blank(*by_name[found.group(1)])), str(prompt)))


@dataclass(frozen=True, slots=True)
class MediaUse:
    """A file of the quiz folder that an item's text shows, and where the text names it."""

    name: str
    """Its path in the quiz folder ('/' between folders, NFC); fragments name it as
    ``media/`` + this path URL-quoted (MEDIA_REFERENCE)."""
    place: Place

    __reduce__ = _pickled_as_a_call


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file the quiz's items show, read and checked by builder.media at every build."""

    name: str
    """Its path in the quiz folder, as MediaUse.name."""
    media_type: str
    """image/png, audio/mpeg, video/mp4, ... (builder.markup.MEDIA_TYPES)."""
    content: bytes

    @property
    def href(self) -> str:
        """Its path as fragments write it after ``media/``: URL-quoted."""
        return quote(self.name)


Interaction: TypeAlias = (ChoiceInteraction | ShortAnswerInteraction | NumericInteraction | EssayInteraction
                          | MatchingInteraction | OrderingInteraction | FillInBlanksInteraction)
"""What the learner does to answer, one frozen dataclass per kind. Every consumer dispatches on it
with ``match`` ending in ``case _: assert_never(...)``, so mypy names each place a new kind is
missing (docs/architecture.md, "Adding a question type")."""


class Notice(NamedTuple):
    """A warning from loading an item's texts: its stable code (builder.warning_codes) and message."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Item:
    """What every item has, whatever its interaction."""

    id: str
    title: str
    prompt: Markup
    """Block XHTML."""
    points: float
    hints: tuple[Markup, ...]
    """Block XHTML each, revealed one at a time in this order."""
    explanation: Markup | None
    """Block XHTML shown after the attempt."""
    tags: tuple[str, ...]
    place: Place
    source_sha256: str
    """Hash of the item file's bytes, for build manifests and the cache."""
    interaction: Interaction
    shuffle_choices: bool = True
    """Whether its choices (or drop-down options) may be shuffled where the quiz shuffles them;
    False (``shuffle_choices: false`` in its file) keeps the author's order, where order means
    something ("10 / 30 / 60 / 90 days")."""
    media: tuple[MediaUse, ...] = ()
    """The files its texts show, each once, in the order they are first named."""
    notices: tuple[Notice, ...] = ()
    """What loading it left out or found wanting without refusing it (markup the sanitiser
    removed, a video without a text alternative): warned at every build."""

    __reduce__ = _pickled_as_a_call


@dataclass(frozen=True, slots=True)
class Flashcard:
    """A ``type: flashcard`` item: a card to study, never a question. Kept apart from the items
    (Quiz.flashcards), so no quiz format ever sees one; builder.cards makes its card."""

    id: str
    title: str
    front: Markup
    """Block XHTML."""
    back: Markup
    """Block XHTML."""
    tags: tuple[str, ...]
    place: Place
    source_sha256: str
    media: tuple[MediaUse, ...] = ()
    notices: tuple[Notice, ...] = ()

    __reduce__ = _pickled_as_a_call


@dataclass(frozen=True, slots=True)
class Card:
    """One study card (builder.cards makes it of an item or a flashcard item): what the card formats
    (anki, cards-csv, quizlet) and a study player show, a front and a back."""

    id: str
    """The id of the item (or flashcard item) it is made of: unique in the quiz."""
    title: str
    kind: str
    """The item's ``type:`` (``flashcard`` for a flashcard item)."""
    front: Markup
    """Block XHTML: the prompt, with what makes sense of it (choices, the sides to match, the steps,
    blanks as ____), or a flashcard item's front."""
    back: Markup
    """Block XHTML: the right answer(s) and the explanation, or a flashcard item's back ('' when an
    essay has neither grader notes nor an explanation)."""
    tags: tuple[str, ...]
    place: Place
    media: tuple[MediaUse, ...] = ()
    """The files its front and back show (MediaUse.name, as Quiz.media names them)."""


def _markup_as_a_call(text: Markup) -> tuple[Callable[[type[Markup], str], Markup], tuple[type[Markup], str]]:
    """Markup read back by str.__new__, without Markup.__new__ (a Python function, and a check for
    __html__ that a str never passes): an item holds a dozen texts, and a rebuild reads back every
    item of the bank."""
    return str.__new__, (Markup, str(text))


_ITEM_PICKLING = copyreg.dispatch_table | {Markup: _markup_as_a_call}


def pickled(item: Item | Flashcard) -> bytes:
    """``item`` (or a flashcard item) as pickle bytes (pickle.loads reads it back): how a loaded item is handed from a
    worker and kept in the cache, which a rebuild reads back for every item of the bank."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _ITEM_PICKLING
    pickler.dump(item)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Pool:
    """A section of the test: draw ``select`` of its items (all when None), in a seeded order."""

    identifier: str
    title: str
    item_ids: tuple[str, ...]
    select: int | None = None


@dataclass(frozen=True, slots=True)
class Theme:
    """The organisation's look in the SCORM player (quiz.yaml ``theme:``): a logo and an accent colour."""

    logo: str | None = None
    """Its path in the quiz folder (as MediaUse.name), an image; the file is in Quiz.theme_media."""
    logo_alt: str = ""
    """What the logo shows, for learners who cannot see it ('' only without a logo)."""
    accent: str | None = None
    """'#rrggbb', lower case, with WCAG AA contrast against the player's colours (builder.colours)."""


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
    show_correct_answers: bool = True
    """Whether feedback (when it is shown) shows the right answer(s) after a wrong or partly right one."""
    navigation: Navigation = "linear"
    theme: Theme | None = None
    written: frozenset[str] = field(default=frozenset(), compare=False)
    """The settings quiz.yaml (or the cohort, or the quiz before it) wrote, by name ('pools' for
    draw or sections): a format warns only of what it cannot carry of these, never of a default."""


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
    media: tuple[MediaFile, ...] = ()
    """Every file the items show, once each, sorted by name (builder.media)."""
    accepted_warnings: frozenset[str] = frozenset()
    """The warning codes quiz.yaml's accept_warnings silences (builder.warning_codes)."""
    cohort_title: str | None = None
    """The title the cohort built (``cohort``) sets for itself, shown instead of the quiz's."""
    cohort_titles: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """Each cohort quiz.yaml gives a title of its own, with that title."""
    theme_media: tuple[MediaFile, ...] = ()
    """The logos of the quiz's theme and its cohorts', read and checked as item media are, kept
    apart from ``media`` (which every format carries): only the SCORM player shows a logo."""
    strings: tuple[tuple[str, MessageText], ...] = ()
    """quiz.yaml's ``strings:``: messages to show learners instead of the catalogue's, by key."""
    flashcards: tuple[Flashcard, ...] = ()
    """Its ``type: flashcard`` items, in the quiz's order: cards only, never in ``items``."""
    card_ids: tuple[str, ...] = ()
    """The ids of what becomes a card (builder.cards), in the quiz's order: the items quiz.yaml's
    ``flashcards:`` chooses (all by default) and every flashcard item."""

    def media_of(self, fragments: Iterable[str]) -> tuple[MediaFile, ...]:
        """The files these fragments show, in the quiz's order (for the formats that keep a
        file with the text that shows it)."""
        text = "".join(fragments)
        if MEDIA_REFERENCE not in text:
            return ()
        return tuple(file for file in self.media if f'"{MEDIA_REFERENCE}{file.href}"' in text)

    @property
    def every_item(self) -> tuple[Item | Flashcard, ...]:
        """Its items and its flashcard items: every item file it was loaded from."""
        return (*self.items, *self.flashcards)

    @property
    def cohorts(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.cohort_settings)

    def for_cohort(self, name: str) -> Quiz:
        """The quiz as cohort ``name`` takes it: that cohort's settings and title, and its name in identifiers."""
        return dataclasses.replace(self, settings=dict(self.cohort_settings)[name], cohort=name,
                                   cohort_title=dict(self.cohort_titles).get(name))

    @property
    def logo(self) -> MediaFile | None:
        """The file of the theme's logo, if the theme has one."""
        theme = self.settings.theme
        if theme is None or theme.logo is None:
            return None
        return next(file for file in self.theme_media if file.name == theme.logo)

    @property
    def max_score(self) -> float:
        return sum(item.points for item in self.items)

    @property
    def package_id(self) -> str:
        """Identifier that tells cohorts apart inside one LMS course."""
        return f"{self.identifier}-{self.cohort}" if self.cohort else self.identifier

    @property
    def display_title(self) -> str:
        """The title learners see: the cohort's own title, else the quiz's (never the cohort's name,
        which only identifiers and file names carry: package_id)."""
        return self.cohort_title or self.title
