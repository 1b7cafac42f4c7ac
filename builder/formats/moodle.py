"""Moodle XML: a question-bank file Moodle's importer (question/format/xml) reads natively.

One category question (``$course$/top/<quiz title>``), then one question per item:
single_choice and multiple_response as ``multichoice``, true_false as ``truefalse``, short_answer as
``shortanswer``, numeric as ``numerical``, essay as ``essay``, matching as ``matching`` (Moodle's match),
ordering as ``ordering``, fill_in_blanks as ``cloze`` (Moodle's multianswer, the blanks as codes in
the question text: see ``cloze_text``). Text goes in HTML format as escaped text (never CDATA, so no
``]]>`` can end it early). Each HTML field carries the files it shows as base64 ``<file>`` elements
beside its text, which names them ``@@PLUGINFILE@@/<path>``, and its formulas as TeX for Moodle's
MathJax filter (QuestionOptions.rich); the plain-text places (a matching option, a true/false
answer) warn of what they cannot show. Answer grades must be on Moodle's grade list, or
Moodle refuses the question on import ("grades do not match") and, by default, the whole file with
it: a choice's grade comes from builder.scoring and an item whose grades are off the list fails the
build; a typed answer's credit snaps to the nearest grade on the list (a warning when it moves).
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import assert_never
from urllib.parse import quote

from markupsafe import Markup, escape

from builder.cache import NO_CACHE, Cache
from builder.errors import Problem
from builder.formats import (
    CHOICE_TYPES,
    Feature,
    FormatSupport,
    FormatWarning,
    ItemPart,
    Output,
    described_once,
    package_stem,
    richtext,
    too_large,
    unsupported_items,
)
from builder.formats.wording import (
    TRUE_WORDS,
    OutcomeFeedback,
    Wording,
    outcome_feedback,
    truefalse_choices,
    truefalse_labels,
    wording,
)
from builder.markup import plain_text
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
    TextAnswer,
    TextBlank,
)
from builder.packaging import SegmentedMember
from builder.rendering import render_frame, render_part
from builder.scoring import choice_fractions, fold_spaces, format_number
from builder.scoring import exact_decimal as decimal  # a numerical answer or tolerance as Moodle reads it

FORMAT = "moodle"
SCHEMA = "moodle/moodle_quiz.xsd"

# question_bank::fraction_options_full() (question/engine/bank.php): every grade an answer may carry,
# as fractions; the negative ones are the same values below zero. Moodle matches an imported grade
# to this list within 0.00001 and refuses the question otherwise.
MOODLE_GRADES: tuple[float, ...] = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
    0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0,
)
MOODLE_TOLERANCE = 0.00001
# Moodle's defaults: a third of the mark lost per extra try (interactive behaviour); a true/false
# question has one try; an essay, graded by a person, has no tries to lose marks on.
MULTICHOICE_PENALTY = "0.3333333"
TRUEFALSE_PENALTY = "1"
ESSAY_PENALTY = "0"
# A typed answer's credit that moves by more than this (percentage points) when it snaps to
# Moodle's grade list is a warning; less (33 stored as 33.33333) is Moodle's rounding, not a loss.
SNAP_WARNING_POINTS = 0.5


SUPPORT = FormatSupport(
    item_types=CHOICE_TYPES | {"short_answer", "numeric", "essay", "matching", "ordering", "fill_in_blanks"},
    # A question bank file: no quiz settings; a true/false question has no hints and shows
    # Moodle's own labels; a question shuffles its answers (shuffleanswers) or keeps them in order.
    features=frozenset({"hints", "choice_feedback", "explanation", "wrong_choice_penalty_off", "shuffle_choices",
                        "hints_before_submit", "hidden_feedback_with_retries", "item_choice_order"}),
)


def check(quiz: Quiz) -> list[Problem]:
    """Every item Moodle refuses: an item type it does not carry, a grade not on Moodle's list, a
    short answer with no answer worth full marks."""
    problems = unsupported_items("Moodle", SUPPORT, quiz)
    # An item's grades follow from its type, points and number of correct choices
    # (builder.scoring.choice_weights): each such kind is worked out once, not for each of 10,000 items.
    graded: set[tuple[str, bool, float, int]] = set()
    for item in quiz.items:
        match item.interaction:
            case ChoiceInteraction() as choice:
                kind = (choice.kind, choice.wrong_choice_penalty, item.points, len(choice.correct_choices))
                if kind not in graded:
                    problem = _off_the_grade_list(item, choice)
                    if problem is None:
                        graded.add(kind)
                    else:
                        problems.append(problem)
            case ShortAnswerInteraction() | NumericInteraction() | EssayInteraction():
                # Every credit snaps to the grade list, and one answer is worth 100 % (the loader
                # refuses an item without, as Moodle's shortanswer does); an essay has none.
                pass
            case MatchingInteraction() as matching:
                # No answer grades (Moodle grades each subquestion); its options are plain text.
                problem = _textless_option(item, matching)
                if problem is not None:
                    problems.append(problem)
            case OrderingInteraction() | FillInBlanksInteraction():
                # No answer grades: ordering grades by position, a cloze by its blanks' weights;
                # what they cannot keep is a warning (item_warnings).
                pass
            case _:
                assert_never(item.interaction)
    return problems


def _off_the_grade_list(item: Item, interaction: ChoiceInteraction) -> Problem | None:
    """Why Moodle would refuse the item's grades (None: it takes them)."""
    for identifier, fraction in choice_fractions(item.points, interaction).items():
        if moodle_grade(fraction) is None:
            return Problem(
                item.place.path, item.place.line, item.place.column,
                f"cannot build for Moodle: choice '{identifier}' would be worth "
                f"{format_number(100 * fraction)}% "
                f"of the item ({len(interaction.correct_choices)} correct choices), which is not on Moodle's "
                "grade list, so Moodle would refuse the question; use 1 to 10 correct choices")
    return None


