"""GIFT, Moodle's text format for question banks, read as Moodle's own importer reads it
(question/format/gift/format.php in moodle/moodle), into one quiz per file.

Questions are separated by blank lines; a line starting with ``//`` is a comment (its ``[id:...]``
and ``[tag:...]`` give the question's id and tags, as Moodle reads them); ``$CATEGORY:`` names a
bank category; ``::name::`` names a question; ``\\~ \\= \\# \\{ \\} \\:`` are the characters
themselves and ``\\n`` a line break. The answers stand between the first ``{`` and the first
``}``: the type follows from them as Moodle decides it (numerical ``#``, multiple choice ``~``,
matching ``=`` with ``->``, true/false ``T`` ``TRUE`` ``F`` ``FALSE``, else short answer; ``{}`` an
essay, no braces a description). Text before and after the braces makes a missing-word question.
Whatever Moodle would refuse is a problem at its line and column; whatever lmspack cannot hold (a
description, a category, credits it does not give) is a Lost entry at its line.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from builder.importing import ImportedItem, ImportedQuiz
from builder.importing.documents import number
from builder.importing.text_sources import (
    ItemIds,
    Source,
    blank_in_text,
    compared_text,
    html_markdown,
    item_checked,
    moodle_markdown,
    plain_markdown,
    quiz_of,
    read_source,
    tex_markdown,
)
from builder.loading import NUMBER_LIMIT
from builder.scaffold import identifier_from

EXTENSIONS = (".gift",)
# PHP's trim(): these characters only (not Unicode spaces, which Moodle keeps).
_TRIMMED = " \t\n\r\0\x0b"
_FORMATS = ("moodle", "html", "plain", "markdown")
# Moodle's answer weight: %, any minus signs, one or two digits, an optional point and digits, %.
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
# PHP's is_numeric, which Moodle's numerical answers must pass (leading and trailing spaces allowed).
_NUMERIC = re.compile(r"^[ \t\n\r\v\f]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r\v\f]*\Z")
# An escaped character stands, until the question is taken apart, as a private-use character.
_ESCAPES = {":": "\ue030", "#": "\ue031", "=": "\ue032", "{": "\ue033", "}": "\ue034", "~": "\ue035", "n": "\ue036"}
_UNESCAPED = {placeholder: ("\n" if character == "n" else character) for character, placeholder in _ESCAPES.items()}
_PLACEHOLDER = re.compile("[\ue030-\ue036]")
_BLANK = "\ue040"
"""Where a missing-word question's answers stood in its text, until the text is Markdown."""
BLANK_NAME = "answer"
_ID_COMMENT = re.compile(r"\[id:((?:\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG_COMMENT = re.compile(r"\[tag:((?:\\]|[^\]<>\x00-\x1f\x7f])+)\]")
_RECOGNISED = re.compile(r"^[ \t]*(?:::[^\n]*::|\$CATEGORY:)|\{(?:T|F|TRUE|FALSE)?\}|\{[^{}\n]*[=~#][^{}]*\}",
                         re.MULTILINE)


def recognises(path: Path, head: bytes) -> bool:
    """A .gift file, or a text file whose start has GIFT's marks: a ``::name::``, a
    ``$CATEGORY:``, or answers in braces ({=a ~b}, {#3}, {T})."""
    if path.suffix.lower() in EXTENSIONS:
        return True
    if path.suffix.lower() not in (".txt", ".text") or head.startswith((b"<", b"PK")):
        return False
    text = head.decode("utf-8", errors="replace")
    return bool(_RECOGNISED.search(text)) and not re.search(r"^ANSWER:", text, re.MULTILINE)


def read(path: Path) -> list[ImportedQuiz]:
    source = read_source(path)
    ids = ItemIds(identifier_from(source.path.stem))
    items: list[ImportedItem] = []
    for block in _blocks(source.text):
        question = _Question.read(source, block)
        if question is None:
            continue
        document = question.item()
        if document is not None:
            identifier = ids.new(len(items) + 1, question.idnumber, question.title)
            items.append(ImportedItem(identifier, {"id": identifier, **document}))
    return [quiz_of(source, items, "GIFT questions have their answers in braces, such as Who wrote Hamlet? "
                                   "{=Shakespeare ~Marlowe}, and are separated by blank lines")]


