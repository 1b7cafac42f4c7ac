"""Zip archives that are byte-identical for the same members: fixed order, times and modes.

We write the archive ourselves (it is three small records per member) rather than with ``zipfile``,
because ``zipfile`` can only compress data itself, and compressing is most of the cost of a large
package: a member can be given compressed already (Deflated), as the QTI format remembers its
items in the build cache (builder/cache.py), or compressed in remembered segments
(SegmentedMember, for members that hold the whole bank), so a rebuild compresses only what
changed. The records are exactly the ones ``zipfile`` writes for the same members
(tests/test_packaging.py compares them).
"""

from __future__ import annotations

import functools
import hashlib
import os
import struct
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from builder.cache import Cache, key
from builder.errors import UsageError, shown

ZIP_EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can carry
ZIP_LAST = 4354819198  # 2107-12-31T23:59:58Z, the latest (DOS dates count 7 bits of years, seconds by two)
LEVEL = 6  # zlib's default, as zipfile uses it
_DEFLATED = 8  # compression methods
_STORED = 0
_VERSION = 20  # "version made by" and "needed to extract": 2.0, deflate
_UNIX = 3  # made by: Unix, so the mode in the external attributes is read as such everywhere
_MODE = 0o644 << 16  # rw-r--r--, regular file
_UTF8_NAME = 0x800  # general purpose flag bit 11: the name is UTF-8 (set only for non-ASCII names)
_LIMIT = 0xFFFFFFFF  # past this a member or the archive would need Zip64, which we never need


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH (reproducible-builds.org) as seconds, None when unset or empty. Any other
    value that is not a time a zip entry can carry is a usage error (UsageError, exit 2): a value
    ignored silently would make builds that the user believes repeat differ, and one out of range
    failed deep in the build. ASCII digits only: str.isdigit() is true of '²'."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not value:
        return None
    digits = value.lstrip("0") or "0"  # int() of thousands of digits is refused, and slow
    if not (value.isascii() and value.isdigit() and len(digits) <= len(str(ZIP_LAST))
            and ZIP_EPOCH <= int(digits) <= ZIP_LAST):
        raise UsageError(f"SOURCE_DATE_EPOCH={shown(value, 40)}: must be a whole number of seconds between "
                         f"{ZIP_EPOCH} (1980-01-01) and {ZIP_LAST} (2107-12-31), the times a zip entry can "
                         "carry; unset it, or set it to the last commit's time (git log -1 --format=%ct)")
    return int(digits)


def build_time() -> int:
    """Seconds since the epoch from SOURCE_DATE_EPOCH, else a fixed date, so builds repeat exactly."""
    epoch = source_date_epoch()
    return ZIP_EPOCH if epoch is None else epoch


@dataclass(frozen=True)
class Deflated:
    """A member compressed already, which zip_bytes writes as it is: a format that remembers its
    members compressed (builder.cache) does not compress them again on every build."""

    body: bytes | memoryview
    """The raw deflate of the member's bytes (a view into the cached value it was read from)."""
    crc: int
    """CRC-32 of the member's bytes."""
    size: int
    """Length of the member's bytes."""

    @classmethod
    def of(cls, data: bytes) -> Deflated:
        return _compressed(data, b"", zlib.Z_FINISH)

    def inflated(self) -> bytes:
        """The member's bytes again."""
        return zlib.decompressobj(-15).decompress(self.body)

    def to_bytes(self) -> bytes:
        """As the cache keeps it: CRC and size, then the body."""
        return struct.pack("<2L", self.crc, self.size) + self.body

    @classmethod
    def from_bytes(cls, value: bytes) -> Deflated:
        crc, size = struct.unpack_from("<2L", value)
        return cls(memoryview(value)[8:], crc, size)  # read in place, not copied


@dataclass(frozen=True)
class Stored:
    """A member kept as it is, not compressed (zip's method 0): a picture, sound or film file is
    compressed already, so deflating it gains nothing and costs a quarter of a second per 10 MB
    at every build (and the cache does not keep files of the quiz folder)."""

    body: bytes
    crc: int
    size: int

    @classmethod
    def of(cls, data: bytes) -> Stored:
        return cls(data, zlib.crc32(data), len(data))