def _textless_option(item: Item, interaction: MatchingInteraction) -> Problem | None:
    """Why Moodle could not show a matching item's options (None: it can): one with no text once
    its formatting is removed (an image alone), since Moodle's match options are plain text."""
    names = [f"the right side of pair {n}" for n in range(1, len(interaction.pairs) + 1)]
    names += [f"distractor {n}" for n in range(1, len(interaction.distractors) + 1)]
    for name, (_, text) in zip(names, interaction.options, strict=True):
        if not plain_text(text):
            return Problem(item.place.path, item.place.line, item.place.column,
                           f"cannot build for Moodle: {name} has no text once its formatting is removed, and "
                           "Moodle shows a matching item's options as plain text; give it words")
    return None


def moodle_grade(fraction: float) -> float | None:
    """The grade on Moodle's list that ``fraction`` (-1 to 1) matches, or None."""
    for grade in MOODLE_GRADES:
        if abs(abs(fraction) - grade) < MOODLE_TOLERANCE / 10:
            return grade if fraction >= 0 else -grade
    return None


def snapped_grade(credit: float) -> float:
    """The grade on Moodle's list (a fraction above 0) nearest to ``credit`` (a typed answer's
    percent, 1 to 100); halfway between two, the higher. 50 -> 0.5, 33 -> 0.3333333, 45 -> 0.5."""
    return min((grade for grade in MOODLE_GRADES if grade > 0),
               key=lambda grade: (abs(100 * grade - credit), -grade))


def _percent(grade: float) -> str:
    """A grade as Moodle's ``fraction`` attribute writes it: percent, at most 5 decimals."""
    return format_number(100 * grade, 5)


def answer_fractions(item: Item, interaction: ChoiceInteraction) -> dict[str, str]:
    """Each choice's grade as Moodle writes it (percent, 5 decimals), of an item check passed."""
    grades: dict[str, str] = {}
    for identifier, fraction in choice_fractions(item.points, interaction).items():
        grade = moodle_grade(fraction)
        assert grade is not None, "check refuses an item with a grade off Moodle's list"
        grades[identifier] = _percent(grade)
    return grades


def literal_pattern(text: str) -> str:
    """An accepted short answer as Moodle's shortanswer matches it literally: inner runs of
    whitespace as one space (what the learner most likely types; lmspack folds them), and each
    ``*``, which Moodle reads as a wildcard, escaped as ``\\*`` (Moodle turns it back into ``*``)."""
    return fold_spaces(text).replace("*", "\\*")


def value_and_tolerance(answer: NumericAnswer) -> tuple[float, float]:
    """What Moodle's numerical stores of an answer: a value and an absolute tolerance (a percent
    becomes |value| x percent / 100; a range its midpoint and half its width)."""
    if answer.range is not None:
        low, high = answer.range
        return (low + high) / 2, (high - low) / 2
    assert answer.value is not None, "a numeric answer has a value or a range"
    margin = abs(answer.value) * answer.tolerance / 100 if answer.relative else answer.tolerance
    return answer.value, margin


PLUGINFILE = "@@PLUGINFILE@@/"
"""How a Moodle text names a file of its own file area: this, then the file's path there
URL-quoted (file_rewrite_pluginfile_urls replaces it with the field's pluginfile.php URL)."""

# What Moodle's file storage takes out of a file or folder name (clean_param PARAM_FILE, applied by
# file_storage::create_file_from_string) that builder.media lets through: a file so named would be
# stored under another name than its text says. Such characters become '_'; so does a name's
# leading space, which the importer trims (getpath).
_REMOVED_BY_MOODLE = re.compile(r"[&'`]|^ +")


