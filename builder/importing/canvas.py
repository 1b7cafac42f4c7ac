"""Canvas Classic Quizzes exports (QTI 1.2, zipped or unzipped; lmspack's own Canvas packages) as
canonical quiz folders.

A package may hold several quizzes: each assessment (a ``imsqti_xmlv1p2`` resource of the
manifest) is one quiz folder, with its ``assessment_meta.xml`` settings (shuffled answers,
attempts, time limit, results hidden). Its question groups become sections that draw their
number of items. Each item is read by its ``question_type``, as Canvas's own exporter writes it
(the shapes builder/formats/canvas.py writes): multiple choice, true/false, multiple answers, short
answer, numerical (an exact answer with its margin, or a range), essay, matching, multiple
drop-downs and fill in multiple blanks; their general, right, wrong and per-answer feedback.
Texts are Canvas's HTML: files named ``$IMS-CC-FILEBASE$/...`` come from ``web_resources/`` into the
quiz folder, equation images become formulas. What lmspack's model does not hold (text-only,
file-upload and calculated questions, per-answer feedback it lacks, Canvas-only settings, ...) is
listed with its place (the file in the package and its line).

A package lmspack made names, beside Canvas's own identifiers, the lmspack ids they are derived
from (``lmspack_item_id``, ``lmspack_choice_ids``): the import takes them, and the quiz's
identifier and version from the package's name, so that building the import gives the package
back byte for byte.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from builder.errors import InputError, Problem
from builder.formats import canvas as canvas_format
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
)
from builder.importing.documents import title as quiz_title
from builder.importing.media_files import MediaFiles
from builder.importing.package_files import Package, opened
from builder.loading import COHORT_NAME, IDENTIFIER, TITLE_LIMIT
from builder.markup import plain_text
from builder.model import BLANK_MARKER, NumericAnswer, choice_letters
from builder.rendering import safe_parser

SOURCE_FORMAT = "Canvas quiz exports (QTI 1.2 .zip, or the folder it unzips to)"
SUFFIX = "-canvas.zip"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
META = "{http://canvas.instructure.com/xsd/cccv1p0}"
_CANVAS_IDENT = re.compile(r"g[0-9a-f]{32}\Z")
_NOT_IMPORTED = {
    "text_only_question": "a text-only question (text between questions, with nothing to answer)",
    "file_upload_question": "a file-upload question",
    "calculated_question": "a formula question (numbers drawn when the quiz runs)",
}


def recognises(path: Path, head: bytes) -> bool:
    """A zip, or a folder, whose imsmanifest.xml lists a QTI 1.2 assessment (Canvas's export); or
    one such assessment's XML file on its own. Only the manifest is read (at most 1 MB of it)."""
    if path.is_file() and not head.startswith(b"PK\x03\x04"):
        return b"<questestinterop" in head and b"ims_qtiasiv1p2" in head
    try:
        if path.is_dir():
            with (path / "imsmanifest.xml").open("rb") as stream:
                data = stream.read(_MANIFEST_PEEK)
        else:
            with zipfile.ZipFile(path) as archive, archive.open("imsmanifest.xml") as stream:
                data = stream.read(_MANIFEST_PEEK)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, RuntimeError, NotImplementedError, zlib.error):
        return False
    return b"imsqti_xmlv1p2" in data


_MANIFEST_PEEK = 2**20


def read(path: Path) -> list[ImportedQuiz]:
    """Each quiz of the Canvas export at ``path``; InputError with every problem in it."""
    with opened(path) as package:
        return _Export(path, package).quizzes()


def _parse(package: Package, name: str, problems: list[Problem]) -> etree._Element | None:
    if not package.has(name):
        if not package.problems:
            problems.append(Problem(package.display(name), 0, 0, "is listed in imsmanifest.xml but not in the package"))
        return None
    document = package.document(name)
    return document.root if document is not None else None


def _settings_file(package: Package, name: str) -> tuple[etree._Element | None, Lost | None]:
    """assessment_meta.xml: the quiz's settings, or (when it cannot be read: some Canvas exports bind
    a namespace libxml2 refuses) why they were not carried; the questions are imported all the same."""
    data = package.read(name) if package.has(name) else None
    if data is None:
        return None, Lost(package.display(name), "the quiz's settings: the file is not in the package")
    try:
        return etree.fromstring(data, safe_parser()), None
    except etree.XMLSyntaxError as error:
        return None, Lost(f"{package.display(name)}:{error.position[0]}", f"the quiz's settings, which are not "
                                                                        f"well-formed XML ({error.msg})")


@dataclass
class _Item(Question):
    """An <item> while it is read: its metadata fields and feedback blocks, by ident."""

    fields: dict[str, str] = field(default_factory=dict)
    feedback: dict[str, etree._Element] = field(default_factory=dict)
    used: set[str] = field(default_factory=lambda: {"general_fb"})
    """The feedback blocks read into the item; any other is listed as not carried."""
    identifier: str = ""


