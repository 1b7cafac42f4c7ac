"""The files of a package an import reads: a zip, an unzipped folder, or one XML file and the
files beside it. Read as ``lmspack check`` reads packages (builder/checking.py's sources): zip
entries vetted before use (no path leaving the package, no links, no duplicates, no encryption)
and unpacked under size caps, no symbolic link followed, XML parsed without DTDs, entities or
network. Every problem is kept with its place, ``file.zip!/items/x.xml:LINE:COLUMN`` (the column
of an element is that of its start tag; 0 where there is none, as for a file that is missing).
"""

from __future__ import annotations

import contextlib
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from builder.checking import FolderSource, PackageReport, Source, ZipSource, _regular_file_inside
from builder.errors import Problem, escaped
from builder.rendering import safe_parser

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass
class Document:
    """One parsed XML file of a package, able to name the place of each of its elements."""

    name: str
    """Its path in the package (its folder is what its references are relative to)."""
    display: str
    root: etree._Element
    data: bytes
    _starts: dict[tuple[int, str], list[etree._Element]] = field(default_factory=dict, repr=False)
    _lines: list[bytes] = field(default_factory=list, repr=False)

    def at(self, element: etree._Element) -> tuple[int, int]:
        """The line and column of ``element``'s start tag."""
        line = element.sourceline or 0
        if not line or not isinstance(element.tag, str):
            return line, 0
        if not self._starts:
            self._lines = self.data.split(b"\n")
            for each in self.root.iter():
                if isinstance(each.tag, str) and each.sourceline:
                    self._starts.setdefault((each.sourceline, each.tag), []).append(each)
        local = etree.QName(element).localname
        name = f"{element.prefix}:{local}" if element.prefix else local
        text = self._lines[line - 1].decode("utf-8", "replace") if line <= len(self._lines) else ""
        starts = [found.start() for found in re.finditer(f"<{re.escape(name)}(?=[\\s/>])", text)]
        same = self._starts.get((line, element.tag), [element])
        index = same.index(element) if element in same else 0
        return line, starts[index] + 1 if index < len(starts) else 0

    def place(self, element: etree._Element) -> str:
        line, column = self.at(element)
        return f"{self.display}:{line}:{column}"


class Package:
    """The files of one source, and every problem met reading them (``problems``)."""

    def __init__(self, path: Path, source: Source, beside: str | None = None) -> None:
        self.path = path
        self.source = source
        self.beside = beside
        """For one XML file: its name (the package is the folder around it, read on demand)."""
        self.problems: list[Problem] = []

    @property
    def names(self) -> list[str]:
        return self.source.names

    def display(self, name: str) -> str:
        return escaped(self.source.display(name)) if self.beside is None else \
            escaped(str(self.path.parent / name) if name != self.beside else str(self.path))

    def problem(self, place: str, message: str) -> None:
        """A problem at ``place`` (``display:line:column``, or a display alone: the whole file)."""
        parts = place.rsplit(":", 2)
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            self.problems.append(Problem(parts[0], int(parts[1]), int(parts[2]), message))
        else:
            self.problems.append(Problem(place, 0, 0, message))

    def has(self, name: str) -> bool:
        if self.beside is not None:
            return _regular_file_inside(self.path.parent, name)
        return self.source.has(name)

    def read(self, name: str) -> bytes | None:
        """A member's bytes, or None after the problem is noted (a missing one is the caller's to say)."""
        data = self.source.read(name)
        self._take_findings()
        return data

    def document(self, name: str) -> Document | None:
        """A member parsed as XML, or None after its problem is noted."""
        data = self.read(name)
        if data is None:
            return None
        display = self.display(name)
        try:
            root = etree.fromstring(data, safe_parser())
        except etree.XMLSyntaxError as error:
            line, column = error.position
            self.problems.append(Problem(display, line, column, f"not well-formed XML: {error.msg}"))
            return None
        dtd = root.getroottree().docinfo.internalDTD
        if dtd is not None and any(True for _ in dtd.entities()):
            self.problems.append(Problem(display, 1, 1, "its DOCTYPE declares entities, which lmspack import never "
                                                        "expands; remove them (write the text they stand for)"))
            return None
        return Document(name, display, root, data)

    def _take_findings(self) -> None:
        report = self.source.report
        for finding in report.problems:
            if finding.level == "error":
                self.problems.append(Problem(escaped(finding.file), finding.line, 0, finding.message))
        report.problems.clear()


@contextlib.contextmanager
def opened(path: Path) -> Iterator[Package]:
    """The package at ``path``: a zip (whatever its name), a folder, or one XML file, whose
    references name files beside it."""
    report = PackageReport(str(path))
    if path.is_dir():
        package = Package(path, FolderSource(path, str(path), report))
        package._take_findings()
        yield package
        return
    with path.open("rb") as stream:
        if stream.read(2) == b"PK":
            stream.seek(0)
            try:
                source = ZipSource(stream, str(path), report)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as error:
                package = Package(path, FolderSource(path.parent, str(path.parent), report), path.name)
                package.problems.append(Problem(escaped(str(path)), 0, 0, f"not a readable zip archive: {error}"))
                yield package
                return
            with source.archive:
                package = Package(path, source)
                package._take_findings()
                yield package
            return
    yield Package(path, _Beside(path.parent, str(path.parent), report), path.name)


class _Beside(FolderSource):
    """The folder around one XML file, read only where the file names a file (never listed: the
    folder may be a downloads folder of thousands), each step of the way checked not to be a link."""

    def _walk(self, top: Path) -> list[str]:
        return []

    def _read(self, name: str) -> bytes | None:
        if not _regular_file_inside(self.root, name):
            self.problem(name, 0, "error", "missing-file", "is not a file beside it (or is reached through a link)")
            return None
        return super()._read(name)


def member(base: str, href: str) -> str | None:
    """The package member ``href`` names, relative to the folder ``base`` ('' at the top); None for a
    URL with a scheme, or a path that leaves the package (absolute, or '..' past its top)."""
    if SCHEME.match(href) or not href:
        return None
    path = unquote(re.split(r"[?#]", href, maxsplit=1)[0])
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        return None
    joined = posixpath.normpath(posixpath.join(base, path))
    return None if joined == ".." or joined.startswith("../") else joined


def folder_of(name: str) -> str:
    return posixpath.dirname(name)
