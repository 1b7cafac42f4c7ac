"""SCORM 1.2 and SCORM 2004 4th Edition packages: one manifest per edition around one
self-contained quiz player (launch page, CSS, JavaScript, quiz data embedded as JSON).

Decisions live here and reach the templates as an explicit context:

* the player data (``player_data``): item texts as the sanitised XHTML fragments of the model,
  with audio and video as HTML5 players (``richtext.rewritten``), and what the player's
  ``insertFragment`` keeps of them (``player_allowlist``); each choice's weight from
  ``builder.scoring.choice_weights`` (the player only sums and clamps),
  the response codes each edition's data model accepts, and the delivery settings;
* the manifest context (``manifest_context``): identifiers, the mastery score (1.2) or the
  primary objective's minimum normalised measure (2004), attempt and time limits, the file list
  (the player's files, then each file the items show, at ``media/<its path in the quiz folder>``);
* what each edition reports as an item's correct response (``correct_responses.0.pattern``), or
  None where the edition's data model cannot hold it;
* the upper bound of the resume state the player keeps in ``cmi.suspend_data``, checked against
  the SCORM 1.2 limit of 4,096 characters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import assert_never

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from builder import catalogues, formulas
from builder.cache import NO_CACHE, Cache
from builder.errors import Problem
from builder.formats import (
    ALL_FEATURES,
    CHOICE_TYPES,
    FormatSupport,
    FormatWarning,
    ItemPart,
    Output,
    described_once,
    package_stem,
    scrambled,
    unsupported_items,
)
from builder.formats.richtext import rewritten
from builder.markup import ATTRIBUTES, BLOCK_TAGS, URL_SCHEMES, plain_text
from builder.model import (
    MEDIA_REFERENCE,
    Blank,
    ChoiceBlank,
    ChoiceInteraction,
    EssayInteraction,
    FillInBlanksInteraction,
    Item,
    MatchingInteraction,
    MediaFile,
    NumericAnswer,
    NumericBlank,
    NumericInteraction,
    OrderingInteraction,
    Quiz,
    ShortAnswerInteraction,
    TextBlank,
)
from builder.packaging import Deflated, SegmentedMember, Stored, media_member, zip_bytes
from builder.rendering import environment, render, render_around, render_xml
from builder.scoring import auto_scored, choice_weights, correct_answer, credit_points, decimal_comma, format_number

# The player's files, in zip order after imsmanifest.xml. Each is rendered from templates/scorm/.
# The files the items show follow (media_files). common.css and common.js are what the quiz
# player shares with the study player of flashcards (builder.formats.flashcards): the theme's
# style, the fragment insertion and its allowlist, the words and the SCORM run-time.
SHARED_FILES = ("common.css", "common.js")
PLAYER_FILES = ("index.html", "common.css", "player.css", "common.js", "player.js")
LAUNCH_FILE = "index.html"

# What the player's insertFragment keeps, in the browser, of the fragments it is given (the build
# passes this in the data): the sanitiser's HTML, with audio and video as the HTML5 players
# richtext.rewritten makes of its <object>s, and the formulas' MathML.
PLAYER_HTML_TAGS = (BLOCK_TAGS - {"object"}) | {"audio", "video"}
PLAYER_HTML_ATTRIBUTES = {tag: names for tag, names in ATTRIBUTES.items() if tag != "object"} | {
    "audio": {"controls", "src", "aria-label"}, "video": {"controls", "src", "aria-label"}}
PACKAGED_SOURCE_TAGS = ("audio", "img", "video")
"""Elements whose src may name a file of the package (``media/...``), never a link's href."""
PACKAGED_ONLY_TAGS = ("audio", "video")
"""Elements that play files of the package only (the launch page's media-src is 'self')."""

