"""``lmspack check``: validate existing packages, ours or another tool's.

A PATH is a zip (any extension), an unpacked package folder, an ``imsmanifest.xml`` (its folder
is checked) or one XML file (QTI 2.1 item/test/section, QTI 1.2 ``questestinterop``, Moodle XML).
Every problem carries a stable code, the same codes as ../shared/tools/validate_package.py, so
the two checkers can be compared; docs/check.md lists them.

Schemas: by default each XML file is validated against the schemas lmspack ships
(builder/schemas/<format>/), which describe only what lmspack emits, so a refusal is the warning
``outside-lmspack-subset``. With ``schema_dir`` (a folder of official sets laid out as
``<set>/<set>_umbrella.xsd``) refusals are ``schema`` (or ``dtd``) errors.

Everything read is untrusted: zip entries are vetted before use and read under size caps, and
XML is parsed without DTD loading, entity expansion, network access or huge trees.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import re
import stat
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote

from lxml import etree

from builder.errors import UsageError, escaped
from builder.rendering import SCHEMA_DIR, safe_parser

KINDS = ("auto", "qti21", "scorm12", "scorm2004", "qti12", "moodle")

# Caps on what one archive may make us read: checked from the central directory first, then
# enforced while decompressing (a lying header cannot get past them).
MAX_TOTAL_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # entries smaller than this may compress as well as they like
MAX_ENTRIES = 20_000
MAX_XML_BYTES = 64 * 1024 * 1024
# A package folder is held to the same limits as an archive (entries and bytes read).
MAX_FOLDER_ENTRIES = MAX_ENTRIES
# Steps (resource to dependency) the href-not-listed check may take over one manifest: a chain of
# resources whose hrefs no <file> lists would otherwise cost the square of its length.
MAX_DEPENDENCY_STEPS = 1_000_000
# lxml names every node a schema refuses by its path (/*/*[2]/*[7]), which costs the number of
# siblings before it: 20,000 refused resources side by side took 14 s, 40,000 four times that. So a
# file with an element of more than MAX_SIBLINGS children is first validated while it is parsed
# (linear, but without line numbers, and blind to duplicate xs:ID values); only when that and its
# repeated identifiers together make fewer than MAX_SCHEMA_MESSAGES refusals is it validated as a
# tree, which gives each refusal its line. Otherwise the first MAX_SCHEMA_MESSAGES are listed.
# DTD validation (QTI 1.2 files without a namespace) has no linear pass: such a file is refused.
MAX_SIBLINGS = 1_000
MAX_SCHEMA_MESSAGES = 100

XML_NS = "http://www.w3.org/XML/1998/namespace"
IMSCP = "http://www.imsglobal.org/xsd/imscp_v1p1"
SCORM12_CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP13 = "http://www.adlnet.org/xsd/adlcp_v1p3"
QTI21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI12 = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XINCLUDE = "http://www.w3.org/2001/XInclude"
CC_MANIFESTS = {
    "http://www.imsglobal.org/xsd/imscc/imscp_v1p1",
    "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
    "http://www.imsglobal.org/xsd/imsccv1p2/imscp_v1p1",
    "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1",
}
QTI21_TYPES = {"imsqti_item_xmlv2p1": "assessmentItem", "imsqti_test_xmlv2p1": "assessmentTest",
               "imsqti_section_xmlv2p1": "assessmentSection"}
SCORM2004_VERSIONS = {"2004 4th Edition", "2004 3rd Edition", "CAM 1.3"}
PREFIXES = {
    IMSCP: "imscp", SCORM12_CP: "imscp", ADLCP12: "adlcp", ADLCP13: "adlcp",
    "http://www.imsglobal.org/xsd/imsmd_v1p2": "imsmd",
    "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1": "imsmd",
    "http://ltsc.ieee.org/xsd/LOM": "lom", "http://www.imsglobal.org/xsd/imsss": "imsss",
    "http://www.adlnet.org/xsd/adlseq_v1p3": "adlseq", "http://www.adlnet.org/xsd/adlnav_v1p3": "adlnav",
    QTI21: "qti", QTI12: "qti", "http://www.imsglobal.org/xsd/imsqti_metadata_v2p1": "qtimd",
    "http://www.w3.org/1998/Math/MathML": "m", XINCLUDE: "xi", XML_NS: "xml",
}
# Which of our own schema folders (builder/schemas/<folder>) describe each kind.
SHIPPED_FOLDERS = {"qti21": ("qti21",), "scorm12": ("scorm12",), "scorm2004": ("scorm2004",),
                   "qti12": ("canvas",), "moodle": ("moodle",)}
# Official sets (schema_dir/<set>/<set>_umbrella.xsd) for each kind's manifest and QTI files.
OFFICIAL_SETS = {"qti21": "qti21", "scorm12": "scorm12", "scorm2004": "scorm2004_4th", "qti12": "qti12"}
QTI12_DTD = "qti12/ims_qtiasiv1p2p1.dtd"

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
PLUGINFILE = re.compile(r"@@PLUGINFILE@@/([^\"'<>\s?#]+)")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")

Report = Callable[[int, str, str, str], None]
"""report(line, level, code, message) for one file."""


class CheckUsageError(UsageError):
    """A PATH that does not exist, an unknown kind, an unusable schema folder (exit status 2)."""


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: ``file`` is ``PATH``, ``ARCHIVE!/MEMBER`` or ``FOLDER/MEMBER``; line 0 means the
    whole file."""

    file: str
    line: int
    level: str  # "error" | "warning"
    code: str
    message: str

    def format(self) -> str:
        """One line for a terminal: the file name and message come from the package, so control
        and bidi characters in them are shown escaped (a zip entry named "x\\nsummary: ... 0
        errors" must not print a second, forged summary line)."""
        return f"{escaped(self.file)}:{self.line}: {self.level}: {escaped(self.message)} [{self.code}]"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "level": self.level, "code": self.code,
                "message": self.message}


@dataclass
class PackageReport:
    path: str
    kind: str | None = None
    kind_reason: str = ""
    members: int = 0
    validated_files: list[str] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(p.level == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.level == "warning" for p in self.problems)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def codes(self, level: str) -> list[str]:
        return sorted({p.code for p in self.problems if p.level == level})

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "kind": self.kind, "kind_reason": self.kind_reason, "ok": self.ok,
                "errors": self.errors, "warnings": self.warnings, "members": self.members,
                "validated_files": self.validated_files, "seconds": round(self.seconds, 3),
                "problems": [p.to_dict() for p in sorted(self.problems)]}


@dataclass
class CheckReport:
    packages: list[PackageReport]
    schemas: str

    @property
    def errors(self) -> int:
        return sum(p.errors for p in self.packages)

    @property
    def warnings(self) -> int:
        return sum(p.warnings for p in self.packages)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def lines(self) -> list[str]:
        """One line per problem (sorted by file and line), then the summary line."""
        out = [p.format() for package in self.packages for p in sorted(package.problems)]
        n = len(self.packages)
        out.append(f"summary: {n} path{'s' if n != 1 else ''} checked, {_plural(self.errors, 'error')}, "
                   f"{_plural(self.warnings, 'warning')}")
        return out

    def to_dict(self) -> dict[str, object]:
        from builder import __version__

        return {"tool": "lmspack check", "version": __version__, "schemas": self.schemas, "ok": self.ok,
                "errors": self.errors, "warnings": self.warnings,
                "packages": [p.to_dict() for p in self.packages]}



def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


