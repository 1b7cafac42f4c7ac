"""QTI 2.1 content packages, lmspack's and other tools' (TAO, Onyx, QTIWorks, the IMS examples...):
a zip, an unzipped folder, or one assessmentItem or assessmentTest file (with the files it names
beside it). A package with an assessmentTest gives one quiz per test; without one, one quiz of
every item, in the manifest's order (or the files' names, when there is no manifest either).

What lmspack's model holds is carried: choices (single, multiple, true/false), typed answers
(short answer, number), essays, matching, ordering and blanks (typed, drop-down and number blanks
standing in the text), per-choice feedback (feedbackInline, or a modalFeedback named by the
choice), per-answer feedback and the feedback for any other answer, hints (an endAttemptInteraction
showing a modalFeedback), the explanation, points, shuffling, the test's time limit, attempts,
feedback timing, pass mark and sections (pools), images, audio and video (copied into the quiz
folder), and formulas (MathML, written back as ``$TeX$`` from its TeX annotation). Everything
else is listed as not carried, at its place: other interactions, items made of several
interactions, template and adaptive items, feedback the model has no place for, response
processing other than QTI's templates and lmspack's own (the item is then scored by lmspack's
rules from its correct response and mapping, which the entry says), formulas without TeX...

A package lmspack made (``toolName`` lmspack) is read exactly: building the imported quiz gives
the same package, byte for byte, and the same file name (the version is read from the file name
``<quiz>[-<cohort>]-<version>-qti21.zip``; a cohort's package gives a quiz with that cohort).
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from lxml import etree
from markupsafe import Markup

from builder import formulas, markup, media
from builder.checking import QTI21, QTI21_TYPES
from builder.errors import InputError, escaped
from builder.formats.qti21 import (
    EXPLANATION_ID,
    MEDIA_FOLDER,
    TOOL_NAME,
)
from builder.importing import ImportedItem, ImportedQuiz, Lost
from builder.importing.canonical_text import MATH, source_text, tex_of
from builder.importing.documents import (
    credit_earning,
    default_title,
    safe_identifier,
    shortest,
    with_field,
    with_tolerance,
)
from builder.importing.documents import number as yaml_number
from builder.importing.package_files import Document, Package, folder_of, member, opened
from builder.loading import COHORT_NAME, IDENTIFIER, VERSION, reserved_use
from builder.model import MEDIA_REFERENCE, choice_letters
from builder.scoring import credit_points, format_number

SOURCE_FORMAT = "QTI 2.1 content packages (a zip, an unzipped folder, or an assessmentItem or assessmentTest file)"

Q = f"{{{QTI21}}}"
MANIFEST = "imsmanifest.xml"
ITEM_TYPE, TEST_TYPE = "imsqti_item_xmlv2p1", "imsqti_test_xmlv2p1"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"
# What an interaction's reader tells the item's beside its fields: its own shuffle (gathered into the
# quiz's shuffle_choices), and the number of its parts and lmspack's share of the points for each.
SHUFFLE, PARTS, SHARE = "_shuffle", "_parts", "_share"
PACKAGE_NAME = re.compile(r"(?P<stem>.+)-qti21\.zip\Z")
# The interactions that stand as blocks of an item's body, and those that stand in its text.
BLOCK_INTERACTIONS = frozenset({"choiceInteraction", "orderInteraction", "matchInteraction", "extendedTextInteraction",
                                "associateInteraction", "gapMatchInteraction", "hotspotInteraction",
                                "hottextInteraction", "sliderInteraction", "graphicOrderInteraction",
                                "graphicAssociateInteraction", "graphicGapMatchInteraction",
                                "selectPointInteraction", "positionObjectStage", "positionObjectInteraction",
                                "uploadInteraction", "drawingInteraction", "mediaInteraction", "customInteraction"})
INLINE_INTERACTIONS = frozenset({"textEntryInteraction", "inlineChoiceInteraction"})
# What other tools put on their markup for layout and styling hooks only: not listed when left out,
# nor are the blocks a text may break at (where another tool's pretty-printing is trimmed).
LAYOUT_ATTRIBUTES = frozenset({"class", "id", "label", "dir", "{http://www.w3.org/XML/1998/namespace}lang",
                               "{http://www.w3.org/XML/1998/namespace}base"})
BLOCKS = frozenset({"p", "li", "td", "th", "dt", "dd", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                    "div"})


def recognises(path: Path, head: bytes) -> bool:
    """A zip or folder whose manifest lists QTI 2.1 resources (or, without a manifest, that holds a
    QTI 2.1 test or item), an imsmanifest.xml of one, or a QTI 2.1 item or test file."""
    if path.is_dir() or head.startswith(b"PK"):
        try:
            with opened(path) as package:
                return _holds_qti21(package)
        except OSError:
            return False
    if path.name.lower() == MANIFEST:
        return recognises(path.parent, b"")
    return QTI21.encode() in head and (b"assessmentItem" in head or b"assessmentTest" in head)


def _holds_qti21(package: Package) -> bool:
    """Whether the package's manifest lists QTI 2.1 resources, or it has no (readable) manifest and
    holds a QTI 2.1 test or item."""
    if package.has(MANIFEST):
        document = package.document(MANIFEST)
        if document is not None:
            return any(resource.get("type") in QTI21_TYPES for resource in document.root.iter()
                       if _local(resource) == "resource")
        # A manifest that does not parse: a QTI 2.1 package still, when it holds QTI 2.1 files (the
        # import then says where the manifest breaks).
    for name in package.names:
        if name.lower().endswith(".xml"):
            data = package.read(name) or b""
            if QTI21.encode() in data[:4096] and (b"assessmentTest" in data[:4096] or b"assessmentItem" in data[:4096]):
                return True
    return False


def read(path: Path) -> list[ImportedQuiz]:
    if path.name.lower() == MANIFEST and path.is_file():
        path = path.parent
    with opened(path) as package:
        quizzes = _Reader(package).quizzes()
    if package.problems:
        raise InputError(package.problems)
    return quizzes


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _number(text: str | None) -> float | None:
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass
class _Media:
    """The files the quiz's texts show: quiz-folder path -> bytes, and package member -> that path."""

    files: dict[str, bytes] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)


