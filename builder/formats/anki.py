"""Anki: an ``.apkg`` deck of the quiz's cards (builder.cards), one note per card, which Anki
(desktop, AnkiDroid, AnkiMobile) imports as a deck named after the quiz.

The .apkg is a zip holding ``collection.anki2``, an SQLite collection whose schema Anki owns, which
genanki writes (the maintained writer; we do not write Anki's schema ourselves), and the media:
each file a card shows as a member named ``0``, ``1``, ... and the JSON ``media`` naming them.

* One note type per quiz (genanki Model): fields Front and Back, one card template whose front
  shows Front and whose back shows the front, Anki's answer rule and Back (templates/anki/), and
  the CSS of templates/anki/card.css.
* A field holds the card's side as Anki renders HTML: files by flat names in Anki's media folder
  (``images/chart.png`` is ``chart.png``; two paths with one name are renamed deterministically:
  flat_names), audio and video as HTML5 players, formulas as TeX between ``\\(`` ``\\)`` or
  ``\\[`` ``\\]`` for Anki's MathJax.
* Tags: the item's tags, each run of spaces as ``_`` (an Anki tag is one word), then the quiz id.
* Ids derived from the quiz and item ids, so that importing a rebuilt deck updates its notes
  instead of adding them again: the note's guid is genanki.guid_for(package id, item id); the deck
  id and the note type id are derived_id("deck" | "note type", package id).
* The same bytes every build: genanki writes into an SQLite database in memory, with every time
  it records (and the card and note ids it counts from it) taken from SOURCE_DATE_EPOCH, else
  1980-01-01 (builder.packaging.build_time); the zip is builder.packaging's.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import posixpath
import re
import sqlite3
from collections.abc import Sequence
from urllib.parse import quote

import genanki
from markupsafe import Markup, escape

from builder import cards
from builder.cache import NO_CACHE, Cache
from builder.errors import Problem
from builder.formats import (
    FormatSupport,
    Output,
    item_type,
    package_name,
    richtext,
)
from builder.loading import ITEM_TYPES
from builder.model import MEDIA_REFERENCE, Card, MediaFile, Quiz
from builder.packaging import build_time, media_member, zip_bytes
from builder.rendering import render

FORMAT = "anki"
SUPPORT = FormatSupport(
    item_types=frozenset(ITEM_TYPES),
    # A card shows the prompt, the right answer and the explanation (builder.cards): not the quiz's
    # delivery settings, nor hints or feedback, which belong to answering a question.
    features=frozenset({"explanation"}),
)
COLLECTION = "collection.anki2"
"""The collection's name in the zip: Anki's legacy schema (genanki's), which every Anki imports."""


def check(quiz: Quiz) -> list[Problem]:
    """Every item chosen as a card whose type this format cannot make a card of."""
    return unsupported_cards("Anki", SUPPORT, quiz)


def unsupported_cards(title: str, support: FormatSupport, quiz: Quiz) -> list[Problem]:
    """A problem at each item chosen as a card (Quiz.card_ids) of a type the card format ``title``
    does not carry (a flashcard item is always one)."""
    chosen = set(quiz.card_ids)
    return [Problem(item.place.path, item.place.line, item.place.column,
                    f"{title} cannot carry items of type '{kind}'; build another format for this "
                    "item, or leave it out of this quiz")
            for item in quiz.items if item.id in chosen and (kind := item_type(item.interaction)) not in
            support.item_types]


def members(quiz: Quiz, cache: Cache) -> tuple[()]:
    """Nothing made ahead in segments: a deck is one database, made whole (builder.cards makes the
    cards once per build)."""
    return ()


def build(quiz: Quiz, cache: Cache = NO_CACHE) -> Output:
    deck_cards = cards.cards(quiz, cache)
    files = shown_files(quiz, deck_cards)
    names = flat_names(files)
    timestamp = build_time()
    collection = collection_bytes(quiz, deck_cards, names, timestamp)
    media = json.dumps({str(index): names[file.name] for index, file in enumerate(files)})
    data = zip_bytes([(COLLECTION, collection), ("media", media.encode()),
                      *((str(index), media_member(file.media_type, file.content)) for index, file in enumerate(files))],
                     timestamp)
    return Output(package_name(quiz, FORMAT), data)


def collection_bytes(quiz: Quiz, deck_cards: Sequence[Card], names: dict[str, str], timestamp: int) -> bytes:
    """The SQLite collection genanki writes, one note per card, as bytes: written in memory, never
    to a file (whose name and times would vary), with every time and id counted from ``timestamp``."""
    model = genanki.Model(
        model_id=derived_id("note type", quiz.package_id),
        name=f"lmspack {quiz.package_id}",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card", "qfmt": render("anki/front.html", language=quiz.language),
                    "afmt": render("anki/back.html", language=quiz.language)}],
        css=render("anki/card.css"),
    )
    deck = genanki.Deck(derived_id("deck", quiz.package_id), deck_name(quiz.display_title),
                        str(escape(quiz.description)))
    for position, card in enumerate(deck_cards):
        deck.add_note(genanki.Note(model=model, fields=[anki_html(card.front, names), anki_html(card.back, names)],
                                   tags=anki_tags(card.tags, quiz.identifier), guid=note_guid(quiz, card),
                                   due=position))
    connection = sqlite3.connect(":memory:")
    try:
        genanki.Package(deck).write_to_db(connection.cursor(), timestamp, itertools.count(timestamp * 1000))
        connection.commit()
        return connection.serialize()
    finally:
        connection.close()


