"""Flashcards: a SCORM package of the quiz's cards (builder.cards) with a study player, in SCORM
2004 (``flashcards``) and SCORM 1.2 (``flashcards12``).

The learner flips a card (its back is announced), rates it Again or Good; a card rated Again comes
back later in the same session (AGAIN_GAP cards on), until every card has been rated Good once:
the deck is then complete. Nothing is scored: SCORM 2004 gets ``cmi.progress_measure`` (the share
of cards rated Good) and ``cmi.completion_status`` (incomplete, then completed), and leaves
``cmi.success_status`` unknown; SCORM 1.2 gets ``cmi.core.lesson_status`` incomplete, then
completed. The manifests are the quiz's (templates/scorm/), without a mastery score or an
objective satisfied by measure.

Decisions live here and reach the page as data: each card's front and back as the fragments the
quiz player inserts (builder.formats.scorm.shown), what the study player's insertFragment keeps
of them (study_allowlist: the quiz player's allowlist, and the cards' own div and class), the
deck's version (a stored state of another deck starts afresh), and the upper bound of the
resume state, checked against SCORM 1.2's 4,096 characters (a deck too big is a warning, as the
quiz player's is: the package is valid and the cards are all there, but a learner may not
resume). The study player (templates/flashcards/) shares templates/scorm/common.js and
common.css with the quiz player.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from builder import cards, catalogues
from builder.cache import NO_CACHE, Cache
from builder.errors import Problem
from builder.formats import FormatSupport, FormatWarning, Output, package_name
from builder.formats.anki import unsupported_cards
from builder.formats.scorm import SHARED_FILES, media_files, packaged_media, player_allowlist, shown, theme_data
from builder.loading import ITEM_TYPES
from builder.model import MEDIA_REFERENCE, Card, MediaFile, Quiz
from builder.packaging import Deflated, zip_bytes
from builder.rendering import render, render_xml

SUPPORT = FormatSupport(
    item_types=frozenset(ITEM_TYPES),
    # A card shows the prompt, the right answer and the explanation (builder.cards), as Anki's do.
    features=frozenset({"explanation", "theme"}),
)
STUDY_FILES = ("index.html", SHARED_FILES[0], "flashcards.css", SHARED_FILES[1], "flashcards.js")
"""The study player's files in zip order after imsmanifest.xml: its launch page, style sheet and
script from templates/flashcards/, and what it shares with the quiz player from templates/scorm/."""
LAUNCH_FILE = "index.html"
STATE_FORMAT = "c1"
"""Version tag at the start of the study player's suspend_data (flashcards.js, encodeState)."""
AGAIN_GAP = 3
"""A card rated Again comes back after this many other cards (sooner when fewer are left)."""
SUSPEND_DATA_LIMIT = {"flashcards12": 4096, "flashcards": 64000}
"""cmi.suspend_data capacity: CMIString4096 in SCORM 1.2, characterstring SPM 64000 in 2004."""
CARD_CLASSES = ("div", "ol", "strong", "ul")
"""The elements of templates/cards/ with a class (card-front, card-choices, card-blank, ...)."""


@dataclass(frozen=True)
class Edition:
    name: str
    """The format's name: flashcards (SCORM 2004) or flashcards12 (SCORM 1.2)."""
    runtime: str
    """The SCORM run-time the player talks to (common.js RUNTIMES): scorm2004 or scorm12."""
    title: str
    manifest_template: str
    schema: str


FLASHCARDS = Edition("flashcards", "scorm2004", "SCORM 2004 flashcards", "scorm/imsmanifest-2004.xml",
                     "scorm2004/imscp_v1p1.xsd")
FLASHCARDS12 = Edition("flashcards12", "scorm12", "SCORM 1.2 flashcards", "scorm/imsmanifest-12.xml",
                       "scorm12/imscp_rootv1p1p2.xsd")


def check(quiz: Quiz) -> list[Problem]:
    return _check(quiz, FLASHCARDS)


def check12(quiz: Quiz) -> list[Problem]:
    return _check(quiz, FLASHCARDS12)


def _check(quiz: Quiz, edition: Edition) -> list[Problem]:
    """Every card this edition refuses (none today: it carries every item type)."""
    return unsupported_cards(edition.title, SUPPORT, quiz)


def edition_warnings(quiz: Quiz, edition: Edition) -> list[FormatWarning]:
    """A deck whose resume state can outgrow the edition's cmi.suspend_data: the learner's place is
    then not saved (the player says so in the console), though every card is there."""
    count = len(quiz.card_ids)
    limit = SUSPEND_DATA_LIMIT[edition.name]
    if suspend_data_bound(count) <= limit:
        return []
    most = max(n for n in range(count + 1) if suspend_data_bound(n) <= limit)
    return [FormatWarning(edition.name, "flashcards-resume-state-too-long", (
        f"{edition.title} keeps a learner's place in at most {limit} characters, which hold a deck of {most} "
        f"cards, and this quiz has {count}: a learner who leaves may not resume. Build 'flashcards' (SCORM 2004), "
        "choose fewer cards with 'flashcards:' in quiz.yaml, or split the quiz"))]