@dataclass(frozen=True, slots=True)
class EmbeddedFile:
    """A file of the quiz folder as a text field carries it: ``<file name path encoding="base64">``."""

    shown_as: str
    """How the model's fragments name it, after media/ (MediaFile.href)."""
    path: str
    """Its folder in the field's file area: '/', or '/' + folders + '/' ('/media/')."""
    name: str
    content: str
    """Its bytes in base64, on one line, as Moodle's own export writes them (PHP's base64_encode;
    the importer's base64_decode also takes 76-column lines)."""

    @property
    def href(self) -> str:
        """Its path as the text names it after @@PLUGINFILE@@/: URL-quoted as Moodle's editor writes
        it (rawurlencode, '/' kept), which pluginfile.php reads back into path and name."""
        return quote(self.path[1:] + self.name)


@dataclass(frozen=True, slots=True)
class RichText:
    """An HTML field as Moodle's importer reads it (import_text_with_files): its text and, beside
    it, the files it shows, which Moodle keeps in the field's own file area."""

    text: str
    files: tuple[EmbeddedFile, ...] = ()


def stored_names(media: Sequence[MediaFile]) -> dict[str, tuple[str, str]]:
    """Where Moodle keeps each file in a field's file area, (path, name) by the file's href: its
    folders and name in the quiz folder ('media/fridge shelf.jpg' -> ('/media/', 'fridge shelf.jpg')),
    each character Moodle's file storage would take out replaced by '_', and a name that then
    becomes another file's given '-2', '-3', ... before its extension."""
    def moodle_part(part: str) -> str:
        return _REMOVED_BY_MOODLE.sub(lambda found: "_" * len(found.group()), part)

    def place(parts: list[str]) -> tuple[str, str]:
        return "/" + "".join(folder + "/" for folder in parts[:-1]), parts[-1]

    stored = {file.href: place(file.name.split("/")) for file in media}
    taken = set(stored.values())
    for file in media:
        renamed = place([moodle_part(part) for part in file.name.split("/")])
        if renamed == stored[file.href]:
            continue
        path, name = renamed
        stem, dot, extension = name.rpartition(".") if "." in name[1:] else (name, "", "")
        count = 1
        while renamed in taken:
            count += 1
            renamed = (path, f"{stem}-{count}{dot}{extension}")
        taken.add(renamed)
        stored[file.href] = renamed
    return stored


@dataclass(frozen=True)
class QuestionOptions:
    """What a <question> takes from its quiz (and so, with the item, its cache key)."""

    shuffle_choices: bool
    wording: Wording
    """The combined feedback's texts, in the quiz's language."""
    files: tuple[EmbeddedFile, ...] = ()
    """Every file the items show, as text fields carry them, in the quiz's order: in the cache key
    (their base64 in full, hashed once a build), so that a changed picture makes new questions."""

    def rich(self, fragment: Markup | None) -> RichText:
        """A model fragment as a Moodle HTML field: its files named from @@PLUGINFILE@@, audio and
        video as HTML5 players (Moodle's media filters make them its own), formulas as TeX between
        \\( \\) or \\[ \\] (Moodle's MathJax filter), a cell's alignment as a style (classes are
        the theme's); and a <file> for each file it shows, once each, in the quiz's order."""
        if not fragment:
            return RichText("")
        text = str(richtext.rewritten(fragment, media_prefix=PLUGINFILE, html5_media=True, math="tex",
                                      align_as_style=True))
        if MEDIA_REFERENCE not in fragment:  # most texts: no file to look for
            return RichText(text)
        shown = set(richtext.media_names(fragment))
        files = tuple(file for file in self.files if file.shown_as in shown)
        assert len(files) == len(shown), f"files {shown} are not all the quiz's"
        for file in files:
            if file.href != file.shown_as:  # a name Moodle's file storage would change
                text = text.replace(f'"{PLUGINFILE}{file.shown_as}"', f'"{PLUGINFILE}{file.href}"')
        return RichText(text, files)


def question_options(quiz: Quiz) -> QuestionOptions:
    """The quiz's options of every question: its shuffling, and its files in base64 (made once)."""
    stored = stored_names(quiz.media)
    return QuestionOptions(quiz.settings.shuffle_choices, wording(quiz), tuple(
        EmbeddedFile(file.href, *stored[file.href], base64.b64encode(file.content).decode("ascii"))
        for file in quiz.media))


def _combined(feedback: OutcomeFeedback, options: QuestionOptions) -> dict[str, RichText]:
    """Moodle's combined feedback (multichoice, match, ordering) in Moodle's own wording."""
    return {"correct_feedback": options.rich(feedback.correct),
            "partially_correct_feedback": options.rich(feedback.partially_correct),
            "incorrect_feedback": options.rich(feedback.incorrect)}