def media_member(media_type: str, data: bytes) -> bytes | Stored:
    """A file of the quiz folder as a member: stored as it is, but for SVG, which is text."""
    return data if media_type == "image/svg+xml" else Stored.of(data)


@dataclass(frozen=True)
class ZipRecords:
    """Members of a zip written out ready to be placed anywhere in one: their local records
    (header, name, data) and their central directory records, offsets counted from the first.
    A run of members is remembered this way (SegmentedRecords), so a rebuild places a run of
    thousands of members at once instead of writing each one's records again."""

    local: bytes | memoryview
    central: bytes | memoryview
    count: int

    def to_bytes(self) -> bytes:
        return struct.pack("<2Q", self.count, len(self.local)) + self.local + self.central

    @classmethod
    def from_bytes(cls, value: bytes) -> ZipRecords:
        count, size = struct.unpack_from("<2Q", value)
        view = memoryview(value)  # read in place: a run's records are placed as they are, not copied first
        return cls(view[16:16 + size], view[16 + size:], count)

    def central_at(self, offset: int, names: set[bytes]) -> bytes:
        """The central records for the run placed ``offset`` bytes into the archive, each name
        added to ``names`` (ValueError when one is there already)."""
        central = bytearray(self.central)
        position = 0
        for _ in range(self.count):
            (length,) = _NAME_LENGTH.unpack_from(central, position + 28)
            name = bytes(central[position + 46:position + 46 + length])
            if name in names:
                raise ValueError(f"bad or repeated zip member name {name.decode('utf-8')!r}")
            names.add(name)
            (start,) = _OFFSET.unpack_from(central, position + 42)
            _OFFSET.pack_into(central, position + 42, start + offset)
            position += 46 + length
        return bytes(central)


_NAME_LENGTH = struct.Struct("<H")
_OFFSET = struct.Struct("<L")


def zip_stamp(timestamp: int | None = None) -> tuple[int, int]:
    """The DOS time and date every member carries: SOURCE_DATE_EPOCH's, else ZIP_EPOCH's (build_time)."""
    year, month, day, hour, minute, second = time.gmtime(build_time() if timestamp is None else timestamp)[:6]
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def zip_records(members: Iterable[tuple[str, bytes | Deflated | Stored]], stamp: tuple[int, int]) -> ZipRecords:
    """The records of ``members`` (bytes, or Deflated or Stored already), in order, as a run placed at offset 0.
    Names must be relative, with '/' only."""
    local: list[bytes | memoryview] = []  # a Deflated body may be a view into a cached value
    central: list[bytes] = []
    offset = count = 0
    for name, data in members:
        if name.startswith("/") or "\\" in name or ".." in name.split("/"):
            raise ValueError(f"bad or repeated zip member name {name!r}")
        encoded, flags = (name.encode("ascii"), 0) if name.isascii() else (name.encode("utf-8"), _UTF8_NAME)
        member = data if isinstance(data, Deflated | Stored) else Deflated.of(data)
        if max(member.size, len(member.body)) >= _LIMIT:
            raise ValueError(f"zip member {name!r} is too large for a zip without Zip64")
        # Local file header, then the data; the same fields again in the central directory.
        method = _STORED if isinstance(member, Stored) else _DEFLATED
        fields = (flags, method, *stamp, member.crc, len(member.body), member.size, len(encoded))
        local += [struct.pack("<4s2B4H3L2H", b"PK\x03\x04", _VERSION, 0, *fields, 0), encoded, member.body]
        central += [struct.pack("<4s4B4H3L5H2L", b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, *fields,
                                0, 0, 0, 0, _MODE, offset), encoded]
        offset += 30 + len(encoded) + len(member.body)
        count += 1
    return ZipRecords(b"".join(local), b"".join(central), count)


