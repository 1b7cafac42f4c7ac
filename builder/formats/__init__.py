"""Output formats. Each format is one function ``build(quiz, cache) -> Output`` in its module under
``builder.formats`` that turns the model into one file's bytes, in memory and already validated
against the project's own schemas; what holds every item is made of its items' parts (ItemPart)
in segments remembered in the cache (builder.packaging.Segmented), a member or a run of members,
which ``members(quiz, cache)`` lists so that a large build can make them ahead on every core.
Adding a format means adding a module, its templates and its schemas, and one line in ``FORMATS``.

Each format also says what it holds: ``SUPPORT`` (FormatSupport), the item types and the quiz
and item features it carries, from which its warnings of what it leaves out follow, and a
``check(quiz) -> list[Problem]`` naming every item it refuses, which both ``lmspack validate``
and the build run before any package is made (builder.build.format_problems): a format's build
assumes its check passed."""

from __future__ import annotations

import functools
import hashlib
import importlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, assert_never, get_args

from builder.cache import Cache, ItemKeys
from builder.checking import MAX_XML_BYTES
from builder.errors import InputError, Problem
from builder.model import (
    CARD_FORMATS,
    FORMAT_NAMES,
    ChoiceInteraction,
    ChoiceKind,
    EssayInteraction,
    FillInBlanksInteraction,
    Interaction,
    Item,
    MatchingInteraction,
    NumericInteraction,
    OrderingInteraction,
    Quiz,
    ShortAnswerInteraction,
)
from builder.packaging import Deflated, Segmented, SegmentedMember, SegmentedRecords, zip_stamp
from builder.warning_codes import CODES

Feature = Literal[
    "hints", "true_false_hints", "choice_feedback", "explanation", "true_false_labels",
    "wrong_choice_penalty_off", "pass_mark", "attempts", "time_limit", "shuffle_items", "shuffle_sections",
    "shuffle_choices", "pools", "seeded_draws", "feedback_timing", "immediate_feedback",
    "hints_before_submit", "hidden_feedback_with_retries", "show_correct_answers", "navigation", "theme",
    "item_choice_order", "fixed_choices",
]
"""What of an item or a quiz a format may carry or leave out:

* hints, true_false_hints: an item's hints (on a true/false item);
* choice_feedback, explanation: a choice's feedback, an item's explanation;
* true_false_labels: a true/false item's own choice texts (not the platform's True/False);
* wrong_choice_penalty_off: multiple response scored without a deduction per wrong choice;
* pass_mark, attempts, time_limit, shuffle_items, shuffle_choices, pools: those quiz settings;
* shuffle_sections: the order of pools shuffled too when items are;
* seeded_draws: draws from pools repeatable from the quiz's seed;
* feedback_timing, immediate_feedback: the 'feedback' setting at all, its value 'immediately';
* hints_before_submit: hints shown on request before submission whatever the feedback timing;
* hidden_feedback_with_retries: feedback 'never' kept from the learner between attempts;
* show_correct_answers, navigation, theme: those quiz settings (theme: a logo and an accent colour);
* item_choice_order: an item's own ``shuffle_choices: false`` kept where the quiz shuffles choices;
* fixed_choices: a choice pinned at its place (``fixed: true``) while the others are shuffled."""


@dataclass(frozen=True)
class FormatSupport:
    """What a format holds: the item types (``type:`` in an item file) it carries, each refused by
    its check at the item's place otherwise, and the features it carries; each feature it lacks
    is a warning when a quiz uses it (the format's warnings ask ``lacks``, so they follow this)."""

    item_types: frozenset[str]
    features: frozenset[Feature]

    def lacks(self, feature: Feature) -> bool:
        return feature not in self.features


CHOICE_TYPES: frozenset[str] = frozenset(get_args(ChoiceKind))
"""The item types of the choice interaction: single_choice, multiple_response, true_false."""
ALL_FEATURES: frozenset[Feature] = frozenset(get_args(Feature))


def item_type(interaction: Interaction) -> str:
    """The ``type:`` an item of this interaction has in its file."""
    match interaction:
        case ChoiceInteraction() as choice:
            return choice.kind
        case ShortAnswerInteraction():
            return "short_answer"
        case NumericInteraction():
            return "numeric"
        case EssayInteraction():
            return "essay"
        case MatchingInteraction():
            return "matching"
        case OrderingInteraction():
            return "ordering"
        case FillInBlanksInteraction():
            return "fill_in_blanks"
        case _:
            assert_never(interaction)