def shuffles_answers(item: Item, options: QuestionOptions) -> bool:
    """A question's shuffleanswers: where the quiz shuffles choices, unless the item keeps its own
    order, or pins a choice (Moodle cannot pin one: the whole order is kept, warned)."""
    pinned = isinstance(item.interaction, ChoiceInteraction) and item.interaction.pinned
    return options.shuffle_choices and item.shuffle_choices and not (pinned and SUPPORT.lacks("fixed_choices"))


def _multichoice(item: Item, interaction: ChoiceInteraction, options: QuestionOptions) -> dict[str, object]:
    fractions = answer_fractions(item, interaction)
    return {
        "type": "multichoice",
        "multichoice": True,
        "single": "false" if interaction.multiple else "true",
        "shuffle": "true" if shuffles_answers(item, options) else "false",
        "penalty": MULTICHOICE_PENALTY,
        **_combined(outcome_feedback(options.wording, interaction.multiple), options),
        # Moodle's multichoice answers are HTML with files of their own (import_answer with files).
        "answers": [SimpleNamespace(fraction=fractions[c.identifier], format="html", text=options.rich(c.text),
                                    feedback=options.rich(c.feedback), tolerance=None) for c in interaction.choices],
    }


def _truefalse(interaction: ChoiceInteraction, options: QuestionOptions) -> dict[str, object]:
    """Moodle's true/false keeps which statement is right and each answer's feedback; it shows its
    own localised 'True'/'False' labels (the answers' texts are the plain words) and keeps no hints."""
    true_choice, false_choice = truefalse_choices(interaction)
    return {
        "type": "truefalse",
        "penalty": TRUEFALSE_PENALTY,
        "hints": [],
        "answers": [SimpleNamespace(fraction="100" if c.correct else "0", format="moodle_auto_format",
                                    text=RichText(word), feedback=options.rich(c.feedback), tolerance=None)
                    for word, c in zip(TRUE_WORDS, (true_choice, false_choice), strict=True)],
    }


def _answer(options: QuestionOptions, fraction: str, text: str, feedback: Markup | None,
            tolerance: str | None = None) -> SimpleNamespace:
    """A typed answer: plain text (no files), per-answer feedback (HTML with files), and for
    numerical its tolerance."""
    return SimpleNamespace(fraction=fraction, format="moodle_auto_format", text=RichText(text),
                           feedback=options.rich(feedback), tolerance=tolerance)


def _shortanswer(interaction: ShortAnswerInteraction, options: QuestionOptions) -> dict[str, object]:
    """Moodle's shortanswer: the answers tried in order, case per ``usecase``; ``other_feedback``
    as a last ``*`` answer (any other response) worth 0."""
    answers = [_answer(options, _percent(snapped_grade(a.credit)), literal_pattern(a.text), a.feedback)
               for a in interaction.answers]
    if interaction.other_feedback:
        answers.append(_answer(options, "0", "*", interaction.other_feedback))
    return {
        "type": "shortanswer",
        "penalty": MULTICHOICE_PENALTY,
        "usecase": "1" if interaction.case_sensitive else "0",
        "answers": answers,
    }


def _numerical(interaction: NumericInteraction, options: QuestionOptions) -> dict[str, object]:
    """Moodle's numerical: each answer a value with an absolute tolerance; ``other_feedback`` as a
    last ``*`` answer worth 0; the unit one Moodle unit (multiplier 1) the learner need not type."""
    answers = []
    for answer in interaction.answers:
        value, tolerance = value_and_tolerance(answer)
        answers.append(_answer(options, _percent(snapped_grade(answer.credit)), decimal(value), answer.feedback,
                               decimal(tolerance)))
    if interaction.other_feedback:
        answers.append(_answer(options, "0", "*", interaction.other_feedback, "0"))
    return {
        "type": "numerical",
        "penalty": MULTICHOICE_PENALTY,
        "answers": answers,
        "numerical": SimpleNamespace(unit=interaction.unit),
    }


def _essay(interaction: EssayInteraction, options: QuestionOptions) -> dict[str, object]:
    """Moodle's essay: an HTML editor, a response required, no attachments; the grader's notes,
    the template and the word limits. No answers, and no hints."""
    return {
        "type": "essay",
        "penalty": ESSAY_PENALTY,
        "hints": [],
        "answers": [],
        "essay": SimpleNamespace(
            minwordlimit=None if interaction.min_words is None else str(interaction.min_words),
            maxwordlimit=None if interaction.max_words is None else str(interaction.max_words),
            graderinfo=options.rich(interaction.grader_notes),
            responsetemplate=_plain_html(interaction.response_template)),
    }


def match_option(text: Markup) -> str:
    """A right side or distractor as Moodle's match keeps it: plain text (Moodle shows its options
    in a drop-down, through format_string, which reads HTML), so '&', '<' and '>' escaped as HTML;
    a formula as its TeX in MathJax's delimiters, which the drop-down shows as written (warned:
    option_losses), an image not at all, audio and video as their text alternatives."""
    return html.escape(plain_text(richtext.rewritten(text, math="tex")), quote=False)