def _blocks(text: str) -> list[list[tuple[str, int]]]:
    """The questions of the file as Moodle splits them: runs of lines that are not blank, each
    line trimmed, with the offset of its first character."""
    blocks: list[list[tuple[str, int]]] = []
    block: list[tuple[str, int]] = []
    offset = 0
    for line in text.split("\n"):
        trimmed = line.strip(_TRIMMED)
        if trimmed:
            block.append((trimmed, offset + len(line) - len(line.lstrip(_TRIMMED))))
        elif block:
            blocks.append(block)
            block = []
        offset += len(line) + 1
    if block:
        blocks.append(block)
    return blocks


@dataclass(frozen=True)
class _Span:
    """Text with the offset in the source file of each of its characters (an escape stands at
    its backslash), so that each problem is reported where it was written."""

    text: str
    offsets: tuple[int, ...]
    end: int

    def offset(self, index: int) -> int:
        return self.offsets[index] if 0 <= index < len(self.text) else self.end

    def cut(self, start: int, stop: int | None = None) -> _Span:
        start = max(0, min(start, len(self.text)))
        stop = len(self.text) if stop is None else max(start, min(stop, len(self.text)))
        return _Span(self.text[start:stop], self.offsets[start:stop], self.offset(stop))

    def trim(self) -> _Span:
        start = len(self.text) - len(self.text.lstrip(_TRIMMED))
        return self.cut(start, len(self.text.rstrip(_TRIMMED)))

    def find(self, part: str, start: int = 0) -> int:
        return self.text.find(part, start)

    def explode(self, separator: str, limit: int = 0) -> list[_Span]:
        """PHP's explode: the pieces between separators, at most ``limit`` of them (0: all)."""
        pieces: list[_Span] = []
        start = 0
        while limit == 0 or len(pieces) < limit - 1:
            found = self.text.find(separator, start)
            if found < 0:
                break
            pieces.append(self.cut(start, found))
            start = found + len(separator)
        pieces.append(self.cut(start))
        return pieces

    def first_shifted(self, pieces: list[_Span]) -> list[_Span]:
        """Moodle's way with the piece before the first separator: trimmed, and dropped when empty."""
        if pieces:
            pieces[0] = pieces[0].trim()
            if not pieces[0].text:
                pieces.pop(0)
        return pieces

    def replaced(self, start: int, stop: int, text: str) -> _Span:
        """The text with ``start:stop`` replaced by ``text`` (its characters at ``start``)."""
        at = self.offset(start)
        return _Span(self.text[:start] + text + self.text[stop:],
                     self.offsets[:start] + (at,) * len(text) + self.offsets[stop:], self.end)


@dataclass(frozen=True)
class _Answer:
    weight: float | None
    """A fraction of 1, as written (%50%: 0.5); None when not written."""
    text: _Text
    feedback: _Span | None
    at: int
    """Its offset in the source."""


def _joined(block: list[tuple[str, int]]) -> tuple[_Span, str]:
    """The question's lines joined by line ends, comment lines as a space (Moodle's reading), and
    the comments."""
    text: list[str] = []
    offsets: list[int] = []
    comments = []
    for index, (line, start) in enumerate(block):
        if index:
            text.append("\n")
            offsets.append(offsets[-1] + 1 if offsets else start)
        if line.startswith("//"):
            comments.append(line)
            text.append(" ")
            offsets.append(start)
        else:
            text.append(line)
            offsets.extend(range(start, start + len(line)))
    last_line, last_start = block[-1]
    return _Span("".join(text), tuple(offsets), last_start + len(last_line)), "\n".join(comments)


def _escaped(span: _Span) -> _Span:
    """Moodle's escapedchar_pre: ``\\\\`` is a backslash, ``\\:`` ``\\#`` ``\\=`` ``\\{`` ``\\}``
    ``\\~`` the characters themselves (placeholders until the question is taken apart), ``\\n`` a
    line break."""
    text: list[str] = []
    offsets: list[int] = []
    index = 0
    while index < len(span.text):
        character = span.text[index]
        following = span.text[index + 1:index + 2]
        if character == "\\" and following == "\\":
            text.append("\\")
            offsets.append(span.offsets[index])
            index += 2
        elif character == "\\" and following in _ESCAPES:
            text.append(_ESCAPES[following])
            offsets.append(span.offsets[index])
            index += 2
        else:
            text.append(character)
            offsets.append(span.offsets[index])
            index += 1
    return _Span("".join(text), tuple(offsets), span.end)