def zip_bytes(members: Iterable[tuple[str, bytes | Deflated | Stored] | ZipRecords],
              timestamp: int | None = None) -> bytes:
    """A zip of ``members`` (bytes, or Deflated already, or runs of them written out already:
    ZipRecords) in the given order. Names must be unique, relative, with '/' only."""
    stamp = zip_stamp(timestamp)
    local: list[bytes | memoryview] = []  # a remembered run's records are a view into its cached value
    central: list[bytes] = []
    names: set[bytes] = set()
    offset = 0
    for member in members:
        run = member if isinstance(member, ZipRecords) else zip_records([member], stamp)
        central.append(run.central_at(offset, names))
        local.append(run.local)
        offset += len(run.local)
    if offset >= _LIMIT:
        raise ValueError("the zip is too large for a zip without Zip64")
    size = sum(map(len, central))
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(names), len(names), size, offset, 0)
    return b"".join([*local, *central, end])


WINDOW = 32768  # how far back deflate can refer
SEGMENT = 64  # pieces compressed, and remembered, together


class Segmented:
    """Something made of many pieces, made in segments of SEGMENT pieces that are remembered in
    ``cache``: a rebuild after one item changed makes one segment again instead of the whole.

    ``entries[i]`` is the cache key that names piece i; pieces are asked for only to make a
    segment. A subclass says what names a segment and how one is made from its pieces."""

    cache: Cache
    entries: Sequence[str]

    def _segment_entry(self, start: int, stop: int) -> str:
        raise NotImplementedError

    def _produce(self, start: int, stop: int) -> bytes:
        raise NotImplementedError

    @functools.cached_property
    def _bounds(self) -> list[tuple[int, int]]:
        """Each segment's first and past-the-end piece."""
        return [(start, min(start + SEGMENT, len(self.entries))) for start in range(0, len(self.entries), SEGMENT)]

    @functools.cached_property
    def segment_entries(self) -> list[str]:
        """The cache key of each segment."""
        return [self._segment_entry(start, stop) for start, stop in self._bounds]

    def segment_size(self, index: int) -> int:
        """How many pieces segment ``index`` is made from."""
        start, stop = self._bounds[index]
        return stop - start

    def segment(self, index: int) -> bytes:
        """Segment ``index``, made now or remembered."""
        start, stop = self._bounds[index]
        return self.cache.remembered(self.segment_entries[index], functools.partial(self._produce, start, stop),
                                     "as is")

    def _all_segments(self) -> list[bytes]:
        self.cache.prefetch(self.segment_entries)
        return [self.segment(index) for index in range(len(self._bounds))]


@dataclass(frozen=True)
class SegmentedMember(Segmented):
    """A file, or zip member, that holds the whole bank: ``head``, the pieces ``piece(0) ...
    piece(n - 1)``, then ``tail``, in segments joined or compressed.

    Compressed (``deflated``), the member is one deflate stream: each segment is compressed on its
    own, ended byte-aligned (a sync flush), with the bytes just before it, the last piece of the
    segment before, as its preset dictionary: those bytes are there in the stream when it is read,
    so its references into them hold, and the segment compresses about as well as inside one long
    stream. The last segment ends the stream with the tail."""

    cache: Cache
    head: bytes
    entries: Sequence[str]
    piece: Callable[[int], bytes]
    tail: bytes
    compressed: bool = True

    @functools.cached_property
    def _ends(self) -> tuple[str, str | None]:
        return (hashlib.sha256(self.head).hexdigest(),
                hashlib.sha256(self.tail).hexdigest() if self.compressed else None)

    def _segment_entry(self, start: int, stop: int) -> str:
        # Named by the piece before it too (the head's hash for the first): compressed, it refers to it.
        head_entry, tail_entry = self._ends
        return key("segment", LEVEL if self.compressed else None,
                         self.entries[start - 1] if start else head_entry, tuple(self.entries[start:stop]),
                         tail_entry if stop == len(self.entries) else None)

    def _produce(self, start: int, stop: int) -> bytes:
        """The segment's pieces joined, or compressed (as Deflated.to_bytes)."""
        pieces = b"".join(self.piece(i) for i in range(start, stop))
        if not self.compressed:
            return pieces
        before = self.piece(start - 1)[-WINDOW:] if start else self.head[-WINDOW:]
        last = stop == len(self.entries)
        return _compressed(pieces + self.tail if last else pieces, before,
                           zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH).to_bytes()

    def joined(self) -> bytes:
        """The whole, uncompressed (a member made with ``compressed`` False)."""
        assert not self.compressed
        return b"".join([self.head, *self._all_segments(), self.tail])

    def deflated(self) -> Deflated:
        """The whole as one deflate stream (a member made with ``compressed``)."""
        assert self.compressed
        chunks = [_compressed(self.head, b"", zlib.Z_SYNC_FLUSH)]
        chunks += [Deflated.from_bytes(segment) for segment in self._all_segments()]
        if not self.entries:
            chunks.append(_compressed(self.tail, self.head[-WINDOW:], zlib.Z_FINISH))
        crc = size = 0
        for chunk in chunks:
            crc, size = _crc_combine(crc, chunk.crc, chunk.size), size + chunk.size
        return Deflated(b"".join(chunk.body for chunk in chunks), crc, size)


