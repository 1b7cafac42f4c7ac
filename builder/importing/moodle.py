"""Moodle XML question banks (Moodle's question/format/xml, and lmspack's own Moodle files) as
canonical quiz folders.

One file is one quiz: its questions in the file's order, its title the category that holds them
(several categories: their common parent, each category one section of the quiz, every item
delivered). The quiz's identifier and version come from the file's name when lmspack named it
(``<identifier>-<version>-moodle.xml``), else from the name as it is (version 1.0.0).

Each question type is read as Moodle's importer reads it (question/format/xml/format.php,
qtype_multianswer_extract_question for cloze, qtype_ordering for ordering): multichoice,
truefalse, shortanswer, numerical, essay, matching, ordering and cloze (its SHORTANSWER,
MULTICHOICE and NUMERICAL blanks; gapselect's drop-downs too). Texts are HTML: the files they show
(base64 ``<file>`` elements, named ``@@PLUGINFILE@@/...``) go into the quiz folder, TeX between
``\\(..\\)``, ``\\[..\\]`` or ``$$..$$`` becomes a formula. What lmspack's model does not hold (a
description, calculated and drag-and-drop questions, a penalty other than lmspack's, partial
credit on a single choice, wildcards, ...) is listed with its line, never dropped silently.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from builder import scoring
from builder.checking import MAX_TOTAL_BYTES
from builder.errors import InputError, Problem
from builder.formats import moodle as moodle_format
from builder.importing import ImportedItem, ImportedQuiz, Lost
from builder.importing import html_cleaning as cleaning
from builder.importing.documents import (
    DEFAULT_PASS_MARK,
    DEFAULT_VERSION,
    Ids,
    OutcomeKind,
    OutcomeLanguage,
    Question,
    Skipped,
    item_document,
    number,
    package_name,
    repeated,
    slug,
    with_field,
)
from builder.importing.documents import title as quiz_title
from builder.importing.media_files import MediaFiles
from builder.loading import TITLE_LIMIT
from builder.markup import plain_text
from builder.model import Choice, ChoiceInteraction

SOURCE_FORMAT = "Moodle XML question banks (.xml)"
SUFFIX = "-moodle.xml"
MAX_BYTES = MAX_TOTAL_BYTES
"""The largest file read: Moodle sites take uploads of 50 to 100 MB (its files in base64)."""

# The penalty lmspack writes for each Moodle type (builder/formats/moodle.py): any other is a
# setting the model does not hold.
_LMSPACK_PENALTY = {"multichoice": moodle_format.MULTICHOICE_PENALTY, "truefalse": moodle_format.TRUEFALSE_PENALTY,
                    "essay": moodle_format.ESSAY_PENALTY}
_NOT_IMPORTED = {
    "description": "a description (text shown between questions, with nothing to answer)",
    "calculated": "a calculated question (numbers drawn from datasets)",
    "calculatedsimple": "a simple calculated question (numbers drawn from datasets)",
    "calculatedmulti": "a calculated multichoice question (numbers drawn from datasets)",
    "random": "a random question (drawn from a category when the quiz runs)",
    "randomsamatch": "a random short-answer matching question",
    "ddimageortext": "a drag-and-drop onto an image question",
    "ddmarker": "a drag-and-drop markers question",
}
# Moodle's qtype_ordering grading types (names, and the numbers older files wrote).
_ORDERING_GRADING = {"ALL_OR_NOTHING": "all_or_nothing", "-1": "all_or_nothing",
                     "ABSOLUTE_POSITION": "per_position", "0": "per_position"}
_SELECT_ALL = ("ALL", "0")

# qtype_multianswer's syntax (question/type/multianswer/questiontype.php), each lookbehind of its
# ANSWER_ALTERNATIVE_ANSWER_REGEX written on its own (Python's take one length each).
_FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALTERNATIVE = f"({_FRACTION})?({_ANSWER})(#({_FEEDBACK}))?"
_KINDS = (r"(NUMERICAL|NM)|(MULTICHOICE|MC)|(MULTICHOICE_V|MCV)|(MULTICHOICE_H|MCH)|(SHORTANSWER|SA|MW)|"
          r"(SHORTANSWER_C|SAC|MWC)|(MULTICHOICE_S|MCS)|(MULTICHOICE_VS|MCVS)|(MULTICHOICE_HS|MCHS)|"
          r"(MULTIRESPONSE|MR)|(MULTIRESPONSE_H|MRH)|(MULTIRESPONSE_S|MRS)|(MULTIRESPONSE_HS|MRHS)")
CLOZE_CODE = re.compile(r"\{([0-9]*):(" + _KINDS + r"):(" + _ALTERNATIVE + r"(~" + _ALTERNATIVE + r")*)\}", re.DOTALL)
_CLOZE_ALTERNATIVE = re.compile("~?" + _ALTERNATIVE, re.DOTALL)
_NUMBER = r"-?(([0-9]+[.,]?[0-9]*|[.,][0-9]+)([eE][-+]?[0-9]+)?)"
_NUMERICAL_ALTERNATIVE = re.compile(f"^({_NUMBER})(:{_NUMBER})?$", re.DOTALL)
_CLOZE_KIND_NAMES = {2: "NUMERICAL", 3: "MULTICHOICE", 4: "MULTICHOICE_V", 5: "MULTICHOICE_H", 6: "SHORTANSWER",
                     7: "SHORTANSWER_C", 8: "MULTICHOICE_S", 9: "MULTICHOICE_VS", 10: "MULTICHOICE_HS",
                     11: "MULTIRESPONSE", 12: "MULTIRESPONSE_H", 13: "MULTIRESPONSE_S", 14: "MULTIRESPONSE_HS"}
_WILDCARD = re.compile(r"(?<!\\)\*")


def recognises(path: Path, head: bytes) -> bool:
    """A file whose root element is <quiz> (after an XML declaration and comments)."""
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return path.is_file() and _QUIZ_START.match(start) is not None


_QUIZ_START = re.compile(rb"(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*<quiz[\s>/]", re.DOTALL)


def read(path: Path) -> list[ImportedQuiz]:
    """The quiz the Moodle XML file at ``path`` holds; InputError with every problem in it."""
    shown = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError([Problem(shown, 0, 0, f"is {size:,} bytes; lmspack import reads Moodle XML files of at "
                                                   f"most {MAX_BYTES:,} bytes")])
        data = path.read_bytes()
    except OSError as error:
        raise InputError([Problem(shown, 0, 0, f"cannot be read: {error.strerror or error}")]) from None
    # huge_tree: a base64 <file> of a picture over 7.5 MB is one text node over libxml2's 10 MB
    # limit; the file's size is capped above, and entities are never expanded.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line, column = error.position
        raise InputError([Problem(shown, line or 0, column or 0, f"not well-formed XML: {error.msg}")]) from None
    if root.tag != "quiz":
        raise InputError([Problem(shown, root.sourceline or 0, 0,
                                  f"the root element is <{etree.QName(root).localname}>, not <quiz>: this is not a "
                                  "Moodle XML question bank")])
    return [_Bank(path, root).quiz()]


@dataclass
class _Field:
    """A text of a question as Moodle's import_text_with_files reads it: its text (trimmed), its
    format and the files beside it, by their path in the field's area ('/folder/name')."""

    element: etree._Element
    text: str
    format: str
    files: dict[str, bytes]