def _matching(item: Item, interaction: MatchingInteraction, options: QuestionOptions) -> dict[str, object]:
    """Moodle's match: each pair a subquestion (the left side its HTML text, the right side its
    answer), each distractor a subquestion with empty text; graded per subquestion (each right
    pair its share, so all_or_nothing is a warning); the options shuffled per the quiz."""
    subquestions = [SimpleNamespace(text=options.rich(pair.left), answer=match_option(pair.right))
                    for pair in interaction.pairs]
    subquestions += [SimpleNamespace(text=RichText(""), answer=match_option(d)) for d in interaction.distractors]
    return {
        "type": "matching",
        "penalty": MULTICHOICE_PENALTY,
        "matching": SimpleNamespace(shuffle="true" if shuffles_answers(item, options) else "false",
                                    subquestions=subquestions),
        **_combined(outcome_feedback(options.wording, True), options),
        "answers": [],
    }


ORDERING_GRADING = {"per_position": "ABSOLUTE_POSITION", "all_or_nothing": "ALL_OR_NOTHING"}


def _ordering(interaction: OrderingInteraction, options: QuestionOptions) -> dict[str, object]:
    """Moodle's ordering: the steps as <answer>s in the right order (Moodle takes each position
    from that order; the fraction, 1..N as Moodle's export writes it, is ignored), every step shown
    (selecttype ALL, selectcount N: Moodle's defaults are a random subset), graded as ``scoring``
    says (an explicit gradingtype: without one Moodle grades by relative position)."""
    return {
        "type": "ordering",
        "penalty": MULTICHOICE_PENALTY,
        "ordering": SimpleNamespace(selectcount=str(len(interaction.steps)),
                                    gradingtype=ORDERING_GRADING[interaction.scoring]),
        **_combined(outcome_feedback(options.wording, interaction.scoring == "per_position"), options),
        # HTML with files of their own, as multichoice answers (qtype_ordering imports them alike).
        "answers": [SimpleNamespace(fraction=str(n), format="html", text=options.rich(step), feedback=None,
                                    tolerance=None)
                    for n, step in enumerate(interaction.steps, start=1)],
    }


def cloze_weight(item: Item, interaction: FillInBlanksInteraction) -> int:
    """Each blank's weight in its cloze code: Moodle marks a cloze question out of the sum of its
    blanks' weights (whole numbers: a decimal one leaves its blank as text), ignoring defaultgrade.
    Every blank is worth the same (points / blanks), so all take one weight: points / blanks when
    that is whole, else the nearest whole number (at least 1), and the mark moves (a warning)."""
    share = item.points / len(interaction.blanks)
    return max(1, math.floor(share + 0.5))


# What would end or split an answer in a cloze code, or start a fraction, escaped so that Moodle's
# parser (ANSWER_ALTERNATIVE_REGEX) reads it as text: '}' and '#' with Moodle's own escape (a
# backslash, removed after decoding), the rest as character references, which Moodle decodes
# (html_entity_decode) once it has read the code. '&' is &#38;, never &amp;: Moodle does not end an
# answer at a '~', '#' or '}' right after '\', '&' or '&amp;'.
_CLOZE_CHARACTERS = {"&": "&#38;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\\": "&#92;", "~": "&#126;",
                     "{": "&#123;", "}": "\\}", "#": "\\#"}
_CLOZE_START = {"=": "&#61;", "%": "&#37;"}


def cloze_answer(text: str) -> str:
    """An answer as it stands in a cloze code (HTML source), so that Moodle's parser
    (qtype_multianswer_extract_question) reads back exactly ``text``: every character that could
    end it or start a fraction escaped, HTML's own characters as references."""
    escaped = "".join(_CLOZE_CHARACTERS.get(character, character) for character in text)
    return _CLOZE_START.get(escaped[:1], escaped[:1]) + escaped[1:]


def cloze_code(blank: Blank, weight: int) -> Markup:
    """One blank's code: ``{w:SHORTANSWER:=a~=b}`` (SHORTANSWER_C when case-sensitive),
    ``{w:MULTICHOICE:=right~wrong}`` (a drop-down, options in the author's order; Moodle keeps an
    option as HTML, so it is escaped as HTML first), ``{w:NUMERICAL:=value:tolerance}``."""
    match blank:
        case TextBlank() as typed:
            kind = "SHORTANSWER_C" if typed.case_sensitive else "SHORTANSWER"
            alternatives = ["=" + cloze_answer(literal_pattern(answer)) for answer in typed.answers]
        case ChoiceBlank() as choice:
            kind = "MULTICHOICE"
            alternatives = [("=" if n == choice.correct else "") + cloze_answer(html.escape(option, quote=False))
                            for n, option in enumerate(choice.options)]
        case NumericBlank() as number:
            kind = "NUMERICAL"
            value, tolerance = value_and_tolerance(number.answer)
            alternatives = [f"={decimal(value)}:{decimal(tolerance)}"]
        case _:
            assert_never(blank)
    return Markup(f"{{{weight}:{kind}:{'~'.join(alternatives)}}}")