SUSPEND_DATA_FORMAT = 2
"""Version tag at the start of the player's suspend_data (see player.js, encodeState); the player
resumes states of format 1 too, which differ only in having no start-screen phase."""
SUSPEND_DATA_HEADER_MAX = 40
"""Longest header the player writes: ``2;<attempt>;<elapsed seconds>;<position>;<phase>;<quiz version>;``
(the version is a hash of at most 7 characters: 34 characters with a 5-digit position)."""
SUSPEND_DATA_LIMIT = {"scorm12": 4096, "scorm2004": 64000}
"""cmi.suspend_data capacity: CMIString4096 in SCORM 1.2, characterstring SPM 64000 in 2004."""
MASK_DIGITS_PER_CHAR = 5
"""The player writes a choice selection as base-32 digits, five choices per character."""
SHORT_IDENTIFIER_1_2 = "abcdefghijklmnopqrstuvwxyz0123456789"
"""SCORM 1.2 choice responses are single characters a-z, 0-9 (RTE 1.2, cmi.interactions.n.student_response)."""
SHORT_ANSWER_MAX_LENGTH = 100
"""The short-answer box takes this many characters (UTF-16 code units, as the browser counts a
``maxlength``), or twice the longest accepted answer when that is more: the player keeps all of
it for resuming, so a resumed answer scores as it did."""
NUMERIC_MAX_LENGTH = 40
"""The number box takes this many characters."""
ESSAY_STATE_BYTES = 1000
"""An essay keeps its first 1,000 bytes (UTF-8) in the resume state: the LMS has the whole text
as the interaction's response already, and an essay scores nothing automatically, so a resumed
essay only shows less of itself. At worst (3 bytes a character) SCORM 1.2's 4,096 characters
hold two essays, two short answers and two numbers."""
TEXT_LIMIT = {"scorm12": 255, "scorm2004": 250}
"""Longest text a response or correct pattern may be: CMIFeedback (CMIString255) in SCORM 1.2, a
fill-in's localized string (SPM 250) in SCORM 2004 (long-fill-in: 4,000, the player's own limit)."""
LONG_TEXT_LIMIT_2004 = 4000
DECIMAL_2004 = re.compile(r"-?[0-9]{1,10}(\.[0-9]{1,18})?")
"""A number as SCORM 2004's real(10,7) is checked by LMS run-times (scorm-again: CMIDecimal)."""


@dataclass(frozen=True)
class Edition:
    name: str
    """Format name and file-name suffix: scorm12 or scorm2004."""
    manifest_template: str
    schema: str
    """Our own schema for the manifest, under builder/schemas/."""


# What an edition reports a choice as (its code) is worked out by the player (player.js, code12
# and code2004), so that an item's data is the same in both editions and their launch pages
# share every segment but the first and the last.
SCORM12 = Edition("scorm12", "scorm/imsmanifest-12.xml", "scorm12/imscp_rootv1p1p2.xsd")
SCORM2004 = Edition("scorm2004", "scorm/imsmanifest-2004.xml", "scorm2004/imscp_v1p1.xsd")
EDITION_TITLES = {"scorm12": "SCORM 1.2", "scorm2004": "SCORM 2004"}


SUPPORT = FormatSupport(item_types=CHOICE_TYPES | {"short_answer", "numeric", "essay", "matching", "ordering",
                                                   "fill_in_blanks"}, features=ALL_FEATURES)
"""Both editions: the player carries every feature (how exactly a pass mark and the resume state
fit are its warnings)."""


def check_scorm12(quiz: Quiz) -> list[Problem]:
    return check(quiz, SCORM12)


def check_scorm2004(quiz: Quiz) -> list[Problem]:
    return check(quiz, SCORM2004)


def check(quiz: Quiz, edition: Edition) -> list[Problem]:
    """Every item this edition refuses: an item type the player does not carry, a response SCORM
    1.2 cannot report."""
    problems = unsupported_items(EDITION_TITLES[edition.name], SUPPORT, quiz)
    if edition is SCORM12:
        problems += [problem for item in quiz.items if (problem := _unreportable_in_1_2(item)) is not None]
    return problems


def build_scorm12(quiz: Quiz, cache: Cache = NO_CACHE) -> Output:
    return _build(quiz, SCORM12, cache)


def build_scorm2004(quiz: Quiz, cache: Cache = NO_CACHE) -> Output:
    return _build(quiz, SCORM2004, cache)


@described_once
def members_scorm12(quiz: Quiz, cache: Cache) -> tuple[SegmentedMember]:
    return (launch_page(quiz, SCORM12, cache),)


@described_once
def members_scorm2004(quiz: Quiz, cache: Cache) -> tuple[SegmentedMember]:
    return (launch_page(quiz, SCORM2004, cache),)


def _build(quiz: Quiz, edition: Edition, cache: Cache) -> Output:
    """The quiz as one validated package of this edition, in memory (its check passed)."""
    warnings = edition_warnings(quiz, edition)
    files = player_files(quiz, edition, cache)
    manifest = render_xml(edition.manifest_template, edition.schema, "imsmanifest.xml",
                          **manifest_context(quiz, edition))
    data = zip_bytes([("imsmanifest.xml", manifest), *files, *media_files(quiz)])
    return Output(f"{package_stem(quiz)}-{edition.name}.zip", data, tuple(warnings))


