"""Output formats. Each format is one function ``build(quiz: Quiz) -> Output`` in its module under
``builder.formats`` that turns the model into one file's bytes, in memory and already validated
against the project's own schemas, and the functions giving what it makes ahead of that file, in
pieces both processes can make (Ahead): the segments (builder.packaging.Segmented) of what
holds its items' parts (ItemPart), a member or a run of members. Adding a format means adding a
module, its templates and its schemas, and one line in ``FORMATS``.

Each format also says what it holds: ``SUPPORT`` (FormatSupport), the item types and the quiz
and item features it carries, from which its warnings of what it leaves out follow, and a
``check(quiz) -> list[Problem]`` naming every item it refuses, which both ``lmspack validate``
and the build run before any package is made (builder.build.format_problems)."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, assert_never, get_args

from builder import cache
from builder.checking import MAX_XML_BYTES
from builder.errors import InputError, Problem
from builder.model import FORMAT_NAMES, ChoiceInteraction, ChoiceKind, Interaction, Item, Quiz
from builder.packaging import Deflated, SegmentedMember, SegmentedRecords, zip_stamp

Feature = Literal[
    "hints", "true_false_hints", "choice_feedback", "explanation", "true_false_labels",
    "wrong_choice_penalty_off", "pass_mark", "attempts", "time_limit", "shuffle_items", "shuffle_sections",
    "shuffle_choices", "pools", "seeded_draws", "feedback_timing", "immediate_feedback",
    "hints_before_submit", "hidden_feedback_with_retries",
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
* hidden_feedback_with_retries: feedback 'never' kept from the learner between attempts."""


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
        case _:
            assert_never(interaction)


def unsupported_items(title: str, support: FormatSupport, quiz: Quiz) -> list[Problem]:
    """A problem at each item whose type the format (named ``title``) does not carry."""
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
    message: str
    item_ids: tuple[str, ...] = ()
    """The items it concerns (none: the quiz as a whole)."""


def format_warning(format_name: str, quiz: Quiz, message: str, item_ids: list[str], shown: int = 5) -> str:
    """``warning: canvas: quiz, items a, b and 3 more: message``: one line for one kind of loss."""
    where = quiz.package_id
    if item_ids:
        listed = ", ".join(item_ids[:shown])
        more = f" and {len(item_ids) - shown} more" if len(item_ids) > shown else ""
        where += f", item{'s' if len(item_ids) > 1 else ''} {listed}{more}"
    return f"warning: {format_name}: {where}: {message}"


def too_large(format_name: str, file_name: str, size: int) -> list[FormatWarning]:
    """A warning when one XML file of a package is larger than ``lmspack check`` reads (the same
    limit as the reference validator's): the package is valid, but those will refuse it."""
    if size <= MAX_XML_BYTES:
        return []
    return [FormatWarning(format_name, f"{file_name} is {size / 2**20:.0f} MB of XML, more than the "
                                       f"{MAX_XML_BYTES // 2**20} MB that lmspack check and package validators "
                                       "read; split the quiz into smaller ones")]


@dataclass(frozen=True)
class Output:
    filename: str
    data: bytes
    warnings: tuple[FormatWarning, ...] = ()