# --- schemas -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Validator:
    """A compiled XSD or DTD and how its refusals are reported."""

    label: str
    checker: etree.XMLSchema | etree.DTD
    level: str
    code: str

    def problems(self, root: etree._Element) -> tuple[list[tuple[int, str]], str | None]:
        """Refusals of the document ``root`` as (line, message), and a note when they were not all
        found (see MAX_SIBLINGS)."""
        if isinstance(self.checker, etree.XMLSchema) and _widest(root) > MAX_SIBLINGS:
            streamed: list[tuple[int, str]] = []
            try:  # serialised again rather than every file's bytes kept: few files are this wide
                etree.fromstring(etree.tostring(root.getroottree()), _validating_parser(self.checker))
            except etree.XMLSyntaxError as error:
                streamed = [(0, _shorten(e.message)) for e in error.error_log
                            if e.domain == etree.ErrorDomains.SCHEMASV]
            if len(streamed) + _repeated_identifiers(root) >= MAX_SCHEMA_MESSAGES:
                note = (f"more than {MAX_SCHEMA_MESSAGES} refusals or repeated identifiers among more than "
                        f"{MAX_SIBLINGS:,} sibling elements: only what validation while parsing found is listed, "
                        "without line numbers (locating each would cost the square of the file's size)")
                return streamed[:MAX_SCHEMA_MESSAGES], note
        elif isinstance(self.checker, etree.DTD) and (widest := _widest(root)) > MAX_SIBLINGS:
            # No validation while parsing against a DTD of our choosing: refuse to guess.
            return [], (f"not validated: an element has {widest:,} children, more than {MAX_SIBLINGS:,} "
                        "(DTD validation would cost the square of that when they are refused)")
        try:
            if self.checker.validate(root):
                return [], None
        except etree.Error as error:  # e.g. an unexpanded entity reference where a value is expected
            return [(0, f"cannot be validated: {_shorten(str(error))}")], None
        found = [(e.line, _shorten(e.message)) for e in self.checker.error_log]
        return found or [(0, "refused without a message")], None


class Schemas(Protocol):
    description: str

    def for_document(self, kind: str, root: etree._Element, role: str) -> Validator | None: ...


def _widest(root: etree._Element) -> int:
    """The most children any one element of the tree has."""
    return max(map(len, root.iter()), default=0)


def _repeated_identifiers(root: etree._Element) -> int:
    """How many identifier attributes repeat a value already seen, in an IMS CP manifest (there
    they are xs:ID, whose duplicates only validation as a tree sees; in QTI, identifier
    attributes also refer: <variable identifier="ITEM1.SCORE"/>)."""
    if _local(root) != "manifest":
        return 0
    values = [e.get("identifier") for e in root.iter() if isinstance(e.tag, str)]
    present = [v for v in values if v is not None]
    return len(present) - len(set(present))


@functools.cache
def _validating_parser(schema: etree.XMLSchema) -> etree.XMLParser:
    """safe_parser's settings, validating against ``schema`` while it parses."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=False, schema=schema)


@functools.cache
def _compile_xsd(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path), safe_parser()))


@functools.cache
def _compile_dtd(path: Path) -> etree.DTD:
    return etree.DTD(str(path))


@functools.cache
def _namespace_index(folder: Path) -> dict[str | None, Path]:
    """targetNamespace -> the XSD in ``folder`` to compile for it (one that no other file there
    imports or includes, i.e. the top of that namespace's schema tree)."""
    declared: dict[str | None, list[Path]] = {}
    pulled_in: set[Path] = set()
    for xsd in sorted(folder.rglob("*.xsd")):
        try:
            top = etree.parse(str(xsd), safe_parser()).getroot()
        except etree.XMLSyntaxError:
            continue
        declared.setdefault(top.get("targetNamespace"), []).append(xsd)
        for ref in top.iterchildren("{http://www.w3.org/2001/XMLSchema}import",
                                    "{http://www.w3.org/2001/XMLSchema}include"):
            if ref.get("schemaLocation") and not SCHEME.match(ref.get("schemaLocation", "")):
                pulled_in.add((xsd.parent / ref.get("schemaLocation", "")).resolve())
    index = {}
    for namespace, files in declared.items():
        tops = [f for f in files if f.resolve() not in pulled_in] or files
        index[namespace] = tops[0]
    return index


@dataclass
class ShippedSchemas:
    """lmspack's own schemas: a refusal means "not something lmspack emits", a warning."""

    folder: Path = SCHEMA_DIR
    description: str = "lmspack's own schemas (builder/schemas)"

    def for_document(self, kind: str, root: etree._Element, role: str) -> Validator | None:
        namespace = etree.QName(root).namespace
        for name in SHIPPED_FOLDERS.get(kind, ()):
            folder = self.folder / name
            if folder.is_dir() and namespace in _namespace_index(folder):
                xsd = _namespace_index(folder)[namespace]
                return Validator(f"builder/schemas/{xsd.relative_to(self.folder).as_posix()}",
                                 _compile_xsd(xsd), "warning", "outside-lmspack-subset")
        return None


@dataclass
class OfficialSchemas:
    """Official schema sets laid out like ../shared/schemas: refusals are errors."""

    folder: Path
    description: str = ""

    def __post_init__(self) -> None:
        if not self.folder.is_dir():
            raise CheckUsageError(f"schema folder {self.folder} does not exist")
        self.description = str(self.folder)

    def _umbrella(self, name: str) -> Validator:
        path = (self.folder / name / f"{name}_umbrella.xsd").resolve()
        if not path.is_file():
            raise CheckUsageError(f"schema set {name!r} not found: no {path}")
        try:
            return Validator(f"{name}/{path.name}", _compile_xsd(path), "error", "schema")
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as error:
            raise CheckUsageError(f"schema set {path} cannot be loaded: {error}") from error

    def for_document(self, kind: str, root: etree._Element, role: str) -> Validator | None:
        namespace = etree.QName(root).namespace
        if kind == "moodle":  # no official schema exists; ours is the only description there is
            return ShippedSchemas().for_document(kind, root, role)
        if role == "manifest":
            wanted = SCORM12_CP if kind == "scorm12" else IMSCP
            if namespace != wanted or kind not in OFFICIAL_SETS:
                return None
            return self._umbrella(OFFICIAL_SETS[kind])
        if role == "qti" and namespace == QTI21:
            return self._umbrella("qti21")
        if role == "qti" and namespace == QTI12:
            return self._umbrella("qti12")
        if role == "qti" and namespace is None and etree.QName(root).localname == "questestinterop":
            path = (self.folder / QTI12_DTD).resolve()
            if not path.is_file():
                raise CheckUsageError(f"QTI 1.2.1 DTD not found: no {path}")
            return Validator(QTI12_DTD, _compile_dtd(path), "error", "dtd")
        return None


def _shorten(message: str) -> str:
    return re.sub(r"\{([^}]*)\}", lambda m: f"{PREFIXES[m[1]]}:" if m[1] in PREFIXES else m[0], message)


# --- reading packages ----------------------------------------------------------------------


class Source:
    """The files of one package, by normalised relative name, read under the caps."""

    def __init__(self, label: str, report: PackageReport) -> None:
        self.label = label
        self.report = report
        self.names: list[str] = []
        self._parsed: dict[str, etree._Element | None] = {}
        # Files whose tree was dropped once checked: trees of 10,000 items held to the end took
        # 800 MB, ten times the package's XML.
        self._released: set[str] = set()

    def display(self, name: str) -> str:
        raise NotImplementedError

    def _read(self, name: str) -> bytes | None:
        raise NotImplementedError

    def problem(self, name: str | None, line: int, level: str, code: str, message: str) -> None:
        where = self.label if name is None else self.display(name)
        self.report.problems.append(Finding(where, line or 0, level, code, message))

    def has(self, name: str) -> bool:
        return name in self._name_set

    @functools.cached_property
    def _name_set(self) -> set[str]:
        return set(self.names)

    def read(self, name: str) -> bytes | None:
        """The bytes of member ``name``, read under the package's caps, or None after reporting why
        they cannot be (lmspack import reads packages through this)."""
        return self._read(name)

    def parse(self, name: str) -> etree._Element | None:
        """The root element of member ``name``, or None after reporting why it cannot be read."""
        if name not in self._parsed:
            data = self._read(name)
            self._parsed[name] = None if data is None else _parse(data, lambda *a: self.problem(name, *a))
        return self._parsed[name]

    def release(self, name: str) -> None:
        """Forget the tree of ``name`` (it is read and parsed again if asked for, within the
        budget); a file that did not parse stays remembered as such."""
        if self._parsed.get(name) is not None:
            del self._parsed[name]
            self._released.add(name)

    def seen(self, name: str) -> bool:
        return name in self._parsed or name in self._released


class ZipSource(Source):
    def __init__(self, stream: io.BufferedReader, label: str, report: PackageReport) -> None:
        super().__init__(label, report)
        self.archive = zipfile.ZipFile(stream)
        self.infos: dict[str, zipfile.ZipInfo] = {}
        self.budget = MAX_TOTAL_BYTES
        entries = self.archive.infolist()
        if len(entries) > MAX_ENTRIES:
            self.problem(None, 0, "error", "too-large", f"{len(entries)} entries; the limit is {MAX_ENTRIES}")
            return
        total = sum(e.file_size for e in entries)
        if total > MAX_TOTAL_BYTES:
            self.problem(None, 0, "error", "too-large",
                         f"entries would unpack to {total:,} bytes; the limit is {MAX_TOTAL_BYTES:,} "
                         "(nothing was unpacked)")
            return
        seen: Counter[str] = Counter(e.filename for e in entries)
        folded: dict[str, str] = {}
        for entry in entries:
            name = entry.filename
            reason = unsafe_entry(entry)
            if reason:
                self.problem(None, 0, "error", "unsafe-path", f"zip entry {name!r} {reason}; it was not used")
                continue
            if entry.is_dir():
                continue
            if seen[name] > 1:
                if name not in self.infos:
                    self.problem(None, 0, "error", "duplicate-entry",
                                 f"zip entry {name!r} appears {seen[name]} times; which one an LMS reads is "
                                 "undefined")
                self.infos.setdefault(name, entry)
                continue
            if entry.flag_bits & 0x1:
                self.problem(None, 0, "error", "encrypted-entry", f"zip entry {name!r} is encrypted")
                continue
            if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                self.problem(None, 0, "error", "too-large",
                             f"zip entry {name!r} expands {entry.file_size // max(entry.compress_size, 1)} "
                             f"times (limit {MAX_RATIO}); it was not unpacked")
                continue
            other = folded.setdefault(name.casefold(), name)
            if other != name:
                self.problem(None, 0, "warning", "case-collision",
                             f"zip entries {other!r} and {name!r} differ only in letter case")
            self.infos[name] = entry
        self.names = sorted(self.infos)

    def display(self, name: str) -> str:
        return f"{self.label}!/{name}"

    def _read(self, name: str) -> bytes | None:
        entry = self.infos[name]
        limit = min(entry.file_size, MAX_XML_BYTES, self.budget)
        chunks, size = [], 0
        try:
            with self.archive.open(entry) as stream:
                while chunk := stream.read(65536):
                    size += len(chunk)
                    if size > limit:
                        self.problem(name, 0, "error", "too-large",
                                     f"unpacks to more than {limit:,} bytes (declared {entry.file_size:,}); "
                                     "reading stopped")
                        return None
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, ValueError,
                NotImplementedError) as error:
            # zlib.error: a corrupt deflate stream; NotImplementedError: an unknown compression method
            self.problem(name, 0, "error", "bad-zip", f"cannot be unpacked: {error}")
            return None
        self.budget -= size
        return b"".join(chunks)