def cloze_text(item: Item, interaction: FillInBlanksInteraction, prompt: str) -> str:
    """The question text of a cloze: ``prompt`` (the item's, as Moodle's HTML) with each
    ``[[name]]`` replaced by its blank's code, and each '{' of the prompt's own text as &#123; (a
    formula's TeX too: the browser reads it back as '{' before MathJax does), so that no text reads
    as a code (or as Moodle's ``{#1}`` placeholder)."""
    weight = cloze_weight(item, interaction)
    escaped = Markup(prompt.replace("{", "&#123;"))
    return str(interaction.fill(escaped, lambda blank, _: cloze_code(blank, weight)))


def _cloze(item: Item, interaction: FillInBlanksInteraction, options: QuestionOptions) -> dict[str, object]:
    """Moodle's cloze (multianswer): the blanks are codes in the question text, which keeps its
    files; no defaultgrade (Moodle ignores it: the mark is the sum of the weights), no answers of
    its own; hints kept."""
    prompt = options.rich(item.prompt)
    return {
        "type": "cloze",
        "penalty": MULTICHOICE_PENALTY,
        "questiontext": RichText(cloze_text(item, interaction, prompt.text), prompt.files),
        "defaultgrade": None,
        "answers": [],
    }


def _plain_html(text: str) -> str:
    """Plain text as the HTML of an editor field: escaped, each line break kept as <br>."""
    return "<br>\n".join(str(escape(line)) for line in text.split("\n"))


def credit_warnings(items: Sequence[Item]) -> list[FormatWarning]:
    """A warning for each typed answer's credit that Moodle's grade list moves by more than
    SNAP_WARNING_POINTS, one per credit and stored grade, naming the items."""
    moved: dict[tuple[float, float], list[str]] = {}
    for item in items:
        answers: Sequence[TextAnswer | NumericAnswer]
        match item.interaction:
            case ShortAnswerInteraction() | NumericInteraction() as typed:
                answers = typed.answers
            case (ChoiceInteraction() | EssayInteraction() | MatchingInteraction() | OrderingInteraction()
                  | FillInBlanksInteraction()):
                answers = ()
            case _:
                assert_never(item.interaction)
        for answer in answers:
            grade = snapped_grade(answer.credit)
            if abs(100 * grade - answer.credit) > SNAP_WARNING_POINTS:
                ids = moved.setdefault((answer.credit, grade), [])
                if item.id not in ids:
                    ids.append(item.id)
    return [FormatWarning(FORMAT, "moodle-credit-snapped", f"Moodle's answer grades are a fixed list: credit "
                                  f"{format_number(credit)}% is stored as {_percent(grade)}%", tuple(ids))
            for (credit, grade), ids in sorted(moved.items())]


# What a plain-text option cannot show, each warned on its own: images, audio and video (their
# text alternatives stay), and formulas (their TeX stays).
_MEDIA_ELEMENT = re.compile(r"<img\b[^>]*>|<object\b.*?</object>", re.DOTALL)
_MATH_ELEMENT = re.compile(r"<math\b.*?</math>", re.DOTALL)


