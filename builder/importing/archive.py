"""A package to import, zipped or unzipped, read within the limits `lmspack check` keeps.

A zip's entries are refused when their names leave the package (absolute, '..', a backslash) or
they are links or devices; the whole is refused beyond builder.checking's caps on entries and on
unpacked bytes, and an entry that expands more than its ratio allows is never unpacked. A folder
is read the same way: only plain files inside it, no link followed out of it.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from pathlib import Path

from builder.checking import MAX_ENTRIES, MAX_RATIO, MAX_TOTAL_BYTES, RATIO_FLOOR, unsafe_entry
from builder.errors import Problem


class Package:
    """The files of one package by their path in it ('/' between folders); problems listed in
    ``problems`` at ``shown(name)``, never raised."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.budget = MAX_TOTAL_BYTES
        self._archive: zipfile.ZipFile | None = None
        self._entries: dict[str, zipfile.ZipInfo] = {}
        self._files: dict[str, Path] = {}
        self.single = False
        if path.is_dir():
            self._list_folder()
        elif zipfile.is_zipfile(path):
            self._open_zip()
        else:  # one file, as a package of itself
            self.single = True
            self._files[path.name] = path

    @property
    def names(self) -> list[str]:
        return sorted(self._entries) if self._archive is not None else sorted(self._files)

    def shown(self, name: str) -> str:
        """Where a file of the package is, as messages name it: source!/path (a zip), source/path."""
        if self.single:
            return str(self.path)
        return f"{self.path}!/{name}" if self._archive is not None else str(self.path / name)

    def problem(self, name: str | None, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown(name) if name else str(self.path), line, 0, message))

    def read(self, name: str) -> bytes | None:
        """The bytes of a file of the package (None: absent or refused, the reason in problems)."""
        if self._archive is not None:
            entry = self._entries.get(name)
            return None if entry is None else self._read_entry(entry)
        file = self._files.get(name)
        if file is None:
            return None
        try:
            with open(file, "rb") as stream:
                data = stream.read(self.budget + 1)
        except OSError as error:
            self.problem(name, 0, f"cannot be read: {error.strerror or error}")
            return None
        return self._spent(name, data)

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()

    def _spent(self, name: str, data: bytes) -> bytes | None:
        if len(data) > self.budget:
            self.problem(name, 0, f"the package unpacks to more than {MAX_TOTAL_BYTES:,} bytes; lmspack import reads "
                                  "no more")
            return None
        self.budget -= len(data)
        return data

    def _open_zip(self) -> None:
        try:
            self._archive = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            self.problem(None, 0, f"is not a zip file that can be read: {error}")
            return
        entries = self._archive.infolist()
        if len(entries) > MAX_ENTRIES:
            self.problem(None, 0, f"has {len(entries):,} entries; lmspack import reads at most {MAX_ENTRIES:,}")
            return
        for entry in entries:
            name = entry.filename
            reason = unsafe_entry(entry)
            if reason is not None:
                self.problem(name, 0, f"the zip entry {reason}; it was not read")
            elif not entry.is_dir():
                self._entries.setdefault(name, entry)

    def _read_entry(self, entry: zipfile.ZipInfo) -> bytes | None:
        assert self._archive is not None
        name = entry.filename
        if entry.flag_bits & 0x1:
            self.problem(name, 0, "is encrypted; it was not read")
            return None
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            self.problem(name, 0, f"expands {entry.file_size // max(entry.compress_size, 1)} times (the limit is "
                                  f"{MAX_RATIO}); it was not unpacked")
            return None
        chunks, size = [], 0
        try:
            with self._archive.open(entry) as stream:
                while chunk := stream.read(65536):
                    size += len(chunk)
                    if size > min(self.budget, entry.file_size):  # a header that lies about the size
                        self.problem(name, 0, "unpacks to more bytes than its zip entry says, or than lmspack import "
                                              f"reads ({MAX_TOTAL_BYTES:,} in all); reading stopped")
                        return None
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, ValueError,
                NotImplementedError) as error:
            self.problem(name, 0, f"cannot be unpacked: {error}")
            return None
        return self._spent(name, b"".join(chunks))

    def _list_folder(self) -> None:
        top = os.path.realpath(self.path)
        for folder, subfolders, files in os.walk(self.path):
            subfolders.sort()
            for file_name in sorted(files):
                full = Path(folder) / file_name
                name = full.relative_to(self.path).as_posix()
                if len(self._files) >= MAX_ENTRIES:
                    self.problem(None, 0, f"has more than {MAX_ENTRIES:,} files; lmspack import reads no more")
                    return
                if not os.path.realpath(full).startswith(top + os.sep):
                    self.problem(name, 0, "is a link to a file outside the package; it was not read")
                elif stat.S_ISREG(os.stat(full).st_mode):
                    self._files[name] = full

