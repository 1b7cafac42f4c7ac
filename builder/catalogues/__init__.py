"""The words lmspack itself shows learners, in their language: every string of the SCORM player
and the generic feedback written into Moodle and Canvas packages (builder/formats/wording.py).

One JSON file per language in this folder (``<tag>.json``, see README.md there): the language's
own name, its CLDR plural categories, and its messages by key. A message is a text with
``{name}`` placeholders, or, when it holds a number that a noun agrees with, one text per plural
category, chosen by ``{count}`` (the player asks ``Intl.PluralRules`` of the quiz's language).

A quiz's ``language`` (BCP 47) picks its catalogue: the tag itself when a catalogue has that name
(``zh-Hant``), Chinese by script or region (``zh-TW`` is Traditional, ``zh`` and ``zh-CN``
Simplified), then the primary language (``es-MX`` is ``es``), else English. quiz.yaml's
``strings:`` overrides any message (builder/loading.py checks it against these files).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from builder.model import MessageText

CATALOGUE_DIR = Path(__file__).resolve().parent
SOURCE_TAG = "en"
"""The catalogue every other one translates: it has every key, and the placeholders each may use."""

CHINESE_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})
ALIASES = {"fil": "tl"}
"""Languages read from another one's catalogue: Filipino is standardised Tagalog."""
RIGHT_TO_LEFT_LANGUAGES = frozenset({"ar", "fa", "he", "iw", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
RIGHT_TO_LEFT_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg"})
PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)\}")

Messages = dict[str, str | dict[str, str]]
"""Messages by key as the catalogue files and the player data hold them."""


@dataclass(frozen=True)
class Catalogue:
    tag: str
    """Its file's name: a language (``es``) or a language and script (``zh-Hant``)."""
    name: str
    """The language's name in itself."""
    plural_categories: tuple[str, ...]
    """The CLDR plural categories of the language, as Intl.PluralRules names them."""
    messages: Messages


def tags() -> tuple[str, ...]:
    """Every catalogue there is, by tag."""
    return tuple(sorted(path.stem for path in CATALOGUE_DIR.glob("*.json")))


@functools.cache
def catalogue(tag: str) -> Catalogue:
    """The catalogue of this exact tag (one of ``tags()``)."""
    data = json.loads((CATALOGUE_DIR / f"{tag}.json").read_text(encoding="utf-8"))
    return Catalogue(tag, data["name"], tuple(data["plural"]), data["messages"])


def _subtags(language: str) -> tuple[str, str | None, str | None]:
    """(primary language, script, region) of a BCP 47 tag, in lower case (None when absent)."""
    primary, *rest = language.lower().split("-")
    script = next((part for part in rest[:1] if len(part) == 4 and part.isalpha()), None)
    region = next((part for part in rest[: 2 if script else 1]
                   if (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit())), None)
    return primary, script, region


def catalogue_tag(language: str) -> str:
    """The catalogue that a quiz in ``language`` shows learners."""
    primary, script, region = _subtags(language)
    primary = ALIASES.get(primary, primary)
    available = {tag.lower(): tag for tag in tags()}
    if primary == "zh":
        traditional = script == "hant" or (script is None and region in CHINESE_TRADITIONAL_REGIONS)
        return "zh-Hant" if traditional else "zh-Hans"
    return available.get(language.lower()) or available.get(primary) or SOURCE_TAG


def plural_language(language: str) -> str:
    """The language whose plural rules choose among a message's forms: the quiz's own when its
    catalogue is of that language, else the catalogue's (an ``ja`` quiz reads English)."""
    tag = catalogue_tag(language)
    same = ALIASES.get(_subtags(language)[0], _subtags(language)[0]) == _subtags(tag)[0]
    return language if same else tag


def text_direction(language: str) -> Literal["ltr", "rtl"]:
    """How a page in ``language`` runs: right to left for Arabic, Persian, Hebrew, Urdu and the
    other languages written in right-to-left scripts."""
    primary, script, _ = _subtags(language)
    if script is not None:
        return "rtl" if script in RIGHT_TO_LEFT_SCRIPTS else "ltr"
    return "rtl" if primary in RIGHT_TO_LEFT_LANGUAGES else "ltr"


def placeholders(message: str | Mapping[str, str]) -> set[str]:
    """The ``{name}`` placeholders of a message, of all its plural forms together."""
    texts: Iterable[str] = [message] if isinstance(message, str) else message.values()
    return {name for text in texts for name in PLACEHOLDER.findall(text)}


def messages(language: str, strings: tuple[tuple[str, MessageText], ...] = ()) -> Messages:
    """Every message of the quiz's catalogue, with quiz.yaml's ``strings:`` in place of the
    catalogue's (a text given for a message with plural forms stands for every form)."""
    resolved = dict(catalogue(catalogue_tag(language)).messages)
    for key, text in strings:
        resolved[key] = text if isinstance(text, str) else dict(text)
    return resolved


def message(language: str, strings: tuple[tuple[str, MessageText], ...], key: str, **params: str) -> str:
    """One message without plural forms, its placeholders filled in (for the packages whose
    wording lmspack writes itself: builder/formats/wording.py)."""
    text = messages(language, strings)[key]
    assert isinstance(text, str), f"message {key} has plural forms"
    return PLACEHOLDER.sub(lambda found: params.get(found.group(1), found.group(0)), text)