def members(quiz: Quiz, cache: Cache) -> tuple[()]:
    """Nothing made ahead in segments: builder.cards makes the cards once per build."""
    return ()


def build(quiz: Quiz, cache: Cache = NO_CACHE) -> Output:
    return _build(quiz, FLASHCARDS, cache)


def build12(quiz: Quiz, cache: Cache = NO_CACHE) -> Output:
    return _build(quiz, FLASHCARDS12, cache)


def _build(quiz: Quiz, edition: Edition, cache: Cache) -> Output:
    """The deck as one validated package of this edition, in memory (its check passed)."""
    deck = cards.cards(quiz, cache)
    files = shown_files(quiz, deck)
    manifest = render_xml(edition.manifest_template, edition.schema, "imsmanifest.xml",
                          **manifest_context(quiz, files))
    page = render(f"flashcards/{LAUNCH_FILE}", data=study_data(quiz, edition, deck))
    player = [(name, Deflated.of((page if name == LAUNCH_FILE else render(_template(name))).encode("utf-8")))
              for name in STUDY_FILES]
    return Output(package_name(quiz, edition.name),
                  zip_bytes([("imsmanifest.xml", manifest), *player, *media_files(quiz, files)]),
                  tuple(edition_warnings(quiz, edition)))


def _template(name: str) -> str:
    return f"scorm/{name}" if name in SHARED_FILES else f"flashcards/{name}"


def shown_files(quiz: Quiz, deck: Sequence[Card]) -> list[MediaFile]:
    """The files the cards show, in the quiz's order (by path)."""
    names = {use.name for card in deck for use in card.media}
    return [file for file in quiz.media if file.name in names]


def study_data(quiz: Quiz, edition: Edition, deck: Sequence[Card]) -> dict[str, object]:
    """Everything the study player needs, as JSON-ready values: the cards' sides are the model's
    sanitised fragments, which the player inserts and nothing else as markup."""
    return {
        "format": STATE_FORMAT,
        "edition": edition.runtime,
        "quiz": {"id": quiz.package_id, "title": quiz.display_title, "description": quiz.description,
                 "language": quiz.language, "direction": catalogues.text_direction(quiz.language),
                 "pluralLanguage": catalogues.plural_language(quiz.language)},
        "theme": theme_data(quiz),
        "messages": catalogues.messages(quiz.language, quiz.strings),
        "deck": deck_version(deck),
        "againGap": AGAIN_GAP,
        "suspendDataLimit": SUSPEND_DATA_LIMIT[edition.name],
        "cards": [{"id": card.id, "front": shown(card.front), "back": shown(card.back)} for card in deck],
        "allow": study_allowlist(),
    }


def study_allowlist() -> dict[str, object]:
    """The quiz player's allowlist (builder.formats.scorm.player_allowlist), with the cards' own
    layout (templates/cards/): their div and the class of their div, lists and filled blanks. An
    item's text never has a class: the sanitiser removed any before the card was made."""
    allow = player_allowlist()
    html = allow["html"]
    assert isinstance(html, dict)
    html["tags"] = sorted({*html["tags"], "div"})
    attributes = dict(html["attributes"])
    for tag in CARD_CLASSES:
        attributes[tag] = sorted({*attributes.get(tag, ()), "class"})
    html["attributes"] = dict(sorted(attributes.items()))
    return allow


def deck_version(deck: Sequence[Card]) -> str:
    """What a stored state depends on: the cards' ids in order, as 7 hexadecimal digits. A state
    stored for another deck (a card added, removed or moved) starts afresh."""
    return hashlib.sha256("\n".join(card.id for card in deck).encode("utf-8")).hexdigest()[:7]


def index_digits(count: int) -> int:
    """Base-36 digits the player writes a card's number in (flashcards.js, encodeState)."""
    digits = 1
    while 36 ** digits < count:
        digits += 1
    return digits


def suspend_data_bound(count: int) -> int:
    """Longest suspend_data the study player writes for a deck of ``count`` cards:
    ``c1;<deck version>;<side><completed>;<cards rated Good>;<queue>``: the Good cards as a mask of
    base-32 digits (5 cards each), the queue (the current card first) each card once at most, in
    index_digits each."""
    return len(STATE_FORMAT) + 1 + 7 + 1 + 2 + 1 + math.ceil(count / 5) + 1 + count * index_digits(count)


def manifest_context(quiz: Quiz, files: Sequence[MediaFile]) -> dict[str, object]:
    """The quiz's manifest (templates/scorm/) for a deck: its own identifiers, the study player's
    files, no mastery score or objective (nothing is scored), no attempt or time limit."""
    stem = f"{quiz.package_id}-flashcards"
    return {
        "manifest_id": f"MANIFEST-{stem}",
        "organization_id": f"ORG-{stem}",
        "item_id": f"ITEM-{stem}",
        "resource_id": f"RES-{stem}",
        "objective_id": None,
        "version": quiz.version,
        "title": quiz.display_title,
        "launch": LAUNCH_FILE,
        "files": [*STUDY_FILES, *(MEDIA_REFERENCE + file.href for file in packaged_media(quiz, files))],
        "mastery_score": None,
        "min_normalized_measure": None,
        "attempt_limit": None,
        "time_limit_12": None,
        "time_limit_2004": None,
    }