class _Export:
    def __init__(self, path: Path, package: Package) -> None:
        self.path = path
        self.package = package
        self.problems: list[Problem] = []

    def quizzes(self) -> list[ImportedQuiz]:
        if self.package.beside is not None:  # an assessment's XML on its own: no settings, no files
            if self.package.problems:  # a zip that cannot be opened
                raise InputError(self.package.problems)
            root = _parse(self.package, self.path.name, self.problems)
            quiz = _Assessment(self, self.path.name, root, None, []).quiz() if root is not None else None
            if self.package.problems or self.problems:
                raise InputError(self.package.problems + self.problems)
            return [quiz] if quiz is not None else []
        manifest = _parse(self.package, "imsmanifest.xml", self.problems) if "imsmanifest.xml" in self.package.names \
            else None
        if manifest is None:
            raise InputError(self.package.problems + self.problems or
                             [Problem(str(self.path), 0, 0, "has no imsmanifest.xml: not a Canvas quiz export")])
        resources = {resource.get("identifier", ""): resource for resource in manifest.iter()
                     if isinstance(resource.tag, str) and etree.QName(resource).localname == "resource"}
        assessments = [resource for resource in resources.values() if resource.get("type") == "imsqti_xmlv1p2"]
        named = package_name(self.path.name, SUFFIX)
        quizzes: list[ImportedQuiz] = []
        taken = Ids("")
        for resource in assessments:
            href = next((file.get("href", "") for file in resource if isinstance(file.tag, str)
                         and etree.QName(file).localname == "file"), resource.get("href", ""))
            meta = next((resources[dependency.get("identifierref", "")] for dependency in resource
                         if isinstance(dependency.tag, str) and etree.QName(dependency).localname == "dependency"
                         and dependency.get("identifierref", "") in resources), None)
            root = _parse(self.package, unquote(href), self.problems)
            if root is None:
                continue
            meta_root, meta_lost = _settings_file(self.package, unquote(meta.get("href", ""))) \
                if meta is not None and meta.get("href") else (None, None)
            assessment = _Assessment(self, unquote(href), root, meta_root, named if len(assessments) == 1 else [])
            if meta_lost is not None:
                assessment.lost.append(meta_lost)
            quiz = assessment.quiz()
            if quiz is not None:
                # Two quizzes of one export with the same title: each its own folder.
                quiz.identifier = quiz.document["identifier"] = taken.take(quiz.identifier, "canvas-quiz")
                quizzes.append(quiz)
        problems = self.package.problems + self.problems
        if problems:
            raise InputError(problems)
        if not quizzes:
            raise InputError([Problem(str(self.path), 0, 0, "holds no quiz that lmspack can import (no QTI 1.2 "
                                                            "assessment in imsmanifest.xml)")])
        return quizzes