class FolderSource(Source):
    def __init__(self, path: Path, label: str, report: PackageReport) -> None:
        super().__init__(label, report)
        self.root = path
        self.budget = MAX_TOTAL_BYTES
        self.names = sorted(self._walk(path))

    def _walk(self, top: Path) -> list[str]:
        """Regular files under ``top``, by relative name. Iterative (a deep tree cannot exhaust
        the stack), never follows a symbolic link, and stops at MAX_FOLDER_ENTRIES entries."""
        names: list[str] = []
        seen = 0
        pending = [("", str(top))]
        while pending:
            prefix, folder = pending.pop()
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        seen += 1
                        if seen > MAX_FOLDER_ENTRIES:
                            self.problem(None, 0, "error", "too-large",
                                         f"more than {MAX_FOLDER_ENTRIES:,} files and folders; the limit is "
                                         f"{MAX_FOLDER_ENTRIES:,} (nothing was read)")
                            return []
                        relative = prefix + entry.name
                        if entry.is_symlink():
                            self.problem(None, 0, "error", "unsafe-path",
                                         f"{relative!r} is a symbolic link; it was not followed")
                        elif entry.is_dir(follow_symlinks=False):
                            pending.append((relative + "/", entry.path))
                        elif entry.is_file(follow_symlinks=False):
                            names.append(relative)
                        else:
                            kind = _file_type(entry.stat(follow_symlinks=False).st_mode)
                            self.problem(None, 0, "error", "unsafe-path",
                                         f"{relative!r} is {kind}, not a regular file; it was not read")
            except OSError as error:
                self.problem(None, 0, "error", "unreadable",
                             f"folder {prefix or '.'!r} cannot be listed: {error.strerror}")
        return names

    def display(self, name: str) -> str:
        return f"{self.label.rstrip('/')}/{name}"

    def _read(self, name: str) -> bytes | None:
        try:
            data = _read_regular(self.root / name, min(MAX_XML_BYTES, self.budget))
        except _NotRead as refusal:
            self.problem(name, 0, "error", refusal.code, refusal.message)
            return None
        self.budget -= len(data)
        return data


class _NotRead(Exception):
    """Why a file was not read: a finding's code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _file_type(mode: int) -> str:
    kinds = [(stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"),
             (stat.S_ISLNK, "a symbolic link")]
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _open_regular(path: Path) -> int:
    """A descriptor of regular file ``path``, or _NotRead. lstat first, so a device or FIFO is
    never even opened (opening one can block or have effects); O_NOFOLLOW and O_NONBLOCK, then
    fstat, so a file swapped for a FIFO or link in between cannot block us or lead elsewhere."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as error:
        raise _NotRead("unreadable", f"cannot be read: {error.strerror}") from error
    if stat.S_ISLNK(mode):
        raise _NotRead("unsafe-path", "is a symbolic link; it was not followed")
    if not stat.S_ISREG(mode):
        raise _NotRead("unsafe-path", f"is {_file_type(mode)}, not a regular file; it was not read")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _NotRead("unsafe-path", "is a symbolic link; it was not followed") from error
        raise _NotRead("unreadable", f"cannot be read: {error.strerror}") from error
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise _NotRead("unsafe-path", f"is {_file_type(mode)}, not a regular file; it was not read")
    return descriptor