class _Bank:
    def __init__(self, path: Path, root: etree._Element) -> None:
        self.path = path
        self.shown = str(path)
        self.root = root
        self.problems: list[Problem] = []
        self.lost: list[Lost] = []
        self.media = MediaFiles()
        named = package_name(path.name, SUFFIX)
        self.identifier, self.version = named[0] if named else (slug(path.stem, "moodle-bank"), DEFAULT_VERSION)
        self.ids = Ids(self.identifier)
        self.shuffle = False
        self.shuffling: dict[etree._Element, bool] = {}
        self.questions: list[tuple[ImportedItem, Question]] = []
        self.outcome = OutcomeLanguage()
        self.count = 0

    def place(self, line: int) -> str:
        return f"{self.shown}:{line}"

    def problem(self, element: etree._Element | None, message: str) -> None:
        line = (element.sourceline if element is not None else None) or 0
        self.problems.append(Problem(self.shown, line, 0, message))

    # -- the whole file --

    def quiz(self) -> ImportedQuiz:
        category = ""
        categories: dict[str, tuple[str, int]] = {}  # path -> (its info, line)
        items: list[tuple[ImportedItem, str]] = []
        for element in self.root:
            if not isinstance(element.tag, str):
                continue
            if element.tag != "question":
                self.lost.append(Lost(self.place(element.sourceline or 0), f"the <{element.tag}> element, which is not "
                                                                           "a question"))
                continue
            kind = element.get("type", "")
            if kind == "category":
                category = _text(element, "category/text") or ""
                categories.setdefault(category, (_text(element, "info/text") or "", element.sourceline or 0))
                continue
            item = self.question(element, kind)
            if item is not None:
                items.append((item, category))
        if self.problems:
            raise InputError(self.problems)
        if not items:
            raise InputError([Problem(self.shown, self.root.sourceline or 0, 0,
                                      "no question here that lmspack can import" +
                                      (f" ({len(self.lost)} not imported: see above)" if self.lost else ""))])
        return self.quiz_of(items, categories)

    def quiz_of(self, items: list[tuple[ImportedItem, str]], categories: dict[str, tuple[str, int]]) -> ImportedQuiz:
        used = list(dict.fromkeys(category for _, category in items))
        parts = [_category_parts(category) for category in used]
        common = parts[0]
        for other in parts[1:]:
            shared = 0
            while shared < min(len(common), len(other)) and common[shared] == other[shared]:
                shared += 1
            common = common[:shared]
        title, cut = quiz_title(common[-1] if common and common[-1] != "top" else self.path.stem)
        if cut:
            self.lost.append(Lost(self.place(self.root.sourceline or 0),
                                  f"the end of the category's name (a title has at most {TITLE_LIMIT} characters)"))
        document: dict[str, object] = {"identifier": self.identifier, "title": title, "version": self.version}
        info = categories.get(used[0], ("", 0))[0] if len(used) == 1 else ""
        if info:
            document["description"] = _plain(info)
        language, not_carried = self.outcome.language()
        self.lost += not_carried
        if language != "en":
            document["language"] = language
        document["pass_mark"] = DEFAULT_PASS_MARK
        self.lost.append(Lost(self.place(self.root.sourceline or 0), f"Moodle XML holds no pass mark; quiz.yaml "
                                                                     f"says pass_mark: {DEFAULT_PASS_MARK}, set yours"))
        document["items"] = [item.identifier for item, _ in items]
        document["formats"] = ["moodle"]
        self.own_orders(self.questions)
        if self.shuffle:
            document["shuffle_choices"] = True
        if len(used) > 1:
            section_ids = Ids(self.identifier)
            document["sections"] = [
                {"id": section_ids.take(slug("-".join(_category_parts(category)[len(common):]), "section"), "section"),
                 "title": "/".join(_category_parts(category)[len(common):]) or title,
                 "items": [item.identifier for item, in_category in items if in_category == category]}
                for category in used]
        document.update(self.media.limits())
        return ImportedQuiz(self.identifier, document, [item for item, _ in items], dict(self.media.files),
                            sorted(self.lost, key=_by_line))

    # -- one question --

    def question(self, element: etree._Element, kind: str) -> ImportedItem | None:
        name = _text(element, "name/text") or ""
        question = Question(element, kind or "question", name or f"at line {element.sourceline}")
        readers: dict[str, Callable[[Question], tuple[str, dict[str, object]]]] = {
            "multichoice": self.multichoice, "truefalse": self.truefalse, "shortanswer": self.shortanswer,
            "numerical": self.numerical, "essay": self.essay, "matching": self.matching, "match": self.matching,
            "ordering": self.ordering, "cloze": self.cloze, "multianswer": self.cloze, "gapselect": self.gapselect,
            "ddwtos": self.gapselect,
        }
        reader = readers.get(kind)
        if reader is None:
            what = _NOT_IMPORTED.get(kind, f"a question of type {kind!r}, which lmspack does not carry" if kind
                                     else "a <question> without a type")
            self.lost.append(Lost(self.place(question.line), f"{what} {name!r}: not imported"))
            return None
        before = len(self.problems)
        try:
            item_type, fields = reader(question)
            prompt = str(fields.pop("prompt")) if "prompt" in fields \
                else self.rich(question, "questiontext", inline=False)
            if not prompt:
                raise Skipped("its question text is empty")
            points = self.points(question, fields.pop("_points", None))
            hints = [hint for hint in (self.rich(question, hint, inline=False) for hint in element.findall("hint"))
                     if hint]
            explanation = self.rich(question, "generalfeedback", inline=False)
        except Skipped as skipped:
            self.lost.append(Lost(self.place(question.line), f"{kind} {name!r} is not imported: {skipped}"))
            return None
        self.settings_lost(question)
        if len(self.problems) > before:
            return None
        idnumber = _text(element, "idnumber") or ""
        self.count += 1
        fallback = f"question-{self.count}"
        identifier = self.ids.take(idnumber or slug(name, fallback), fallback)
        if idnumber and identifier != idnumber:
            question.lose(f"its idnumber {idnumber!r} is not an lmspack id (or is taken); the item's id is "
                          f"{identifier!r}", element.find("idnumber"))
        self.lost += [Lost(self.place(line), what) for line, what in question.lost]
        item = ImportedItem(identifier, item_document(identifier, item_type, name, points, self.tags(element), prompt,
                                                      fields, hints, explanation))
        self.questions.append((item, question))
        return item

    def points(self, question: Question, cloze_points: object) -> float:
        """defaultgrade (Moodle's default 1); a cloze's is the sum of its blanks' weights."""
        if isinstance(cloze_points, int | float):
            return float(cloze_points)
        grade = _text(question.element, "defaultgrade")
        try:
            points = float(grade) if grade else 1.0
        except ValueError:
            self.problem(question.element.find("defaultgrade"), f"defaultgrade {grade!r} is not a number")
            return 1.0
        if not 0.01 <= points <= 1000:
            question.lose(f"worth {grade} points, which lmspack does not take (0.01 to 1000); imported as 1",
                          question.element.find("defaultgrade"))
            return 1.0
        return points

    def settings_lost(self, question: Question) -> None:
        """What a question may set that lmspack's model does not hold: its penalty (other than the
        one lmspack writes), hidden, its hints' options."""
        penalty = _text(question.element, "penalty")
        expected = _LMSPACK_PENALTY.get(question.kind, moodle_format.MULTICHOICE_PENALTY)
        if penalty is not None and not _same_number(penalty, expected):
            question.lose(f"penalty {penalty} (the share of the mark lost per extra try), which lmspack's model "
                          "does not hold", question.element.find("penalty"))
        if _text(question.element, "hidden") == "1":
            question.lose("hidden in the question bank (imported as any other item)", question.element.find("hidden"))
        for hint in question.element.findall("hint"):
            options = [name for name in ("shownumcorrect", "clearwrong") if hint.find(name) is not None]
            if options:
                question.lose(f"a hint's options ({', '.join(options)}), which lmspack's hints do not have", hint)

    def tags(self, element: etree._Element) -> list[str]:
        tags = [(tag.findtext("text") or "").strip() for tag in element.findall("tags/tag")]
        return list(dict.fromkeys(tag for tag in tags if tag))

    # -- texts --

    def field(self, element: etree._Element, path: str) -> _Field | None:
        found = element.find(path) if path else element
        if found is None:
            return None
        files: dict[str, bytes] = {}
        for file in found.findall("file"):
            folder = file.get("path", "/") or "/"
            key = (folder if folder.endswith("/") else folder + "/") + (file.get("name") or "")
            encoded = re.sub(r"[^A-Za-z0-9+/]", "", file.text or "")  # as PHP's base64_decode reads it
            try:
                files[key] = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
            except (binascii.Error, ValueError):
                self.problem(file, f"the file {file.get('name')!r} is not valid base64")
        return _Field(found, (found.findtext("text") or "").strip(), found.get("format") or "moodle_auto_format", files)

    def rich(self, question: Question, where: str | etree._Element, inline: bool,
             html_text: str | None = None, text_field: _Field | None = None) -> str:
        """A text of the question as canonical text; what it loses listed at its line."""
        found = text_field or (self.field(question.element, where) if isinstance(where, str)
                               else self.field(where, ""))
        if found is None:
            return ""
        value = found.text if html_text is None else html_text
        if not value:
            return ""
        if found.format in ("plain_text", "moodle_auto_format", "2", "0"):
            value = cleaning.plain_html(value)
        elif found.format in ("markdown", "4"):
            value = cleaning.render(value, inline=False)[0]
        text = cleaning.read_html(value, inline, self.files_of(found))
        label = where if isinstance(where, str) else etree.QName(where).localname
        for note in text.left_out:
            question.lose(f"{label}: {note}", found.element)
        for message in text.problems:
            self.problem(found.element, f"{question.kind} {question.name!r}: {label}: {message}")
        return text.source

    def files_of(self, found: _Field) -> cleaning.FileNamer:
        def named(url: str) -> tuple[str | None, str | None]:
            if not url.startswith(moodle_format.PLUGINFILE):
                return None, None
            wanted = unquote(url[len(moodle_format.PLUGINFILE):].split("?")[0].split("#")[0])
            data = found.files.get("/" + wanted)
            if data is None:
                return None, f"the file {wanted!r}, which the text names but the file does not carry"
            return self.media.place(wanted, data)
        return named

    def feedback_losses(self, question: Question, partial_credit: bool) -> None:
        """Moodle's combined feedback: lmspack writes it in the quiz's language (its catalogue's
        words); any other is lost."""
        kinds: dict[str, OutcomeKind] = {"correctfeedback": "correct", "partiallycorrectfeedback": "partially_correct",
                                         "incorrectfeedback": "incorrect"}
        for name, kind in kinds.items():
            found = self.field(question.element, name)
            if found is None or not found.text:
                continue
            written = cleaning.read_html(found.text, False, cleaning.no_files).source
            shown = plain_text(cleaning.fragment_of(written, False))
            line, what = question.entry(f"its {name} {_short(shown)!r} (the model has per-choice feedback only)",
                                        found.element)
            self.outcome.see(kind, shown, Lost(self.place(line), what))

    # -- the types --

    def multichoice(self, question: Question) -> tuple[str, dict[str, object]]:
        element = question.element
        single = (_text(element, "single") or "true").lower() in ("true", "1")
        self.shuffled(question, _text(element, "shuffleanswers") or "false")
        numbering = _text(element, "answernumbering") or "abc"
        if numbering != "abc":
            question.lose(f"its choices numbered {numbering!r} (lmspack's Moodle files number them a, b, c)",
                          element.find("answernumbering"))
        if _text(element, "showstandardinstruction") == "0":
            question.lose("the standard instruction ('Select one:') hidden", element.find("showstandardinstruction"))
        answers = element.findall("answer")
        choices: list[dict[str, object]] = []
        fractions: list[float] = []
        for answer in answers:
            text = self.rich(question, answer, inline=True)
            if not text:
                question.lose("a choice with no text (left out)", answer)
                continue
            fraction = self.fraction(answer)
            choice: dict[str, object] = {"text": text}
            fractions.append(fraction)
            if single:
                if fraction >= 100:
                    choice["correct"] = True
                elif fraction != 0:
                    question.lose(f"choice {_short(_shown(text))!r} worth {number(fraction)}%, imported as a wrong "
                                  "choice (a single choice is right or wrong)", answer)
            elif fraction > 0:
                choice["correct"] = True
            feedback = self.rich(question, "feedback", inline=True, text_field=self.field(answer, "feedback"))
            if feedback:
                choice["feedback"] = feedback
            choices.append(choice)
        if len(choices) < 2:
            raise Skipped("it has fewer than 2 choices")
        correct = [choice for choice in choices if choice.get("correct")]
        if not correct:
            raise Skipped("no choice is worth full marks")
        self.feedback_losses(question, partial_credit=not single)
        fields: dict[str, object] = {"choices": choices}
        if single:
            for extra in correct[1:]:
                extra.pop("correct")
                question.lose(f"choice {_short(_shown(str(extra['text'])))!r} is also worth full marks; only the "
                              "first such choice is marked correct (a single choice has one right answer)")
            return "single_choice", fields
        if len(correct) == len(choices):
            raise Skipped("every choice is right (lmspack's multiple response needs a wrong one)")
        penalty = any(fraction < 0 for fraction in fractions)
        if not penalty:
            fields["wrong_choice_penalty"] = False
        self.check_grades(question, choices, fractions, penalty)
        return "multiple_response", fields

    def check_grades(self, question: Question, choices: list[dict[str, object]], fractions: list[float],
                     penalty: bool) -> None:
        """Moodle grades each choice of a multiple-answer question as its fraction says; lmspack
        from the number of right choices (builder/scoring.py). Different grades are named."""
        interaction = ChoiceInteraction("multiple_response", tuple(
            Choice(str(n), cleaning.fragment_of("x", True), bool(choice.get("correct")), None)
            for n, choice in enumerate(choices)), penalty)
        expected = scoring.choice_fractions(1.0, interaction)
        if any(abs(expected[str(n)] * 100 - fraction) > 0.001 for n, fraction in enumerate(fractions)):
            shown = ", ".join(f"{number(fraction)}%" for fraction in fractions)
            question.lose(f"its choices' grades ({shown}) are not lmspack's (each right choice an equal share, "
                          f"{'each wrong one as much taken away' if penalty else 'wrong ones 0'}); imported with "
                          "lmspack's")

    def shuffled(self, question: Question, value: str) -> None:
        """A question's shuffleanswers, kept until the quiz's shuffle_choices is known (quiz_of)."""
        self.shuffling[question.element] = value.lower() in ("true", "1")

    def own_orders(self, items: list[tuple[ImportedItem, Question]]) -> None:
        """The quiz shuffles choices when any question shuffles its answers; a choice question that
        does not keeps its order (shuffle_choices: false); a matching question cannot."""
        shuffles = [(item, question, self.shuffling[question.element]) for item, question in items
                    if question.element in self.shuffling]
        self.shuffle = any(shuffle for _, _, shuffle in shuffles)
        for item, question, shuffle in shuffles:
            if not self.shuffle or shuffle:
                continue
            if question.kind == "multichoice":
                item.document = with_field(item.document, "shuffle_choices", False)
                continue
            line, what = question.entry("its own choice shuffling (off); a matching item's options are shuffled "
                                        "when the quiz's shuffle_choices is on",
                                        question.element.find("shuffleanswers"))
            self.lost.append(Lost(self.place(line), what))

    def fraction(self, answer: etree._Element) -> float:
        value = answer.get("fraction", "0")
        try:
            return float(value)
        except ValueError:
            self.problem(answer, f"fraction {value!r} is not a number")
            return 0.0

    def truefalse(self, question: Question) -> tuple[str, dict[str, object]]:
        """As Moodle's import_truefalse: each answer is 'true' or 'false' (else, in old files, true
        first); the last answer read says which is right."""
        statements: dict[str, dict[str, object]] = {}
        true_is_right = True
        for position, answer in enumerate(question.element.findall("answer")):
            word = (answer.findtext("text") or "").strip()
            if word not in ("true", "false"):
                word = "true" if position == 0 else "false"
            right = self.fraction(answer) == 100
            true_is_right = right if word == "true" else not right
            feedback = self.rich(question, "feedback", inline=True, text_field=self.field(answer, "feedback"))
            statement: dict[str, object] = {"text": word.capitalize()}
            if feedback:
                statement["feedback"] = feedback
            statements[word] = statement
        if set(statements) != {"true", "false"}:
            raise Skipped("it does not have a true and a false answer")
        right_word = "true" if true_is_right else "false"
        statements[right_word] = {"text": statements[right_word]["text"], "correct": True} | statements[right_word]
        return "true_false", {"choices": [statements["true"], statements["false"]]}

    def shortanswer(self, question: Question) -> tuple[str, dict[str, object]]:
        case_sensitive = (_text(question.element, "usecase") or "0") == "1"
        answers: list[dict[str, object]] = []
        seen: set[str] = set()
        typed, other_feedback = self.typed_answers(question, "response")
        for answer, raw, fraction, feedback in typed:
            if not raw:
                continue
            if _WILDCARD.search(raw):
                question.lose(f"answer {raw!r} uses Moodle's wildcard '*', which lmspack reads as an asterisk", answer)
            text = raw.replace("\\*", "*")
            compared = scoring.normalised_text(text, case_sensitive)
            if fraction <= 0:
                with_feedback = " and its feedback" if feedback else ""
                question.lose(f"answer {_short(text)!r} worth {number(fraction)}%{with_feedback} (lmspack lists "
                              "accepted answers only)", answer)
                continue
            if compared in seen:
                question.lose(f"answer {_short(text)!r}, which an earlier answer already accepts", answer)
                continue
            seen.add(compared)
            answers.append(_credited({"text": text}, fraction, feedback))
        fields: dict[str, object] = {"answers": _with_full_marks(answers)}
        if case_sensitive:
            fields["case_sensitive"] = True
        if other_feedback:
            fields["other_feedback"] = other_feedback
        return "short_answer", fields

    def typed_answers(self, question: Question, what: str) -> tuple[list[tuple[etree._Element, str, float, str]], str]:
        """A shortanswer's or numerical's answers (each with its text, fraction and feedback as
        canonical text), but the '*' answer at 0 %, any other ``what``, whose feedback is the
        item's other_feedback (an empty numerical answer is Moodle's '*')."""
        answers = []
        other_feedback = ""
        for answer in question.element.findall("answer"):
            raw = (answer.findtext("text") or "").strip() or ("*" if question.kind == "numerical" else "")
            fraction = self.fraction(answer)
            feedback = self.rich(question, "feedback", inline=True, text_field=self.field(answer, "feedback"))
            if raw != "*":
                answers.append((answer, raw, fraction, feedback))
            elif fraction <= 0 and not other_feedback:
                other_feedback = feedback
            else:
                question.lose(f"the answer '*' worth {number(fraction)}% (any other {what})", answer)
        return answers, other_feedback

    def numerical(self, question: Question) -> tuple[str, dict[str, object]]:
        answers: list[dict[str, object]] = []
        intervals: list[tuple[float, float]] = []
        typed, other_feedback = self.typed_answers(question, "number")
        for answer, raw, fraction, feedback in typed:
            value, tolerance = _moodle_number(raw), _moodle_number(_text(answer, "tolerance") or "0")
            if value is None or tolerance is None or abs(value) > 1e15:
                question.lose(f"answer {raw!r}, which is not a number lmspack takes", answer)
                continue
            tolerance = abs(tolerance)
            if fraction <= 0:
                question.lose(f"answer {raw} worth {number(fraction)}%{' and its feedback' if feedback else ''} "
                              "(lmspack lists accepted answers only)", answer)
                continue
            low, high = value - tolerance, value + tolerance
            if any(earlier_low <= low and high <= earlier_high for earlier_low, earlier_high in intervals):
                question.lose(f"answer {raw}, every number of which an earlier answer already accepts", answer)
                continue
            intervals.append((low, high))
            entry: dict[str, object] = {"value": number(value)}
            if tolerance:
                entry["tolerance"] = number(tolerance)
            answers.append(_credited(entry, fraction, feedback))
        fields: dict[str, object] = {"answers": _with_full_marks(answers)}
        unit = self.unit(question)
        if unit:
            fields["unit"] = unit
        if other_feedback:
            fields["other_feedback"] = other_feedback
        return "numeric", fields

    def unit(self, question: Question) -> str:
        element = question.element
        unit = ""
        for found in element.findall("units/unit"):
            name = (found.findtext("unit_name") or "").strip()
            if _moodle_number(_text(found, "multiplier") or "1") == 1 and not unit and name:
                unit = name
            else:
                question.lose(f"the unit {name!r} (multiplier {_text(found, 'multiplier')}); lmspack's numeric item "
                              "has one unit, shown beside the box", found)
        if unit and (_text(element, "unitgradingtype") or "0") != "0":
            question.lose("its unit is graded (lmspack's learner types the number only)",
                          element.find("unitgradingtype"))
        if unit and (_text(element, "showunits") or "0") not in ("0", "3"):
            question.lose("its unit is chosen from a list (lmspack shows it beside the box)", element.find("showunits"))
        if unit and (_text(element, "unitsleft") or "0") == "1":
            question.lose("its unit written left of the number", element.find("unitsleft"))
        instructions = self.field(element, "instructions")
        if instructions is not None and instructions.text:
            question.lose("its unit instructions", instructions.element)
        return unit

    def essay(self, question: Question) -> tuple[str, dict[str, object]]:
        element = question.element
        usual = {"responseformat": "editor", "responserequired": "1", "responsefieldlines": "15", "attachments": "0",
                 "attachmentsrequired": "0"}
        for name, value in usual.items():
            found = _text(element, name)
            if found is not None and found != value:
                question.lose(f"its {name} {found!r} (lmspack's essay is an HTML editor, a response required, "
                              "no attachments)", element.find(name))
        fields: dict[str, object] = {}
        notes = self.rich(question, "graderinfo", inline=False)
        if notes:
            fields["grader_notes"] = notes
        template = self.field(element, "responsetemplate")
        if template is not None and template.text:
            fields["response_template"] = _template_text(template.text, template.format)
        for name, key in (("minwordlimit", "min_words"), ("maxwordlimit", "max_words")):
            limit = _text(element, name)
            if limit and limit != "0":
                if limit.isdigit() and 1 <= int(limit) <= 100_000:
                    fields[key] = int(limit)
                else:
                    question.lose(f"its {name} {limit!r}", element.find(name))
        limits = [int(str(fields[key])) for key in ("min_words", "max_words") if key in fields]
        if len(limits) == 2 and limits[0] > limits[1]:
            question.lose("its word limits (the least is more than the most): left out", element.find("minwordlimit"))
            del fields["min_words"], fields["max_words"]
        if element.findall("hint"):
            question.lose("its hints: Moodle's importer leaves an essay's hints out; imported all the same")
        return "essay", fields

    def matching(self, question: Question) -> tuple[str, dict[str, object]]:
        element = question.element
        self.shuffled(question, _text(element, "shuffleanswers") or "true")
        pairs: list[dict[str, object]] = []
        distractors: list[str] = []
        rights: list[str] = []
        for sub in element.findall("subquestion"):
            answer = (sub.findtext("answer/text") or "").strip()
            if not answer:
                question.lose("a sub-question with no answer (Moodle leaves it out too)", sub)
                continue
            right = cleaning.read_html(answer, True, cleaning.no_files)
            for note in right.left_out:
                question.lose(f"an answer: {note}", sub)
            rights.append(right.source)
            left = self.rich(question, sub, inline=True)
            if left:
                pairs.append({"left": left, "right": right.source})
            else:
                distractors.append(right.source)
        for side, sources in (("answer", rights), ("sub-question", [str(pair["left"]) for pair in pairs])):
            same = repeated(sources)
            if same is not None:
                raise Skipped(f"two {side}s read {_short(same)!r} (lmspack's learners must tell them apart)")
        if len(pairs) < 2:
            raise Skipped("it has fewer than 2 sub-questions with a text")
        self.feedback_losses(question, partial_credit=True)
        fields: dict[str, object] = {"pairs": pairs}
        if distractors:
            fields["distractors"] = distractors
        return "matching", fields

    def ordering(self, question: Question) -> tuple[str, dict[str, object]]:
        element = question.element
        steps = [self.rich(question, answer, inline=True) for answer in element.findall("answer")]
        steps = [step for step in steps if step]
        if not 2 <= len(steps) <= 20:
            raise Skipped(f"it has {len(steps)} steps (lmspack's ordering has 2 to 20)")
        same = repeated(steps)
        if same is not None:
            raise Skipped(f"two of its steps read {_short(same)!r} (lmspack's learners must tell them apart)")
        grading = _text(element, "gradingtype")
        scoring_rule = _ORDERING_GRADING.get(grading or "")
        if scoring_rule is None:
            question.lose(f"its grading {grading or 'by relative position (Moodle default)'!r}; imported as each step "
                          "in its place", element.find("gradingtype"))
            scoring_rule = "per_position"
        select = _text(element, "selecttype")
        count = _text(element, "selectcount")
        if (select is not None and select not in _SELECT_ALL) or (count not in (None, "0", str(len(steps)))):
            question.lose(f"it shows a subset of its steps (selecttype {select}, selectcount {count}); "
                          "lmspack shows them all", element.find("selecttype"))
        if (_text(element, "layouttype") or "VERTICAL") not in ("VERTICAL", "0"):
            question.lose("its steps laid out horizontally", element.find("layouttype"))
        self.feedback_losses(question, partial_credit=scoring_rule == "per_position")
        fields: dict[str, object] = {"order": steps}
        if scoring_rule == "per_position":
            fields["scoring"] = "per_position"
        return "ordering", fields

    def cloze(self, question: Question) -> tuple[str, dict[str, object]]:
        text_field = self.field(question.element, "questiontext")
        if text_field is None:
            raise Skipped("it has no question text")
        blanks: dict[str, object] = {}
        weights: list[int] = []

        def blank(code: re.Match[str]) -> str:
            name = f"b{len(blanks) + 1}"
            blanks[name] = self.cloze_blank(question, code, text_field.element)
            weights.append(int(code.group(1) or "1"))
            return f"[[{name}]]"

        text = CLOZE_CODE.sub(blank, text_field.text)
        if not blanks:
            raise Skipped("it has no blanks")
        if len(set(weights)) > 1:
            question.lose(f"its blanks' weights ({', '.join(map(str, weights))}): each blank is worth the same share "
                          "in lmspack", text_field.element)
        if sum(weights) < 1:
            raise Skipped("its blanks are worth 0")
        prompt = self.rich(question, "questiontext", inline=False, html_text=text, text_field=text_field)
        return "fill_in_blanks", {"prompt": prompt, "blanks": blanks, "_points": sum(weights)}

    def cloze_blank(self, question: Question, code: re.Match[str], at: etree._Element) -> dict[str, object]:
        kind = next(name for group, name in _CLOZE_KIND_NAMES.items() if code.group(group + 1))
        alternatives = []
        remaining = code.group(16)
        while remaining and (found := _CLOZE_ALTERNATIVE.match(remaining)):
            percent = 100.0 if found.group(1) == "=" else float((found.group(2) or "0").replace(",", "."))
            alternatives.append((percent, found.group(3), found.group(5)))
            remaining = remaining[found.end():]
        shown = code.group()
        if kind.startswith("MULTIRESPONSE"):
            raise Skipped(f"its blank {_short(shown)} takes several answers (lmspack's drop-down takes one)")
        if any(feedback for _, _, feedback in alternatives):
            question.lose(f"blank {_short(shown)}: its answers' feedback (lmspack's blanks have none)", at)
        right = [(answer, percent) for percent, answer, _ in alternatives if percent >= 100]
        partial = [answer for percent, answer, _ in alternatives if 0 < percent < 100]
        if kind == "NUMERICAL":
            numbers = [_NUMERICAL_ALTERNATIVE.match(answer.strip()) for answer, _ in right]
            usable = [found for found in numbers if found]
            if not usable:
                raise Skipped(f"its number blank {_short(shown)} has no right number")
            if len(usable) > 1 or partial:
                question.lose(f"blank {_short(shown)}: its other answers (a number blank has one)", at)
            value = _moodle_number(usable[0].group(1)) or 0.0
            tolerance = abs(_moodle_number(usable[0].group(6) or "0") or 0.0)
            entry: dict[str, object] = {"value": number(value)}
            if tolerance:
                entry["tolerance"] = number(tolerance)
            return entry
        if partial or (len(right) < len(alternatives) and not kind.startswith("MULTICHOICE")):
            question.lose(f"blank {_short(shown)}: its answers worth less than full marks (a blank accepts right "
                          "answers only)", at)
        decoded = [cleaning.unescaped(answer).replace("\\}", "}").replace("\\#", "#") for answer, _ in right]
        if kind.startswith("MULTICHOICE"):
            options = [_plain(cleaning.unescaped(answer).replace("\\}", "}").replace("\\#", "#"))
                       for _, answer, _ in alternatives]
            if kind not in ("MULTICHOICE", "MULTICHOICE_S"):
                question.lose(f"blank {_short(shown)}: its options shown as buttons in Moodle (a drop-down here)", at)
            if kind.endswith("S"):
                question.lose(f"blank {_short(shown)}: its options shuffled in Moodle (in their order here)", at)
            correct = [_plain(answer) for answer in decoded]
            if len(correct) != 1 or len(set(options)) != len(options) or len(options) < 2 or not all(options):
                raise Skipped(f"its drop-down {_short(shown)} needs 2 or more different options, one right")
            return {"options": options, "correct": correct[0]}
        texts_accepted = []
        for answer in decoded:
            if _WILDCARD.search(answer):
                question.lose(f"blank answer {answer!r} uses Moodle's wildcard '*', read as an asterisk", at)
            text = answer.replace("\\*", "*").strip()
            if text and text not in texts_accepted:
                texts_accepted.append(text)
        if not texts_accepted:
            raise Skipped(f"its blank {_short(shown)} has no right answer")
        entry = {"answers": texts_accepted}
        if kind == "SHORTANSWER_C":
            entry["case_sensitive"] = True
        return entry

    def gapselect(self, question: Question) -> tuple[str, dict[str, object]]:
        """Moodle's select missing words (and drag and drop into text, read as drop-downs): each
        [[n]] is a drop-down of the options of option n's group, option n the right one."""
        element = question.element
        tag = "selectoption" if question.kind == "gapselect" else "dragbox"
        options = [(_plain((option.findtext("text") or "").strip()), option.findtext("group") or "1")
                   for option in element.findall(tag)]
        text_field = self.field(element, "questiontext")
        if text_field is None or not options:
            raise Skipped("it has no options")
        if question.kind == "ddwtos":
            question.lose("its words are dragged into the gaps in Moodle; they are drop-downs here")
        blanks: dict[str, object] = {}

        def gap(found: re.Match[str]) -> str:
            index = int(found.group(1)) - 1
            if not 0 <= index < len(options):
                raise Skipped(f"its gap {found.group()} names no option")
            right, group = options[index]
            name = f"b{len(blanks) + 1}"
            choices = list(dict.fromkeys(text for text, in_group in options if in_group == group))
            if len(choices) < 2:
                raise Skipped(f"its gap {found.group()} has fewer than 2 options")
            blanks[name] = {"options": choices, "correct": right}
            return f"[[{name}]]"

        text = re.sub(r"\[\[([0-9]+)\]\]", gap, text_field.text)
        if not blanks:
            raise Skipped("it has no gaps")
        prompt = self.rich(question, "questiontext", inline=False, html_text=text, text_field=text_field)
        self.feedback_losses(question, partial_credit=True)
        return "fill_in_blanks", {"prompt": prompt, "blanks": blanks}