def item_warnings(items: Sequence[Item]) -> list[FormatWarning]:
    """What Moodle cannot keep of ``items``: a warning for each kind of loss, naming its items."""
    true_false = [(item, item.interaction) for item in items
                  if isinstance(item.interaction, ChoiceInteraction) and item.interaction.kind == "true_false"]
    found: list[tuple[Feature, str, str, list[str]]] = [
        ("true_false_hints", "moodle-true-false-hints", "Moodle true/false questions have no hints; the hints "
         "are left out", [item.id for item, _ in true_false if item.hints]),
        # The answers' texts are plain 'true'/'false': a choice text's formatting, images or formulas go too.
        ("true_false_labels", "moodle-true-false-labels", "Moodle shows its own 'True'/'False' labels instead "
         "of the choice texts",
         [item.id for item, interaction in true_false if truefalse_labels(interaction) != TRUE_WORDS
          or any("<" in str(choice.text) for choice in interaction.choices)]),
    ]
    warnings = [FormatWarning(FORMAT, code, message, tuple(ids)) for feature, code, message, ids in found
                if ids and SUPPORT.lacks(feature)]
    # Losses of the typed types, which no Feature names: Moodle never carries them.
    typed: list[tuple[str, str, list[str]]] = [
        ("moodle-essay-hints", "Moodle essays have no hints; the hints are left out",
         [item.id for item in items if isinstance(item.interaction, EssayInteraction) and item.hints]),
        ("moodle-unit-not-shown",
         "Moodle does not show a numerical question's unit beside the answer box (the learner may type it "
         "or leave it out); name the unit in the prompt",
         [item.id for item in items if isinstance(item.interaction, NumericInteraction) and item.interaction.unit]),
    ]
    warnings.extend(FormatWarning(FORMAT, code, message, tuple(ids)) for code, message, ids in typed if ids)
    matching = [(item, item.interaction) for item in items if isinstance(item.interaction, MatchingInteraction)]
    options = [(item.id, [str(text) for _, text in interaction.options]) for item, interaction in matching]
    lost: list[tuple[str, str, list[str]]] = [
        ("moodle-matching-per-pair",
         "Moodle's matching questions give each right pair its share of the mark and have no all-or-nothing "
         "scoring; these are scored per pair",
         [item.id for item, interaction in matching if interaction.scoring == "all_or_nothing"]),
        ("moodle-option-media",
         "Moodle shows a matching question's options (right sides and distractors) as plain text in a "
         "drop-down: their images are left out, and their audio and video leave only their text alternatives",
         [item_id for item_id, texts in options if any(_MEDIA_ELEMENT.search(text) for text in texts)]),
        ("moodle-option-formula",
         "Moodle shows a matching question's options (right sides and distractors) as plain text in a "
         "drop-down, where its MathJax filter does not reach: their formulas show as TeX source, \\(...\\)",
         [item_id for item_id, texts in options if any("<math" in text for text in texts)]),
        ("moodle-option-formatting",
         "Moodle shows a matching question's options (right sides and distractors) as plain text; their "
         "formatting is left out",
         [item_id for item_id, texts in options
          if any("<" in _MATH_ELEMENT.sub("", _MEDIA_ELEMENT.sub("", text)) for text in texts)]),
    ]
    warnings.extend(FormatWarning(FORMAT, code, message, tuple(ids)) for code, message, ids in lost if ids)
    return warnings + cloze_mark_warnings(items) + credit_warnings(items)


def cloze_mark_warnings(items: Sequence[Item]) -> list[FormatWarning]:
    """A warning for each cloze question Moodle marks out of other than the item's points (its
    blanks' whole-number weights cannot add up to them), one per kind, naming the items."""
    moved: dict[tuple[float, int, int], list[str]] = {}
    for item in items:
        if isinstance(item.interaction, FillInBlanksInteraction):
            blanks = len(item.interaction.blanks)
            mark = blanks * cloze_weight(item, item.interaction)
            if mark != item.points:
                moved.setdefault((item.points, blanks, mark), []).append(item.id)
    return [FormatWarning(FORMAT, "moodle-cloze-mark", "Moodle marks a cloze question out of its blanks' "
                                  "whole-number weights: "
                                  f"{blanks} blank{'s' if blanks > 1 else ''} worth {format_number(points)} "
                                  f"point{'s' if points != 1 else ''} are marked out of {mark}, each blank keeping "
                                  "its equal share; set the question's mark in the Moodle quiz", tuple(ids))
            for (points, blanks, mark), ids in sorted(moved.items())]


def question_xml(item: Item, options: QuestionOptions) -> bytes:
    """One validated <question> element."""
    return render_part("moodle/question.xml", SCHEMA, ("<quiz>", "</quiz>"), f"question {item.id}",
                       q=question(item, options)).encode("utf-8")


def question(item: Item, options: QuestionOptions) -> SimpleNamespace:
    """The template context of one <question> (a namespace: Jinja reads attributes of a namespace
    at once, of a dict only after a failed attribute lookup)."""
    common = {
        "name": item.title,
        "questiontext": options.rich(item.prompt),
        "generalfeedback": options.rich(item.explanation),
        "defaultgrade": format_number(item.points),
        "idnumber": item.id,
        "hints": [options.rich(h) for h in item.hints],
        "tags": list(item.tags),
        # What one type has and the others lack (each type's context sets its own).
        "multichoice": False,
        "matching": None,
        "ordering": None,
        "usecase": None,
        "numerical": None,
        "essay": None,
    }
    return SimpleNamespace(**(common | interaction_context(item, options)))


def interaction_context(item: Item, options: QuestionOptions) -> dict[str, object]:
    """The Moodle question type of the item's interaction and what only that type has."""
    match item.interaction:
        case ChoiceInteraction(kind="true_false") as choice:
            return _truefalse(choice, options)
        case ChoiceInteraction() as choice:
            return _multichoice(item, choice, options)
        case ShortAnswerInteraction() as short:
            return _shortanswer(short, options)
        case NumericInteraction() as numeric:
            return _numerical(numeric, options)
        case EssayInteraction() as essay:
            return _essay(essay, options)
        case MatchingInteraction() as matching:
            return _matching(item, matching, options)
        case OrderingInteraction() as ordering:
            return _ordering(ordering, options)
        case FillInBlanksInteraction() as blanks:
            return _cloze(item, blanks, options)
        case _:
            assert_never(item.interaction)