def _read_at_most(stream: io.BufferedReader, cap: int) -> bytes:
    """The whole of ``stream`` if it holds at most ``cap`` bytes, else _NotRead; never reads more
    than cap + 1 bytes, whatever the file's size says."""
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise _NotRead("too-large", f"larger than {cap:,} bytes; not read")
    return data


def _read_regular(path: Path, cap: int) -> bytes:
    descriptor = _open_regular(path)
    with os.fdopen(descriptor, "rb") as stream:  # buffered: read(n) returns n bytes unless at the end
        if os.fstat(descriptor).st_size > cap:
            raise _NotRead("too-large", f"larger than {cap:,} bytes; not read")
        try:
            return _read_at_most(stream, cap)
        except OSError as error:
            raise _NotRead("unreadable", f"cannot be read: {error.strerror}") from error


def unsafe_entry(entry: zipfile.ZipInfo) -> str | None:
    """Why a zip entry cannot be unpacked where its name says (None: it can); lmspack import
    refuses the same entries."""
    name = entry.filename
    if "\\" in name:
        return "uses a backslash"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in name.split("/"):
        return "contains '..'"
    mode = entry.external_attr >> 16
    if entry.create_system == 3 and stat.S_ISLNK(mode):
        return "is a symbolic link"
    if entry.create_system == 3 and stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return f"is {_file_type(mode)}"
    return None


def _line(element: etree._Element) -> int:
    """The line ``element`` starts on; 0 (the whole file) if lxml knows none, as for an element
    it did not parse."""
    return element.sourceline or 0


def _parse(data: bytes, report: Report) -> etree._Element | None:
    """Parse untrusted XML; report xml-syntax (error) or entity-declaration (warning)."""
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        report(error.lineno or 0, "error", "xml-syntax", f"not well-formed XML: {error.msg}")
        return None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.entities()):
        names = ", ".join(sorted(e.name or "" for e in dtd.entities()))
        report(1, "warning", "entity-declaration",
               f"DOCTYPE declares entities ({names}); they were not expanded")
    return root


# --- hrefs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Href:
    """An href resolved inside the package: ``path`` (normalised) or a reason it cannot be."""

    path: str | None = None
    external: bool = False
    unsafe: str | None = None
    dotdot: bool = False
    backslash: bool = False


def _join(base: str, href: str) -> Href:
    """Resolve ``href`` against folder ``base`` ('' is the package root), as a package path."""
    if SCHEME.match(href) and not re.match(r"^[A-Za-z]:[\\/]", href):
        return Href(external=True)
    backslash = "\\" in href
    target = unquote(re.split(r"[?#]", href, maxsplit=1)[0]).replace("\\", "/")
    if "\0" in target:  # no file name holds one; the file system would refuse it with ValueError
        return Href(unsafe="contains a NUL character (%00)", backslash=backslash)
    if target.startswith("/") or re.match(r"^[A-Za-z]:/", target):
        return Href(unsafe="is an absolute path", backslash=backslash)
    parts: list[str] = [p for p in base.split("/") if p]
    dotdot = False
    for part in target.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            dotdot = True
            if not parts:
                return Href(unsafe="points outside the package", backslash=backslash)
            parts.pop()
        else:
            parts.append(part)
    return Href(path="/".join(parts), dotdot=dotdot, backslash=backslash)


def _base_of(element: etree._Element, start: str, bad: dict[etree._Element, None]) -> str | None:
    """The folder an href on ``element`` is relative to: ``start`` plus every xml:base on the way
    down from the root. None when one of those bases is unsafe (its element is added to ``bad``)."""
    chain = [element, *element.iterancestors()]
    base = start
    for node in reversed(chain):
        value = node.get(f"{{{XML_NS}}}base")
        if value is None:
            continue
        resolved = _join(base, value)
        if resolved.path is None:
            bad[node] = None  # a dict, not a list: thousands of bad bases were quadratic
            return None
        base = resolved.path
    return base


def _folder(name: str) -> str:
    return name.rsplit("/", 1)[0] if "/" in name else ""


# --- the checks ----------------------------------------------------------------------------


def check_paths(paths: Sequence[Path], kind: str = "auto", schema_dir: Path | None = None) -> CheckReport:
    """Check every PATH; raise CheckUsageError (exit 2) for an unknown kind, a missing PATH or
    an unusable schema folder, before anything is checked."""
    if kind not in KINDS:
        raise CheckUsageError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if not paths:
        raise CheckUsageError("no PATH given")
    missing = [str(p) for p in paths if not Path(p).exists() and not Path(p).is_symlink()]
    if missing:
        raise CheckUsageError(f"no such file or folder: {escaped(', '.join(missing))}")
    schemas: Schemas = OfficialSchemas(Path(schema_dir)) if schema_dir is not None else ShippedSchemas()
    return CheckReport([_check_path(Path(p), kind, schemas) for p in paths], schemas.description)


def _check_path(path: Path, kind: str, schemas: Schemas) -> PackageReport:
    started = time.perf_counter()
    report = PackageReport(str(path))
    try:
        _dispatch(path, kind, schemas, report)
    except CheckUsageError:
        raise
    except Exception as error:
        message = f"the checker failed: {type(error).__name__}: {error} (please report it)"
        report.problems.append(Finding(str(path), 0, "error", "internal-error", message))
    report.seconds = time.perf_counter() - started
    return report


def _dispatch(path: Path, kind: str, schemas: Schemas, report: PackageReport) -> None:
    label = str(path)
    if path.is_dir() and not path.is_symlink():
        _check_package(FolderSource(path, label, report), kind, schemas)
        return
    try:
        descriptor = _open_regular(path)
    except _NotRead as refusal:
        report.problems.append(Finding(label, 0, "error", refusal.code, refusal.message))
        return
    with os.fdopen(descriptor, "rb") as stream:
        magic = stream.read(4)
        stream.seek(0)
        if magic[:2] == b"PK":
            try:
                source = ZipSource(stream, label, report)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as error:
                message = f"not a readable zip archive: {error}"
                report.problems.append(Finding(label, 0, "error", "bad-zip", message))
                return
            with source.archive:
                _check_package(source, kind, schemas)
            return
        if path.name.lower() == "imsmanifest.xml":
            parent = path.parent
            _check_package(FolderSource(parent, str(parent), report), kind, schemas)
            return
        try:
            data = _read_at_most(stream, MAX_XML_BYTES)
        except _NotRead as refusal:
            report.members = 1
            report.problems.append(Finding(label, 0, "error", refusal.code, refusal.message))
            return
        except OSError as error:
            report.problems.append(Finding(label, 0, "error", "unreadable", f"cannot be read: {error.strerror}"))
            return
    _check_single_file(path, data, kind, schemas, report)


def _note_kind(report: PackageReport, detected: str | None, reason: str, forced: str,
               problem: Report) -> str | None:
    if forced == "auto":
        report.kind, report.kind_reason = detected, reason
        return detected
    if detected is not None and detected != forced:
        problem(0, "warning", "kind-mismatch",
                f"checked as {forced} as asked, but this looks like {detected} ({reason})")
    report.kind, report.kind_reason = forced, "given with --kind"
    return forced


# --- single XML files ----------------------------------------------------------------------


def _single_kind(root: etree._Element) -> tuple[str | None, str]:
    name = etree.QName(root)
    if name.namespace == QTI21 and name.localname in QTI21_TYPES.values():
        return "qti21", f"root element qti:{name.localname}"
    if name.localname == "questestinterop" and name.namespace in (QTI12, None):
        return "qti12", "root element questestinterop"
    if name.namespace is None and name.localname == "quiz":
        return "moodle", "root element quiz (Moodle XML)"
    return None, f"root element {name.text}"


