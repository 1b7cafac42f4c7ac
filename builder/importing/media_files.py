"""The files an imported quiz's texts show: where each goes in the quiz folder.

A source names its files in its own way (Moodle: a field's own file area; Canvas: web_resources/);
a reader asks ``MediaFiles.place`` for the path in the quiz folder of each file a text shows. A file
keeps its own path where the loader takes it: one the quiz folder already holds with other bytes,
or one differing from it only in case, gets '-2', '-3' ... before its extension; characters no LMS
takes become '_'. A file lmspack does not carry (its type, bytes that are not what its name says,
an SVG that could run or load something) is refused with the reason, which the reader lists as
not carried.
"""

from __future__ import annotations

import math
import posixpath
import re
import unicodedata

from builder import media
from builder.markup import MEDIA_TYPES

_REFUSED_IN_NAME = re.compile(r'[\\:*?"<>|\x00-\x1f\x7f]')


class MediaFiles:
    """The files of one imported quiz: path in the quiz folder -> bytes."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self._folded: dict[str, str] = {}
        self._placed: dict[tuple[str, bytes], str] = {}

    def place(self, wanted: str, data: bytes) -> tuple[str | None, str | None]:
        """Where the file the source keeps at ``wanted`` (a relative path, '/' between folders) goes
        in the quiz folder, and None; or None and why lmspack does not carry it."""
        path = _usable_path(wanted)
        extension = posixpath.splitext(path)[1].lower()
        media_type = MEDIA_TYPES.get(extension)
        if media_type is None:
            return None, (f"the file {wanted!r}: lmspack carries images, audio and video of the types "
                          f"{', '.join(sorted(MEDIA_TYPES))}")
        trouble = media.content_problem(media_type, data)
        if trouble is not None:
            return None, f"the file {wanted!r}, which {trouble}"
        known = self._placed.get((path, data))
        if known is not None:
            return known, None
        stem, extension = posixpath.splitext(path)
        candidate, count = path, 1
        while self._folded.get(_folded(candidate), candidate) != candidate or \
                (candidate in self.files and self.files[candidate] != data):
            count += 1
            candidate = f"{stem}-{count}{extension}"
        self.files[candidate] = data
        self._folded[_folded(candidate)] = candidate
        self._placed[(path, data)] = candidate
        return candidate, None

    def limits(self) -> dict[str, object]:
        """quiz.yaml's ``media:`` when the files need more than the default limits, else {}."""
        defaults = media.MediaLimits()
        largest = max((len(data) for data in self.files.values()), default=0)
        total = sum(len(data) for data in self.files.values())
        wanted: dict[str, object] = {}
        if largest > defaults.file_bytes:
            wanted["max_file_mb"] = math.ceil(largest / 2**20)
        if total > defaults.total_bytes:
            wanted["max_total_mb"] = math.ceil(total / 2**20)
        return {"media": wanted} if wanted else {}


def _folded(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def _usable_path(wanted: str) -> str:
    """``wanted`` as a path every LMS and file system takes, inside the quiz folder: no empty, '.'
    or '..' folders, refused characters as '_', no name ending in a dot or space, NFC."""
    parts = [part for part in unicodedata.normalize("NFC", wanted).replace("\\", "/").split("/")
             if part not in ("", ".", "..")]
    cleaned = [_REFUSED_IN_NAME.sub("_", part).rstrip(" .") or "_" for part in parts or ["file"]]
    # What is left that a file system refuses is a Windows device name (con.png).
    return "/".join("_" + part if media.name_problem(part) is not None else part for part in cleaned)