def _credited(entry: dict[str, object], fraction: float, feedback: str) -> dict[str, object]:
    """A typed answer's mapping with its credit (when less than full) and feedback."""
    if fraction < 100:
        entry["credit"] = number(fraction)
    if feedback:
        entry["feedback"] = feedback
    return entry


def _with_full_marks(answers: list[dict[str, object]]) -> list[dict[str, object]]:
    if not any("credit" not in answer for answer in answers):
        raise Skipped("no answer is worth full marks")
    return answers


def _by_line(lost: Lost) -> tuple[int, str]:
    line = lost.place.rpartition(":")[2]
    return (int(line) if line.isdigit() else 0, lost.what)


def _text(element: etree._Element, path: str) -> str | None:
    """The trimmed text at ``path`` (Moodle's getpath with trimming), None when absent."""
    found = element.find(path)
    return None if found is None else (found.text or "").strip()


def _same_number(a: str, b: str) -> bool:
    try:
        return abs(float(a) - float(b)) < 0.005
    except ValueError:
        return False


def _moodle_number(value: str) -> float | None:
    try:
        return float(value.strip().replace(",", "."))
    except ValueError:
        return None


def _category_parts(category: str) -> list[str]:
    """$course$/top/Kitchen//Bar/Safety -> ['top', 'Kitchen/Bar', 'Safety'] ('//' is a slash in a name)."""
    parts = [part.replace("\x00", "/") for part in category.replace("//", "\x00").split("/")]
    return [part for part in parts if part and not part.startswith("$")]


def _plain(value: str) -> str:
    """An HTML text (Moodle's 'plain' options, descriptions) as the characters it shows."""
    if "<" not in value:
        return cleaning.unescaped(value).strip()
    return plain_text(cleaning.fragment_of(cleaning.read_html(value, False, cleaning.no_files).source, False))


def _shown(source: str) -> str:
    """What an inline canonical text shows, as plain text (for messages)."""
    return plain_text(cleaning.fragment_of(source, True))


def _template_text(value: str, text_format: str) -> str:
    """An essay's response template as plain text: lmspack writes it as HTML lines joined by <br>."""
    if text_format not in ("html", "1"):
        return value.strip()
    lines = re.split(r"<br\s*/?>\s*\n?", value)
    return "\n".join(cleaning.unescaped(re.sub(r"<[^>]*>", "", line)) for line in lines).strip()


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."