@dataclass(frozen=True)
class ItemPart:
    """The piece of a format's file that one item makes on its own (an item document, a
    question), remembered per item (builder.cache.ItemKeys). A large build makes every item's
    part in both processes first; ``build`` then finds them remembered and only puts the file
    together (builder.build)."""

    function: Callable[[Item, Any], bytes]
    options: Hashable
    """Everything else the part depends on: a frozen value (part of the cache key)."""
    keep: cache.Keep = "compressed"
    """How the cache keeps it: compressed, as it is (compressed already, or read on every build),
    or for this build only (the piece of a SegmentedMember, whose segments are kept instead)."""

    @functools.cached_property
    def key(self) -> cache.ItemKeys:
        """The cache key of an item's part, which also names its bytes."""
        return cache.item_keys(self.function, self.options)

    def of(self, item: Item) -> bytes:
        if cache.active() is None:
            return self.function(item, self.options)
        return cache.remembered_as(self.key(item), lambda: self.function(item, self.options), self.keep)

    def first(self, items: Sequence[Item]) -> tuple[str, Callable[[], bytes]] | None:
        """The first item's part as builder.rendering.render_frame takes it: its key and how to make
        it (None: no items)."""
        return (self.key(items[0]), lambda: self.of(items[0])) if items else None

    def member(self, head: bytes, items: Sequence[Item], tail: bytes, compressed: bool = True) -> SegmentedMember:
        """The parts of ``items`` between ``head`` and ``tail``, made in segments."""
        return SegmentedMember(head=head, entries=self.key.of_all(items), piece=lambda index: self.of(items[index]),
                               tail=tail, compressed=compressed)

    def records(self, items: Sequence[Item], name: Callable[[Item], str]) -> SegmentedRecords:
        """The parts of ``items`` (each a Deflated's bytes) as zip members named ``name(item)``,
        made in segments. ``name`` must be a function of the item and the part's options only."""
        return SegmentedRecords(entries=self.key.of_all(items), stamp=zip_stamp(),
                                member=lambda index: (name(items[index]), Deflated.from_bytes(self.of(items[index]))))


class Ahead(Protocol):
    """What a format makes ahead of its package in pieces, shared by both processes in a large
    build (builder.build), and remembered, so the package's own job finds them: the segments of
    what holds every item (builder.packaging.Segmented), documents that list every item."""

    def missing(self) -> list[int]:
        """The pieces not remembered yet."""

    def size(self, index: int) -> int:
        """How many items piece ``index`` is made from: its share of the work."""

    def make(self, index: int) -> object:
        """Make (and so remember) piece ``index``."""

    def entry(self, index: int) -> str | None:
        """The cache key piece ``index`` is remembered by, when it is known before the piece is
        made (None: not): what two formats make ahead may have pieces in common (the SCORM
        editions' launch pages), and each is made once."""


@dataclass(frozen=True)
class Format:
    """Where a format's functions are: its module, the function that builds its package, those
    that give what it makes ahead of the package (Ahead), and those that give the documents it
    makes ahead only when many items' parts are made ahead too: a document that lists every item
    must be described in full before the cache can be asked for it, which is most of the work a
    rebuild would save."""

    module: str
    build: str
    check: str
    """``check(quiz) -> list[Problem]``: every item the format refuses (FormatSupport, its limits)."""
    ahead: tuple[str, ...]
    listings: tuple[str, ...] = ()

    def functions(self, names: tuple[str, ...]) -> list[Callable[[Quiz], Ahead]]:
        module = importlib.import_module(self.module)
        return [getattr(module, name) for name in names]


# SCORM 1.2 and 2004 share one module (one player, two manifests and API adapters).
FORMATS = {
    "qti21": Format("builder.formats.qti21", "build", "check", ("item_records", "manifest"), ("listings",)),
    "scorm12": Format("builder.formats.scorm", "build_scorm12", "check_scorm12", ("launch_page_scorm12",)),
    "scorm2004": Format("builder.formats.scorm", "build_scorm2004", "check_scorm2004", ("launch_page_scorm2004",)),
    "moodle": Format("builder.formats.moodle", "build", "check", ("questions",)),
    "canvas": Format("builder.formats.canvas", "build", "check", ("assessment",)),
}
assert tuple(FORMATS) == FORMAT_NAMES


def builder_for(name: str) -> Callable[[Quiz], Output]:
    return getattr(importlib.import_module(FORMATS[name].module), FORMATS[name].build)  # type: ignore[no-any-return]


def checker_for(name: str) -> Callable[[Quiz], list[Problem]]:
    return getattr(importlib.import_module(FORMATS[name].module), FORMATS[name].check)  # type: ignore[no-any-return]


def support_of(name: str) -> FormatSupport:
    support: FormatSupport = importlib.import_module(FORMATS[name].module).SUPPORT
    return support


def package_stem(quiz: Quiz) -> str:
    """``<quiz-id>[-<cohort>]-<version>``: the start of every output file name."""
    return f"{quiz.package_id}-{quiz.version}"