class _Reader:
    def __init__(self, package: Package) -> None:
        self.package = package
        self.lost: list[Lost] = []
        self.own = False
        self.tested: set[str] = set()
        """The items the quizzes read so far name (package members)."""

    def lose(self, place: str, what: str) -> None:
        entry = Lost(place, what)
        if entry not in self.lost:
            self.lost.append(entry)

    def quizzes(self) -> list[ImportedQuiz]:
        package = self.package
        if package.beside is not None:
            return self._from_files([package.beside])
        if package.has(MANIFEST):
            return self._from_manifest()
        if not package.problems:
            xml = [name for name in package.names if name.lower().endswith(".xml")]
            if not xml:
                package.problem(package.display(MANIFEST), "no imsmanifest.xml, and no QTI 2.1 file in the package")
            return self._from_files(xml)
        return []

    # --- the package's structure -------------------------------------------------------------

    def _from_manifest(self) -> list[ImportedQuiz]:
        manifest = self.package.document(MANIFEST)
        if manifest is None:
            return []
        resources = [element for element in manifest.root.iter() if _local(element) == "resource"]
        self.own = any((element.text or "").strip() == TOOL_NAME for element in manifest.root.iter()
                       if _local(element) == "toolName")
        tests: list[str] = []
        items: list[str] = []
        for resource in resources:
            kind = resource.get("type")
            if kind not in (ITEM_TYPE, TEST_TYPE):
                continue
            href = resource.get("href") or ""
            name = member(folder_of(MANIFEST), href)
            if name is None:
                self.package.problem(manifest.place(resource), f"resource href {href!r} is not a file of the package")
            elif not self.package.has(name):
                self.package.problem(manifest.place(resource), f"resource href {href!r} names a file the package "
                                                               "does not hold")
            else:
                (tests if kind == TEST_TYPE else items).append(name)
        title, description = _manifest_texts(manifest.root)
        if not tests:
            return [self._quiz(None, items, title, description)] if items else []
        quizzes = [quiz for name in tests for quiz in self._test(name, title, description)]
        for resource in resources:  # what no test names would be left behind
            name = member("", resource.get("href") or "")
            if resource.get("type") == ITEM_TYPE and name in items and name not in self.tested and quizzes:
                quizzes[0].lost.append(Lost(manifest.place(resource), f"item {name!r}, in no test of the package"))
        return quizzes

    def _from_files(self, names: list[str]) -> list[ImportedQuiz]:
        tests, items = [], []
        for name in names:
            document = self.package.document(name)
            if document is None:
                continue
            root = document.root
            if root.tag == f"{Q}assessmentTest":
                tests.append(name)
            elif root.tag == f"{Q}assessmentItem":
                items.append(name)
            elif self.package.beside is not None:
                self.package.problem(document.place(root), f"root element {etree.QName(root).text} is not a QTI 2.1 "
                                                           "assessmentItem or assessmentTest")
        if tests:
            return [quiz for name in tests for quiz in self._test(name, None, "")]
        return [self._quiz(None, sorted(items), None, "")] if items else []

    def _test(self, name: str, title: str | None, description: str) -> list[ImportedQuiz]:
        document = self.package.document(name)
        if document is None:
            return []
        if document.root.tag != f"{Q}assessmentTest":
            self.package.problem(document.place(document.root), "this test resource is not a QTI 2.1 assessmentTest")
            return []
        self.own = self.own or document.root.get("toolName") == TOOL_NAME
        return [self._quiz(document, [], title, description)]

    # --- one quiz ----------------------------------------------------------------------------

    def _quiz(self, test: Document | None, item_names: list[str], title: str | None,
              description: str) -> ImportedQuiz:
        self.lost = []
        settings = _TestSettings.read(self, test) if test is not None else _TestSettings.none()
        names = list(dict.fromkeys(ref.name for ref in settings.refs)) if test is not None else item_names
        self.tested.update(names)
        if self.own and test is not None:  # lmspack's quiz order is the manifest's (the test lists pools first)
            rank = {name: n for n, name in enumerate(self._manifest_order())}
            names.sort(key=lambda name: rank.get(name, len(rank)))
        media_files = _Media()
        items: list[ImportedItem] = []
        ids: dict[str, str] = {}  # package member -> item id
        languages: list[str] = []
        for name in names:
            item_document = self.package.document(name)
            if item_document is None:
                continue
            reader = _ItemReader(self, name, item_document, media_files, list(ids.values()), settings.cohort)
            item = reader.item()
            if item is not None:
                items.append(item)
                ids[name] = item.identifier
                languages.append(reader.language)
        identifier, quiz_title = self._quiz_identity(test, settings, title)
        if identifier.casefold() in {item_id.casefold() for item_id in ids.values()}:
            identifier = safe_identifier(f"{identifier}-quiz", "quiz", ids.values())
        language = next((language for language in languages if language), "en")
        document: dict[str, object] = {"identifier": identifier, "title": quiz_title,
                                       "version": self._version(settings.package_id)}
        if description:
            document["description"] = description
        if language != "en":
            document["language"] = language
        document |= settings.document(self, ids, self._shuffle_choices(test, items))
        document["items"] = list(ids.values())
        sizes = [len(data) for data in media_files.files.values()]
        limits = media.MediaLimits()
        if sizes and (max(sizes) > limits.file_bytes or sum(sizes) > limits.total_bytes):
            document["media"] = {"max_file_mb": max(10, math.ceil(max(sizes) / 2**20)),
                                 "max_total_mb": max(50, math.ceil(sum(sizes) / 2**20))}
        if settings.cohort:
            document["cohorts"] = {settings.cohort: {}}
        if not items and not self.package.problems:
            for lost in self.lost:  # with nothing to write, what was not carried is the whole answer
                self.package.problem(lost.place, f"not carried: {lost.what}")
            self.package.problem(test.display if test is not None else escaped(str(self.package.path)),
                                 "no item of this source can be carried" + (" (each is listed)" if self.lost else ""))
        return ImportedQuiz(identifier, document, items, media_files.files, list(self.lost))

    def _shuffle_choices(self, test: Document | None, items: list[ImportedItem]) -> bool:
        """Whether the quiz shuffles choices: when any item that can shuffle its choices does. A
        choice or drop-down item that does not then keeps its order (shuffle_choices: false); a
        matching item cannot."""
        shuffles = {item.identifier: item.document.pop(SHUFFLE) for item in items if SHUFFLE in item.document}
        shuffled = any(shuffles.values())
        kept = [item for item in items if shuffles.get(item.identifier) is False] if shuffled else []
        for item in kept:
            if item.document["type"] == "matching":
                self.lose(test.place(test.root) if test is not None else escaped(str(self.package.path)),
                          f"item {item.identifier}'s options in their own order; a matching item's are shuffled "
                          "when the quiz's shuffle_choices is on")
            else:
                item.document = with_field(item.document, "shuffle_choices", False)
        return shuffled

    def _manifest_order(self) -> list[str]:
        """The items in the order of the manifest's resources."""
        manifest = self.package.document(MANIFEST) if self.package.has(MANIFEST) else None
        if manifest is None:
            return []
        return [name for resource in manifest.root.iter() if _local(resource) == "resource"
                and resource.get("type") == ITEM_TYPE and (name := member("", resource.get("href") or ""))]

    def _quiz_identity(self, test: Document | None, settings: _TestSettings, title: str | None) -> tuple[str, str]:
        stem = PACKAGE_NAME.match(self.package.path.name)
        fallback = (stem.group("stem") if stem else self.package.path.stem) or "imported"
        raw = settings.package_id or fallback
        if settings.cohort:
            raw = raw[: -len(settings.cohort) - 1]
        identifier = safe_identifier(raw, "quiz")
        if identifier != raw and test is not None:
            self.lose(test.place(test.root), f"identifier {raw!r} is written as {identifier!r}")
        quiz_title = settings.title or title or fallback
        return identifier, quiz_title.strip()[:200] or identifier

    def _version(self, package_id: str | None) -> str:
        """The version in lmspack's file name ``<quiz>[-<cohort>]-<version>-qti21.zip``, else 1.0.0."""
        stem = PACKAGE_NAME.match(self.package.path.name)
        if stem and package_id and stem.group("stem").startswith(package_id + "-"):
            version = stem.group("stem")[len(package_id) + 1:]
            if VERSION.match(version):
                return version
        return "1.0.0"


def _manifest_texts(root: etree._Element) -> tuple[str | None, str]:
    """The package's title and description from the manifest's own metadata."""
    metadata = next((child for child in root if _local(child) == "metadata"), None)
    if metadata is None:
        return None, ""

    def text(name: str) -> str:
        found = next((element for element in metadata.iter() if _local(element) == name), None)
        strings = [element for element in found.iter() if _local(element) in ("langstring", "string")] \
            if found is not None else []
        return (strings[0].text or "").strip() if strings else ""

    return text("title") or None, text("description")


@dataclass
class _Ref:
    name: str
    identifier: str
    weight: float | None


@dataclass
class _Section:
    identifier: str
    title: str
    select: int | None
    item_names: list[str]