def _check_single_file(path: Path, data: bytes, kind: str, schemas: Schemas, report: PackageReport) -> None:
    label = str(path)

    def problem(line: int, level: str, code: str, message: str) -> None:
        report.problems.append(Finding(label, line, level, code, message))

    report.members = 1
    root = _parse(data, problem)
    if root is None:
        return
    detected, reason = _single_kind(root)
    if detected is None and kind == "auto":
        report.kind_reason = reason
        problem(_line(root), "error", "unknown-kind",
                f"{reason} is none of: QTI 2.1 assessmentItem/assessmentTest/assessmentSection, QTI 1.2 "
                "questestinterop, Moodle XML quiz (give --kind to force one)")
        return
    chosen = _note_kind(report, detected, reason, kind, problem)
    if chosen in ("scorm12", "scorm2004"):
        problem(0, "error", "not-a-package", f"a {chosen} package is a zip or folder with imsmanifest.xml")
        return
    _validate(schemas, str(chosen), root, "qti", label, report, problem)
    beside = _BesideFile(path.parent, problem)
    if chosen == "qti21":
        _check_qti21_refs(root, problem, resolve=beside.resolve)
    elif chosen == "moodle":
        _check_moodle(root, problem)
    _check_xincludes(root, beside.resolve)
    beside.report_bad_bases()


class _BesideFile:
    """References of one XML file checked on its own: its folder stands for the package. A
    reference that leaves that folder (absolute, '..' past it, a file: URL, an XInclude of a URL)
    is an error, and nothing outside the folder is ever looked at: checking whether /etc/passwd
    exists would tell whoever chose the href."""

    def __init__(self, folder: Path, problem: Report) -> None:
        self.folder, self.problem = folder, problem
        self.bad_bases: dict[etree._Element, None] = {}

    def resolve(self, element: etree._Element, href: str, what: str) -> str | None:
        base = _base_of(element, "", self.bad_bases)
        if base is None:
            return None
        target = _join(base, href)
        if target.external:
            if _must_stay_inside(element, href):
                self.problem(_line(element), "error", "unsafe-href",
                             f"{what} refers outside this file's folder; it was not followed")
            return None
        if target.unsafe:
            self.problem(_line(element), "error", "unsafe-href",
                         f"{what} {target.unsafe.replace('package', 'folder of this file')}; it was not looked at")
            return None
        assert target.path is not None
        if not _regular_file_inside(self.folder, target.path):
            self.problem(_line(element), "warning", "missing-file",
                         f"{what} names a file that is not beside this file (checked outside its package)")
        return target.path

    def report_bad_bases(self) -> None:
        for element in self.bad_bases:
            self.problem(_line(element), "error", "unsafe-href",
                         f"xml:base {element.get(f'{{{XML_NS}}}base')!r} is absolute or points outside the folder "
                         "of this file")


def _regular_file_inside(folder: Path, relative: str) -> bool:
    """Whether ``folder/relative`` is a regular file reached without a symbolic link (lstat on
    every step: a link could lead anywhere)."""
    current = folder
    parts = relative.split("/")
    for index, part in enumerate(parts):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except (OSError, ValueError):
            return False
        last = index == len(parts) - 1
        if not (stat.S_ISREG(mode) if last else stat.S_ISDIR(mode)):
            return False
    return True


def _must_stay_inside(element: etree._Element, href: str) -> bool:
    """A URL that may not be followed at all: any XInclude of one, and any file: URL."""
    return element.tag == f"{{{XINCLUDE}}}include" or href.strip().lower().startswith("file:")


def _check_xincludes(root: etree._Element, resolve: Callable[[etree._Element, str, str], str | None]) -> None:
    """Every xi:include must name a file of the package (XInclude is never processed; a reader
    that did process it would fetch what it names)."""
    for element in root.iter(f"{{{XINCLUDE}}}include"):
        href = element.get("href")
        if href:
            resolve(element, href, f"<xi:include href> {href!r}")


def _validate(schemas: Schemas, kind: str, root: etree._Element, role: str, label: str,
              report: PackageReport, problem: Report) -> bool:
    """Validate ``root``; False when no schema covers it."""
    validator = schemas.for_document(kind, root, role)
    if validator is None:
        return False
    report.validated_files.append(label)
    failures, note = validator.problems(root)
    if validator.level == "error":
        for line, message in failures:
            problem(line, "error", validator.code, message)
        if note:
            problem(0, "error", validator.code, note)
    elif failures or note:
        line, message = failures[0] if failures else (0, "")
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        detail = "; ".join(part for part in (message + more, note) if part)
        problem(line, "warning", validator.code,
                f"not within what lmspack emits ({validator.label}): {detail}; it may still be valid for its "
                "standard (check with --schemas)")
    return True


def _check_qti21_refs(root: etree._Element, problem: Report, *,
                      resolve: Callable[[etree._Element, str, str], str | None],
                      ) -> list[tuple[etree._Element, str]]:
    """Files a QTI 2.1 document names (img, object, stylesheet, item and section refs),
    and duplicate item ref identifiers. Returns the assessmentItemRef elements with their target
    paths (inside a package) for the manifest-level checks."""
    targets = []
    wanted = [(f"{{{QTI21}}}img", "src"), (f"{{{QTI21}}}object", "data"), (f"{{{QTI21}}}stylesheet", "href"),
              (f"{{{QTI21}}}assessmentItemRef", "href"),
              (f"{{{QTI21}}}assessmentSectionRef", "href")]
    for tag, attribute in wanted:
        for element in root.iter(tag):
            href = element.get(attribute)
            if not href:
                continue
            path = resolve(element, href, f"<{etree.QName(element).localname} {attribute}> {href!r}")
            if path is not None and tag.endswith("}assessmentItemRef"):
                targets.append((element, path))
    _check_qti21_identifiers(root, problem)
    return targets


# QTI 2.1 (Information Model, assessmentTest, testPart, sectionPart): within one assessmentTest
# the identifiers of test parts, sections, section and item refs and the test's outcome variables
# share one namespace (an outcome processing rule names an item's variable as ITEMREF.VAR, and a
# branch rule a part, section or item). Within an item the variables' identifiers do.
QTI21_TEST_SCOPED = ("testPart", "assessmentSection", "assessmentSectionRef", "assessmentItemRef",
                     "outcomeDeclaration")
QTI21_ITEM_SCOPED = ("responseDeclaration", "outcomeDeclaration", "templateDeclaration")


def _check_qti21_identifiers(root: etree._Element, problem: Report) -> None:
    """Identifiers used twice where the QTI 2.1 spec wants them unique: duplicate-item-ref for two
    item refs (validate_package.py's code), duplicate-identifier for any other clash."""
    local = etree.QName(root).localname
    scoped = QTI21_ITEM_SCOPED if local == "assessmentItem" else QTI21_TEST_SCOPED
    where = "an assessmentItem" if local == "assessmentItem" else f"an {local}"
    if local not in ("assessmentItem", "assessmentTest", "assessmentSection"):
        return
    tags = [f"{{{QTI21}}}{name}" for name in scoped]
    first: dict[str, etree._Element] = {}
    for element in root.iter(*tags):
        identifier = element.get("identifier")
        if not identifier:
            continue
        if identifier not in first:
            first[identifier] = element
            continue
        earlier = first[identifier]
        kind, earlier_kind = etree.QName(element).localname, etree.QName(earlier).localname
        if kind == earlier_kind == "assessmentItemRef":
            problem(_line(element), "error", "duplicate-item-ref",
                    f"assessmentItemRef identifier {identifier!r} is already used on line {earlier.sourceline}")
        else:
            problem(_line(element), "error", "duplicate-identifier",
                    f"{kind} identifier {identifier!r} is already the identifier of the {earlier_kind} on line "
                    f"{earlier.sourceline}; within {where} the identifiers of "
                    f"{', '.join(scoped[:-1])} and {scoped[-1]} elements must all differ")