def _unreportable_in_1_2(item: Item) -> Problem | None:
    """Why SCORM 1.2 cannot report the learner's response to ``item`` (None: it can)."""
    match item.interaction:
        case ChoiceInteraction() as choice:
            if len(choice.choices) <= len(SHORT_IDENTIFIER_1_2):
                return None
            return Problem(item.place.path, item.place.line, item.place.column,
                           f"SCORM 1.2 can report at most {len(SHORT_IDENTIFIER_1_2)} choices per "
                           f"item (a-z, 0-9) and this item has {len(choice.choices)}; build "
                           "scorm2004 for it, or split it")
        case ShortAnswerInteraction() | NumericInteraction() | EssayInteraction():
            # fill-in and numeric exist in SCORM 1.2; what does not fit is shortened or left out
            # (edition_warnings says which).
            return None
        case MatchingInteraction() as matching:
            limit = len(SHORT_IDENTIFIER_1_2)
            if len(matching.pairs) <= limit and len(matching.options) <= limit:
                return None
            return Problem(item.place.path, item.place.line, item.place.column,
                           f"SCORM 1.2 can report at most {limit} pairs and {limit} right-hand options per "
                           f"matching item (a-z, 0-9) and this item has {len(matching.pairs)} pairs and "
                           f"{len(matching.options)} options; build scorm2004 for it, or split it")
        case OrderingInteraction() as ordering:
            # The loader allows at most 20 steps, within SCORM 1.2's 36 short identifiers.
            assert len(ordering.steps) <= len(SHORT_IDENTIFIER_1_2)
            return None
        case FillInBlanksInteraction() as blanks:
            wide = [blank for blank in blanks.blanks
                    if isinstance(blank, ChoiceBlank) and len(blank.options) > len(SHORT_IDENTIFIER_1_2)]
            if not wide:
                return None  # a typed or number blank that does not fit is left out (edition_warnings)
            return Problem(item.place.path, item.place.line, item.place.column,
                           f"SCORM 1.2 can report at most {len(SHORT_IDENTIFIER_1_2)} options per drop-down "
                           f"(a-z, 0-9) and blank '{wide[0].name}' has {len(wide[0].options)}; build scorm2004 "
                           "for it, or give it fewer options")
        case _:
            assert_never(item.interaction)


def edition_warnings(quiz: Quiz, edition: Edition) -> list[FormatWarning]:
    """What this edition cannot carry exactly, once per build (what it cannot carry at all is
    refused by check, before any part of the package is made)."""
    warnings: list[FormatWarning] = []
    if mastery_score(quiz.settings.pass_mark) != format_number(quiz.settings.pass_mark):
        warnings.append(FormatWarning(edition.name, "scorm-pass-mark-rounded", (
            f"pass mark {format_number(quiz.settings.pass_mark)} % has more than 2 decimals; the LMS "
            f"compares scores with {mastery_score(quiz.settings.pass_mark)} %")))
    bound = suspend_data_bound(quiz)
    limit = SUSPEND_DATA_LIMIT[edition.name]
    if bound > limit:
        warnings.append(FormatWarning(edition.name, "scorm-resume-state-too-long", (
            f"the resume state of this quiz can reach {bound} characters, more than the {limit} that "
            f"cmi.suspend_data holds; a learner who leaves late in the quiz may not resume. "
            f"Draw fewer items or split the quiz")))
    essays = tuple(item.id for item in quiz.items if not auto_scored(item))
    if essays:
        warnings.append(FormatWarning(edition.name, "scorm-essays-not-scored", (
            "the LMS's SCORM score leaves out essays: they are recorded as interactions (result neutral) "
            "for a person to grade, and the score and pass/fail count only the automatically scored items"),
            essays))
        if edition is SCORM12:
            warnings.append(FormatWarning(edition.name, "scorm12-essay-truncated", (
                f"SCORM 1.2 records at most {TEXT_LIMIT['scorm12']} characters of a response, so the LMS "
                "keeps only the start of a longer essay; build scorm2004 to keep up to 4,000"), essays))
    unpatterned = tuple(item.id for item in quiz.items if _pattern_left_out(item, edition))
    if unpatterned:
        warnings.append(FormatWarning(edition.name, "scorm-no-correct-pattern", (
            f"{EDITION_TITLES[edition.name]} cannot hold the correct response as a correct_responses "
            "pattern (docs/scorm.md, \"What the LMS receives\"); it is left out, and the result of each "
            "answer is still reported"), unpatterned))
    return warnings