class _Assessment:
    """One quiz of the export: its questestinterop ``root`` (the file ``member``) and its settings."""

    def __init__(self, export: _Export, member: str, root: etree._Element, meta: etree._Element | None,
                 named: list[tuple[str, str]]) -> None:
        self.export = export
        self.package = export.package
        self.member = member
        self.root = root
        self.meta = meta
        self.lost: list[Lost] = []
        self.media = MediaFiles()
        self.assessment = root.find(f"{QTI}assessment")
        ident = self.assessment.get("ident", "") if self.assessment is not None else ""
        title = self.assessment.get("title", "") if self.assessment is not None else ""
        # lmspack's own package: the name whose identifier Canvas's ident is derived from.
        own = [(identifier, version) for identifier, version in named
               if canvas_format.canvas_ident(identifier) == ident]
        if own:
            self.identifier, self.version = own[0]
        else:
            stem = Path(member).stem
            self.identifier = slug(title, slug(stem, "canvas-quiz")) if _CANVAS_IDENT.match(stem) or not named \
                else named[0][0]
            self.version = DEFAULT_VERSION
        self.own = bool(own)
        self.title = title
        self.cohort = self.cohort_of() if own else None
        self.ids = Ids(self.identifier)
        self.count = 0
        self.outcome = OutcomeLanguage()

    def cohort_of(self) -> str | None:
        """A cohort's package (lmspack names it <quiz>-<cohort> and keeps the files of the quiz
        under web_resources/<quiz>/): the cohort, with the quiz's identifier set to the quiz's own
        (its title is the one learners see: the cohort's own, or the quiz's); None for a quiz's own
        package (or one with no files, which then imports as a quiz of its own, and builds the same)."""
        folders = {name.split("/")[1] for name in self.package.names
                   if name.startswith(f"{canvas_format.WEB_RESOURCES}/") and name.count("/") >= 2}
        if len(folders) != 1:
            return None
        (folder,) = folders
        cohort = self.identifier.removeprefix(f"{folder}-")
        if cohort == self.identifier or not COHORT_NAME.match(cohort):
            return None
        self.identifier = folder
        return cohort

    def place(self, line: int, member: str | None = None) -> str:
        return f"{self.package.display(member or self.member)}:{line}"

    def problem(self, element: etree._Element | None, message: str) -> None:
        line = (element.sourceline if element is not None else None) or 0
        self.export.problems.append(Problem(self.package.display(self.member), line, 0, message))

    def quiz(self) -> ImportedQuiz | None:
        if self.assessment is None:
            self.problem(self.root, "no <assessment> in this QTI file: not a Canvas quiz")
            return None
        items: list[ImportedItem] = []
        sections: list[dict[str, object]] = []
        section_ids = Ids(self.identifier)
        for section in self.assessment.iter(f"{QTI}section"):
            found = [item for item in (self.item(element) for element in section.findall(f"{QTI}item")) if item]
            items += found
            parent = section.getparent()
            if section.get("ident") != "root_section" and parent is not None and parent.tag == f"{QTI}section":
                sections += self.group(section, found, section_ids)
        if not items:
            self.lost.append(Lost(self.place(self.assessment.sourceline or 0), f"quiz {self.title!r}: no question "
                                                                               "lmspack can import; not imported"))
            self.export.problems.append(Problem(self.package.display(self.member), self.assessment.sourceline or 0, 0,
                                                f"quiz {self.title!r} holds no question that lmspack can import" +
                                                "".join(f"\n  {lost.place}: {lost.what}" for lost in self.lost)))
            return None
        shown_title, cut = quiz_title(self.title or self.identifier)
        if cut:
            self.lost.append(Lost(self.place(self.assessment.sourceline or 0), f"the end of the quiz's title (at most "
                                                                               f"{TITLE_LIMIT} characters)"))
        document: dict[str, object] = {"identifier": self.identifier, "title": shown_title, "version": self.version}
        settings = self.settings()
        if settings.pop("description", None) is not None:
            document["description"] = self.description()
        language, not_carried = self.outcome.language()
        self.lost += not_carried
        if language != "en":
            document["language"] = language
        document["pass_mark"] = DEFAULT_PASS_MARK
        self.lost.append(Lost(self.place(self.assessment.sourceline or 0), f"Canvas quizzes have no pass mark; "
                                                                           f"quiz.yaml says pass_mark: "
                                                                           f"{DEFAULT_PASS_MARK}, set yours"))
        document["items"] = [item.identifier for item in items]
        document["formats"] = ["canvas"]
        document.update(settings)
        if sections:
            document["sections"] = sections
        if self.cohort is not None:  # build it with --cohort to have the package back
            document["cohorts"] = {self.cohort: {}}
        document.update(self.media.limits())
        return ImportedQuiz(self.identifier, document, items, dict(self.media.files), sorted(self.lost, key=_by_place))

    # -- the quiz's settings --

    def settings(self) -> dict[str, object]:
        """assessment_meta.xml (and the assessment's own metadata) in quiz.yaml's words."""
        settings: dict[str, object] = {}
        metadata = _fields(self.assessment.find(f"{QTI}qtimetadata") if self.assessment is not None else None)
        meta = self.meta
        values = {etree.QName(child).localname: (child.text or "").strip() for child in meta
                  if isinstance(child.tag, str)} if meta is not None else {}
        elements = {etree.QName(child).localname: child for child in meta if isinstance(child.tag, str)} \
            if meta is not None else {}
        meta_member = self.meta_member()

        def lose(what: str, name: str) -> None:
            element = elements.get(name)
            line = (element.sourceline if element is not None else None) or 0
            self.lost.append(Lost(self.place(line, meta_member if element is not None else None), what))

        attempts = values.get("allowed_attempts") or metadata.get("cc_maxattempts", "")
        if attempts.lstrip("-").isdigit() and int(attempts) >= 1:
            if int(attempts) <= 100:
                settings["attempts"] = int(attempts)
            else:
                lose(f"{attempts} attempts (lmspack allows 1 to 100, or unlimited)", "allowed_attempts")
        minutes = values.get("time_limit") or metadata.get("qmd_timelimit", "")
        if minutes.isdigit() and int(minutes) >= 1:
            if int(minutes) <= 24 * 60:
                settings["time_limit"] = int(minutes)
            else:
                lose(f"a time limit of {minutes} minutes (lmspack's is at most a day)", "time_limit")
        if values.get("shuffle_answers") == "true":
            settings["shuffle_choices"] = True
        if meta is not None:
            settings["feedback"] = "never" if values.get("hide_results") == "always" else "after_submit"
            if values.get("hide_results") not in ("", "always", None):
                lose(f"results hidden {values['hide_results']!r}", "hide_results")
            if values.get("show_correct_answers") == "false" and values.get("hide_results") != "always":
                settings["show_correct_answers"] = False
            # One question at a time: linear when learners cannot go back, else free (a list of the
            # questions to move between); all on one page is lmspack's default, written by no one.
            if values.get("one_question_at_a_time") == "true":
                settings["navigation"] = "linear" if values.get("cant_go_back") == "true" else "free"
            elif values.get("cant_go_back") == "true":
                lose("the setting cant_go_back 'true' with every question on one page", "cant_go_back")
            usual = {"scoring_policy": "keep_highest", "quiz_type": "assignment", "one_time_results": "false",
                     "access_code": "", "ip_filter": "",
                     "require_lockdown_browser": "false", "show_correct_answers_last_attempt": "false"}
            for name, value in usual.items():
                if values.get(name, value) != value:
                    lose(f"the setting {name} {values[name]!r}, which lmspack's quizzes do not have", name)
            for name in ("due_at", "lock_at", "unlock_at", "show_correct_answers_at", "hide_correct_answers_at"):
                if values.get(name):
                    lose(f"the date {name} {values[name]}", name)
            if values.get("description"):
                settings["description"] = values["description"]
        return settings

    def meta_member(self) -> str | None:
        if self.meta is None:
            return None
        folder = self.member.rpartition("/")[0]
        return f"{folder}/assessment_meta.xml" if folder else "assessment_meta.xml"

    def description(self) -> str:
        """The quiz's description (Canvas keeps HTML) as quiz.yaml's plain text."""
        values = {etree.QName(child).localname: child.text or "" for child in self.meta if isinstance(child.tag, str)} \
            if self.meta is not None else {}
        html_text = values.get("description", "")
        if re.fullmatch(r"<p>[^<]*</p>", html_text):  # as lmspack writes it: <p> and the escaped text
            return cleaning.unescaped(html_text[3:-4]).strip()
        return plain_text(cleaning.fragment_of(cleaning.read_html(html_text, False, cleaning.no_files).source, False))

    def group(self, section: etree._Element, items: list[ImportedItem], ids: Ids) -> list[dict[str, object]]:
        """A question group as a section of the quiz drawing its number of items."""
        title = section.get("title", "") or "Question group"
        if section.find(f".//{QTI}sourcebank_ref") is not None:
            self.lost.append(Lost(self.place(section.sourceline or 0), f"question group {title!r} draws from a "
                                                                       "question bank the export does not hold"))
        if not items:
            return []
        entry: dict[str, object] = {"id": ids.take(slug(title, "group"), "group"), "title": title,
                                    "items": [item.identifier for item in items]}
        count = (section.findtext(f"{QTI}selection_ordering/{QTI}selection/{QTI}selection_number") or "").strip()
        if count.isdigit() and 1 <= int(count) < len(items):
            entry["select"] = int(count)
        points = (section.findtext(f".//{QTI}points_per_item") or "").strip()
        if points:
            self.lost.append(Lost(self.place(section.sourceline or 0), f"question group {title!r} gives each item "
                                                                       f"{points} points (each item keeps its own)"))
        return [entry]

    # -- one item --

    def item(self, element: etree._Element) -> ImportedItem | None:
        fields = _fields(element.find(f"{QTI}itemmetadata/{QTI}qtimetadata"))
        kind = fields.get("question_type", "")
        title = element.get("title", "")
        feedback = {block.get("ident", ""): block for block in element.findall(f"{QTI}itemfeedback")}
        item = _Item(element, kind or "question", title, fields=fields, feedback=feedback)
        readers: dict[str, Callable[[_Item], tuple[str, dict[str, object]]]] = {
            "multiple_choice_question": self.choices, "true_false_question": self.choices,
            "multiple_answers_question": self.choices, "short_answer_question": self.short_answer,
            "numerical_question": self.numerical, "essay_question": self.essay, "matching_question": self.matching,
            "fill_in_multiple_blanks_question": self.blanks, "multiple_dropdowns_question": self.blanks,
        }
        reader = readers.get(kind)
        if reader is None:
            what = _NOT_IMPORTED.get(kind, f"a question of type {kind!r}, which lmspack does not carry" if kind
                                     else "a question without a question_type")
            self.lost.append(Lost(self.place(item.line), f"{what} {title!r}: not imported"))
            return None
        identifier = self.identifier_of(item)
        try:
            item_type, type_fields = reader(item)
            prompt = str(type_fields.pop("prompt")) if "prompt" in type_fields \
                else self.rich(item, self.prompt_html(item), inline=False, what="its text")
            if not prompt:
                raise Skipped("its text is empty")
            explanation = self.feedback_text(item, "general_fb", inline=False)
            points = self.points(item)
        except Skipped as skipped:
            self.lost.append(Lost(self.place(item.line), f"{kind} {title!r} is not imported: {skipped}"))
            return None
        for ident in item.feedback:
            if ident not in item.used:
                item.lose(f"its feedback {ident!r}, which lmspack's model does not hold", item.feedback[ident])
        self.lost += [Lost(self.place(line), what) for line, what in item.lost]
        shown_title = title if self.own or title not in ("", "Question") else ""
        return ImportedItem(identifier, item_document(identifier, item_type, shown_title, points, [], prompt,
                                                      type_fields, [], explanation))

    def identifier_of(self, item: _Item) -> str:
        """lmspack's id when the package names it; else Canvas's ident when it reads as one (not
        Canvas's own g+hex form); else the title's words; else question-<n>."""
        self.count += 1
        wanted = item.fields.get("lmspack_item_id", "")
        ident = item.element.get("ident", "")
        if not IDENTIFIER.match(wanted):
            wanted = ident if IDENTIFIER.match(ident) and not _CANVAS_IDENT.match(ident) else \
                slug(item.name, "") if item.name not in ("", "Question") else ""
        identifier = self.ids.take(wanted, f"question-{self.count}") if wanted else \
            self.ids.take(f"question-{self.count}", f"question-{self.count}")
        item.identifier = identifier
        return identifier

    def points(self, item: _Item) -> float:
        value = item.fields.get("points_possible", "1")
        try:
            points = float(value)
        except ValueError:
            self.problem(item.element, f"points_possible {value!r} is not a number")
            return 1.0
        if not 0.01 <= points <= 1000:
            item.lose(f"worth {value} points, which lmspack does not take (0.01 to 1000); imported as 1")
            return 1.0
        return points

    # -- texts --

    def prompt_html(self, item: _Item) -> etree._Element | None:
        return item.element.find(f"{QTI}presentation/{QTI}material/{QTI}mattext")

    def rich(self, item: _Item, mattext: etree._Element | None, inline: bool, what: str,
             rewrite_text: Callable[[str], str] | None = None) -> str:
        """A <mattext> as canonical text: text/html is Canvas's HTML, anything else plain text."""
        if mattext is None or not (mattext.text or "").strip():
            return ""
        value = mattext.text or ""
        if mattext.get("texttype", "text/plain") != "text/html":
            value = cleaning.plain_html(value) if not inline else _escaped(value)
        if rewrite_text is not None:
            value = rewrite_text(value)
        text = cleaning.read_html(value, inline, self.files, rewrite=_canvas_html)
        for note in text.left_out:
            item.lose(f"{what}: {note}", mattext)
        for message in text.problems:
            self.problem(mattext, f"{item.kind} {item.name!r}: {what}: {message}")
        return text.source

    def files(self, url: str) -> tuple[str | None, str | None]:
        """A file the HTML names from $IMS-CC-FILEBASE$ (Canvas's web_resources/): placed in the quiz
        folder at its path there, less the folder lmspack gives each quiz."""
        if not url.startswith(canvas_format.FILE_BASE + "/"):
            return None, None
        wanted = unquote(url[len(canvas_format.FILE_BASE) + 1:].split("?")[0].split("#")[0])
        name = f"{canvas_format.WEB_RESOURCES}/{wanted}"
        data = self.package.read(name) if self.package.has(name) else None
        if data is None:
            return None, f"the file {wanted!r}, which the text names but the package does not hold"
        own_folder = f"{self.identifier}/"
        return self.media.place(wanted[len(own_folder):] if wanted.startswith(own_folder) else wanted, data)

    def feedback_text(self, item: _Item, ident: str, inline: bool) -> str:
        block = item.feedback.get(ident)
        if block is None:
            return ""
        item.used.add(ident)
        return self.rich(item, block.find(f".//{QTI}mattext"), inline, f"its feedback {ident!r}")

    def outcome_feedback_lost(self, item: _Item) -> None:
        """correct_fb and general_incorrect_fb of a choice question: lmspack writes the combined
        feedback in the quiz's language there; any other is lost (the model has per-choice feedback only)."""
        kinds: dict[str, OutcomeKind] = {"correct_fb": "correct", "general_incorrect_fb": "incorrect"}
        for ident, kind in kinds.items():
            block = item.feedback.get(ident)
            if block is None:
                continue
            item.used.add(ident)
            written = self.rich(item, block.find(f".//{QTI}mattext"), False, ident)
            shown = plain_text(cleaning.fragment_of(written, False))
            line, what = item.entry(f"its feedback {ident!r} {_short(shown)!r} (the model has per-choice feedback "
                                    "only)", block)
            self.outcome.see(kind, shown, Lost(self.place(line), what))

    def answer_feedback(self, item: _Item, condition: etree._Element, inline: bool = True) -> str:
        for display in condition.findall(f"{QTI}displayfeedback"):
            ident = display.get("linkrefid", "")
            if ident.endswith("_fb") and ident[:-3].isdigit():
                return self.feedback_text(item, ident, inline)
        return ""

    # -- the types --

    def choices(self, item: _Item) -> tuple[str, dict[str, object]]:
        lid = item.element.find(f"{QTI}presentation/{QTI}response_lid")
        if lid is None:
            raise Skipped("it has no choices")
        labels = lid.findall(f"{QTI}render_choice/{QTI}response_label")
        scoring = _scoring_conditions(item.element)
        correct: set[str] = set()
        for condition in scoring:
            variables = condition.find(f"{QTI}conditionvar")
            if variables is None:
                continue
            for equal in variables.iter(f"{QTI}varequal"):
                if not any(parent.tag == f"{QTI}not" for parent in equal.iterancestors()):
                    correct.add((equal.text or "").strip())
        feedback_by_id = self.choice_feedback(item)
        choices: list[dict[str, object]] = []
        for label in labels:
            ident = label.get("ident", "")
            text = self.rich(item, label.find(f".//{QTI}mattext"), True, "a choice")
            if not text:
                item.lose("a choice with no text (left out)", label)
                continue
            choice: dict[str, object] = {"text": text}
            if ident in correct:
                choice["correct"] = True
            if feedback_by_id.get(ident):
                choice["feedback"] = feedback_by_id[ident]
            choices.append(choice)
        self.choice_ids(item, labels, choices)
        self.outcome_feedback_lost(item)
        right = sum(1 for choice in choices if choice.get("correct"))
        if len(choices) < 2 or not right:
            raise Skipped("it needs 2 choices or more, one of them right")
        if item.kind == "multiple_answers_question":
            if right == len(choices):
                raise Skipped("every choice is right (lmspack's multiple response needs a wrong one)")
            return "multiple_response", {"choices": choices}
        if right > 1:
            raise Skipped("more than one choice is right in a single-choice question")
        if item.kind == "true_false_question" and len(choices) == 2:
            return "true_false", {"choices": choices}
        return "single_choice", {"choices": choices}

    def choice_feedback(self, item: _Item) -> dict[str, str]:
        """Each answer's feedback, by answer ident: the conditions that show '<ident>_fb'."""
        found: dict[str, str] = {}
        for condition in item.element.findall(f"{QTI}resprocessing/{QTI}respcondition"):
            for display in condition.findall(f"{QTI}displayfeedback"):
                ident = display.get("linkrefid", "").removesuffix("_fb")
                if ident != display.get("linkrefid") and ident not in found and ident.isdigit():
                    found[ident] = self.feedback_text(item, f"{ident}_fb", inline=True)
        return found

    def choice_ids(self, item: _Item, labels: list[etree._Element], choices: list[dict[str, object]]) -> None:
        """The choices' own ids, when lmspack's package names them (else A, B, ... as lmspack gives)."""
        named = [part for part in item.fields.get("lmspack_choice_ids", "").split(",") if part]
        if len(named) == len(choices) == len(labels) and all(IDENTIFIER.match(part) for part in named) \
                and len(set(named)) == len(named) and named != [choice_letters(n) for n in range(len(named))]:
            for choice, identifier in zip(choices, named, strict=True):
                choice["id"] = identifier

    def short_answer(self, item: _Item) -> tuple[str, dict[str, object]]:
        answers: list[dict[str, object]] = []
        scoring = _scoring_conditions(item.element)
        written = [(equal.text or "").strip() for condition in scoring for equal in condition.iter(f"{QTI}varequal")]
        feedback_of = {}
        for condition in item.element.findall(f"{QTI}resprocessing/{QTI}respcondition"):
            if condition in scoring:
                continue
            equal = condition.find(f"{QTI}conditionvar/{QTI}varequal")
            if equal is not None:
                text = self.answer_feedback(item, condition)
                if text:
                    feedback_of[(equal.text or "").strip()] = text
        seen: set[str] = set()
        for text in written:
            if not text or text.casefold() in seen:
                continue
            seen.add(text.casefold())
            entry: dict[str, object] = {"text": text}
            if feedback_of.get(text):
                entry["feedback"] = feedback_of[text]
            answers.append(entry)
        if not answers:
            raise Skipped("it has no accepted answer")
        return "short_answer", self.typed_fields(item, answers)

    def numerical(self, item: _Item) -> tuple[str, dict[str, object]]:
        answers: list[dict[str, object]] = []
        intervals: list[tuple[Decimal, Decimal]] = []
        for condition in _scoring_conditions(item.element):
            variables = condition.find(f"{QTI}conditionvar")
            if variables is None:
                continue
            exact = _first_text(variables, "varequal")
            low = _first_text(variables, "vargte") or _first_text(variables, "vargt")
            high = _first_text(variables, "varlte") or _first_text(variables, "varlt")
            if variables.find(f".//{QTI}vargt") is not None or variables.find(f".//{QTI}varlt") is not None:
                item.lose("a bound that excludes its number (read as including it)", condition)
            entry = _numeric_answer(exact, low, high)
            if entry is None:
                item.lose("an answer that is not a number, a number with its margin or a range", condition)
                continue
            bounds = _bounds(exact, low, high)
            if any(earlier[0] <= bounds[0] and bounds[1] <= earlier[1] for earlier in intervals):
                item.lose("an answer whose every number an earlier one already accepts", condition)
                continue
            intervals.append(bounds)
            feedback = self.answer_feedback(item, condition)
            if feedback:
                entry["feedback"] = feedback
            answers.append(entry)
        if not answers:
            raise Skipped("it has no accepted answer")
        return "numeric", self.typed_fields(item, answers)

    def typed_fields(self, item: _Item, answers: list[dict[str, object]]) -> dict[str, object]:
        """A typed item's answers and its other_feedback (general_incorrect_fb); a right answer's
        feedback (correct_fb) is not carried: the model has each answer's own."""
        fields: dict[str, object] = {"answers": answers}
        other = self.feedback_text(item, "general_incorrect_fb", inline=True)
        if other:
            fields["other_feedback"] = other
        block = item.feedback.get("correct_fb")
        if block is not None:
            item.used.add("correct_fb")
            item.lose("its feedback for a right answer (the model has per-answer feedback only)", block)
        return fields

    def essay(self, item: _Item) -> tuple[str, dict[str, object]]:
        for ident in ("correct_fb", "general_incorrect_fb"):
            if ident in item.feedback:
                item.lose(f"its feedback {ident!r} (an essay is graded by a person)", item.feedback[ident])
                item.used.add(ident)
        return "essay", {}

    def matching(self, item: _Item) -> tuple[str, dict[str, object]]:
        lids = item.element.findall(f"{QTI}presentation/{QTI}response_lid")
        if len(lids) < 2:
            raise Skipped("it has fewer than 2 left sides")
        options = {label.get("ident", ""): (label.findtext(f".//{QTI}mattext") or "").strip()
                   for label in lids[0].findall(f"{QTI}render_choice/{QTI}response_label")}
        right_of = {(equal.get("respident") or ""): (equal.text or "").strip()
                    for condition in item.element.findall(f"{QTI}resprocessing/{QTI}respcondition")
                    for equal in condition.findall(f"{QTI}conditionvar/{QTI}varequal")}
        if not all(options.values()):
            raise Skipped("one of its matches has no text")
        pairs: list[tuple[str, str]] = []
        used: list[str] = []
        for lid in lids:
            match = right_of.get(lid.get("ident", ""))
            left = self.rich(item, lid.find(f"{QTI}material/{QTI}mattext"), True, "a left side")
            if match not in options or not left:
                item.lose(f"left side {_short(_plain(left))!r} with no right match (left out)", lid)
                continue
            pairs.append((left, match))
            used.append(match)
        if len(pairs) < 2 or len(set(used)) < len(used):
            raise Skipped("it needs 2 left sides or more, each with its own match")
        for side, sources in (("left side", [left for left, _ in pairs]),
                              ("match", [cleaning.plain_source(text, True) for text in options.values()])):
            same = repeated(sources)
            if same is not None:
                raise Skipped(f"two {side}s read {_short(same)!r} (lmspack's learners must tell them apart)")
        distractors = [ident for ident in options if ident not in used]
        if self.is_ordering(item, lids, list(options), [options[match] for _, match in pairs], distractors):
            # lmspack writes an ordering as a matching of each step with its position, graded per step
            return "ordering", {"order": [left for left, _ in pairs], "scoring": "per_position"}
        fields: dict[str, object] = {"pairs": [{"left": left, "right": cleaning.plain_source(options[match], True)}
                                               for left, match in pairs]}
        if distractors:
            fields["distractors"] = [cleaning.plain_source(options[ident], True) for ident in distractors]
        return "matching", fields

    def is_ordering(self, item: _Item, lids: list[etree._Element], option_idents: list[str], matched: list[str],
                    distractors: list[str]) -> bool:
        """Whether a matching question matches each left side with its position, 1 to N: an ordering
        as lmspack writes one (in lmspack's package: the ids it gives say so, not the words)."""
        if distractors or matched != [str(n) for n in range(1, len(matched) + 1)]:
            return False
        if "lmspack_item_id" not in item.fields:
            return True
        idents = [int(lid.get("ident", "").removeprefix("response_") or 0) if
                  lid.get("ident", "").removeprefix("response_").isdigit() else 0 for lid in lids]
        idents += [int(ident) if ident.isdigit() else 0 for ident in option_idents]
        return canvas_format.numbered(item.identifier, canvas_format.ordering_keys(len(matched))) == idents

    def blanks(self, item: _Item) -> tuple[str, dict[str, object]]:
        dropdowns = item.kind == "multiple_dropdowns_question"
        right_of = {(equal.get("respident") or ""): (equal.text or "").strip()
                    for condition in item.element.findall(f"{QTI}resprocessing/{QTI}respcondition")
                    for equal in condition.findall(f"{QTI}conditionvar/{QTI}varequal")}
        blanks: dict[str, object] = {}
        names: dict[str, str] = {}
        keys: list[str] = []
        idents: list[int] = []
        for lid in item.element.findall(f"{QTI}presentation/{QTI}response_lid"):
            canvas_name = (lid.findtext(f"{QTI}material/{QTI}mattext") or "").strip() or \
                lid.get("ident", "").removeprefix("response_")
            labels = [(label.get("ident", ""), (label.findtext(f".//{QTI}mattext") or "").strip())
                      for label in lid.findall(f"{QTI}render_choice/{QTI}response_label")]
            idents += [int(ident) if ident.isdigit() else 0 for ident, _ in labels]
            name = self.blank_name(item, canvas_name, len(labels), keys, idents, names)
            names[canvas_name] = name
            if dropdowns:
                options = [text for _, text in labels]
                right = dict(labels).get(right_of.get(lid.get("ident", ""), ""), "")
                if len(options) < 2 or len(set(options)) < len(options) or right not in options or not all(options):
                    raise Skipped(f"its drop-down {canvas_name!r} needs 2 different options or more, one right")
                blanks[name] = {"options": options, "correct": right}
            else:
                accepted = list(dict.fromkeys(text for _, text in labels if text))
                if not accepted:
                    raise Skipped(f"its blank {canvas_name!r} accepts no answer")
                blanks[name] = {"answers": accepted}
        if not blanks:
            raise Skipped("it has no blanks")

        def marked(value: str) -> str:
            for canvas_name, name in names.items():
                value = value.replace(f"[{canvas_name}]", f"[[{name}]]", 1)
            return value

        prompt = self.rich(item, self.prompt_html(item), inline=False, what="its text", rewrite_text=marked)
        missing = [name for name in blanks if f"[[{name}]]" not in prompt]
        if missing:
            raise Skipped(f"its text does not show where blank {missing[0]!r} goes")
        return "fill_in_blanks", {"prompt": prompt, "blanks": blanks}

    def blank_name(self, item: _Item, canvas_name: str, count: int, keys: list[str], idents: list[int],
                   taken: dict[str, str]) -> str:
        """The blank's name: Canvas's, when lmspack takes it (letters, digits, _; a letter first; at
        most 32), or the one lmspack's package was made from (a name starting 'response_' is
        written 'blank_...'), found by the answer ids it gives; else b1, b2, ..."""
        candidates = [canvas_name]
        renamed = re.fullmatch(r"blank[0-9]*_(response_.+)", canvas_name, re.IGNORECASE)
        if renamed:
            candidates.insert(0, renamed.group(1))
        for candidate in candidates:
            trial = keys + canvas_format.blank_keys(candidate, count)
            if BLANK_MARKER.fullmatch(f"[[{candidate}]]") and \
                    canvas_format.numbered(item.identifier, trial) == idents:
                keys[:] = trial
                return candidate
        keys += canvas_format.blank_keys(canvas_name, count)
        if BLANK_MARKER.fullmatch(f"[[{canvas_name}]]") and canvas_name not in taken.values():
            return canvas_name
        return f"b{len(taken) + 1}"