def _check_moodle(root: etree._Element, problem: Report) -> None:
    """Every @@PLUGINFILE@@/name in a text must be embedded as a <file> of the same element."""
    embedded_in: dict[etree._Element, set[str]] = {}  # once per element: not once per <text> in it
    for text in root.iter("text"):
        holder = text.getparent()
        if holder is None or not text.text:
            continue
        if holder not in embedded_in:
            embedded_in[holder] = {(f.get("path", "/").strip("/") + "/" + (f.get("name") or "")).lstrip("/")
                                   for f in holder.iterchildren("file")}
        embedded = embedded_in[holder]
        for match in PLUGINFILE.finditer(text.text):
            name = unquote(match[1])
            if name not in embedded:
                problem(_line(text), "error", "missing-file",
                        f"@@PLUGINFILE@@/{match[1]} has no <file name={name!r}> in <{holder.tag!s}>")


# --- packages ------------------------------------------------------------------------------


def _detect(manifest: etree._Element) -> tuple[str | None, str, str | None]:
    """(kind, reason, unsupported-reason) from the manifest, in validate_package.py's order."""
    namespace = etree.QName(manifest).namespace
    if namespace == SCORM12_CP:
        return "scorm12", "SCORM 1.2 IMS CP namespace", None
    types = [r.get("type") or "" for r in manifest.iter() if _local(r) == "resource"]
    if any(t in QTI21_TYPES for t in types):
        return "qti21", "resource types imsqti_*_xmlv2p1", None
    other = sorted({t for t in types if re.fullmatch(r"imsqti_\w+_xmlv2p\d+", t)})
    if other:
        return None, "", f"resource type {other[0]}: only QTI 2.1 (…_xmlv2p1) is supported"
    if any(t.startswith("imsqti_xmlv1p2") for t in types):
        return "qti12", "resource type imsqti_xmlv1p2", None
    namespaces = {etree.QName(e).namespace for e in manifest.iter() if isinstance(e.tag, str)}
    namespaces |= {etree.QName(a).namespace
                   for e in manifest.iter() if isinstance(e.tag, str) for a in e.attrib}
    version = _text(manifest, "schemaversion")
    if version in SCORM2004_VERSIONS or ADLCP13 in namespaces:
        return "scorm2004", f"schemaversion {version!r}" if version else "ADL CP v1.3 namespace", None
    if (_text(manifest, "schema") == "ADL SCORM" and version == "1.2") or ADLCP12 in namespaces:
        return "scorm12", "schema ADL SCORM 1.2" if version == "1.2" else "ADL CP 1.2 namespace", None
    return None, "", "no QTI resource type, SCORM schemaversion or ADL namespace (give --kind)"


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child(manifest: etree._Element, name: str) -> etree._Element | None:
    """The manifest's metadata/NAME element (schema, schemaversion)."""
    for metadata in manifest:
        if _local(metadata) == "metadata":
            for child in metadata:
                if _local(child) == name:
                    return child
    return None


def _text(manifest: etree._Element, name: str) -> str | None:
    element = _child(manifest, name)
    return None if element is None else (element.text or "").strip()


def _check_package(source: Source, kind: str, schemas: Schemas) -> None:
    report = source.report
    report.members = len(source.names)
    if any(p.code == "too-large" and p.file == source.label for p in report.problems):
        return
    if not source.has("imsmanifest.xml"):
        others = [n for n in source.names if n.rsplit("/", 1)[-1].lower() == "imsmanifest.xml"]
        if others:
            source.problem(None, 0, "error", "manifest-location",
                           f"imsmanifest.xml must be at the package root; found {others[0]!r}")
        else:
            source.problem(None, 0, "error", "no-manifest", "no imsmanifest.xml at the package root")
        return
    try:
        _check_manifest(source, kind, schemas)
    finally:
        for name in source.names:  # every XML file must at least be well-formed
            if name.lower().endswith(".xml") and not source.seen(name):
                source.parse(name)
                source.release(name)


def _check_manifest(source: Source, kind: str, schemas: Schemas) -> None:
    report = source.report
    manifest = source.parse("imsmanifest.xml")
    if manifest is None:
        return
    if _local(manifest) != "manifest":
        source.problem("imsmanifest.xml", _line(manifest), "error", "manifest-root",
                       f"root element is {manifest.tag!s}, not an IMS CP manifest")
        return
    detected, reason, unsupported = _detect(manifest)

    def manifest_problem(line: int, level: str, code: str, message: str) -> None:
        source.problem("imsmanifest.xml", line, level, code, message)

    if detected is None and kind == "auto":
        manifest_problem(_line(manifest), "error", "unknown-kind",
                         f"package kind not recognised: {unsupported}")
        return
    chosen = _note_kind(report, detected, reason, kind, manifest_problem)
    if chosen == "moodle":
        manifest_problem(0, "error", "not-a-package", "Moodle XML is one XML file, not a content package")
        return
    _PackageCheck(source, str(chosen), schemas, manifest).run()