def _unescaped(text: str) -> str:
    return _PLACEHOLDER.sub(lambda found: _UNESCAPED[found.group()], text)


@dataclass
class _Text:
    """A text of the question with its format ([moodle], [html], [plain], [markdown])."""

    span: _Span
    format: str

    @classmethod
    def of(cls, span: _Span, default: str) -> _Text:
        """Moodle's parse_text_with_format: a leading [format] sets the format, else ``default``."""
        span = span.trim()
        if span.text.startswith("["):
            end = span.find("]")
            if end > 0 and span.text[1:end] in _FORMATS:
                return cls(span.cut(end + 1).trim(), span.text[1:end])
        return cls(span, default)

    @property
    def plain(self) -> str:
        """The text as Moodle stores it, escapes resolved."""
        return _unescaped(self.span.text).strip(_TRIMMED)


class _Question:
    """One GIFT question, taken apart as Moodle's readquestion does."""

    def __init__(self, source: Source, span: _Span, comments: str) -> None:
        self.source = source
        self.start = span.offset(0)
        self.idnumber: str | None = None
        self.tags: list[str] = []
        found = _ID_COMMENT.search(comments)
        if found:
            self.idnumber = found.group(1).replace("\\]", "]").strip()
        self.tags = [tag.replace("\\]", "]").strip() for tag in _TAG_COMMENT.findall(comments)]
        self.title: str | None = None
        self.blank = False  # a missing-word question: text before and after the answers
        self.text = _Text(span, "moodle")
        self.answers = _Span("", (), span.end)
        self.general_feedback: _Text | None = None

    @classmethod
    def read(cls, source: Source, block: list[tuple[str, int]]) -> _Question | None:
        joined, comments = _joined(block)
        span = _escaped(joined.trim())
        if not span.text:
            return None  # only comments
        if span.text.startswith("$CATEGORY:"):
            category = _unescaped(span.cut(10).trim().text)
            source.not_carried(span.offset(0), f"the category {category!r}: lmspack keeps no question bank "
                                               "categories; its questions are in this file's quiz")
            return None
        question = cls(source, span, comments)
        return question if question._take_apart(span) else None

    def _take_apart(self, span: _Span) -> bool:
        if span.text.startswith("::"):
            span = span.cut(2)
            name_end = span.find("::")
            if name_end >= 0:
                name = " ".join(re.sub(r"<[^>]*>", "", _unescaped(span.cut(0, name_end).text)).split())
                self.title = html.unescape(name) or None
                span = span.cut(name_end + 2).trim()
        opening, closing = span.find("{"), span.find("}")
        if opening < 0 and closing < 0:
            self.source.not_carried(self.start, "a description (text without answers): lmspack has no items "
                                                "without a question; its text is not imported")
            return False
        if opening < 0 or closing < 0:
            missing, place = ("{", closing) if opening < 0 else ("}", opening)
            self.source.at(span.offset(place), f"this question has a '{'}' if opening < 0 else '{'}' but no "
                                               f"'{missing}': answers go between braces, such as {{=right ~wrong}}; "
                                               "write \\{ or \\} for a brace that is text")
            return False
        if closing < opening:
            self.source.at(span.offset(closing), "a '}' before the '{' of the answers; write \\} for a brace that "
                                                 "is text")
            return False
        later = span.find("{", closing)
        if later >= 0:
            self.source.not_carried(span.offset(later), "a second {...} in the question: Moodle reads only the "
                                                        "first as answers, and so does this import (the second "
                                                        "stays in the text)")
        answers = span.cut(opening + 1, closing).trim()
        if span.text.endswith("}"):
            question_text = span.replaced(opening, closing + 1, "")
        else:
            self.blank = True
            question_text = span.replaced(opening, closing + 1, _BLANK)
        separator = answers.text.rfind("####")
        if separator >= 0:
            general = answers.cut(separator + 4)
            answers = answers.cut(0, separator).trim()
        self.text = _Text.of(question_text, "moodle")
        if separator >= 0:
            self.general_feedback = _Text.of(general, self.text.format)
        self.answers = answers
        return True

    # --- Types, as Moodle decides them --------------------------------------------------------

    def item(self) -> dict[str, object] | None:
        """The item's mapping (id left to the caller), or None when the question cannot be
        carried (listed as lost) or has a problem (reported)."""
        answers = self.answers.text
        before = len(self.source.problems)
        body: dict[str, object] | None
        if not answers:
            body = self._essay()
        elif answers.startswith("#"):
            body = self._numerical()
        elif "~" in answers:
            body = self._multiple_choice()
        elif "=" in answers and "->" in answers:
            body = self._matching()
        elif _before_feedback(answers) in ("T", "TRUE", "F", "FALSE"):
            body = self._true_false()
        else:
            body = self._short_answer()
        if body is None or len(self.source.problems) > before:
            return None
        return self._with_common_fields(body)

    def _with_common_fields(self, body: dict[str, object]) -> dict[str, object] | None:
        kind = body.pop("type")
        prompt = body.pop("prompt", None)
        if prompt is None:
            prompt = self._markdown(self.text, replacement="_____")
        document: dict[str, object] = {"type": kind}
        if self.title:
            document["title"] = self.title
        if self.tags:
            document["tags"] = self.tags
        if not str(prompt).strip():
            self.source.not_carried(self.start, "a question without text: lmspack items need a prompt")
            return None
        document["prompt"] = prompt
        document.update(body)
        if self.general_feedback is not None and self.general_feedback.plain:
            document["explanation"] = self._markdown(self.general_feedback)
        if not item_checked(self.source, *self.source.place(self.start), document):
            return None
        return document

    def _markdown(self, text: _Text, inline: bool = False, replacement: str | None = None) -> str:
        """A text of the question as Markdown (text_sources.py says how each format is carried); the blank
        of a missing-word question as ``replacement`` (before conversion: Moodle's _____) or, when
        None, as the fill_in_blanks marker."""
        raw = text.plain
        if replacement is not None:
            raw = raw.replace(_BLANK, replacement)
        lost = lambda what: self.source.not_carried(text.span.offset(0), what)
        match text.format:
            case "markdown":
                converted = moodle_markdown(raw)
            case "plain":
                converted = plain_markdown(raw, inline)
            case "html":
                converted = html_markdown(raw, inline, lost)
            case _:  # moodle: HTML, its line ends shown as breaks
                converted = html_markdown(raw.replace("\n", "<br>\n"), inline, lost) if "<" in raw \
                    else tex_markdown(html.unescape(raw), inline)
        return converted.replace(_BLANK, f"[[{BLANK_NAME}]]")

    def _plain(self, text: _Text) -> str:
        """A text that lmspack holds as plain text (a typed answer, a drop-down option)."""
        raw = text.plain
        if text.format in ("moodle", "html") and "<" in raw:
            raw = re.sub(r"<[^>]*>", "", raw)
        return " ".join((html.unescape(raw) if text.format in ("moodle", "html") else raw).split())

    def _essay(self) -> dict[str, object]:
        return {"type": "essay"}

    def _true_false(self) -> dict[str, object]:
        pieces = self.answers.explode("#", 3)
        correct = _Text.of(pieces[0], self.text.format).plain in ("T", "TRUE")
        wrong = self._feedback(pieces[1]) if len(pieces) > 1 else ""
        right = self._feedback(pieces[2]) if len(pieces) > 2 else ""
        choices = []
        for text, is_correct in (("True", correct), ("False", not correct)):
            choice: dict[str, object] = {"text": text}
            if is_correct:
                choice["correct"] = True
            feedback = right if is_correct else wrong
            if feedback:
                choice["feedback"] = feedback
            choices.append(choice)
        return {"type": "true_false", "choices": choices}

    def _feedback(self, span: _Span) -> str:
        return self._markdown(_Text.of(span, self.text.format), inline=True)

    def _answer(self, span: _Span) -> tuple[_Text, _Span | None]:
        """Moodle's commentparser: an answer's text and its feedback after the first #."""
        pieces = span.explode("#", 2)
        return _Text.of(pieces[0], self.text.format), (pieces[1] if len(pieces) > 1 else None)

    def _weight(self, span: _Span) -> tuple[float | None, _Span]:
        """The weight of an answer written %50% (a fraction of 1), and the answer after it; None
        when it has none (or it is not a number: reported)."""
        if not _WEIGHT.match(span.text):
            return None, span
        end = span.find("%", 1)
        written = span.text[1:end]
        try:
            weight = float(written) / 100
        except ValueError:
            self.source.at(span.offset(0), f"the weight %{written}% is not a number; write a percent such as %50% "
                                           "or %-25%")
            weight = 0.0
        return weight, span.cut(end + 1)

    def _parsed(self, piece: _Span, equals_is_right: bool = False) -> _Answer:
        """One answer: its weight (%50%, or = in a multiple-choice question), text and feedback."""
        trimmed = piece.trim()
        if equals_is_right and trimmed.text.startswith("="):
            weight: float | None = 1.0
            rest = trimmed.cut(1)
        else:
            weight, rest = self._weight(trimmed)
        text, feedback = self._answer(rest)
        has_feedback = feedback is not None and bool(_Text.of(feedback, self.text.format).plain)
        # An empty answer is shown at the ~ or = before it.
        at = trimmed.offset(0) if trimmed.text else max(piece.offset(0) - 1, 0)
        return _Answer(weight, text, feedback if has_feedback else None, at)

    def _multiple_choice(self) -> dict[str, object] | None:
        single = "=" in self.answers.text
        pieces = self.answers.first_shifted(_split_choices(self.answers))
        if len(pieces) < 2:
            self.source.at(self.answers.offset(0), "a multiple-choice question needs at least 2 answers, each "
                                                   "after = (right) or ~ (wrong)")
            return None
        answers: list[tuple[float, _Text, _Span | None, int]] = []
        for piece in pieces:
            answer = self._parsed(piece, equals_is_right=True)
            if not answer.text.plain:
                self.source.at(answer.at, "an answer without text; remove the extra ~ or =, or write \\~ or \\= for "
                                          "the character itself")
                continue
            answers.append((answer.weight or 0.0, answer.text, answer.feedback, answer.at))
        if self.blank and single:
            return self._drop_down(answers)
        return self._single_choice(answers) if single else self._multiple_response(answers)

    def _choice(self, text: _Text, feedback: _Span | None, correct: bool) -> dict[str, object]:
        choice: dict[str, object] = {"text": self._markdown(text, inline=True)}
        if correct:
            choice["correct"] = True
        if feedback is not None and _Text.of(feedback, self.text.format).plain:
            choice["feedback"] = self._feedback(feedback)
        return choice

    def _single_choice(self, answers: list[tuple[float, _Text, _Span | None, int]]) -> dict[str, object] | None:
        choices = []
        correct_seen = False
        for weight, text, feedback, at in answers:
            correct = weight >= 1 and not correct_seen
            if weight >= 1 and correct_seen:
                self.source.not_carried(at, f"a second answer worth 100% ({text.plain!r}): a single_choice item "
                                            "has one correct choice; it is carried as a wrong one")
            elif 0 < weight < 1 or weight < 0:
                self.source.not_carried(at, f"the weight {_percent(weight)} of answer {text.plain!r}: lmspack gives "
                                            "credit only for the correct choice; it is carried as a wrong one "
                                            "(worth 0)")
            correct_seen |= correct
            choices.append(self._choice(text, feedback, correct))
        if not correct_seen:
            self.source.not_carried(self.start, "a multiple-choice question whose answers are all worth less than "
                                                "100%: no correct choice to carry")
            return None
        return {"type": "single_choice", "choices": choices}

    def _multiple_response(self, answers: list[tuple[float, _Text, _Span | None, int]]) -> dict[str, object] | None:
        right = [weight for weight, *_ in answers if weight > 0]
        wrong = [weight for weight, *_ in answers if weight <= 0]
        if not right or not wrong:
            self.source.not_carried(self.start, "a multiple-answer question with " + (
                "no answer worth credit" if not right else "every answer worth credit") + ": a multiple_response "
                "item needs right and wrong choices")
            return None
        share = 1 / len(right)
        penalty = any(weight < 0 for weight in wrong)
        if any(abs(weight - share) > 0.0001 for weight in right):
            self.source.not_carried(self.start, f"the weights {', '.join(_percent(w) for w in right)} of the right "
                                                f"answers: lmspack gives each right choice an equal share "
                                                f"({_percent(share)})")
        expected = -share if penalty else 0.0
        if any(abs(weight - expected) > 0.0001 for weight in wrong):
            self.source.not_carried(self.start, f"the weights {', '.join(_percent(w) for w in wrong)} of the wrong "
                                                "answers: lmspack " + (f"takes away {_percent(share)} for each wrong "
                                                                       "choice selected" if penalty
                                                                       else "gives 0 for a wrong choice"))
        choices = [self._choice(text, feedback, weight > 0) for weight, text, feedback, _ in answers]
        return {"type": "multiple_response", "choices": choices, "wrong_choice_penalty": penalty}

    def _drop_down(self, answers: list[tuple[float, _Text, _Span | None, int]]) -> dict[str, object] | None:
        """A missing-word multiple-choice question: a drop-down blank in the text (Moodle's reading,
        a single_choice item, when its answers cannot be a drop-down's options)."""
        options = [self._plain(text) for _, text, _, _ in answers]
        correct = next((option for option, (weight, *_) in zip(options, answers, strict=True) if weight >= 1), None)
        item = self._blank_item({"options": list(dict.fromkeys(options)), "correct": correct}) \
            if correct is not None and len(set(options)) >= 2 and all(options) else None  # none empty (<b></b>)
        if item is None:
            return self._single_choice(answers)
        seen: set[str] = set()
        for option, (weight, _, feedback, at) in zip(options, answers, strict=True):
            if option in seen:
                self.source.not_carried(at, f"the answer {option!r} listed twice: a drop-down lists each option once")
            elif weight != 0 and not (weight >= 1 and option == correct):
                self.source.not_carried(at, f"the weight {_percent(weight)} of answer {option!r}: a drop-down blank "
                                            "gives credit for its correct option only")
            if feedback is not None:
                self.source.not_carried(at, f"the feedback of answer {option!r}: a blank has no feedback per answer")
            seen.add(option)
        return item

    def _blank_item(self, blank: dict[str, object]) -> dict[str, object] | None:
        """A fill_in_blanks item of one blank where the answers stood; None when the blank would not
        stand in plain text (in a link or code of the text): the caller then takes Moodle's reading."""
        prompt = self._markdown(self.text)
        if not blank_in_text(prompt, BLANK_NAME):
            return None
        return {"type": "fill_in_blanks", "prompt": prompt, "blanks": {BLANK_NAME: blank}}

    def _matching(self) -> dict[str, object] | None:
        pieces = self.answers.first_shifted(self.answers.explode("="))
        if len(pieces) < 2:
            self.source.at(self.answers.offset(0), "a matching question needs at least 2 pairs, each written "
                                                   "=left -> right")
            return None
        pairs: list[dict[str, object]] = []
        distractors: list[str] = []
        for piece in (piece.trim() for piece in pieces):
            marker = piece.find("->")
            if marker < 0:
                self.source.at(piece.offset(0), "each answer of a matching question is written =left -> right; "
                                                "this one has no ->")
                continue
            left = _Text.of(piece.cut(0, marker), self.text.format)
            right = plain_markdown(" ".join(_unescaped(piece.cut(marker + 2).text).split()), inline=True)
            if not right:
                self.source.at(piece.offset(marker), "a pair without a right side after ->")
            elif not left.plain:
                distractors.append(right)  # Moodle: an answer with no question is a wrong option
            else:
                pairs.append({"left": self._markdown(left, inline=True), "right": right})
        if len(pairs) < 2:
            self.source.not_carried(self.start, f"a matching question with {len(pairs)} pair(s) that have a left "
                                                "side: lmspack's matching items have at least 2")
            return None
        lefts = [compared_text(str(pair["left"])) for pair in pairs]
        rights = [compared_text(str(pair["right"])) for pair in pairs] + [compared_text(d) for d in distractors]
        for sides, what in ((lefts, "left side"), (rights, "right side")):
            if len(set(sides)) < len(sides):
                self.source.not_carried(self.start, f"a matching question with the same {what} twice: lmspack's "
                                                    f"matching items list each {what} once")
                return None
        body: dict[str, object] = {"type": "matching", "pairs": pairs}
        if distractors:
            body["distractors"] = distractors
        return body

    def _short_answer(self) -> dict[str, object] | None:
        pieces = self.answers.first_shifted(self.answers.explode("="))
        if not pieces:
            self.source.at(self.answers.offset(0), "a short-answer question needs at least one answer after =")
            return None
        answers: list[dict[str, object]] = []
        other_feedback = ""
        for piece in pieces:
            parsed = self._parsed(piece)
            weight = 1.0 if parsed.weight is None else parsed.weight
            at = parsed.at
            answer = self._plain(parsed.text)
            feedback = self._feedback(parsed.feedback) if parsed.feedback is not None else ""
            if not answer:
                self.source.at(at, "an answer without text; remove the extra =, or write \\= for the character itself")
            elif answer == "*" and weight <= 0:
                other_feedback = other_feedback or feedback  # Moodle's "any other answer"
            elif "*" in answer:
                self.source.not_carried(at, f"the answer {answer!r}: Moodle reads * as any characters; lmspack "
                                            "compares * as itself, so the answer is not carried")
            elif weight <= 0:
                self.source.not_carried(at, f"the answer {answer!r} worth {_percent(weight)}: lmspack's answers are "
                                            "worth 1% to 100%; a wrong answer is not listed")
            elif weight > 1:
                self.source.not_carried(at, f"the weight {_percent(weight)} of answer {answer!r}: carried as 100%")
                answers.append(_typed_answer(answer, 1.0, feedback))
            else:
                answers.append(_typed_answer(answer, weight, feedback))
        answers = self._unrepeated(answers)
        if not answers or max(float(a.get("credit", 100)) for a in answers) < 100:  # type: ignore[arg-type]
            self.source.not_carried(self.start, "a short-answer question with no answer worth 100%: no learner "
                                                "could earn its points")
            return None
        blank = self._typed_blank(answers, other_feedback) if self.blank else None
        if blank is not None:
            return blank
        body: dict[str, object] = {"type": "short_answer", "answers": answers}
        if other_feedback:
            body["other_feedback"] = other_feedback
        return body

    def _unrepeated(self, answers: list[dict[str, object]]) -> list[dict[str, object]]:
        """The answers less those an earlier one already accepts (compared as lmspack and Moodle
        compare them: in any case, runs of spaces as one), which could never match."""
        seen: set[str] = set()
        kept = []
        for answer in answers:
            compared = " ".join(str(answer["text"]).casefold().split())
            if compared in seen:
                self.source.not_carried(self.start, f"the answer {answer['text']!r} a second time: the first "
                                                    "already accepts it")
                continue
            seen.add(compared)
            kept.append(answer)
        return kept

    def _typed_blank(self, answers: list[dict[str, object]], other_feedback: str) -> dict[str, object] | None:
        full = [str(answer["text"]) for answer in answers if "credit" not in answer]
        item = self._blank_item({"answers": full})
        if item is None:
            return None
        for answer in answers:
            if "credit" in answer:
                self.source.not_carried(self.start, f"the answer {answer['text']!r} worth {answer['credit']}%: a "
                                                    "blank accepts answers for full credit only")
            if "feedback" in answer:
                self.source.not_carried(self.start, f"the feedback of answer {answer['text']!r}: a blank has no "
                                                    "feedback per answer")
        if other_feedback:
            self.source.not_carried(self.start, "the feedback for any other answer: a blank has none")
        return item

    def _numerical(self) -> dict[str, object] | None:
        text = self.answers.cut(1)
        other = text.find("~")
        other_feedback = ""
        if other >= 0:
            other_answer = self._parsed(text.cut(other))
            if other_answer.feedback is not None:
                other_feedback = self._feedback(other_answer.feedback)
            text = text.cut(0, other)
        pieces = text.first_shifted(text.explode("="))
        if not pieces:
            self.source.at(self.answers.offset(0), "a numerical question needs a number after the #, such as {#42}, "
                                                   "{#42:0.5} or {#40..45}")
            return None
        answers: list[tuple[dict[str, object], tuple[float, float]]] = []
        before = len(self.source.problems)
        for piece in pieces:
            parsed = self._parsed(piece)
            weight = 1.0 if parsed.weight is None else parsed.weight
            answer_text = parsed.text
            feedback = self._feedback(parsed.feedback) if parsed.feedback is not None else ""
            answer = self._numeric_answer(answer_text)
            if answer is None:
                continue
            document, bounds = answer
            if weight <= 0 or weight > 1:
                if weight <= 0 and feedback:
                    self.source.not_carried(parsed.at, f"the answer {answer_text.plain!r} worth "
                                                             f"{_percent(weight)} with its feedback: lmspack's answers "
                                                             "are worth 1% to 100%; a wrong answer is not listed")
                    continue
                if weight <= 0:
                    self.source.not_carried(parsed.at, f"the answer {answer_text.plain!r} worth "
                                                             f"{_percent(weight)}: not listed")
                    continue
                self.source.not_carried(parsed.at, f"the weight {_percent(weight)}: carried as 100%")
                weight = 1.0
            covering = next((earlier for earlier, (low, high) in answers if low <= bounds[0] and bounds[1] <= high),
                            None)
            if covering is not None:
                self.source.not_carried(parsed.at, f"the answer {answer_text.plain!r}: an earlier answer already "
                                                         "accepts every number it does, so it could never match")
                continue
            if weight < 1:
                document["credit"] = number(round(weight * 100, 5))
            if feedback:
                document["feedback"] = feedback
            answers.append((document, bounds))
        if len(self.source.problems) > before:
            return None
        if not answers or max(float(a.get("credit", 100)) for a, _ in answers) < 100:  # type: ignore[arg-type]
            self.source.not_carried(self.start, "a numerical question with no answer worth 100%: no learner could "
                                                "earn its points")
            return None
        first = answers[0][0]
        number_blank = {key: value for key, value in first.items() if key in ("value", "tolerance", "range")}
        blank = self._blank_item(number_blank) if self.blank else None
        if blank is not None:
            for document, _ in answers[1:]:
                self.source.not_carried(self.start, f"the answer {document} after the first: a number blank has one "
                                                    "answer")
            if "feedback" in first or other_feedback:
                self.source.not_carried(self.start, "the feedback of the answers: a blank has no feedback")
            return blank
        body: dict[str, object] = {"type": "numeric", "answers": [document for document, _ in answers]}
        if other_feedback:
            body["other_feedback"] = other_feedback
        return body

    def _numeric_answer(self, text: _Text) -> tuple[dict[str, object], tuple[float, float]] | None:
        """An answer written 42, 42:0.5 (a tolerance) or 40..45 (a range), as lmspack's numeric
        answer and the numbers it accepts."""
        written = text.plain
        at = text.span.offset(0)
        if written.find("..") > 0:
            low_text, high_text = written.split("..", 1)
            low, high = self._number(low_text, at), self._number(high_text, at)
            if low is None or high is None:
                return None
            if low > high:
                self.source.at(at, f"the range {written} goes down; write the lowest number first: "
                                   f"{high_text.strip()}..{low_text.strip()}")
                return None
            return {"range": [number(low), number(high)]}, (low, high)
        tolerance = 0.0
        if written.find(":") > 0:
            written, tolerance_text = written.split(":", 1)
            parsed = self._number(tolerance_text, at, "tolerance")
            if parsed is None:
                return None
            if parsed < 0:
                self.source.at(at, f"the tolerance {tolerance_text.strip()} is below 0; write how far from the answer "
                                   "a number may be, such as 42:0.5")
                return None
            tolerance = parsed
        value = self._number(written, at)
        if value is None:
            return None
        document: dict[str, object] = {"value": number(value)}
        if tolerance:
            document["tolerance"] = number(tolerance)
        return document, (value - tolerance, value + tolerance)

    def _number(self, written: str, at: int, what: str = "answer") -> float | None:
        if not _NUMERIC.match(written) or abs(float(written)) > NUMBER_LIMIT:
            self.source.at(at, f"the {what} {written.strip()!r} is not a number (such as 42, -0.5 or 2.5e3, at most "
                               f"{NUMBER_LIMIT:.0e} either way); a numerical question's answers are numbers")
            return None
        return float(written)


def _split_choices(answers: _Span) -> list[_Span]:
    """Moodle's reading of multiple-choice answers: each starts at a ~ (left out) or an = (kept)."""
    pieces = []
    start = 0
    for index, character in enumerate(answers.text):
        if character in "~=":
            pieces.append(answers.cut(start, index))
            start = index + 1 if character == "~" else index
    pieces.append(answers.cut(start))
    return pieces


def _before_feedback(answers: str) -> str:
    """The answers up to the first # (when not at the start), trimmed: Moodle's true/false test."""
    hash_at = answers.find("#")
    return answers[:hash_at].strip(_TRIMMED) if hash_at > 0 else answers


def _typed_answer(text: str, weight: float, feedback: str) -> dict[str, object]:
    answer: dict[str, object] = {"text": text}
    if weight < 1:
        answer["credit"] = number(round(weight * 100, 5))
    if feedback:
        answer["feedback"] = feedback
    return answer


def _percent(weight: float) -> str:
    return f"{number(round(weight * 100, 5))}%"
