"""A content-hash cache, so that a rebuild after a small change redoes only what changed.

Every entry is keyed by a SHA-256 of everything its value is a function of, including the
*code fingerprint*: the bytes of lmspack's own modules, templates and schemas and the versions of
the libraries that shape the output. A key that matches therefore names exactly the bytes that
would be produced again, and an entry can never be stale; a change anywhere makes new keys and the
old entries are simply not found. Entries live in one SQLite file under ``.lmspack-cache/``.

A build opens a ``session`` and passes its Cache to whatever remembers (the loader, the formats);
NO_CACHE remembers nothing (library use, tests). A session without a folder keeps entries in
memory only, for the one build. Worker processes read the file and hand their new entries back to
the parent (builder.parallel), which writes them.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import lxml.etree

from builder import PACKAGE_DIR, TEMPLATE_DIRS

if TYPE_CHECKING:
    from builder.model import Item

T = TypeVar("T")
Keep = Literal["compressed", "as is"]
"""How an entry is kept: compressed (zlib, fast), or as it is (compressed already, or read so
often that decompressing would cost more than the disk it saves)."""
_HOW: dict[str, str] = {"compressed": "z", "as is": "r"}
Entry = tuple[str, bytes]
"""A value as the cache holds it: how it is kept (_HOW) beside its bytes, never joined to them,
so that neither keeping nor reading a value of megabytes copies it."""
CACHE_DIR = ".lmspack-cache"
# The libraries that shape the output, by their distributions' names.
LIBRARIES = ("lxml", "jinja2", "nh3", "cmarkgfm", "pyyaml", "markupsafe")


@functools.cache
def fingerprint() -> str:
    """A hash of the code and data that decide what lmspack emits."""
    digest = hashlib.sha256()
    roots = [PACKAGE_DIR, *TEMPLATE_DIRS]
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for distribution in LIBRARIES:
        digest.update(f"{distribution}={installed_version(distribution)}\0".encode())
    digest.update(f"libxml2={lxml.etree.LIBXML_VERSION}\0".encode())
    return digest.hexdigest()


def installed_version(distribution: str) -> str:
    """The installed version of ``distribution`` ('?' when it is not installed)."""
    from importlib import metadata  # here: slow to import, and only a build needs it

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


def key(*parts: object) -> str:
    """The key of a value that is a function of ``parts`` (their repr) and of the code."""
    digest = hashlib.sha256(fingerprint().encode())
    for part in parts:
        digest.update(b"\0" + repr(part).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class Cache:
    """Entries in memory (``pending``) until the session saves them to ``path`` (None: kept in
    memory only, for the one build); ``keeps`` False: nothing is remembered at all (NO_CACHE)."""

    def __init__(self, path: Path | None, keeps: bool = True) -> None:
        self.path = path
        self.keeps = keeps
        self.pending: dict[str, Entry] = {}
        self._connection: sqlite3.Connection | None = None
        self._fetched: dict[str, Entry] = {}  # read ahead by prefetch, until asked for
        self._inherited: dict[str, Entry] = {}  # in a forked worker: the parent's new entries
        self._absent = False  # no file to read (checked once, not on every lookup)
        self.described: dict[tuple[object, int], tuple[object, object]] = {}
        """What this build described once (builder.formats.described_once), with the quiz it is of."""
        self.trouble: str | None = None
        """Why the cache could not be read or written, the first time it could not (None: it could).
        An unusable cache only costs time, but the user is told once, not left to wonder."""

    @property
    def stored(self) -> bool:
        """Whether the cache is kept in a file that exists: whether anything can be read back."""
        return self.path is not None and self._db() is not None

    def forked(self) -> None:
        """In a forked worker, first thing: open a connection of its own (never use the parent's),
        and hand back only its own new entries; it still reads the entries the parent had."""
        # The parent's new entries are kept as they are, not merged: copying them would touch
        # every entry and so copy all their memory pages into each worker.
        self._inherited, self.pending, self._connection = self.pending, {}, None

    def _db(self) -> sqlite3.Connection | None:
        if self.path is None or self._absent:
            return None
        # Only the session's own save creates the file, after the last read: once absent, absent.
        self._absent = self._connection is None and not self.path.is_file()
        if self._connection is None and not self._absent:
            try:
                self._connection = _connect(self.path)
            except (OSError, sqlite3.Error) as error:
                self._connection = None
                self._absent = True  # asked once: every lookup would fail the same way
                self.note_trouble("read", error)
        return self._connection

    def note_trouble(self, doing: str, error: object) -> None:
        if self.trouble is None:
            if isinstance(error, OSError) and error.strerror:  # without Python's [Errno 17]
                error = f"{error.strerror}: {error.filename}" if error.filename else error.strerror
            self.trouble = f"cannot {doing} {self.path}: {error}"

    def get(self, entry: str) -> bytes | None:
        # A prefetched value is read once (a second ask reads it again): kept, the item pickles
        # read back on every rebuild would stay in memory for the whole build.
        found = self.pending.get(entry) or self._inherited.get(entry) or self._fetched.pop(entry, None) \
            or self._read(entry)
        if found is None:
            return None
        how, value = found
        return zlib.decompress(value) if how == "z" else value

    def _read(self, entry: str) -> Entry | None:
        rows: list[Entry] = self._query(f"SELECT how, value FROM {_TABLE} WHERE key = ?", [entry])
        return rows[0] if rows else None

    def holds(self, entry: str) -> bool:
        """Whether ``entry`` is at hand: made in this build, or read ahead (prefetch)."""
        return entry in self.pending or entry in self._inherited or entry in self._fetched

    def prefetch(self, entries: list[str]) -> None:
        """Read ``entries`` in a few queries rather than one each (thousands of item lookups),
        those not at hand already."""
        entries = [entry for entry in entries if not self.holds(entry)]
        for start in range(0, len(entries), 500):
            chunk = entries[start:start + 500]
            rows: list[tuple[str, str, bytes]] = self._query(
                f"SELECT key, how, value FROM {_TABLE} WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            self._fetched.update((key, (how, value)) for key, how, value in rows)

    def _query(self, query: str, parameters: list[str]) -> list[Any]:
        """The rows of ``query`` as sqlite3 gives them, untyped: their shape is the query's columns,
        which its caller states (key TEXT, how TEXT, value BLOB: str, str, bytes)."""
        db = self._db()
        if db is None:
            return []
        try:
            return db.execute(query, parameters).fetchall()
        except sqlite3.Error as error:
            self.note_trouble("read", error)
            return []

    def put(self, entry: str, value: bytes, keep: Keep = "compressed") -> None:
        """Remember ``value``: kept compressed or as it is (Keep)."""
        if self.keeps:
            self.pending[entry] = (_HOW[keep], zlib.compress(value, 1) if keep == "compressed" else value)

    def remembered(self, entry: str, produce: Callable[[], bytes], keep: Keep = "compressed") -> bytes:
        """``produce()``, or the bytes it gave before under the key ``entry`` (``key``, ``ItemKeys``)."""
        value = self.get(entry) if self.keeps else None
        if value is None:
            value = produce()
            self.put(entry, value, keep)
        return value

    def take_pending(self) -> dict[str, Entry]:
        """The entries put since the last call."""
        pending, self.pending = self.pending, {}
        return pending

    def save(self, entries: dict[str, Entry]) -> None:
        """Write ``entries`` and forget those of other code: their keys can never be asked for again.
        On a connection of its own."""
        if not entries or self.path is None:
            return
        code = fingerprint()
        try:
            make_folder(self.path.parent.parent)
            with closing(_connect(self.path)) as db, db:
                db.execute("DROP TABLE IF EXISTS entries")
                db.execute(f"DELETE FROM {_TABLE} WHERE code != ?", (code,))
                db.executemany(f"INSERT OR REPLACE INTO {_TABLE} VALUES (?, ?, ?, ?)",
                               ((key, code, how, value) for key, (how, value) in entries.items()))
        except (OSError, sqlite3.Error) as error:
            self.note_trouble("write", error)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None


NO_CACHE = Cache(None, keeps=False)
"""Remembers nothing: every value is made when asked for."""


def make_folder(root: Path) -> Path:
    """The cache folder under ``root``, made if need be, with a .gitignore that keeps it out of
    version control."""
    folder = root / CACHE_DIR
    folder.mkdir(exist_ok=True)
    if not (folder / ".gitignore").is_file():
        (folder / ".gitignore").write_text("*\n")
    return folder


# The table of entries. An older lmspack's table (``entries``, its marker joined to each value) is
# dropped by the next save: its entries are of other code anyway.
_TABLE = "parts"


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30)
    connection.execute(f"CREATE TABLE IF NOT EXISTS {_TABLE} (key TEXT PRIMARY KEY, code TEXT, how TEXT, value BLOB)")
    return connection


@contextmanager
def session(root: Path | None) -> Iterator[Cache]:
    """A cache kept under ``root`` for the duration (None: in memory, for this session only).
    Nothing is written unless the work inside succeeds."""
    cache = Cache(root / CACHE_DIR / "entries.sqlite" if root is not None else None)
    try:
        yield cache
        cache.save(cache.take_pending())
    finally:
        cache.close()


class ItemKeys:
    """The keys of ``function(item, options)`` for many items: a hash of the function, its options
    and the code, then a hash of the item's source, each half 128 bits.

    An Item is a function of its file's bytes and path (and the code), so those two identify it
    without hashing the item itself; ``options`` must be a frozen dataclass of everything else the
    function reads, which is why per-item functions take no Quiz."""

    def __init__(self, function: Callable[[Item, T], bytes], options: T) -> None:
        self.common = key(function.__module__, function.__qualname__, options)[:32]

    def __call__(self, item: Item) -> str:
        return self.common + _source_key((item.place.path, item.source_sha256))

    def of_all(self, items: Sequence[Item]) -> list[str]:
        """``[self(item) for item in items]``, the source halves made once per sequence of items."""
        common = self.common
        return [common + half for half in _source_keys(items)]


_recent_sources: list[tuple[Sequence[Item], list[str]]] = []


def _source_keys(items: Sequence[Item]) -> list[str]:
    """The source half of the keys of ``items``, made once for the sequence (a quiz's items, asked
    for by every format and cohort: 60,000 keys at 10,000 items, 0.06 s of a rebuild otherwise):
    found by identity, as hashing the items would cost more."""
    for seen, halves in _recent_sources:
        if seen is items:
            return halves
    halves = [_source_key((item.place.path, item.source_sha256)) for item in items]
    if isinstance(items, tuple):  # a list could change after
        _recent_sources[:] = [(items, halves), *_recent_sources[:3]]
    return halves


@functools.lru_cache(maxsize=1 << 16)
def _source_key(source: tuple[str, str]) -> str:
    """An item's path and source hash in 128 bits (the code is in the other half of its keys),
    made once per process for the item's keys in every format and cohort."""
    return hashlib.sha256(repr(source).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def item_key(path: str, source_sha256: str) -> str:
    """The key of the Item read from ``path`` (as shown) in bytes of this hash."""
    return _item_prefix(fingerprint()) + _source_key((path, source_sha256))


@functools.lru_cache(maxsize=4)
def _item_prefix(code: str) -> str:
    return key("item")[:32]