def unsupported_items(title: str, support: FormatSupport, quiz: Quiz) -> list[Problem]:
    """A problem at each item whose type the format (named ``title``) does not carry; at the quiz
    when it has no items to carry, only flashcard items (which only the card formats carry)."""
    if not quiz.items:
        return [Problem(quiz.place.path, quiz.place.line, quiz.place.column,
                        f"{title} carries questions, and this quiz has only flashcard items ({len(quiz.flashcards)}), "
                        f"which are cards to study; build it as cards (--format {', '.join(CARD_FORMATS[:-1])} or "
                        f"{CARD_FORMATS[-1]}), or add questions")]
    return [Problem(item.place.path, item.place.line, item.place.column,
                    f"{title} cannot carry items of type '{kind}'; build another format for this "
                    "item, or leave it out of this quiz")
            for item in quiz.items if (kind := item_type(item.interaction)) not in support.item_types]


def refuse(problems: list[Problem]) -> None:
    """InputError listing ``problems``, if any: a format's build refuses exactly what its check reports."""
    if problems:
        raise InputError(problems)


@dataclass(frozen=True)
class FormatWarning:
    """Something the format cannot express, reported once per build (never dropped silently)."""

    format: str
    code: str
    """Its stable code (builder.warning_codes, docs/warnings.md)."""
    message: str
    item_ids: tuple[str, ...] = ()
    """The items it concerns (none: the quiz as a whole)."""

    def __post_init__(self) -> None:
        assert self.code in CODES, f"warning code {self.code!r} is not in builder.warning_codes"


def too_large(format_name: str, file_name: str, size: int) -> list[FormatWarning]:
    """A warning when one XML file of a package is larger than ``lmspack check`` reads (the same
    limit as the reference validator's): the package is valid, but those will refuse it."""
    if size <= MAX_XML_BYTES:
        return []
    return [FormatWarning(format_name, "xml-too-large",
                          f"{file_name} is {size / 2**20:.0f} MB of XML, more than the {MAX_XML_BYTES // 2**20} MB "
                          "that lmspack check and package validators read; split the quiz into smaller ones")]


@dataclass(frozen=True)
class Output:
    filename: str
    data: bytes
    warnings: tuple[FormatWarning, ...] = ()


@dataclass(frozen=True)
class ItemPart:
    """The piece of a format's file that one item makes on its own (an item document, a question),
    named by a key made from the item's source (builder.cache.ItemKeys): what holds every item is
    made of parts in remembered segments."""

    function: Callable[[Item, Any], bytes]
    options: Hashable
    """Everything else the part depends on: a frozen value (part of the cache key)."""

    @functools.cached_property
    def key(self) -> ItemKeys:
        """The cache key of an item's part, which also names its bytes."""
        return ItemKeys(self.function, self.options)

    def of(self, item: Item) -> bytes:
        return self.function(item, self.options)

    def first(self, items: Sequence[Item]) -> tuple[str, Callable[[], bytes]] | None:
        """The first item's part as builder.rendering.render_frame takes it: its key and how to make
        it (None: no items)."""
        return (self.key(items[0]), lambda: self.of(items[0])) if items else None

    def member(self, cache: Cache, head: bytes, items: Sequence[Item], tail: bytes,
               compressed: bool = True) -> SegmentedMember:
        """The parts of ``items`` between ``head`` and ``tail``, made in segments."""
        return SegmentedMember(cache=cache, head=head, entries=self.key.of_all(items),
                               piece=lambda index: self.of(items[index]), tail=tail, compressed=compressed)

    def records(self, cache: Cache, items: Sequence[Item], name: Callable[[Item], str]) -> SegmentedRecords:
        """The parts of ``items`` (each a Deflated's bytes) as zip members named ``name(item)``,
        made in segments. ``name`` must be a function of the item and the part's options only."""
        return SegmentedRecords(cache=cache, entries=self.key.of_all(items), stamp=zip_stamp(),
                                member=lambda index: (name(items[index]), Deflated.from_bytes(self.of(items[index]))))


Members = TypeVar("Members")