def _canvas_html(tree: etree._Element, text: cleaning.Text) -> None:
    """What only Canvas writes, as the loader reads it: a block's outer <div> (Canvas wraps every
    block in one), equation images as formulas."""
    if len(tree) == 1 and tree[0].tag == "div" and not (tree.text or "").strip() \
            and not (tree[0].tail or "").strip():
        outer = tree[0]
        tree.text, tree[:] = outer.text, list(outer)
    for image in list(tree.iter("img")):
        tex = _equation_tex(image)
        if tex is None:
            continue
        if cleaning.formula_problem(tex, False) is not None:
            text.note(f"the equation {tex!r}, which lmspack's TeX converter cannot read (its image left out, its TeX "
                      "kept as text)")
            node: etree._Element | None = None
        else:
            node = cleaning.tex_node(tex, False)
        parent = image.getparent()
        assert parent is not None
        if node is None:
            previous = image.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + tex + (image.tail or "")
            else:
                parent.text = (parent.text or "") + tex + (image.tail or "")
            parent.remove(image)
        else:
            node.tail = image.tail
            image.addprevious(node)
            parent.remove(image)


def _equation_tex(image: etree._Element) -> str | None:
    """The TeX of a Canvas equation image: data-equation-content, else its /equation_images/ URL
    (the TeX URL-encoded twice), else None (not an equation image)."""
    if image.get("data-equation-content"):
        return image.get("data-equation-content", "").strip()
    src = image.get("src", "")
    found = re.search(r"/equation_images/([^?#]+)", src)
    if found and ("equation_image" in image.get("class", "") or src.startswith("/equation_images/")):
        return unquote(unquote(found.group(1))).strip()
    return None


