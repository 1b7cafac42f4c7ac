"""Our own zip writer: the same bytes zipfile writes for the same members, readable by zipfile,
and a rebuild takes the deflated members it made before from the cache."""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from builder import cache, packaging
from builder.packaging import Deflated, build_time, zip_bytes

MEMBERS = [
    ("imsmanifest.xml", b'<?xml version="1.0"?>\n<manifest/>\n'),
    ("items/q1.xml", b"<item>" + b"text " * 5000 + b"</item>"),
    ("empty.txt", b""),
    ("caf\u00e9/\u00e9t\u00e9.html", "\u00e9t\u00e9 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \U0001F600".encode()),
    ("random.bin", bytes(range(256)) * 300),
]


def zipfile_bytes(members: list[tuple[str, bytes]], timestamp: int) -> bytes:
    """What zipfile writes for the same members and settings (the writer we replaced)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=time.gmtime(timestamp)[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


@pytest.mark.parametrize("timestamp", [packaging.ZIP_EPOCH, 1700000001, 1700000000])
def test_same_bytes_as_zipfile(timestamp):
    assert zip_bytes(MEMBERS, timestamp) == zipfile_bytes(MEMBERS, timestamp)


def test_default_time_and_source_date_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert zip_bytes(MEMBERS) == zipfile_bytes(MEMBERS, packaging.ZIP_EPOCH)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_time() == 1700000000
    assert zip_bytes(MEMBERS) == zipfile_bytes(MEMBERS, 1700000000)


def test_zipfile_reads_it_back():
    with zipfile.ZipFile(io.BytesIO(zip_bytes(MEMBERS))) as archive:
        assert archive.testzip() is None
        assert [(i.filename, archive.read(i)) for i in archive.infolist()] == MEMBERS
        info = archive.getinfo("items/q1.xml")
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.external_attr >> 16 == 0o644
        assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_an_empty_archive():
    assert zip_bytes([]) == zipfile_bytes([], packaging.ZIP_EPOCH)
    with zipfile.ZipFile(io.BytesIO(zip_bytes([]))) as archive:
        assert archive.namelist() == []


@pytest.mark.parametrize("name", ["/abs.xml", "a\\b.xml", "../up.xml", "a/../b.xml"])
def test_bad_names_are_refused(name):
    with pytest.raises(ValueError, match="bad or repeated"):
        zip_bytes([(name, b"x")])


def test_repeated_names_are_refused():
    with pytest.raises(ValueError, match="bad or repeated"):
        zip_bytes([("a.xml", b"1"), ("a.xml", b"2")])


def test_members_given_deflated_are_written_as_they_are():
    given = [(name, Deflated.of(data) if n % 2 else data) for n, (name, data) in enumerate(MEMBERS)]
    assert zip_bytes(given) == zipfile_bytes(MEMBERS, packaging.ZIP_EPOCH)
    member = Deflated.of(MEMBERS[1][1])
    assert Deflated.from_bytes(member.to_bytes()) == member


def test_runs_of_records_are_placed_as_their_members_would_be():
    run = packaging.zip_records(MEMBERS[1:4], packaging.zip_stamp())
    remembered = packaging.ZipRecords.from_bytes(run.to_bytes())
    assert remembered == run
    placed = zip_bytes([MEMBERS[0], remembered, MEMBERS[4]])
    assert placed == zipfile_bytes(MEMBERS, packaging.ZIP_EPOCH)
    with zipfile.ZipFile(io.BytesIO(placed)) as archive:
        assert archive.testzip() is None
    with pytest.raises(ValueError, match="repeated"):
        zip_bytes([MEMBERS[2], run])


def test_a_qti_rebuild_compresses_only_the_changed_items(warm_handoff, tmp_path: Path, monkeypatch):
    import dataclasses

    from builder.formats import qti21

    calls: list[int] = []
    real = packaging._compressed

    def counting(data: bytes, before: bytes, flush: int) -> Deflated:
        calls.append(len(data))
        return real(data, before, flush)

    monkeypatch.setattr(packaging, "_compressed", counting)
    monkeypatch.setattr(packaging, "SEGMENT", 1)  # each item in segments of its own
    items = len(warm_handoff.items)
    with cache.session(tmp_path) as kept:
        first = qti21.build(warm_handoff, kept).data
    # The manifest's head and a segment per item's resource, each item's document, and the test.
    assert len(calls) == 1 + items + items + 1
    head = calls[0]  # the manifest comes first
    calls.clear()
    changed = dataclasses.replace(warm_handoff.items[0], source_sha256="another source", points=7)
    quiz = dataclasses.replace(warm_handoff, items=(changed, *warm_handoff.items[1:]))
    with cache.session(tmp_path) as kept:
        assert qti21.build(warm_handoff, kept).data == first
        # The items, the manifest's resources and the test come compressed from the cache; the
        # manifest's head, a few hundred bytes, is compressed again.
        assert calls == [head]
        calls.clear()
        rebuilt = qti21.build(quiz, kept).data
    # The manifest's head, the changed item's resource and the next one's (compressed with the
    # changed one as its dictionary), the changed item's document, and the test (its points).
    assert len(calls) == 1 + 2 + 1 + 1
    assert rebuilt == qti21.build(quiz).data, "as a build without the cache makes it"


@pytest.mark.parametrize("count", [0, 1, packaging.SEGMENT, packaging.SEGMENT + 1, 3 * packaging.SEGMENT - 7])
def test_segments_make_one_deflate_stream_of_head_pieces_and_tail(count):
    pieces = [f"<piece n='{n}'>".encode() + b"boilerplate " * (n % 50) + bytes(range(n % 256)) for n in range(count)]
    pieces[count // 2:count // 2 + 1] = [b"x" * (packaging.WINDOW + 5000)][:len(pieces[count // 2:count // 2 + 1])]
    head, tail = b"<head>" * 300, b"</tail>"
    member = packaging.SegmentedMember(cache.NO_CACHE, head, [f"piece {n}" for n in range(count)],
                                       pieces.__getitem__, tail).deflated()
    data = head + b"".join(pieces) + tail
    assert zlib.decompressobj(-15).decompress(member.body) == data
    assert (member.crc, member.size) == (zlib.crc32(data), len(data))
    # About as small as one stream: the segments refer back into the piece before them.
    assert len(member.body) <= len(Deflated.of(data).body) * 1.02 + 64 * (count // packaging.SEGMENT + 2)
    with zipfile.ZipFile(io.BytesIO(zip_bytes([("big.xml", member)]))) as archive:
        assert archive.read("big.xml") == data


@pytest.mark.parametrize("sizes", [(0, 0), (0, 5), (5, 0), (1, 1), (3000, 1), (17, 65537), (100, 2_000_003)])
def test_crc_of_a_whole_from_its_two_parts(sizes):
    first, second = (bytes((n * 131 + size) % 251 for n in range(size)) for size in sizes)
    combined = packaging._crc_combine(zlib.crc32(first), zlib.crc32(second), len(second))
    assert combined == zlib.crc32(first + second)