def derived_id(what: str, package_id: str) -> int:
    """A deck's or note type's id from the quiz's package id (with its cohort): the first 8 bytes of
    SHA-256 of ``lmspack <what> <package id>``, as a number from 2^30 to 2^31 - 1 (genanki's range,
    far from the millisecond times Anki gives the ids it makes)."""
    digest = hashlib.sha256(f"lmspack {what} {package_id}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def note_guid(quiz: Quiz, card: Card) -> str:
    """The note's guid, by which Anki knows a note again: genanki.guid_for(package id, item id), the
    first 8 bytes of SHA-256 of ``<package id>__<item id>`` in Anki's base-91 digits."""
    return str(genanki.guid_for(quiz.package_id, card.id))


def deck_name(title: str) -> str:
    """The quiz's title as a deck name: ``::`` would make subdecks of it."""
    return title.replace("::", ": ")


_TAG_SEPARATOR = re.compile(r'[\s"]+')


def anki_tags(tags: Sequence[str], quiz_id: str) -> list[str]:
    """An item's tags, then the quiz's id, as Anki tags: one word each (a space or a double quote
    becomes ``_``), each once."""
    words = (_TAG_SEPARATOR.sub("_", tag.strip()) for tag in (*tags, quiz_id))
    return list(dict.fromkeys(word for word in words if word))


def shown_files(quiz: Quiz, deck_cards: Sequence[Card]) -> tuple[MediaFile, ...]:
    """The files the cards show, in the quiz's order (by path)."""
    shown = {use.name for card in deck_cards for use in card.media}
    return tuple(file for file in quiz.media if file.name in shown)


# What Anki takes out of a media file's name (its normalize_filename), beside what the loader refuses.
_NOT_IN_ANKI_NAMES = re.compile(r"[\[\]^]")


def flat_names(files: Sequence[MediaFile]) -> dict[str, str]:
    """Each file's name in Anki's media folder, which has no subfolders: its own name
    (``images/chart.png``: ``chart.png``), or, when an earlier file (by path) has that name in any
    case, its path with ``-`` for ``/`` (``other-chart.png``), then numbered (``chart-2.png``)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for file in sorted(files, key=lambda file: file.name):
        base = _NOT_IN_ANKI_NAMES.sub("_", posixpath.basename(file.name))
        stem, extension = posixpath.splitext(base)
        candidates = itertools.chain([base, _NOT_IN_ANKI_NAMES.sub("_", file.name.replace("/", "-"))],
                                     (f"{stem}-{n}{extension}" for n in itertools.count(2)))
        name = next(candidate for candidate in candidates if candidate.casefold() not in taken)
        taken.add(name.casefold())
        names[file.name] = name
    return names


def anki_html(fragment: Markup, names: dict[str, str]) -> str:
    """A card's side as Anki renders it: files by their flat names (URL-quoted, as Anki's editor
    writes them), audio and video as HTML5 players, formulas as TeX for Anki's MathJax."""
    text = str(richtext.rewritten(fragment, html5_media=True, math="tex"))
    if MEDIA_REFERENCE in text:
        for path, name in names.items():
            text = text.replace(f'="{MEDIA_REFERENCE}{quote(path)}"', f'="{quote(name)}"')
    return text
