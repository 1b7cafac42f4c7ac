"""cards-csv: the quiz's cards (builder.cards) as a UTF-8 CSV of three columns, front, back and
tags, with the header lines Anki's text import reads (Anki 2.1.55 and later: File > Import), so
that it takes the file as it is: comma-separated, fields in HTML, the Basic note type, the columns
named as its fields, the third column the tags.

The fields are the HTML the anki format puts in its notes (anki.anki_html): files by their flat
names, formulas as TeX for Anki's MathJax. A CSV carries no files: where cards show some, a
warning says so (they show once copied into Anki's media folder; the anki format carries them).
Quizlet's importer takes pasted plain text, not this file: builder.formats.quizlet writes that.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from builder import cards
from builder.cache import NO_CACHE, Cache
from builder.errors import Problem
from builder.formats import FormatWarning, Output, package_name
from builder.formats.anki import SUPPORT, anki_html, anki_tags, flat_names, shown_files, unsupported_cards
from builder.model import Card, Quiz

FORMAT = "cards-csv"
# Anki's text import reads these before the rows (rslib import_export/text/csv/metadata.rs): the
# separator first, as the column names are read with it; columns named Front and Back fill the
# note type's fields of those names, and the tags column is left out of that mapping.
HEADER = ("#separator:comma\n#html:true\n#notetype:Basic\n#columns:Front,Back,Tags\n#tags column:3\n")


def check(quiz: Quiz) -> list[Problem]:
    """Every item chosen as a card whose type this format cannot make a card of (as anki)."""
    return unsupported_cards("The cards CSV", SUPPORT, quiz)


def members(quiz: Quiz, cache: Cache) -> tuple[()]:
    """Nothing made ahead in segments: one small text file."""
    return ()


def build(quiz: Quiz, cache: Cache = NO_CACHE) -> Output:
    deck_cards = cards.cards(quiz, cache)
    files = shown_files(quiz, deck_cards)
    names = flat_names(files)
    text = io.StringIO()
    text.write(HEADER)
    writer = csv.writer(text, lineterminator="\n")
    for card in deck_cards:
        writer.writerow([anki_html(card.front, names), anki_html(card.back, names),
                         " ".join(anki_tags(card.tags, quiz.identifier))])
    return Output(package_name(quiz, FORMAT), text.getvalue().encode("utf-8"), tuple(media_warning(deck_cards)))


def media_warning(deck_cards: Sequence[Card]) -> list[FormatWarning]:
    """The cards that show files, which a CSV cannot hold."""
    showing = tuple(card.id for card in deck_cards if card.media)
    if not showing:
        return []
    return [FormatWarning(FORMAT, "cards-csv-no-media",
                          "a CSV holds no files: the images, audio and video these cards show are named by file "
                          "name only, and show in Anki once copied into its collection.media folder; build anki for "
                          "a deck that carries them", showing)]