def described_once(members: Callable[[Quiz, Cache], Members]) -> Callable[[Quiz, Cache], Members]:
    """``members(quiz, cache)`` made once per quiz and cache: a large build describes each format's
    members to find what its cache lacks (every segment's key), and the package's build, in this
    process or in a worker forked after, then finds them described."""
    @functools.wraps(members)
    def once(quiz: Quiz, cache: Cache) -> Members:
        if not cache.keeps:  # NO_CACHE, shared by every caller: keeps nothing
            return members(quiz, cache)
        found = cache.described.get((members, id(quiz)))
        if found is None:  # kept with the quiz, whose id is then its own for the build
            found = cache.described[(members, id(quiz))] = (quiz, members(quiz, cache))
        # One table for every format: what it holds for this one is this one's members, which the
        # table's type cannot say.
        return found[1]  # type: ignore[return-value]

    return once


@dataclass(frozen=True)
class Format:
    """Where a format's functions are: its module, and the names of the functions that build its
    package, check a quiz for it and list what holds every item."""

    module: str
    build: str
    check: str
    """``check(quiz) -> list[Problem]``: every item the format refuses (FormatSupport, its limits)."""
    members: str
    """``members(quiz, cache) -> tuple[Segmented, ...]``: what holds every item, in segments that a
    large build makes ahead of the package on every core (builder.build), described once
    (described_once) and used by the format's build."""
    ending: str = ".zip"
    """How its file's name ends after ``<quiz-id>[-<cohort>]-<version>-<format>``."""


# SCORM 1.2 and 2004 share one module (one player, two manifests and API adapters), and so do
# the study player's two editions (flashcards: SCORM 2004, flashcards12: SCORM 1.2). The card
# formats (model.CARD_FORMATS) carry the quiz's cards (builder.cards), not its questions.
FORMATS = {
    "qti21": Format("builder.formats.qti21", "build", "check", "members"),
    "scorm12": Format("builder.formats.scorm", "build_scorm12", "check_scorm12", "members_scorm12"),
    "scorm2004": Format("builder.formats.scorm", "build_scorm2004", "check_scorm2004", "members_scorm2004"),
    "moodle": Format("builder.formats.moodle", "build", "check", "members", ".xml"),
    "canvas": Format("builder.formats.canvas", "build", "check", "members"),
    "anki": Format("builder.formats.anki", "build", "check", "members", ".apkg"),
    "cards-csv": Format("builder.formats.cards_csv", "build", "check", "members", ".csv"),
    "quizlet": Format("builder.formats.quizlet", "build", "check", "members", ".txt"),
    "flashcards": Format("builder.formats.flashcards", "build", "check", "members"),
    "flashcards12": Format("builder.formats.flashcards", "build12", "check12", "members"),
}
assert tuple(FORMATS) == FORMAT_NAMES


def package_name(quiz: Quiz, name: str) -> str:
    """The file name of the package of format ``name``: ``<quiz-id>[-<cohort>]-<version>-<format><ending>``."""
    return f"{package_stem(quiz)}-{name}{FORMATS[name].ending}"


def _function(name: str, function: str) -> Any:
    """The function of format ``name`` that its Format names ``function`` (typed by the caller)."""
    return getattr(importlib.import_module(FORMATS[name].module), function)


def builder_for(name: str) -> Callable[[Quiz, Cache], Output]:
    return _function(name, FORMATS[name].build)  # type: ignore[no-any-return]


def checker_for(name: str) -> Callable[[Quiz], list[Problem]]:
    return _function(name, FORMATS[name].check)  # type: ignore[no-any-return]


def members_of(name: str) -> Callable[[Quiz, Cache], Sequence[Segmented]]:
    return _function(name, FORMATS[name].members)  # type: ignore[no-any-return]


def support_of(name: str) -> FormatSupport:
    support: FormatSupport = importlib.import_module(FORMATS[name].module).SUPPORT
    return support


def package_stem(quiz: Quiz) -> str:
    """``<quiz-id>[-<cohort>]-<version>``: the start of every output file name."""
    return f"{quiz.package_id}-{quiz.version}"


def scrambled(identifiers: tuple[str, ...], seed: str) -> tuple[str, ...]:
    """The identifiers in a fixed order that leaves none in its own place (a derangement, seeded by
    ``seed``), for choices a player may show as written: the steps of an ordering or the options of a
    matching, whose author's order is the answer (Rn is Ln's match)."""
    order = sorted(range(len(identifiers)),
                   key=lambda n: hashlib.sha256(f"{seed}\0{identifiers[n]}".encode()).digest())
    for place in range(len(order)):
        if order[place] == place:  # swap with the next place (the last with the first): no new fixed point
            other = (place + 1) % len(order)
            order[place], order[other] = order[other], order[place]
    return tuple(identifiers[n] for n in order)
