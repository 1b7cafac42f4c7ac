"""`lmspack import`: canonical quiz folders from the files other tools (and lmspack) write.

Each source format has one module here with two functions:

    recognises(path: Path, head: bytes) -> bool   # head: the file's first 4096 bytes (b"" for a folder)
    read(path: Path) -> list[ImportedQuiz]        # raises InputError with every problem at its place

A reader turns its source into the documents lmspack's loader reads (docs/format.md): quiz.yaml's
mapping and one mapping per item, with text as Markdown or sanitisable HTML, and the files the texts
show. Whatever the source holds that lmspack's model cannot is a ``Lost`` entry naming its place in the
source: the import lists it and never drops it silently. Writing the folders (and refusing to overwrite
without --force) is the same for every source, in builder/importing/writing.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Lost:
    """One thing in the source that the quiz folder does not carry: where it is (the source file, and
    a line or a path inside a zip when there is one) and what it is, in plain words."""

    place: str
    what: str


@dataclass
class ImportedItem:
    """One item file: its id (also its file name, ``<id>.yaml``) and the mapping written into it, keys
    in the order docs/format.md lists them."""

    identifier: str
    document: dict[str, object]


@dataclass
class ImportedQuiz:
    """One quiz folder: quiz.yaml's mapping, its items in the quiz's order, the files its texts show
    (path inside the quiz folder -> bytes) and what could not be carried."""

    identifier: str
    document: dict[str, object]
    items: list[ImportedItem]
    media: dict[str, bytes] = field(default_factory=dict)
    lost: list[Lost] = field(default_factory=list)