@dataclass
class _TestSettings:
    """What a test says of delivery: lmspack's settings, its sections and the items it names."""

    package_id: str | None
    title: str | None
    refs: list[_Ref]
    sections: list[_Section]
    pass_mark: float | None = None
    attempts: int | None = None
    time_limit: int | None = None
    shuffle_items: bool = False
    feedback: str = "immediately"
    show_correct_answers: bool = True
    navigation: str | None = None
    cohort: str | None = None

    @classmethod
    def none(cls) -> _TestSettings:
        return cls(None, None, [], [])

    @classmethod
    def read(cls, reader: _Reader, test: Document) -> _TestSettings:
        root = test.root
        base = folder_of(test.name)
        settings = cls(root.get("identifier"), root.get("title"), [], [])
        settings._read_time(reader, test)
        parts = list(root.iter(f"{Q}testPart"))
        for part in parts[1:]:
            reader.lose(test.place(part), "a second testPart: its items are read into the one quiz, its own "
                                          "navigation and submission are not carried")
        if parts:
            part = parts[0]
            mode = part.get("submissionMode", "individual")
            control = part.find(f"{Q}itemSessionControl")
            show = control is not None and control.get("showFeedback", "false") == "true"
            settings.feedback = "immediately" if mode == "individual" else "after_submit" if show else "never"
            # lmspack writes linear only when quiz.yaml says so; nonlinear is a QTI player's default.
            if part.get("navigationMode") == "linear":
                settings.navigation = "linear"
            if show and control is not None and control.get("showSolution", "false") != "true":
                settings.show_correct_answers = False
            if control is not None:
                attempts = int(_number(control.get("maxAttempts")) or 0)
                settings.attempts = attempts if 1 <= attempts <= 100 else None
        for section in root.iter(f"{Q}assessmentSection"):
            parent = section.getparent()
            if parent is not None and _local(parent) == "assessmentSection":
                reader.lose(test.place(section), "a section inside a section: its items are read, its own "
                                                 "selection and ordering are not")
                continue
            settings._read_section(reader, test, section, base)
        for rule in ("branchRule", "preCondition", "timeLimits"):
            for element in root.iter(f"{Q}{rule}"):
                if rule == "timeLimits" and element.getparent() is root:
                    continue
                reader.lose(test.place(element), f"<{rule}> (lmspack's quizzes have no {rule} of this kind)")
        settings.pass_mark = _pass_mark(root)
        if settings.pass_mark is None and not reader.own:
            reader.lose(test.place(root), "no pass mark lmspack can read (its outcome processing is its own); "
                                          "pass_mark 80 is written: set yours")
        settings._find_cohort(reader)
        return settings

    def _read_time(self, reader: _Reader, test: Document) -> None:
        limits = test.root.find(f"{Q}timeLimits")
        seconds = _number(limits.get("maxTime")) if limits is not None else None
        if seconds is None or seconds <= 0 or limits is None:
            return
        minutes = math.ceil(seconds / 60)
        if minutes * 60 != seconds:
            reader.lose(test.place(limits), f"time limit of {format_number(seconds)} seconds: lmspack's is in whole "
                                            f"minutes, written as {minutes}")
        self.time_limit = min(minutes, 24 * 60)

    def _read_section(self, reader: _Reader, test: Document, section: etree._Element, base: str) -> None:
        selection = section.find(f"{Q}selection")
        select = int(_number(selection.get("select")) or 0) if selection is not None else None
        if selection is not None and selection.get("withReplacement") == "true":
            reader.lose(test.place(selection), "selection with replacement (lmspack draws each item at most once)")
        ordering = section.find(f"{Q}ordering")
        if ordering is not None and ordering.get("shuffle") == "true":
            self.shuffle_items = True
        names = []
        for ref in section.iter(f"{Q}assessmentItemRef"):
            href = ref.get("href") or ""
            name = member(base, href)
            if name is None or not reader.package.has(name):
                reader.package.problem(test.place(ref), f"assessmentItemRef href {href!r} names no file of the package")
                continue
            weight = ref.find(f"{Q}weight")
            self.refs.append(_Ref(name, ref.get("identifier") or "", _number(weight.get("value"))
                                  if weight is not None else None))
            names.append(name)
        for ref in section.iter(f"{Q}assessmentSectionRef"):
            reader.lose(test.place(ref), "a section in a file of its own (assessmentSectionRef) is not read")
        self.sections.append(_Section(section.get("identifier") or "", section.get("title") or "",
                                      select if select else None, names))

    def _find_cohort(self, reader: _Reader) -> None:
        """A cohort's package (lmspack's): the test and every item ref end in -<cohort> (its title
        is the cohort's own or the quiz's, and tells nothing); the longest such ending."""
        identifiers = [self.package_id or "", *(ref.identifier for ref in self.refs)]
        if not reader.own or not self.refs:
            return
        first = identifiers[0]
        endings = [first[at + 1:] for at in range(len(first)) if first[at] == "-"]
        self.cohort = next((ending for ending in endings if COHORT_NAME.match(ending)
                            and all(identifier.endswith("-" + ending) for identifier in identifiers)), None)

    def document(self, reader: _Reader, item_ids: dict[str, str], shuffle_choices: bool) -> dict[str, object]:
        """quiz.yaml's settings (those not at their default) and its draw or sections."""
        written: dict[str, object] = {"pass_mark": yaml_number(self.pass_mark if self.pass_mark is not None
                                                                else 80.0)}
        for name, value, default in (("attempts", self.attempts, None), ("time_limit", self.time_limit, None),
                                     ("shuffle_items", self.shuffle_items, False),
                                     ("shuffle_choices", shuffle_choices, False),
                                     ("feedback", self.feedback, "immediately"),
                                     ("show_correct_answers", self.show_correct_answers, True),
                                     ("navigation", self.navigation, None)):
            if value != default:
                written[name] = value
        return written | self._pools(reader, item_ids)

    def _pools(self, reader: _Reader, item_ids: dict[str, str]) -> dict[str, object]:
        title = self.title or ""
        sections = [section for section in self.sections
                    if [item_ids[name] for name in section.item_names if name in item_ids]]
        if not sections:
            return {}
        last = sections[-1]
        if last.select is None and last.title == title and last.identifier in ("section-unpooled", "section-all"):
            sections = sections[:-1]  # lmspack's section of the items no pool names
        if not sections:
            return {}
        if not reader.own and len(sections) == 1 and sections[0].select is None:
            return {}
        if len(sections) == 1 and sections[0].identifier == "section-main" and sections[0].title == title \
                and sections[0].select is not None and len(sections[0].item_names) == len(item_ids):
            return {"draw": sections[0].select}
        pools = []
        seen: list[str] = []
        for section in sections:
            raw = section.identifier[len("section-"):] if reader.own else section.identifier
            identifier = safe_identifier(raw, "section", seen)
            seen.append(identifier)
            pool: dict[str, object] = {"id": identifier}
            if section.title and section.title != identifier:
                pool["title"] = section.title
            pool["items"] = [item_ids[name] for name in section.item_names if name in item_ids]
            if section.select:
                pool["select"] = min(section.select, len(pool["items"]))  # type: ignore[arg-type]
            pools.append(pool)
        if not reader.own and all(section.select is None for section in sections):
            return {}  # sections without draws only group items: the quiz's order holds them
        return {"sections": pools}


def _pass_mark(test: etree._Element) -> float | None:
    """lmspack's pass rule: PASS is SCORE >= MAXSCORE * fraction; the shortest percent that writes
    the same fraction (format_number, 7 decimals)."""
    setting = next((element for element in test.iter(f"{Q}setOutcomeValue") if element.get("identifier") == "PASS"),
                   None)
    value = next((element for element in setting.iter(f"{Q}baseValue") if element.get("baseType") == "float"),
                 None) if setting is not None else None
    written = (value.text or "").strip() if value is not None else ""
    fraction = _number(written)
    if fraction is None:
        return None
    return shortest(fraction * 100, lambda mark: format_number(mark / 100) == written, 0, 100)