def _pattern_left_out(item: Item, edition: Edition) -> bool:
    """Whether the item has a correct response that this edition's pattern cannot hold."""
    match item.interaction:
        case ChoiceInteraction() | EssayInteraction():
            return False
        case ShortAnswerInteraction() as short:
            return _fill_in_patterns(short)[edition.name] is None
        case NumericInteraction() as numeric:
            return _numeric_patterns(numeric)[edition.name] is None
        case MatchingInteraction() | OrderingInteraction():
            return False
        case FillInBlanksInteraction() as blanks:
            return any(_blank_patterns(blank)[edition.name] is None for blank in blanks.blanks
                       if not isinstance(blank, ChoiceBlank))
        case _:
            assert_never(item.interaction)


def mastery_score(pass_mark: float) -> str:
    """The pass mark as the LMS compares it: a percent with at most 2 decimals, rounded up, the
    precision Moodle keeps for cmi.core.score.raw."""
    return format_number(math.ceil(round(pass_mark * 100, 7)) / 100, 2)


TEXT_STATE_DIGITS = (0, 2, 3, 5, 6)
"""The player keeps typed text as its UTF-8 bytes in base 62: 7 digits for each 5 bytes, and 2, 3,
5 or 6 digits for the 1 to 4 bytes left at the end (player.js, encodeText)."""


def _text_state_bound(max_bytes: int) -> int:
    """Longest state of a typed text of at most ``max_bytes`` bytes (a UTF-16 code unit takes at
    most 3 bytes of UTF-8: a character outside the BMP is 2 units and 4 bytes)."""
    whole, rest = divmod(max_bytes, 5)
    return 7 * whole + TEXT_STATE_DIGITS[rest]