def _fields(metadata: etree._Element | None) -> dict[str, str]:
    if metadata is None:
        return {}
    return {(field_element.findtext(f"{QTI}fieldlabel") or "").strip():
            (field_element.findtext(f"{QTI}fieldentry") or "").strip()
            for field_element in metadata.findall(f"{QTI}qtimetadatafield")}


def _scoring_conditions(element: etree._Element) -> list[etree._Element]:
    """The conditions that set the score to 100 (Canvas's way of saying an answer is right)."""
    return [condition for condition in element.findall(f"{QTI}resprocessing/{QTI}respcondition")
            if any(setvar.get("action", "Set") == "Set" and _is_hundred(setvar.text)
                   for setvar in condition.findall(f"{QTI}setvar"))]


def _is_hundred(value: str | None) -> bool:
    try:
        return float((value or "").strip()) == 100
    except ValueError:
        return False


def _first_text(element: etree._Element, name: str) -> str | None:
    found = element.find(f".//{QTI}{name}")
    return None if found is None else (found.text or "").strip()


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def _bounds(exact: str | None, low: str | None, high: str | None) -> tuple[Decimal, Decimal]:
    values = [value for value in (_decimal(low), _decimal(high), _decimal(exact)) if value is not None]
    return min(values), max(values)


def _numeric_answer(exact: str | None, low: str | None, high: str | None) -> dict[str, object] | None:
    """A numerical answer as the canonical file writes it, such that lmspack writes the same numbers
    back: an exact answer with its margin (absolute, else the percent that gives these bounds), or
    a range."""
    value, lowest, highest = _decimal(exact), _decimal(low), _decimal(high)
    if value is None:
        if lowest is None or highest is None or lowest > highest:
            return None
        return {"range": [number(float(lowest)), number(float(highest))]}
    if not value.is_finite() or abs(value) > 10**15:
        return None
    if lowest is None or highest is None:
        return {"value": number(float(value))}
    written = (canvas_format._decimal(float(lowest)), canvas_format._decimal(float(highest)))
    candidates: list[dict[str, object]] = []
    for margin in (highest - value, value - lowest):
        if margin >= 0:
            candidates.append({"value": number(float(value)), "tolerance": number(float(margin))})
    if value:
        percent = (highest - value) / abs(value) * 100
        candidates.append({"value": number(float(value)), "tolerance": f"{number(float(percent))}%"})
    for candidate in candidates:
        tolerance = str(candidate["tolerance"])
        answer = NumericAnswer(float(value), float(tolerance.rstrip("%")), tolerance.endswith("%"), None, 100, None)
        if tuple(canvas_format._decimal(bound) for bound in answer.bounds) == written:
            return candidate if float(tolerance.rstrip("%")) else {"value": candidate["value"]}
    return candidates[0] if candidates else {"value": number(float(value))}


def _plain(value: str) -> str:
    return plain_text(cleaning.fragment_of(value, True)) if value else ""


def _escaped(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."


def _by_place(lost: Lost) -> tuple[str, int, str]:
    where, _, line = lost.place.rpartition(":")
    return (where, int(line) if line.isdigit() else 0, lost.what)