# --- items ---------------------------------------------------------------------------------------


class _ItemReader:
    """One assessmentItem as an item file's mapping (``item``), or None when it cannot be carried."""

    def __init__(self, reader: _Reader, name: str, document: Document, media_files: _Media,
                 taken: list[str], cohort: str | None) -> None:
        self.reader = reader
        self.own = reader.own
        self.name = name
        self.document = document
        self.root = document.root
        self.folder = folder_of(name)
        self.media = media_files
        self.taken = taken
        self.cohort = cohort
        self.language = (self.root.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip()
        self.feedback = {element.get("identifier") or "": element for element in self.root.iter(f"{Q}modalFeedback")}
        self.used_feedback: set[str] = set()
        self.responses = {element.get("identifier") or "": element
                          for element in self.root.iter(f"{Q}responseDeclaration")}
        self.processing = self.root.find(f"{Q}responseProcessing")
        self.skip: set[etree._Element] = set()
        self.blank_names: dict[etree._Element, str] = {}

    def lose(self, element: etree._Element, what: str) -> None:
        self.reader.lose(self.document.place(element), what)

    def item(self) -> ImportedItem | None:
        root = self.root
        if root.tag != f"{Q}assessmentItem":
            self.reader.package.problem(self.document.place(root), f"root element {etree.QName(root).text} is not a "
                                                                   "QTI 2.1 assessmentItem")
            return None
        identifier = self._identifier()
        for tag, why in (("templateDeclaration", "a template item (its values are drawn at random)"),
                         ("templateProcessing", "a template item (its values are drawn at random)")):
            found = root.find(f"{Q}{tag}")
            if found is not None:
                self.lose(found, f"{why}: item {identifier!r} is not carried")
                return None
        if root.get("adaptive") == "true":
            self.lose(root, f"an adaptive item (answered in several steps): item {identifier!r} is not carried")
            return None
        body = root.find(f"{Q}itemBody")
        if body is None:
            self.lose(root, f"no itemBody: item {identifier!r} is not carried")
            return None
        document: dict[str, object] = {"id": identifier}
        fields = self._interaction(body, identifier)
        if fields is None:
            return None
        points = self._points(fields.pop(PARTS, 0), fields.pop(SHARE, None))
        hints = self._hints(body)
        prompt = self._prompt(body, identifier)
        if prompt is None:
            return None
        document["type"] = fields.pop("type")
        title = (root.get("title") or "").strip()
        if title and title != default_title(prompt, identifier):
            document["title"] = title[:200]
        if points != 1:
            document["points"] = yaml_number(points)
        document["prompt"] = prompt
        document |= fields
        if hints:
            document["hints"] = hints
        explanation = self._explanation()
        if explanation:
            document["explanation"] = explanation
        for key, feedback in self.feedback.items():
            if key not in self.used_feedback:
                self.lose(feedback, f"feedback {key!r} of item {identifier!r} (shown as its response processing "
                                    "decides; lmspack's items have per-choice, per-answer and general feedback)")
        ordered = {key: document[key] for key in ("id", "type", "title", "points", "prompt") if key in document}
        return ImportedItem(identifier, ordered | document)

    def _identifier(self) -> str:
        raw = self.root.get("identifier") or posixpath.splitext(posixpath.basename(self.name))[0]
        if self.cohort and raw.endswith("-" + self.cohort):
            raw = raw[: -len(self.cohort) - 1]
        identifier = safe_identifier(raw, "item", self.taken)
        if identifier != raw:
            self.lose(self.root, f"identifier {raw!r} is written as {identifier!r}")
        return identifier

    # --- points ------------------------------------------------------------------------------

    def _points(self, parts: object, share: object) -> float:
        """MAXSCORE, else 1; for lmspack's parts (pairs, steps, blanks), the points whose share of each
        part is exactly the one written (MAXSCORE has 7 decimals)."""
        value = _number(self._maxscore_text())
        if value is None or value <= 0:
            return 1.0
        each = _number(share) if isinstance(share, str) else None
        if isinstance(parts, int) and parts and each is not None and value / parts != each:
            candidate = each * parts
            if candidate / parts == each and format_number(candidate) == format_number(value):
                value = candidate
        return min(max(value, 0.01), 1000.0)

    def _maxscore_text(self) -> str | None:
        for declaration in self.root.iter(f"{Q}outcomeDeclaration"):
            if declaration.get("identifier") == "MAXSCORE":
                value = declaration.find(f"{Q}defaultValue/{Q}value")
                if value is not None:
                    return (value.text or "").strip()
        return None

    # --- the interaction ---------------------------------------------------------------------

    def _interaction(self, body: etree._Element, identifier: str) -> dict[str, object] | None:
        interactions = [element for element in body.iter() if _local(element) in BLOCK_INTERACTIONS
                        or _local(element) in INLINE_INTERACTIONS]
        blocks = [element for element in interactions if _local(element) in BLOCK_INTERACTIONS]
        inline = [element for element in interactions if _local(element) in INLINE_INTERACTIONS]
        unsupported = [element for element in blocks if _local(element) not in
                       ("choiceInteraction", "orderInteraction", "matchInteraction", "extendedTextInteraction")]
        if unsupported:
            kind = _local(unsupported[0])
            self.lose(unsupported[0], f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} (not an interaction lmspack "
                                     f"carries): item {identifier!r} is not carried")
            return None
        if len(blocks) > 1 or (blocks and inline):
            self.lose(interactions[1], f"item {identifier!r} holds {len(interactions)} interactions; lmspack's items "
                                       "have one (or blanks in the text): it is not carried")
            return None
        if not interactions:
            self.lose(body, f"item {identifier!r} has no interaction lmspack carries: it is not carried")
            return None
        self.skip.update(interactions)
        if blocks:
            element = blocks[0]
            readers: dict[str, Callable[[etree._Element], dict[str, object] | None]] = {
                "choiceInteraction": self._choice, "orderInteraction": self._order,
                "matchInteraction": self._match, "extendedTextInteraction": self._essay}
            return readers[_local(element)](element)
        if len(inline) == 1 and _local(inline[0]) == "textEntryInteraction" and self._stands_alone(inline[0]):
            return self._typed(inline[0])
        return self._blanks(inline)

    def _stands_alone(self, entry: etree._Element) -> bool:
        """A text box of its own (lmspack's short answer or number: a paragraph of class answer), not a
        blank in a sentence."""
        parent = entry.getparent()
        if parent is None:
            return False
        if self.own:
            return parent.get("class") == "answer"
        text = (parent.text or "") + "".join((child.tail or "") + ("" if child is entry else "".join(child.itertext()))
                                             for child in parent)
        return not text.strip()

    def _response(self, interaction: etree._Element) -> etree._Element | None:
        identifier = interaction.get("responseIdentifier") or ""
        declaration = self.responses.get(identifier)
        if declaration is None:
            self.lose(interaction, f"its response {identifier!r} is not declared")
        return declaration

    def _correct(self, declaration: etree._Element) -> list[str]:
        return [(value.text or "").strip() for value in declaration.iterfind(f"{Q}correctResponse/{Q}value")]

    def _mapping(self, declaration: etree._Element) -> list[tuple[str, float, bool]]:
        return [(entry.get("mapKey") or "", _number(entry.get("mappedValue")) or 0.0,
                 entry.get("caseSensitive", "true" if not self.own else "false") == "true")
                for entry in declaration.iterfind(f"{Q}mapping/{Q}mapEntry")]

    def _processing_kind(self) -> str:
        """'own' (lmspack's), 'match_correct', 'map_response', or 'other'."""
        if self.processing is None:
            return "none"
        template = self.processing.get("template") or self.processing.get("templateLocation") or ""
        for kind in ("match_correct", "map_response_point", "map_response"):
            if template.startswith(TEMPLATES + kind) or template.endswith(f"/{kind}") or \
                    template.endswith(f"/{kind}.xml"):
                return kind
        return "own" if self.own else "other"

    def _note_processing(self, what: str) -> None:
        kind = self._processing_kind()
        if kind in ("other", "map_response_point") and self.processing is not None:
            self.lose(self.processing, f"its response processing is not read: the item is scored by lmspack's rules "
                                       f"({what})")

    def _inline_text(self, element: etree._Element) -> str:
        return self._text(element, block=False) or ""

    # choices ----------------------------------------------------------------------------------

    def _choice(self, interaction: etree._Element) -> dict[str, object] | None:
        declaration = self._response(interaction)
        if declaration is None:
            return None
        multiple = declaration.get("cardinality") in ("multiple", "ordered")
        correct = set(self._correct(declaration))
        weights = {key: value for key, value, _ in self._mapping(declaration)}
        choices: list[dict[str, object]] = []
        ids: list[str] = []
        elements = list(interaction.iterfind(f"{Q}simpleChoice"))
        for index, element in enumerate(elements):
            raw = element.get("identifier") or ""
            choice_id = raw if IDENTIFIER.match(raw) and not reserved_use(raw, "choice") and raw not in ids else \
                safe_identifier(raw, "choice", ids)
            ids.append(choice_id)
            text_element = element[0] if self.own and len(element) and _local(element[0]) == "span" else element
            inline_feedback = element.find(f"{Q}feedbackInline")
            if inline_feedback is not None:
                self.skip.add(inline_feedback)
            choice: dict[str, object] = {}
            if choice_id != choice_letters(index):
                choice["id"] = choice_id
            choice["text"] = self._inline_text(text_element) or choice_id
            if raw in correct:
                choice["correct"] = True
            feedback = self._choice_feedback(raw, inline_feedback)
            if feedback:
                choice["feedback"] = feedback
            if element.get("fixed") == "true":
                choice["fixed"] = True
            choices.append(choice)
        if len(choices) < 2 or not correct & {element.get("identifier") for element in elements}:
            self.lose(interaction, "a choice interaction with fewer than 2 choices or no correct choice: the item is "
                                   "not carried")
            return None
        kind = "multiple_response" if multiple else "single_choice"
        if not multiple and len(choices) == 2 and self._true_false(interaction, choices):
            kind = "true_false"
            for choice in choices:  # True and False keep their order whatever is fixed
                choice.pop("fixed", None)
        fields: dict[str, object] = {"type": kind, "choices": choices}
        if multiple and len(correct) == len(choices):
            self.lose(interaction, "every choice is correct; lmspack's multiple response needs a wrong one: the item "
                                   "is not carried")
            return None
        if multiple:
            wrong = [weights.get(element.get("identifier") or "", 0.0) for element in elements
                     if element.get("identifier") not in correct]
            if wrong and all(weight < 0 for weight in wrong):
                pass  # the default: a wrong choice takes away what a right one gives
            else:
                fields["wrong_choice_penalty"] = False
            worth = sorted({format_number(weight) for weight in weights.values() if weight > 0})
            if not self.own and len(worth) > 1:
                self.lose(interaction, f"correct choices worth different points ({', '.join(worth)}); lmspack gives "
                                       "each an equal share")
        if kind != "true_false":  # True and False never shuffle
            fields[SHUFFLE] = interaction.get("shuffle") == "true"
        self._note_processing("the correct choices earn the points")
        return fields

    def _true_false(self, interaction: etree._Element, choices: list[dict[str, object]]) -> bool:
        declaration = interaction.get("responseIdentifier") or ""
        if self.own:
            return declaration == "TF_RESPONSE"
        texts = {str(choice["text"]).strip().lower() for choice in choices}
        return declaration.upper().startswith("TF") or texts == {"true", "false"}

    def _choice_feedback(self, choice_id: str, inline: etree._Element | None) -> str | None:
        if inline is not None:
            return self._inline_text(inline)
        feedback = self.feedback.get(choice_id)
        if feedback is not None and not self.own:
            self.used_feedback.add(choice_id)
            return self._inline_text(feedback)
        return None

    # typed answers ----------------------------------------------------------------------------

    def _typed(self, entry: etree._Element) -> dict[str, object] | None:
        declaration = self._response(entry)
        if declaration is None:
            return None
        base = declaration.get("baseType")
        parent = entry.getparent()
        if self.own and parent is not None:  # lmspack's <p class="answer">: the box and its unit
            self.skip.add(parent)
        if base == "string":
            return self._short_answer(entry, declaration)
        if base in ("float", "integer"):
            fields = self._numeric(entry, declaration)
            unit = parent.find(f"{Q}span") if self.own and parent is not None else None
            if fields is not None and unit is not None and unit.get("class") == "unit":
                fields = {"type": fields.pop("type"), "answers": fields.pop("answers"),
                          "unit": "".join(unit.itertext())} | fields
            return fields
        self.lose(entry, f"a text box of base type {base!r}: the item is not carried")
        return None

    def _branches(self, response: str) -> list[tuple[etree._Element, etree._Element]]:
        """lmspack's per-answer conditions on ``response``: (test, branch) in order, the last branch
        (responseElse) with no test."""
        if self.processing is None:
            return []
        for condition in self.processing.iter(f"{Q}responseCondition"):
            branches = [branch for branch in condition if _local(branch) in ("responseIf", "responseElseIf",
                                                                                "responseElse")]
            tests = [branch[0] for branch in branches if _local(branch) != "responseElse" and len(branch)]
            if tests and all(any(variable.get("identifier") == response for variable in test.iter(f"{Q}variable"))
                             and _local(test) in ("stringMatch", "equal", "and") for test in tests):
                return [(branch[0] if _local(branch) != "responseElse" else branch, branch) for branch in branches]
        return []

    def _set(self, branch: etree._Element, outcome: str) -> str | None:
        for setting in branch.iterfind(f"{Q}setOutcomeValue"):
            if setting.get("identifier") == outcome:
                value = setting.find(f"{Q}baseValue")
                return (value.text or "").strip() if value is not None else None
        return None

    def _answer_feedback(self, branch: etree._Element) -> str | None:
        identifier = self._set(branch, "FEEDBACK")
        feedback = self.feedback.get(identifier or "")
        if feedback is None or identifier is None:
            return None
        self.used_feedback.add(identifier)
        paragraph = feedback.find(f"{Q}p") if self.own else None
        return self._inline_text(paragraph if paragraph is not None else feedback)

    def _short_answer(self, entry: etree._Element, declaration: etree._Element) -> dict[str, object] | None:
        points = _number(self._maxscore_text()) or 1.0
        mapping = self._mapping(declaration)
        correct = self._correct(declaration)
        if not mapping:
            mapping = [(value, points, True) for value in correct]
        top = max((value for _, value, _ in mapping), default=0.0)
        if top <= 0:
            self.lose(entry, "a text box with no accepted answer: the item is not carried")
            return None
        feedback_by_text: dict[str, str] = {}
        other = None
        for test, branch in self._branches(entry.get("responseIdentifier") or ""):
            text = self._answer_feedback(branch)
            if _local(branch) == "responseElse":
                other = text
            elif text is not None:
                value = test.find(f"{Q}baseValue")
                feedback_by_text.setdefault((value.text or "") if value is not None else "", text)
        answers: list[dict[str, object]] = []
        seen: set[str] = set()
        case_sensitive = mapping[0][2]
        for text, worth, _ in mapping:
            folded = " ".join(text.split()) if case_sensitive else " ".join(text.split()).casefold()
            if worth <= 0 or not text.strip() or folded in seen:
                if worth <= 0 and text.strip():
                    self.lose(entry, f"answer {text!r} worth {format_number(worth)} (lmspack lists only answers "
                                     "that earn points)")
                continue
            seen.add(folded)
            answer: dict[str, object] = {"text": text.strip()}
            credit = credit_earning(points, worth if self.own else credit_points(points, worth / top * 100))
            if credit != 100:
                answer["credit"] = yaml_number(credit)
            if text in feedback_by_text:
                answer["feedback"] = feedback_by_text[text]
            answers.append(answer)
        fields: dict[str, object] = {"type": "short_answer", "answers": answers, "case_sensitive": case_sensitive}
        if other:
            fields["other_feedback"] = other
        if len({sensitive for _, _, sensitive in mapping}) > 1:
            self.lose(entry, "answers compared some with case, some without (lmspack compares all one way)")
        self._note_processing("the accepted answers earn their points")
        return fields

    def _numeric(self, entry: etree._Element, declaration: etree._Element) -> dict[str, object] | None:
        points = _number(self._maxscore_text()) or 1.0
        correct = [_number(value) for value in self._correct(declaration)]
        branches = self._branches(entry.get("responseIdentifier") or "") if self.own else []
        answers: list[dict[str, object]] = []
        other = None
        correct_value = correct[0] if correct else None
        for test, branch in branches:
            if _local(branch) == "responseElse":
                other = self._answer_feedback(branch)
                continue
            fields = _numeric_test(test, correct_value, first=not answers or all(
                answer.get("credit", 100) != 100 for answer in answers))
            if fields is None:
                continue
            credit = credit_earning(points, _number(self._set(branch, "SCORE")) or 0.0)
            if credit != 100:
                fields["credit"] = yaml_number(credit)
            feedback = self._answer_feedback(branch)
            if feedback:
                fields["feedback"] = feedback
            answers.append(fields)
        if not answers and not self.own:
            answers = [fields for test in self._part_tests(entry.get("responseIdentifier") or "")
                       if (fields := _other_numeric_test(test, correct_value)) is not None][:1]
        if not answers:
            answers += [{"value": yaml_number(number)} for number in correct[:1] if number is not None]
            for key, value, _ in self._mapping(declaration):
                number = _number(key)
                if number is not None and value > 0 and {"value": yaml_number(number)} not in answers:
                    answers.append({"value": yaml_number(number)})
        if not answers:
            self.lose(entry, "a number box with no correct number: the item is not carried")
            return None
        fields_out: dict[str, object] = {"type": "numeric", "answers": answers}
        if other:
            fields_out["other_feedback"] = other
        self._note_processing("the correct number earns the points")
        return fields_out

    def _essay(self, interaction: etree._Element) -> dict[str, object] | None:
        declaration = self._response(interaction)
        fields: dict[str, object] = {"type": "essay"}
        notes = next((element for element in self.root.iter(f"{Q}rubricBlock") if element.get("view") == "scorer"),
                     None)
        if notes is not None:
            self.skip.add(notes)
            text = self._text(notes, block=True)
            if text:
                fields["grader_notes"] = text
        default = declaration.find(f"{Q}defaultValue/{Q}value") if declaration is not None else None
        if default is not None and (default.text or "").strip():
            fields["response_template"] = (default.text or "").strip()
        return fields

    # matching, ordering, blanks ---------------------------------------------------------------

    def _order(self, interaction: etree._Element) -> dict[str, object] | None:
        declaration = self._response(interaction)
        if declaration is None:
            return None
        texts = {element.get("identifier") or "": element for element in interaction.iterfind(f"{Q}simpleChoice")}
        order = [identifier for identifier in self._correct(declaration) if identifier in texts]
        if len(order) < 2 or len(order) > 20:
            self.lose(interaction, "an ordering without 2 to 20 steps in its correct order: the item is not carried")
            return None
        for identifier in texts:
            if identifier not in order:
                self.lose(texts[identifier], f"step {identifier!r}, in no place of the correct order")
        fields: dict[str, object] = {"type": "ordering", "order": [self._inline_text(texts[i]) or i for i in order]}
        if self.processing is not None and any(True for _ in self.processing.iter(f"{Q}index")):
            fields["scoring"] = "per_position"
        fields[PARTS], fields[SHARE] = len(order), self._share()
        self._note_processing("the whole order right earns the points")
        return fields

    def _share(self) -> str | None:
        """lmspack's share of the points for each part right (summed into SCORE), exactly as written."""
        if self.processing is None:
            return None
        for total in self.processing.iter(f"{Q}sum"):
            value = total.find(f"{Q}baseValue")
            if value is not None:
                return (value.text or "").strip()
        return None

    def _match(self, interaction: etree._Element) -> dict[str, object] | None:
        declaration = self._response(interaction)
        sets = list(interaction.iterfind(f"{Q}simpleMatchSet"))
        if declaration is None or len(sets) != 2:
            return None
        lefts, rights = ({element.get("identifier") or "": element for element in match_set.iterfind(
            f"{Q}simpleAssociableChoice")} for match_set in sets)
        matched: dict[str, str] = {}
        used: set[str] = set()
        refused: set[str] = set()
        for value in self._correct(declaration):
            left, _, right = value.partition(" ")
            if left in rights and right in lefts:
                left, right = right, left
            if left not in lefts or right not in rights:
                continue
            if left in matched or right in used:
                self.lose(lefts[left], f"pair {value!r}: lmspack matches each left side with one option, each "
                                       "option with one left side")
                refused.add(left)
                continue
            matched[left] = right
            used.add(right)
        pairs = []
        for left, element in lefts.items():
            if left in matched:
                pairs.append({"left": self._inline_text(element) or left,
                              "right": self._inline_text(rights[matched[left]]) or matched[left]})
            elif left not in refused:
                self.lose(element, f"left side {left!r}, which matches no option")
        if len(pairs) < 2:
            self.lose(interaction, "a matching with fewer than 2 pairs: the item is not carried")
            return None
        unmatched = [identifier for identifier in rights if identifier not in used]
        if self.own and all(re.fullmatch(r"R[0-9]+", identifier) for identifier in unmatched):
            unmatched.sort(key=lambda identifier: int(identifier[1:]))  # lmspack's options are written scrambled
        fields: dict[str, object] = {"type": "matching", "pairs": pairs}
        if unmatched:
            fields["distractors"] = [self._inline_text(rights[identifier]) or identifier for identifier in unmatched]
        if not self._mapping(declaration):
            fields["scoring"] = "all_or_nothing"
        fields[PARTS], fields[SHARE] = len(pairs), next(
            (entry.get("mappedValue") for entry in declaration.iterfind(f"{Q}mapping/{Q}mapEntry")), None)
        fields[SHUFFLE] = interaction.get("shuffle") == "true"
        self._note_processing("each pair right earns its share" if self._mapping(declaration)
                              else "all pairs right earn the points")
        return fields

    def _blanks(self, entries: list[etree._Element]) -> dict[str, object] | None:
        blanks: dict[str, object] = {}
        shuffle: bool | None = None
        for number, entry in enumerate(entries, start=1):
            name = f"blank{number}"
            declaration = self._response(entry)
            if declaration is None:
                return None
            blank = self._blank(entry, declaration)
            if blank is None:
                self.lose(entry, "a blank with no correct answer: the item is not carried")
                return None
            blanks[name] = blank
            self.blank_names[entry] = name
            if _local(entry) == "inlineChoiceInteraction":  # only drop-downs shuffle
                shuffle = (shuffle or False) or entry.get("shuffle") == "true"
        fields: dict[str, object] = {"type": "fill_in_blanks", "blanks": blanks, PARTS: len(entries),
                                     SHARE: self._share()}
        if shuffle is not None:
            fields[SHUFFLE] = shuffle
        self._note_processing("each blank right earns its share")
        return fields

    def _blank(self, entry: etree._Element, declaration: etree._Element) -> dict[str, object] | None:
        correct = self._correct(declaration)
        response = entry.get("responseIdentifier") or ""
        if _local(entry) == "inlineChoiceInteraction":
            options = []
            for element in entry.iterfind(f"{Q}inlineChoice"):
                text = " ".join("".join(element.itertext()).split())
                if text:
                    options.append((element.get("identifier") or "", text))
                else:
                    self.lose(element, "an empty option of a drop-down (lmspack's drop-downs list only options "
                                       "with text)")
            texts = [text for _, text in options]
            right = next((text for identifier, text in options if identifier in correct), None)
            if right is None or len(options) < 2:
                return None
            return {"options": texts, "correct": right}
        tests = self._part_tests(response)
        if declaration.get("baseType") in ("float", "integer"):
            value = _number(correct[0]) if correct else None
            for test in tests:
                fields = _numeric_test(test, value, first=True) if self.own else _other_numeric_test(test, value)
                if fields is not None:
                    return fields
            return {"value": yaml_number(value)} if value is not None else None
        if tests and _local(tests[0]) in ("or", "stringMatch"):
            matches = list(tests[0].iter(f"{Q}stringMatch"))
            answers = [(match.findtext(f"{Q}baseValue") or "") for match in matches]
            sensitive = all(match.get("caseSensitive") == "true" for match in matches)
        else:
            mapping = self._mapping(declaration)
            answers = list(dict.fromkeys([*correct, *(key for key, value, _ in mapping if value > 0)]))
            sensitive = all(case for _, _, case in mapping) if mapping else True
            for key, value, _ in mapping:
                if 0 < value < max(v for _, v, _ in mapping):
                    self.lose(entry, f"answer {key!r} earns part of the blank's share there; here it earns the "
                                     "whole share (a blank's answers are all worth it)")
        answers = [answer.strip() for answer in answers if answer.strip()]
        if not answers:
            return None
        blank: dict[str, object] = {"answers": answers}
        if sensitive:
            blank["case_sensitive"] = True
        return blank

    def _part_tests(self, response: str) -> list[etree._Element]:
        """The tests lmspack's response processing makes of one blank's response (the first, outside
        the test of the whole response)."""
        if self.processing is None:
            return []
        found = []
        for condition in self.processing.iter(f"{Q}responseIf"):
            test = condition[0] if len(condition) else None
            # Not lmspack's test of the whole response (an 'and' of every blank's), but a range's 'and'.
            whole = test is None or (_local(test) == "and" and not (len(test) == 2 and _local(test[0]) == "gte"))
            if test is not None and not whole and any(variable.get("identifier") == response
                                                      for variable in test.iter(f"{Q}variable")):
                found.append(test)
        return found

    # --- texts -------------------------------------------------------------------------------

    def _prompt(self, body: etree._Element, identifier: str) -> str | None:
        holder = body.find(f"{Q}div") if self.own else body
        if self.own and (holder is None or holder.get("class") != "prompt"):
            holder = body
        own_prompt = next((element.find(f"{Q}prompt") for element in body.iter()
                           if _local(element) in BLOCK_INTERACTIONS), None)  # the interaction's <prompt>
        text = self._text(holder, block=True, extra=own_prompt) if holder is not None else ""
        if not text:
            title = (self.root.get("title") or "").strip()
            if not title:
                self.lose(body, f"item {identifier!r} has no text: it is not carried")
                return None
            self.lose(body, f"item {identifier!r} has no text of its own; its title is written as its prompt")
            return title
        return text

    def _hints(self, body: etree._Element) -> list[str]:
        hints = []
        shown: set[str] = set()
        for request in body.iter(f"{Q}endAttemptInteraction"):
            self.skip.add(request)
            response = request.get("responseIdentifier") or ""
            identifiers = [] if self.processing is None else [
                (value.text or "").strip()
                for branch in self.processing.iter(f"{Q}responseIf", f"{Q}responseElseIf")
                if len(branch) and _local(branch[0]) == "variable" and branch[0].get("identifier") == response
                for value in branch.iter(f"{Q}baseValue")]
            new = [identifier for identifier in identifiers if identifier in self.feedback and identifier not in shown]
            if not new:
                self.lose(request, f"an end-attempt button {request.get('title')!r} that shows no hint")
                continue
            shown.update(new)
            for identifier in new:
                self.used_feedback.add(identifier)
                text = self._text(self.feedback[identifier], block=True)
                if text:
                    hints.append(text)
        if self.own:
            for holder in body.iterfind(f"{Q}ul"):
                if holder.get("class") == "hints":
                    self.skip.add(holder)
        return hints

    def _explanation(self) -> str | None:
        feedback = self.feedback.get(EXPLANATION_ID)
        if feedback is None and not self.own:
            candidates = [key for key in self.feedback if key not in self.used_feedback
                          and re.search(r"general|explanation|solution", key, re.IGNORECASE)]
            feedback = self.feedback[candidates[0]] if len(candidates) == 1 else None
            if feedback is not None:
                self.used_feedback.add(candidates[0])
        else:
            self.used_feedback.add(EXPLANATION_ID)
        return self._text(feedback, block=True) if feedback is not None else None

    def _text(self, element: etree._Element, block: bool, extra: etree._Element | None = None) -> str | None:
        """The content of ``element`` (and of ``extra``, an interaction's prompt) as the text of an
        item file; what the loader would not keep of it is listed."""
        holder = etree.Element("div")
        self._copy(element, holder)
        if extra is not None:
            paragraph = etree.SubElement(holder, "p") if not self.own else holder
            self._copy(extra, paragraph)
        if not self.own:
            _tidy(holder, block)
        if not block and not self.own and len(holder) == 1 and holder[0].tag == "p" \
                and not (holder.text or "").strip() and not (holder[0].tail or "").strip():
            holder = holder[0]  # another tool's one paragraph around inline text
        fragment = _inner(holder)
        text, problems = source_text(fragment, block)
        for problem in problems:
            self.lose(element, problem.message if problem.warning else f"{problem.message} (written as plain text)")
        if any(problem.warning is None for problem in problems):
            return markup.plain_text(Markup(fragment)).replace("$", "\\$") or None
        return text or None

    def _copy(self, source: etree._Element, target: etree._Element) -> None:
        """Copy what ``source`` holds into ``target`` as a model fragment's markup: XHTML without
        QTI's namespace, blanks as [[name]], files as media/<path in the quiz folder>, formulas kept
        only with their TeX."""
        _append_text(target, source.text, self.own)
        for child in source:
            self._copy_element(child, target)
            _append_text(target, child.tail, self.own)

    def _copy_element(self, child: etree._Element, target: etree._Element) -> None:
        if child in self.blank_names:
            _append_text(target, f"[[{self.blank_names[child]}]]", True)
            return
        if not isinstance(child.tag, str) or child in self.skip:
            return
        if child.tag == MATH:
            tex = tex_of(child)
            if tex is not None and formulas.mathml(tex, child.get("display") == "block")[0] is not None:
                target.append(_formula_copy(child))
            else:
                self.lose(child, "a formula without TeX lmspack reads (MathML alone is not carried); its text is kept"
                          if tex is None else f"formula ${tex}$, whose TeX lmspack cannot read; its text is kept")
                _append_text(target, " ".join("".join(child.itertext()).split()), True)
            return
        name = etree.QName(child)
        if name.namespace != QTI21:
            self.lose(child, f"<{name.localname}> ({name.namespace or 'no namespace'}), not XHTML")
            return
        local = name.localname
        if local in ("feedbackBlock", "feedbackInline", "templateBlock", "templateInline", "printedVariable",
                     "infoControl", "prompt") or local in BLOCK_INTERACTIONS | INLINE_INTERACTIONS:
            if local not in ("prompt", "feedbackInline") and local not in BLOCK_INTERACTIONS | INLINE_INTERACTIONS:
                self.lose(child, f"<{local}> (shown as the item's variables decide; not carried)")
            return
        if local == "rubricBlock" and child.get("view") not in (None, "candidate"):
            self.lose(child, f"a rubric block for {child.get('view')} (lmspack keeps grader notes of essays only)")
            return
        if local in ("div", "rubricBlock") and not self.own:
            self._copy(child, target)  # layout only: its content stands where it stood
            return
        copy = etree.SubElement(target, local)
        for attribute, value in child.attrib.items():
            if not self.own and attribute in LAYOUT_ATTRIBUTES:
                continue
            copy.set(etree.QName(attribute).localname if attribute.startswith("{") else attribute, value)
        if local in ("img", "object"):
            if not self._media(child, copy):
                target.remove(copy)
                return
        elif local == "a":
            self._link(child, copy)
        self._copy(child, copy)

    def _media(self, element: etree._Element, copy: etree._Element) -> bool:
        """Point an image's or object's URL at its file in the quiz folder (copied there); False
        when it cannot be carried (listed)."""
        attribute = "src" if _local(element) == "img" else "data"
        url = element.get(attribute) or ""
        if url.startswith(("https://", "http://")):
            return _local(element) == "img"
        name = member(self.folder, url)
        extension = posixpath.splitext(name or url)[1].lower()
        if name is None or not self.reader.package.has(name):
            self.lose(element, f"file {url!r}, which the package does not hold")
            return False
        if extension not in markup.MEDIA_TYPES:
            self.lose(element, f"file {url!r}: not an image, audio or video file lmspack carries "
                               f"({', '.join(sorted(markup.MEDIA_TYPES))})")
            return False
        path = self._media_path(name, element)
        if path is None:
            return False
        copy.set(attribute, MEDIA_REFERENCE + quote(path))
        if _local(element) == "img" and not (element.get("alt") or "").strip():
            copy.set("alt", posixpath.basename(path))
            self.lose(element, f"image {url!r} has no alt text; its file name stands for it: describe the image")
        if _local(element) == "object":
            copy.tag = "img"  # the loader makes audio and video of images; an object's text is its alt text
            copy.set("src", copy.attrib.pop("data"))
            copy.attrib.pop("type", None)
            copy.set("alt", " ".join("".join(element.itertext()).split()) or posixpath.basename(path))
            for child in list(copy):
                copy.remove(child)
            self.skip.update(element.iter())
        return True

    def _media_path(self, name: str, element: etree._Element) -> str | None:
        if name in self.media.paths:
            return self.media.paths[name]
        data = self.reader.package.read(name)
        if data is None:
            return None
        path = name[len(MEDIA_FOLDER):] if self.own and name.startswith(MEDIA_FOLDER) else name
        named, found = markup.MEDIA_TYPES[posixpath.splitext(path)[1].lower()], media.sniffed_type(data)
        if found is not None and found.split("/")[1] != named.split("/")[1]:
            extension = next(ext for ext, kind in markup.MEDIA_TYPES.items() if kind == found)
            self.lose(element, f"file {path!r} is a {found} file, not a {named} one as its name says: written as "
                               f"{posixpath.splitext(path)[0] + extension!r}")
            path = posixpath.splitext(path)[0] + extension
        if media.name_problem(path) is not None:
            renamed = "/".join(re.sub(r'[\\:*?"<>|\x00-\x1f\x7f]', "_", part).rstrip(" .") or "_"
                               for part in path.split("/"))
            self.lose(element, f"file {path!r} is written as {renamed!r} (its name {media.name_problem(path)})")
            path = renamed
        self.media.paths[name] = path
        self.media.files[path] = data
        return path

    def _link(self, element: etree._Element, copy: etree._Element) -> None:
        href = (element.get("href") or "").strip()
        if markup.url_allowed(href, "href"):
            return
        copy.attrib.pop("href", None)
        self.lose(element, f"link {href!r} (only https:, http:, mailto: and #place links are carried); its text is "
                           "kept")


def _append_text(target: etree._Element, text: str | None, exact: bool) -> None:
    if not text:
        return
    if not exact:
        text = re.sub(r"\s+", " ", text)
    last = target[-1] if len(target) else None
    if last is not None:
        last.tail = (last.tail or "") + text
    else:
        target.text = (target.text or "") + text


def _inner(element: etree._Element) -> str:
    """What ``element`` holds, serialised."""
    copy = etree.Element("div")
    copy.text = element.text
    for child in list(element):
        copy.append(child)  # moved: ``element`` is a copy made for this
    written = etree.tostring(copy, encoding="unicode")
    return "" if written == "<div/>" else written[len("<div>"):-len("</div>")]


def _formula_copy(math_element: etree._Element) -> etree._Element:
    copy = etree.fromstring(etree.tostring(math_element, with_tail=False))
    return copy


def _tidy(holder: etree._Element, block: bool) -> None:
    """Another tool's markup, pretty-printed: no space at the start or end of a block's text."""
    for element in [holder, *holder.iter()]:
        if element.tag not in BLOCKS and element is not holder:
            continue
        if element.text:
            element.text = element.text.lstrip() or None
        last = element[-1] if len(element) else None
        if last is not None and last.tail:
            last.tail = last.tail.rstrip() or None
        elif last is None and element.text:
            element.text = element.text.rstrip() or None
        for child in element:
            if child.tag in BLOCKS and child.tail is not None and not child.tail.strip():
                child.tail = "\n" if block else " "


# --- numbers -------------------------------------------------------------------------------------


def _other_numeric_test(test: etree._Element, correct: float | None) -> dict[str, object] | None:
    """A number test of another tool: ``equal`` (exact, absolute or relative) with the correct
    response or a number; a tolerance given as two numbers (below, above) takes the larger."""
    if _local(test) != "equal":
        return None
    given = next((_number(value.text) for value in test.iter(f"{Q}baseValue")), None)
    value = given if given is not None else correct
    if value is None:
        return None
    mode = test.get("toleranceMode", "exact")
    tolerance = max((_number(part) or 0.0 for part in (test.get("tolerance") or "0").split()), default=0.0)
    if mode == "exact" or not tolerance:
        return {"value": yaml_number(value)}
    if mode == "relative":
        return {"value": yaml_number(value), "tolerance": f"{yaml_number(min(tolerance, 100.0))}%"}
    return {"value": yaml_number(value), "tolerance": yaml_number(tolerance)}


def _numeric_test(test: etree._Element, correct: float | None, first: bool) -> dict[str, object] | None:
    """A numeric answer's fields from lmspack's test of it: ``equal`` (exact, or within an absolute
    margin) or ``and(gte, lte)`` (a range); written as the author wrote it where the bounds allow
    (a percent tolerance, a value with a margin written as a range), so that the bounds, and the
    correct response (the value of the first answer worth full credit), come out the same."""
    values = [_number(value.text) for value in test.iter(f"{Q}baseValue")]
    if any(value is None for value in values) or not values:
        return None
    if _local(test) == "equal":
        value = values[0]
        assert value is not None
        if test.get("toleranceMode") == "exact" or test.get("tolerance") is None:
            return {"value": yaml_number(value)}
        margin = _number(test.get("tolerance"))
        if margin is None:
            return None
        if margin == 0:  # a percent of 0: the only tolerance that is not 0 and adds no margin
            return {"value": yaml_number(value), "tolerance": "1%"}
        return with_tolerance(value, value - margin, value + margin) or {"range": [value - margin, value + margin]}
    if _local(test) == "and" and len(values) == 2:
        low, high = values
        assert low is not None and high is not None
        if first and correct is not None and correct != low + (high - low) / 2:
            found = with_tolerance(correct, low, high)
            if found is not None:
                return found
        return {"range": [yaml_number(low), yaml_number(high)]}
    return None