class _PackageCheck:
    """Integrity of one IMS content package of a known kind."""

    def __init__(self, source: Source, kind: str, schemas: Schemas, manifest: etree._Element) -> None:
        self.source, self.kind, self.schemas, self.manifest = source, kind, schemas, manifest
        self.cp = etree.QName(manifest).namespace
        # Elements with an unsafe xml:base, in document order (dicts: lxml elements hash by identity,
        # and a list's membership test made 100,000 of them quadratic).
        self.bad_bases: dict[etree._Element, None] = {}
        self.reported_bases: set[etree._Element] = set()
        self.listed_by: dict[etree._Element, list[str]] = {}  # resource -> paths its own <file>s list
        self.listers: dict[str, list[etree._Element]] = {}  # path -> resources whose own <file> lists it
        self.reaching: dict[str, set[etree._Element]] = {}  # path -> resources that list it, or depend on one
        self.dependency_steps = MAX_DEPENDENCY_STEPS
        self.said_too_many_steps = False
        self.xincludes_checked: set[str] = set()
        self.listed: set[str] = set()
        self.resource_list = self._all("resource")
        self.resources: dict[str | None, etree._Element] = {}
        for resource in self.resource_list:
            if resource.get("identifier"):
                self.resources.setdefault(resource.get("identifier"), resource)
        self.scorm = kind in ("scorm12", "scorm2004")

    def problem(self, element: etree._Element | None, level: str, code: str, message: str,
                member: str = "imsmanifest.xml") -> None:
        line = element.sourceline if element is not None else 0
        self.source.problem(member, line or 0, level, code, message)

    def _all(self, local: str) -> list[etree._Element]:
        return list(self.manifest.iter(f"{{{self.cp}}}{local}" if self.cp else local))

    def run(self) -> None:
        self._namespace_and_schema()
        self._identifiers()
        self._organizations()
        self._files()
        self._resources()
        if self.kind == "qti21":
            self._qti21()
        elif self.kind == "qti12":
            self._qti12()
        self._xincludes()
        self._unlisted()

    # manifest -------------------------------------------------------------------------------

    def _namespace_and_schema(self) -> None:
        expected = {"scorm12": {SCORM12_CP}, "qti12": {IMSCP} | CC_MANIFESTS}.get(self.kind, {IMSCP})
        if self.cp not in expected:
            self.problem(self.manifest, "error", "wrong-namespace",
                         f"manifest namespace is {self.cp!r}; a {self.kind} manifest uses "
                         f"{' or '.join(sorted(expected))!r}")
            return
        if self.kind == "scorm2004":
            version = _text(self.manifest, "schemaversion")
            if version != "2004 4th Edition":
                where = _child(self.manifest, "schemaversion")
                self.problem(self.manifest if where is None else where, "warning", "scorm-edition",
                             f"schemaversion {version!r} is checked with the SCORM 2004 4th Edition rules")
        label = self.source.display("imsmanifest.xml")
        if not _validate(self.schemas, self.kind, self.manifest, "manifest", label, self.source.report,
                         lambda line, *rest: self.source.problem("imsmanifest.xml", line, *rest)):
            self.problem(self.manifest, "warning", "manifest-not-validated",
                         f"no schema here for manifest namespace {self.cp!r}"
                         + (" (Common Cartridge, as Canvas writes it)" if self.cp in CC_MANIFESTS else "")
                         + "; its integrity was still checked")

    def _identifiers(self) -> None:
        seen: dict[str, etree._Element] = {}
        everything = [self.manifest, *self._all("organization"), *self._all("item"), *self._all("resource")]
        for element in everything:
            identifier = element.get("identifier")
            if not identifier:
                continue
            if identifier in seen:
                self.problem(element, "error", "duplicate-identifier",
                             f"identifier {identifier!r} is already used on line "
                             f"{seen[identifier].sourceline}")
            else:
                seen[identifier] = element

    def _organizations(self) -> None:
        holders = self._all("organizations")
        organizations = self._all("organization")
        ids = {o.get("identifier") for o in organizations}
        default = holders[0].get("default") if holders else None
        if self.scorm and not organizations:
            self.problem(holders[0] if holders else self.manifest, "error", "default-organization",
                         "a SCORM package needs an <organization> (the LMS has nothing to launch)")
        elif default is not None and default not in ids:
            self.problem(holders[0], "error", "unresolved-default",
                         f"organizations default {default!r} names no organization")
        elif self.scorm and default is None:
            level = "error" if len(organizations) > 1 else "warning"
            self.problem(holders[0], level, "default-organization",
                         f"{len(organizations)} organizations and no default attribute")
        for item in self._all("item"):
            ref = item.get("identifierref")
            children = [c for c in item if _local(c) == "item"]
            if ref is not None and ref not in self.resources:
                self.problem(item, "error", "unresolved-identifierref",
                             f"item identifierref {ref!r} names no resource")
            if not self.scorm:
                continue
            if children and ref is not None:
                self.problem(item, "error" if self.kind == "scorm2004" else "warning", "parent-item-ref",
                             "an item with child items must not have an identifierref")
            elif not children and ref is None:
                self.problem(item, "error", "leaf-item", "a leaf item needs an identifierref to a resource")
            elif ref in self.resources and not self.resources[ref].get("href"):
                self.problem(item, "error", "launch-href",
                             f"item refers to resource {ref!r}, which has no href")
        for dependency in self._all("dependency"):
            ref = dependency.get("identifierref")
            if ref not in self.resources:
                self.problem(dependency, "error", "unresolved-identifierref",
                             f"dependency identifierref {ref!r} names no resource")

    # files ----------------------------------------------------------------------------------

    def resolve(self, element: etree._Element, href: str, what: str, *, start: str = "",
                member: str = "imsmanifest.xml", manifest_rules: bool = False) -> str | None:
        """The package path ``href`` on ``element`` names, reporting unsafe, external and missing
        targets; None when there is no file to look at."""
        base = _base_of(element, start, self.bad_bases)
        if base is None:
            return None  # its xml:base was already reported as unsafe
        target = _join(base, href)
        if target.external:
            if manifest_rules:
                self.problem(element, "error", "external-file",
                             f"{what} is a URL; package files must be inside", member)
            elif _must_stay_inside(element, href):
                self.problem(element, "error", "unsafe-href",
                             f"{what} refers outside the package; it was not followed", member)
            return None
        if target.unsafe:
            self.problem(element, "error", "unsafe-href", f"{what} {target.unsafe}", member)
            return None
        if manifest_rules and target.dotdot:
            self.problem(element, "warning", "dotdot-href", f"{what} uses '..'", member)
        if manifest_rules and target.backslash:
            self.problem(element, "warning", "backslash-href", f"{what} uses '\\' instead of '/'", member)
        assert target.path is not None
        if not self.source.has(target.path):
            self.problem(element, "error", "missing-file", f"{what} is not in the package", member)
        return target.path

    def _report_bad_bases(self, member: str) -> None:
        for element in self.bad_bases:
            if element not in self.reported_bases:
                self.reported_bases.add(element)
                base = element.get(f"{{{XML_NS}}}base")
                self.problem(element, "error", "unsafe-href",
                             f"xml:base {base!r} is absolute or points outside the package", member)
        self.bad_bases.clear()

    def _files(self) -> None:
        for file in self._all("file"):
            href = file.get("href")
            if href:
                path = self.resolve(file, href, f"<file href> {href!r}", manifest_rules=True)
                if path is not None:
                    self.listed.add(path)
                    holder = file.getparent()
                    if holder is not None and _local(holder) == "resource":
                        self.listed_by.setdefault(holder, []).append(path)
                        self.listers.setdefault(path, []).append(holder)
        for location in self.manifest.iter(f"{{{ADLCP12}}}location", f"{{{ADLCP13}}}location"):
            if location.text and location.text.strip():
                self.resolve(location, location.text.strip(), f"adlcp:location {location.text.strip()!r}")
        self._report_bad_bases("imsmanifest.xml")

    def _lists(self, resource: etree._Element, path: str) -> bool | None:
        """Whether a <file> of ``resource`` or of a resource it depends on (transitively) lists
        ``path``; None once MAX_DEPENDENCY_STEPS are spent. Walks back from the resources that
        list ``path`` to all that depend on them, once per path and iteratively: a chain of
        1,100 dependencies exhausted the stack, and walking forward from every resource cost the
        square of the chain's length."""
        if path in self.listed_by.get(resource, ()):
            return True
        if path not in self.reaching:
            if self.dependency_steps < 0:
                return None
            reached = set(self.listers.get(path, ()))
            pending = list(reached)
            while pending:
                for dependent in self.dependents.get(pending.pop(), ()):
                    if dependent not in reached:
                        self.dependency_steps -= 1
                        if self.dependency_steps < 0:
                            return None
                        reached.add(dependent)
                        pending.append(dependent)
            self.reaching[path] = reached
        return resource in self.reaching[path]

    @functools.cached_property
    def dependents(self) -> dict[etree._Element, list[etree._Element]]:
        """resource -> the resources with a <dependency> on it."""
        found: dict[etree._Element, list[etree._Element]] = {}
        for resource in self.resource_list:
            for child in resource:
                target = self.resources.get(child.get("identifierref")) if _local(child) == "dependency" else None
                if target is not None:
                    found.setdefault(target, []).append(resource)
        return found

    def _resources(self) -> None:
        scormtype = {"scorm12": f"{{{ADLCP12}}}scormtype",
                     "scorm2004": f"{{{ADLCP13}}}scormType"}.get(self.kind)
        self.href_paths: dict[int, str | None] = {}
        for resource in self.resource_list:
            href = resource.get("href")
            path = None
            if href:
                path = self.resolve(resource, href, f"resource href {href!r}", manifest_rules=True)
                listed = self._lists(resource, path) if path is not None and self.source.has(path) else True
                if listed is None and not self.said_too_many_steps:
                    self.said_too_many_steps = True
                    self.problem(resource, "error", "too-large",
                                 f"the resources' dependencies take more than {MAX_DEPENDENCY_STEPS:,} steps to "
                                 "follow; href-not-listed was not checked from this resource on")
                elif listed is False:
                    self.problem(resource, "warning", "href-not-listed",
                                 f"resource href {href!r} is not listed in a <file> of the resource "
                                 "or of its dependencies")
            self.href_paths[id(resource)] = path
            if scormtype is None:
                continue
            value = resource.get(scormtype)
            if value is None:
                self.problem(resource, "error", "scorm-type",
                             f"resource {resource.get('identifier')!r} has no "
                             f"adlcp:{scormtype.split('}')[1]}")
            elif value.lower() == "sco":
                bare = re.split(r"[?#]", href or "", maxsplit=1)[0].lower()
                if not href or SCHEME.match(href) or not bare.endswith(HTML_SUFFIXES):
                    self.problem(resource, "error", "sco-href",
                                 f"SCO resource {resource.get('identifier')!r} must launch a packaged HTML "
                                 f"page; href is {href!r}")
            if self.kind == "scorm2004" and resource.get("type") != "webcontent":
                self.problem(resource, "warning", "resource-type",
                             f"resource type {resource.get('type')!r}; SCORM 2004 expects 'webcontent'")
        self._report_bad_bases("imsmanifest.xml")

    def _xincludes(self) -> None:
        """XIncludes of every XML file not yet looked at (QTI files were, as they were checked)."""
        for name in self.source.names:
            if name.lower().endswith(".xml") and name not in self.xincludes_checked:
                root = self.source.parse(name)
                if root is not None:
                    self._check_xincludes_of(name, root)
                if name != "imsmanifest.xml":
                    self.source.release(name)

    def _check_xincludes_of(self, name: str, root: etree._Element) -> None:
        if name not in self.xincludes_checked:
            self.xincludes_checked.add(name)
            _check_xincludes(root, functools.partial(self._resolve_in_document, member=name))
            self._report_bad_bases(name)

    def _unlisted(self) -> None:
        for name in self.source.names:
            if name == "imsmanifest.xml" or name.lower().endswith((".xsd", ".dtd")) or name in self.listed:
                continue
            self.source.problem(name, 0, "warning", "unlisted-file",
                                "file is in the package but no <file> element of the manifest lists it")

    # QTI ------------------------------------------------------------------------------------

    def _qti_document(self, resource: etree._Element, name: str, roots: tuple[str, ...],
                      namespaces: tuple[str | None, ...]) -> etree._Element | None:
        if not self.source.has(name):
            return None  # missing-file already reported
        root = self.source.parse(name)
        if root is None:
            return None
        qname = etree.QName(root)
        if qname.namespace not in namespaces:
            self.problem(root, "error", "qti-namespace",
                         f"root namespace {qname.namespace!r}; this resource needs "
                         f"{' or '.join(repr(n) for n in namespaces)}", name)
            return None
        if qname.localname not in roots:
            self.problem(root, "error", "qti-root",
                         f"resource {resource.get('identifier')!r} of type {resource.get('type')!r} needs "
                         f"root <{'/'.join(roots)}>, but this file holds <{qname.localname}>", name)
            return None
        _validate(self.schemas, self.kind, root, "qti", self.source.display(name), self.source.report,
                  lambda line, *rest: self.source.problem(name, line, *rest))
        return root

    def _qti21(self) -> None:
        items: dict[str, etree._Element] = {}
        qti_resources = []
        for resource in self.resource_list:
            kind = resource.get("type") or ""
            if kind in QTI21_TYPES:
                qti_resources.append(resource)
                path = self.href_paths.get(id(resource))
                if kind == "imsqti_item_xmlv2p1" and path:
                    items[path] = resource
            elif kind.startswith("imsqti_"):
                self.problem(resource, "error", "qti-version", f"resource type {kind!r} is not QTI 2.1")
        if not qti_resources:
            self.problem(self.manifest, "error", "no-qti-resource", "no QTI 2.1 resource in this package")
        for resource in qti_resources:
            path = self.href_paths.get(id(resource))
            href = resource.get("href")
            if not href or (path is not None and not path.lower().endswith(".xml")):
                self.problem(resource, "error", "qti-href", "a QTI resource needs an href to its XML file")
                continue
            if path is None:
                continue
            root = self._qti_document(resource, path, (QTI21_TYPES[resource.get("type", "")],), (QTI21,))
            if root is None:
                continue
            refs = _check_qti21_refs(root, functools.partial(self.source.problem, path),
                                     resolve=functools.partial(self._resolve_in_document, member=path))
            self._report_bad_bases(path)
            self._check_xincludes_of(path, root)
            if path != "imsmanifest.xml":
                self.source.release(path)
            depends = {d.get("identifierref") for d in resource if _local(d) == "dependency"}
            for element, target in refs:
                if not self.source.has(target):
                    continue
                if target not in items:
                    self.problem(element, "error", "item-not-declared",
                                 f"{target!r} is in the package but no imsqti_item_xmlv2p1 resource has it "
                                 "as href", path)
                elif items[target].get("identifier") not in depends:
                    self.problem(element, "warning", "missing-dependency",
                                 f"test resource {resource.get('identifier')!r} lacks <dependency "
                                 f"identifierref={items[target].get('identifier')!r}/> for {target!r}", path)

    def _resolve_in_document(self, element: etree._Element, href: str, what: str, *,
                             member: str) -> str | None:
        return self.resolve(element, href, what, start=_folder(member), member=member)

    def _qti12(self) -> None:
        found = False
        for resource in self.resource_list:
            kind = resource.get("type") or ""
            if not kind.startswith("imsqti_"):
                continue
            if not kind.startswith("imsqti_xmlv1p2"):
                self.problem(resource, "error", "qti-version", f"resource type {kind!r} is not QTI 1.2")
                continue
            found = True
            path = self.href_paths.get(id(resource))
            names = [path] if path else sorted(p for p in self._files_of_direct(resource)
                                               if p.lower().endswith(".xml"))
            if not names and not resource.get("href"):
                self.problem(resource, "error", "qti-href", "a QTI resource needs an href or an XML <file>")
            for name in names:
                self._qti_document(resource, name, ("questestinterop",), (QTI12, None))
        if not found:
            self.problem(self.manifest, "error", "no-qti-resource", "no QTI 1.2 resource in this package")
        # Canvas's assessment_meta.xml and the like: validated when our own schemas describe them.
        if not isinstance(self.schemas, ShippedSchemas):
            return
        for name in self.source.names:
            if name == "imsmanifest.xml" or not name.lower().endswith(".xml"):
                continue
            root = self.source.parse(name)
            if root is not None and etree.QName(root).localname != "questestinterop":
                _validate(self.schemas, self.kind, root, "other", self.source.display(name),
                          self.source.report, functools.partial(self.source.problem, name))
            if root is not None:
                self._check_xincludes_of(name, root)
                self.source.release(name)

    def _files_of_direct(self, resource: etree._Element) -> list[str]:
        """Paths listed by the resource's own <file> elements (unsafe ones left out)."""
        return list(self.listed_by.get(resource, ()))