@dataclass(frozen=True)
class SegmentedRecords(Segmented):
    """Many members of a zip (one per item), in segments of ZipRecords: a rebuild places each
    segment's records at once, and writes the records of one segment again after one item changed.
    ``entries[i]`` names ``member(i)``: its name and its bytes."""

    cache: Cache
    entries: Sequence[str]
    member: Callable[[int], tuple[str, bytes | Deflated]]
    stamp: tuple[int, int]
    """zip_stamp(): the time every member carries."""

    def _segment_entry(self, start: int, stop: int) -> str:
        return key("zip records", self.stamp, tuple(self.entries[start:stop]))

    def _produce(self, start: int, stop: int) -> bytes:
        return zip_records((self.member(i) for i in range(start, stop)), self.stamp).to_bytes()

    def records(self) -> list[ZipRecords]:
        """Every segment's records, for zip_bytes."""
        return [ZipRecords.from_bytes(segment) for segment in self._all_segments()]


def _compressed(data: bytes, before: bytes, flush: int) -> Deflated:
    """Raw deflate (no zlib header, as zip members carry it) of ``data``, with ``before`` as preset
    dictionary when given, ended by ``flush``."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15, zdict=before) if before \
        else zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return Deflated(compressor.compress(data) + compressor.flush(flush), zlib.crc32(data), len(data))


def _crc_combine(crc: int, next_crc: int, next_size: int) -> int:
    """The CRC-32 of A + B from those of A and B and B's length (zlib's crc32_combine, which
    Python's zlib does not offer): A's CRC carried through B's length of zero bytes, a linear map
    over GF(2) built from the maps for 1, 2, 4... zero bytes, then B's CRC added."""
    power = 0
    while next_size:
        if next_size & 1:
            crc = _times(_zero_bytes(power), crc)
        next_size >>= 1
        power += 1
    return crc ^ next_crc


def _times(matrix: tuple[int, ...], vector: int) -> int:
    """A 32 x 32 matrix over GF(2) (its columns as ints) times a 32-bit vector."""
    result = column = 0
    while vector:
        if vector & 1:
            result ^= matrix[column]
        vector >>= 1
        column += 1
    return result


@functools.cache
def _zero_bytes(power: int) -> tuple[int, ...]:
    """The map that carries a CRC-32 through 2**power zero bytes."""
    if power == 0:
        # One zero bit: shift right, adding the reflected polynomial when the low bit falls out;
        # squared three times, one zero byte.
        matrix = (0xEDB88320, *(1 << bit for bit in range(31)))
        for _ in range(3):
            matrix = tuple(_times(matrix, column) for column in matrix)
        return matrix
    half = _zero_bytes(power - 1)
    return tuple(_times(half, column) for column in half)