def _short_answer_max_length(interaction: ShortAnswerInteraction) -> int:
    longest = max(len(answer.text.encode("utf-16-le")) // 2 for answer in interaction.answers)
    return max(SHORT_ANSWER_MAX_LENGTH, 2 * longest)


def suspend_data_bound(quiz: Quiz) -> int:
    """Longest suspend_data the player can write for this quiz: the header plus, for each item it
    can draw, ``<hints shown><s|n><selection>`` and a comma (player.js, encodeState)."""
    def item_bound(item: Item) -> int:
        match item.interaction:
            case ChoiceInteraction() as choice:
                # The selection: a mask of the choices, MASK_DIGITS_PER_CHAR of them per character.
                response = math.ceil(len(choice.choices) / MASK_DIGITS_PER_CHAR)
            case ShortAnswerInteraction() as short:
                response = _text_state_bound(3 * _short_answer_max_length(short))
            case NumericInteraction():
                response = _text_state_bound(3 * NUMERIC_MAX_LENGTH)
            case EssayInteraction():
                response = _text_state_bound(ESSAY_STATE_BYTES)
            case MatchingInteraction() as matching:
                # One or two base-62 digits per left side: its option's number, 0 for none.
                response = len(matching.pairs) * _matching_digits(matching)
            case OrderingInteraction() as ordering:
                # One base-32 digit per step: the learner's order.
                response = len(ordering.steps)
            case FillInBlanksInteraction() as blanks:
                # Per blank: its state's length in two base-62 digits, then the text typed (a
                # drop-down: its option's number, as text).
                response = sum(2 + _text_state_bound(_blank_state_bytes(blank)) for blank in blanks.blanks)
            case _:
                assert_never(item.interaction)
        return len(str(len(item.hints))) + 1 + response + 1

    by_id = {item.id: item for item in quiz.items}
    total = SUSPEND_DATA_HEADER_MAX
    for pool in _pools(quiz):
        bounds = sorted((item_bound(by_id[i]) for i in pool.item_ids), reverse=True)
        total += sum(bounds[: pool.select or len(bounds)])
    return total


@dataclass(frozen=True)
class _Section:
    identifier: str
    title: str
    item_ids: tuple[str, ...]
    select: int | None


def _pools(quiz: Quiz) -> list[_Section]:
    """The sections the player draws from, in order. Without pools the quiz is one section of all
    items; items that no pool names follow in a last section, all of them delivered."""
    sections = [_Section(p.identifier, p.title, p.item_ids, p.select) for p in quiz.settings.pools]
    pooled = {item_id for s in sections for item_id in s.item_ids}
    rest = tuple(item.id for item in quiz.items if item.id not in pooled)
    if rest:
        sections.append(_Section("rest" if sections else "main", "", rest, None))
    return sections


def player_data(quiz: Quiz, edition: Edition) -> dict[str, object]:
    """Everything the player needs, as JSON-ready values. Text fields are the model's sanitised
    XHTML fragments; the player inserts these and nothing else as markup."""
    return _player_frame(quiz, edition) | {"items": [_item_data(item) for item in quiz.items]}


def _player_frame(quiz: Quiz, edition: Edition) -> dict[str, object]:
    """The player data but its items."""
    index = {item.id: n for n, item in enumerate(quiz.items)}
    settings = quiz.settings
    return {
        "format": SUSPEND_DATA_FORMAT,
        "edition": edition.name,
        "quiz": {"id": quiz.package_id, "title": quiz.display_title, "description": quiz.description,
                 "language": quiz.language, "direction": catalogues.text_direction(quiz.language),
                 "pluralLanguage": catalogues.plural_language(quiz.language),
                 "decimalComma": decimal_comma(quiz.language)},
        "theme": theme_data(quiz),
        "messages": catalogues.messages(quiz.language, quiz.strings),
        "settings": {
            "passMark": settings.pass_mark,
            "attempts": settings.attempts,
            "timeLimit": settings.time_limit,
            "shuffleItems": settings.shuffle_items,
            "shuffleChoices": settings.shuffle_choices,
            "feedback": settings.feedback,
            "showCorrectAnswers": settings.show_correct_answers,
            "navigation": settings.navigation,
            "seed": settings.seed,
            "suspendDataLimit": SUSPEND_DATA_LIMIT[edition.name],
        },
        "pools": [{"id": s.identifier, "title": s.title, "items": [index[i] for i in s.item_ids],
                   "select": s.select} for s in _pools(quiz)],
        "allow": player_allowlist(),
    }


def theme_data(quiz: Quiz) -> dict[str, object]:
    """The theme as the player takes it: the logo's path in the package (``media/`` and its path
    in the quiz folder, URL-quoted, as fragments name files), its alt text and the accent colour
    (``#rrggbb``, checked for contrast when loaded); None for what the theme does not set."""
    logo = quiz.logo
    theme = quiz.settings.theme
    return {"logo": MEDIA_REFERENCE + logo.href if logo is not None else None,
            "logoAlt": theme.logo_alt if theme is not None and logo is not None else None,
            "accent": theme.accent if theme is not None else None}


def player_allowlist() -> dict[str, object]:
    """What insertFragment keeps: HTML elements and MathML elements (by namespace) with their
    attributes, the URL schemes of links and images, and which elements may show files of the package."""
    return {
        "html": {"tags": sorted(PLAYER_HTML_TAGS),
                 "attributes": {tag: sorted(names) for tag, names in sorted(PLAYER_HTML_ATTRIBUTES.items())}},
        "mathml": {"tags": sorted(formulas.MATHML_TAGS), "attributes": sorted(formulas.MATHML_ATTRIBUTES)},
        "schemes": sorted(URL_SCHEMES),
        "files": {"prefix": MEDIA_REFERENCE, "tags": list(PACKAGED_SOURCE_TAGS), "only": list(PACKAGED_ONLY_TAGS)},
    }


_ITEMS_SLOT = "items go here"


def player_json(quiz: Quiz, edition: Edition,
                frame: dict[str, object] | None = None) -> tuple[bytes, list[str], Callable[[int], bytes], bytes]:
    """``player_data`` exactly as Jinja's ``tojson`` filter writes it (the environment's json.dumps
    options, HTML-safe), as what comes before the items, each item's part key and piece (its part
    after ', ' but for the first, as json.dumps joins a list), and what comes after the items:
    the pieces are compressed one after another. Only the first piece has no comma, and only the
    first segment starts after the head, so the part keys name the pieces."""
    frame_json = str(_to_json((frame or _player_frame(quiz, edition)) | {"items": _ITEMS_SLOT}))
    # The slot appears once: a '"' inside any string value is written escaped, as '\"'.
    head, tail = frame_json.split(f'"items": "{_ITEMS_SLOT}"')
    part = ItemPart(_item_json, None)  # an item's entry: the same in both editions, every quiz and cohort

    def piece(index: int) -> bytes:
        return (b", " if index else b"") + part.of(quiz.items[index])

    return f'{head}"items": ['.encode(), part.key.of_all(quiz.items), piece, f"]{tail}".encode()


def _item_json(item: Item, options: None) -> bytes:
    return str(_to_json(_item_data(item))).encode("utf-8")


def _to_json(value: object) -> Markup:
    return htmlsafe_json_dumps(value, **environment().policies["json.dumps_kwargs"])


def _item_data(item: Item) -> dict[str, object]:
    """What the player knows of an item (its keys are sorted in the page, so their order here is free)."""
    return {
        "id": item.id,
        "title": item.title,
        "points": item.points,
        # False: its choices (drop-down options) keep the author's order where the quiz shuffles.
        "shuffleChoices": item.shuffle_choices,
        "prompt": shown(item.prompt),
        "hints": [shown(h) for h in item.hints],
        "explanation": _shown_if_any(item.explanation),
        **_interaction_data(item),
    }


def shown(fragment: Markup) -> str:
    """A text as the player inserts it: the model's fragment with audio and video as HTML5
    players; images, MathML (browsers render MathML Core) and cell alignment classes as they are."""
    return str(rewritten(fragment, html5_media=True))


def _shown_if_any(fragment: Markup | None) -> str | None:
    return shown(fragment) if fragment else None


def _interaction_data(item: Item) -> dict[str, object]:
    """What the player renders, scores and reports the item's interaction by."""
    match item.interaction:
        case ChoiceInteraction() as choice:
            return _choice_data(item.points, choice)
        case ShortAnswerInteraction() as short:
            return _short_answer_data(item.points, short)
        case NumericInteraction() as numeric:
            return _numeric_data(item.points, numeric)
        case EssayInteraction() as essay:
            return _essay_data(essay)
        case MatchingInteraction() as matching:
            return _matching_data(item.id, matching)
        case OrderingInteraction() as ordering:
            return _ordering_data(ordering)
        case FillInBlanksInteraction() as blanks:
            return _blanks_data(item, blanks)
        case _:
            assert_never(item.interaction)


def _choice_data(points: float, interaction: ChoiceInteraction) -> dict[str, object]:
    weights = choice_weights(points, interaction)
    return {
        "type": interaction.kind,
        "multiple": interaction.multiple,
        "shuffle": interaction.may_shuffle,
        "choices": [{
            "id": choice.identifier,
            "html": shown(choice.text),
            "label": plain_text(choice.text),
            "feedback": _shown_if_any(choice.feedback),
            "weight": weights[choice.identifier],
            "correct": choice.correct,
            "fixed": choice.fixed,
        } for choice in interaction.choices],
    }


def _short_answer_data(points: float, interaction: ShortAnswerInteraction) -> dict[str, object]:
    """The accepted answers in order with the points each earns (the player compares the typed text
    with each as builder.scoring.normalised_text does), and the correct pattern of each edition."""
    return {
        "type": "short_answer",
        "caseSensitive": interaction.case_sensitive,
        "maxLength": _short_answer_max_length(interaction),
        "answers": [{
            "text": answer.text,
            "weight": credit_points(points, answer.credit),
            "feedback": _shown_if_any(answer.feedback),
        } for answer in interaction.answers],
        "otherFeedback": _shown_if_any(interaction.other_feedback),
        "patterns": _fill_in_patterns(interaction),
    }


def _numeric_data(points: float, interaction: NumericInteraction) -> dict[str, object]:
    """Each answer as its closed interval (``NumericAnswer.bounds``) with the points it earns; the
    player reads the typed number as builder.scoring.parse_number does, with a decimal comma when
    the quiz's language writes one (``decimalComma`` in the quiz part of the data)."""
    return {
        "type": "numeric",
        "unit": interaction.unit,
        "maxLength": NUMERIC_MAX_LENGTH,
        "answers": [{
            "value": answer.value,
            "low": answer.bounds[0],
            "high": answer.bounds[1],
            "weight": credit_points(points, answer.credit),
            "feedback": _shown_if_any(answer.feedback),
        } for answer in interaction.answers],
        "otherFeedback": _shown_if_any(interaction.other_feedback),
        "patterns": _numeric_patterns(interaction),
    }


def _essay_data(interaction: EssayInteraction) -> dict[str, object]:
    """What the learner sees (the grader's notes never reach the package)."""
    return {
        "type": "essay",
        "template": interaction.response_template,
        "minWords": interaction.min_words,
        "maxWords": interaction.max_words,
        "stateBytes": ESSAY_STATE_BYTES,
        "limits": {"scorm12": TEXT_LIMIT["scorm12"], "scorm2004": LONG_TEXT_LIMIT_2004},
    }


def _matching_data(item_id: str, interaction: MatchingInteraction) -> dict[str, object]:
    """The left sides (L1...) and the right-hand options (R1...; Rn matches Ln, then the
    distractors), each as plain text too (an option of a <select> holds no markup), and the order
    to list the options in where choices are not shuffled: the author's order is the answer, so
    the one QTI 2.1 writes, with no option in its own place."""
    ids = tuple(option_id for option_id, _ in interaction.options)
    return {
        "type": "matching",
        "scoring": interaction.scoring,
        "lefts": [{"id": left_id, "html": shown(pair.left), "label": plain_text(pair.left)}
                  for left_id, pair in zip(interaction.left_ids, interaction.pairs, strict=True)],
        "options": [{"id": option_id, "label": plain_text(text)} for option_id, text in interaction.options],
        "unshuffledOrder": [ids.index(option_id) for option_id in scrambled(ids, item_id)],
    }


def _ordering_data(interaction: OrderingInteraction) -> dict[str, object]:
    """The steps (S1...) in the correct order; the player shows them shuffled."""
    return {
        "type": "ordering",
        "scoring": interaction.scoring,
        "steps": [{"id": step_id, "html": shown(step), "label": plain_text(step)}
                  for step_id, step in zip(interaction.step_ids, interaction.steps, strict=True)],
    }


def _blanks_data(item: Item, interaction: FillInBlanksInteraction) -> dict[str, object]:
    """The blanks in prompt order; the prompt keeps each ``[[name]]`` where the player puts the
    blank's control (the loader lets a marker stand only in plain text)."""
    return {
        "type": "fill_in_blanks",
        "blanks": [_blank_data(blank) for blank in interaction.blanks],
    }


def _blank_data(blank: Blank) -> dict[str, object]:
    match blank:
        case TextBlank() as typed:
            return {"name": typed.name, "kind": "text", "answers": list(typed.answers),
                    "caseSensitive": typed.case_sensitive, "maxLength": _blank_max_length(typed),
                    "patterns": _blank_patterns(typed)}
        case ChoiceBlank() as choice:
            return {"name": choice.name, "kind": "choice", "options": list(choice.options), "correct": choice.correct}
        case NumericBlank() as number:
            low, high = number.answer.bounds
            return {"name": number.name, "kind": "numeric", "value": number.answer.value, "low": low, "high": high,
                    "maxLength": _blank_max_length(number), "patterns": _blank_patterns(number)}
        case _:
            assert_never(blank)


def _matching_digits(interaction: MatchingInteraction) -> int:
    """Base-62 digits the player keeps per left side: its option's number (1...), 0 for none."""
    return 1 if len(interaction.options) < 62 else 2


def _blank_max_length(blank: Blank) -> int:
    """The characters a blank's state holds: what its box takes, or a drop-down's option number."""
    match blank:
        case TextBlank() as typed:
            longest = max(len(answer.encode("utf-16-le")) // 2 for answer in typed.answers)
            return max(SHORT_ANSWER_MAX_LENGTH, 2 * longest)
        case ChoiceBlank() as choice:
            return len(str(len(choice.options) - 1))
        case NumericBlank():
            return NUMERIC_MAX_LENGTH
        case _:
            assert_never(blank)


def _blank_state_bytes(blank: Blank) -> int:
    """The most UTF-8 bytes a blank's state keeps: 3 per character of a box; a drop-down's option
    number is ASCII digits."""
    return _blank_max_length(blank) * (1 if isinstance(blank, ChoiceBlank) else 3)


def _blank_patterns(blank: TextBlank | NumericBlank) -> dict[str, str | None]:
    """A typed blank's first answer as a fill-in pattern; a number blank's as a numeric pattern (a
    drop-down's pattern is its right option's code, which the player writes)."""
    match blank:
        case TextBlank() as typed:
            return _text_patterns(typed.answers[0], typed.case_sensitive)
        case NumericBlank() as number:
            return _number_patterns(number.answer)
        case _:
            assert_never(blank)


def _fill_in_patterns(interaction: ShortAnswerInteraction) -> dict[str, str | None]:
    """The first full-credit answer as each edition's fill-in pattern (``_text_patterns``)."""
    return _text_patterns(correct_answer(interaction.answers).text, interaction.case_sensitive)


def _text_patterns(text: str, case_sensitive: bool) -> dict[str, str | None]:
    """An accepted text as each edition's fill-in pattern, None where it cannot be one: longer
    than the edition allows, or (2004) text its localized-string pattern reads otherwise: a
    leading '{' (a language or case prefix), a comma (run-times such as scorm-again split fill-in
    patterns at commas, Moodle at '[,]'), a line break."""
    plain = "\n" not in text and "\r" not in text
    scorm12 = text if plain and len(text) <= TEXT_LIMIT["scorm12"] else None
    fits_2004 = plain and len(text) <= TEXT_LIMIT["scorm2004"] and not text.startswith("{") and "," not in text
    prefix = "{case_matters=true}" if case_sensitive else ""
    return {"scorm12": scorm12, "scorm2004": prefix + text if fits_2004 else None}


def _numeric_patterns(interaction: NumericInteraction) -> dict[str, str | None]:
    """The first full-credit answer as each edition's numeric pattern (``_number_patterns``)."""
    return _number_patterns(correct_answer(interaction.answers))


def _number_patterns(answer: NumericAnswer) -> dict[str, str | None]:
    """SCORM 2004 ``low[:]high``; SCORM 1.2's numeric pattern is one number, the answer's value
    (None for a range of more than one number)."""
    low, high = (format_number(bound) for bound in answer.bounds)
    single = format_number(answer.value) if answer.value is not None else (low if low == high else None)
    scorm2004 = f"{low}[:]{high}" if DECIMAL_2004.fullmatch(low) and DECIMAL_2004.fullmatch(high) else None
    scorm12 = single if single is not None and DECIMAL_2004.fullmatch(single) else None
    return {"scorm12": scorm12, "scorm2004": scorm2004}


def player_files(quiz: Quiz, edition: Edition, cache: Cache) -> list[tuple[str, Deflated]]:
    """The player's files, compressed: the launch page as launch_page makes it, which holds the quiz
    data; the script and the style sheet, the same for every quiz."""
    (page,) = (members_scorm12 if edition is SCORM12 else members_scorm2004)(quiz, cache)
    return [(name, page.deflated() if name == LAUNCH_FILE
             else Deflated.of(render(f"scorm/{name}").encode("utf-8"))) for name in PLAYER_FILES]


def packaged_media(quiz: Quiz, files_shown: Sequence[MediaFile] | None = None) -> list[MediaFile]:
    """The files of the quiz folder the package carries: each file the items show (or
    ``files_shown``: a deck of cards carries the files its cards show), in the quiz's order (by name),
    then the theme's logo unless an item shows it too."""
    files = list(quiz.media if files_shown is None else files_shown)
    logo = quiz.logo
    extra = [logo] if logo is not None and logo.name not in {file.name for file in files} else []
    return [*files, *extra]


def media_files(quiz: Quiz, files_shown: Sequence[MediaFile] | None = None) -> list[tuple[str, bytes | Stored]]:
    """Each file the package carries (packaged_media), once, at the path their fragments' src
    names from index.html at the root: ``media/`` and the file's path in the quiz folder
    (URL-quoted in the fragments and in the manifest, as it is here in the zip)."""
    return [(MEDIA_REFERENCE + file.name, media_member(file.media_type, file.content))
            for file in packaged_media(quiz, files_shown)]


def launch_page(quiz: Quiz, edition: Edition, cache: Cache) -> SegmentedMember:
    """The launch page, which carries the quiz data and so grows with the bank: compressed in
    remembered segments of items rather than rendered into one string."""
    frame = _player_frame(quiz, edition)
    page_head, page_tail = render_around(f"scorm/{LAUNCH_FILE}", "data_json", quiz=quiz, data=frame,
                                         edition=edition.name)
    json_head, entries, piece, json_tail = player_json(quiz, edition, frame)
    return SegmentedMember(cache, page_head + json_head, entries, piece, json_tail + page_tail)


def manifest_context(quiz: Quiz, edition: Edition) -> dict[str, object]:
    stem = quiz.package_id
    settings = quiz.settings
    return {
        "manifest_id": f"MANIFEST-{stem}",
        "organization_id": f"ORG-{stem}",
        "item_id": f"ITEM-{stem}",
        "resource_id": f"RES-{stem}",
        "objective_id": f"{stem}-passed",
        "version": quiz.version,
        "title": quiz.display_title,
        "launch": LAUNCH_FILE,
        "files": [*PLAYER_FILES, *(MEDIA_REFERENCE + file.href for file in packaged_media(quiz))],
        "mastery_score": mastery_score(settings.pass_mark),
        "min_normalized_measure": format_number(float(mastery_score(settings.pass_mark)) / 100, 4),
        "attempt_limit": settings.attempts,
        "time_limit_12": _timespan_12(settings.time_limit) if settings.time_limit else None,
        "time_limit_2004": f"PT{settings.time_limit}S" if settings.time_limit else None,
    }


def _timespan_12(seconds: int) -> str:
    """CMITimespan, HHHH:MM:SS, as adlcp:maxtimeallowed takes it."""
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