def quiz_warnings(quiz: Quiz) -> list[FormatWarning]:
    """A question bank file carries questions only; say which quiz settings stay behind: those
    quiz.yaml (or the cohort) wrote, never a default the author did not choose."""
    settings = quiz.settings
    used: list[tuple[Feature, bool, str]] = [
        ("pass_mark", "pass_mark" in settings.written, f"pass mark {format_number(settings.pass_mark)}%"),
        ("attempts", settings.attempts is not None, f"{settings.attempts} attempt(s)"),
        ("time_limit", settings.time_limit is not None,
         f"time limit {format_number((settings.time_limit or 0) / 60)} min"),
        ("shuffle_items", settings.shuffle_items, "shuffled items"),
        ("pools", bool(settings.pools), "draws from pools (sections)"),
        ("feedback_timing", "feedback" in settings.written, f"feedback '{settings.feedback}'"),
        ("show_correct_answers", "show_correct_answers" in settings.written,
         f"correct answers {'shown' if settings.show_correct_answers else 'hidden'} (review options: Right answer)"),
        ("navigation", "navigation" in settings.written,
         f"navigation '{settings.navigation}' ({'sequential' if settings.navigation == 'linear' else 'free'})"),
    ]
    left = [setting for feature, in_use, setting in used if in_use and SUPPORT.lacks(feature)]
    warnings = []
    if left:
        warnings.append(FormatWarning(FORMAT, "moodle-quiz-settings", "Moodle XML holds questions only, not the "
                                      "quiz's settings; set these on the Moodle quiz: " + ", ".join(left)))
    if "theme" in settings.written and settings.theme is not None and SUPPORT.lacks("theme"):
        warnings.append(FormatWarning(FORMAT, "moodle-no-theme", "Moodle XML holds questions only, and a Moodle "
                                      "quiz has the site's look: the theme's logo and accent colour are not "
                                      "carried"))
    return warnings


def fixed_choice_warnings(quiz: Quiz) -> list[FormatWarning]:
    """Moodle shuffles all of a question's answers or none: where the quiz shuffles, an item with a
    pinned choice keeps its whole order instead (shuffles_answers), named by item."""
    if not quiz.settings.shuffle_choices or not SUPPORT.lacks("fixed_choices"):
        return []
    pinned = tuple(item.id for item in quiz.items if isinstance(item.interaction, ChoiceInteraction)
                   and item.shuffle_choices and item.interaction.pinned)
    if not pinned:
        return []
    return [FormatWarning(FORMAT, "moodle-fixed-choice", "Moodle cannot keep one answer in place while it shuffles "
                                  "the others; these items, which have a choice with fixed: true, are not "
                                  "shuffled at all (shuffleanswers off)", pinned)]


def category_path(quiz: Quiz) -> str:
    """``$course$/top/<title>``, with `` (<cohort>)`` added in a cohort's file: its questions' id
    numbers are unique only within a category, and two cohorts' banks may go into one course (the
    category is the teacher's, never the learner's). A '/' inside the title is doubled, which
    Moodle reads as a slash in the name rather than a subcategory."""
    name = f"{quiz.display_title} ({quiz.cohort})" if quiz.cohort else quiz.display_title
    return "$course$/top/" + name.replace("/", "//")


def questions(quiz: Quiz, cache: Cache) -> SegmentedMember:
    """The file, which holds the whole bank: made and remembered in segments of questions."""
    part = ItemPart(question_xml, question_options(quiz))
    head, tail = render_frame(cache, "moodle/quiz.xml", SCHEMA, file_name(quiz), "questions", part.first(quiz.items),
                              category=category_path(quiz),
                              # Plain text in an HTML field: escaped here so that Moodle shows it as text
                              # (the template escapes once more for XML).
                              category_info=str(escape(quiz.description)))
    return part.member(cache, head, quiz.items, tail, compressed=False)


def file_name(quiz: Quiz) -> str:
    return f"{package_stem(quiz)}-moodle.xml"


@described_once
def members(quiz: Quiz, cache: Cache) -> tuple[SegmentedMember]:
    return (questions(quiz, cache),)


def build(quiz: Quiz, cache: Cache = NO_CACHE) -> Output:
    """The quiz as one validated Moodle XML file, in memory (its check passed)."""
    warnings = quiz_warnings(quiz) + item_warnings(quiz.items) + fixed_choice_warnings(quiz)
    (file,) = members(quiz, cache)
    data = file.joined()
    warnings.extend(too_large(FORMAT, file_name(quiz), len(data)))
    return Output(file_name(quiz), data, tuple(warnings))
