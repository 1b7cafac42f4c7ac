"""``lmspack check`` (builder.checking): the samples of ../shared give the same verdicts and codes
as validate_package.py recorded in expected.json; archives and XML are read defensively; our own
packages check clean against our own schemas."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import checking
from builder.checking import CheckUsageError, Finding, PackageReport, check_paths
from builder.cli import main
from builder.formats import builder_for
from builder.model import QUIZ_FORMATS, Quiz
from tests.conftest import OFFICIAL_SCHEMAS, SHARED

SAMPLES = SHARED / "samples"
EXPECTED = SAMPLES / "expected.json"
LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<level>error|warning): (?P<message>.*) "
                  r"\[(?P<code>[a-z0-9-]+)\]$")


def _expected() -> dict[str, dict[str, object]]:
    if not EXPECTED.is_file():
        return {}
    with EXPECTED.open(encoding="utf-8") as stream:
        return json.load(stream)["results"]  # type: ignore[no-any-return]


EXPECTED_RESULTS = _expected()
needs_samples = pytest.mark.skipif(not EXPECTED_RESULTS or not OFFICIAL_SCHEMAS.is_dir(),
                                   reason=f"samples or official schemas not found under {SHARED} "
                                          "(../shared is not beside the checkout)")


# --- the shared samples ----------------------------------------------------------------------


@needs_samples
@pytest.mark.shared
@pytest.mark.parametrize("relative", sorted(EXPECTED_RESULTS) or ["(none)"])
def test_sample_matches_reference_verdict(relative: str) -> None:
    expected = EXPECTED_RESULTS[relative]
    (package,) = check_paths([SAMPLES / relative], schema_dir=OFFICIAL_SCHEMAS).packages
    problems = "\n".join(p.format() for p in sorted(package.problems))
    assert (package.kind, package.ok) == (expected["kind"], expected["ok"]), problems
    assert package.codes("error") == expected["errors"], problems
    assert package.codes("warning") == expected["warnings"], problems


@needs_samples
@pytest.mark.shared
def test_own_schemas_only_warn_where_official_schemas_refuse() -> None:
    """Without official schemas every integrity error stays an error; schema refusals become the
    warning outside-lmspack-subset (our schemas describe only what lmspack emits)."""
    paths = [SAMPLES / relative for relative in sorted(EXPECTED_RESULTS)]
    report = check_paths(paths)
    for relative, package in zip(sorted(EXPECTED_RESULTS), report.packages, strict=True):
        expected = EXPECTED_RESULTS[relative]
        errors, warnings = set(expected["errors"]), set(expected["warnings"])  # type: ignore[call-overload]
        assert package.kind == expected["kind"], relative
        assert package.codes("error") == sorted(errors - {"schema", "dtd"}), relative
        assert set(package.codes("warning")) - warnings <= {"outside-lmspack-subset"}, relative
    tao = report.packages[sorted(EXPECTED_RESULTS).index("qti21/valid/tao_package.zip")]
    assert {p.code for p in tao.problems} == {"outside-lmspack-subset"}


@needs_samples
@pytest.mark.shared
def test_output_lines_follow_the_reference_format() -> None:
    broken = SAMPLES / "broken"
    report = check_paths([broken / "qti21_missing_file.zip", broken / "qti21_unlisted_file_warning_only.zip"],
                         schema_dir=OFFICIAL_SCHEMAS)
    *lines, summary = report.lines()
    assert summary == "summary: 2 paths checked, 2 errors, 1 warning"
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["file"].split("!/")[1], m["line"], m["code"]) for m in parsed if m] == [
        ("i146219207248061213/qti.xml", "23", "missing-file"),
        ("imsmanifest.xml", "11", "missing-file"),
        ("notes/readme.txt", "0", "unlisted-file"),
    ]
    assert report.exit_code == 1
    assert check_paths([SAMPLES / "broken" / "qti21_unlisted_file_warning_only.zip"]).exit_code == 0
    assert json.loads(json.dumps(report.to_dict()))["errors"] == 2


@needs_samples
@pytest.mark.shared
def test_explicit_kind_that_disagrees_is_a_warning() -> None:
    (package,) = check_paths([SAMPLES / "qti21" / "valid" / "tao_package.zip"], kind="scorm12",
                             schema_dir=OFFICIAL_SCHEMAS).packages
    assert package.kind == "scorm12"
    assert "kind-mismatch" in package.codes("warning")


# --- usage errors ----------------------------------------------------------------------------


def test_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(CheckUsageError, match="no such file") as raised:
        check_paths([tmp_path / "absent.zip"])
    assert raised.value.exit_code == 2
    with pytest.raises(CheckUsageError, match="unknown kind"):
        check_paths([tmp_path], kind="qti30")
    with pytest.raises(CheckUsageError, match="schema folder"):
        check_paths([tmp_path], schema_dir=tmp_path / "no-schemas")


# --- archives --------------------------------------------------------------------------------

MANIFEST = b"""<?xml version="1.0"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="M">
  <organizations/>
  <resources>
    <resource identifier="R" type="imsqti_item_xmlv2p1" href="q.xml"><file href="q.xml"/></resource>
  </resources>
</manifest>
"""
ITEM = b"""<?xml version="1.0"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="q" title="q"
  adaptive="false" timeDependent="false"><itemBody><p>Hi</p></itemBody></assessmentItem>
"""


def _zip(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]], level: int = 1) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def _codes(path: Path) -> dict[str, list[str]]:
    (package,) = check_paths([path]).packages
    return {"errors": package.codes("error"), "warnings": package.codes("warning")}


def _patch_central_directory(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    """Overwrite one field of every central directory record (the part readers trust)."""
    out = bytearray(data)
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) != -1:
        struct.pack_into(fmt, out, start + offset, value)
        start += 4
    return bytes(out)


def test_compression_ratio_bomb_is_refused_from_the_directory(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "ratio.zip", [("imsmanifest.xml", MANIFEST), ("q.xml", ITEM),
                                         ("big.xml", b"<a>" + b" " * 30_000_000 + b"</a>")], level=9)
    assert bomb.stat().st_size < 100_000
    started = time.perf_counter()
    (package,) = check_paths([bomb]).packages
    assert time.perf_counter() - started < 1.0
    assert "too-large" in package.codes("error")
    assert any("expands" in p.message and "big.xml" in p.message for p in package.problems)


def test_total_size_bomb_is_refused_before_anything_is_unpacked(tmp_path: Path) -> None:
    chunk = b"\0" * 1_000_000  # each entry under the ratio floor; together over 100 MB
    members = [("imsmanifest.xml", MANIFEST)] + [(f"f{i}.bin", chunk) for i in range(110)]
    bomb = _zip(tmp_path / "total.pif", members)  # type: ignore[arg-type]
    started = time.perf_counter()
    (package,) = check_paths([bomb]).packages
    assert time.perf_counter() - started < 1.0
    assert [p.code for p in package.problems] == ["too-large"]


def test_directory_that_understates_sizes_is_caught_while_reading(tmp_path: Path) -> None:
    data = _zip(tmp_path / "x.zip", [("imsmanifest.xml", MANIFEST), ("q.xml", ITEM)]).read_bytes()
    lying = tmp_path / "lying.zip"
    lying.write_bytes(_patch_central_directory(data, 24, "<I", 10))  # uncompressed size: 10 bytes
    (package,) = check_paths([lying]).packages
    assert not package.ok
    assert set(package.codes("error")) & {"too-large", "bad-zip"}


def test_unsafe_entries(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("link.xml")
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    path = _zip(tmp_path / "entries.zip", [("imsmanifest.xml", MANIFEST), ("q.xml", ITEM),
                                           (link, b"/etc/passwd"),
                                           ("../up.txt", b"x"), ("/abs.txt", b"x"), ("a\\b.txt", b"x")])
    (package,) = check_paths([path]).packages
    unsafe = [p.message for p in package.problems if p.code == "unsafe-path"]
    assert len(unsafe) == 4, unsafe
    assert any("symbolic link" in m for m in unsafe)
    assert "unlisted-file" not in package.codes("warning")  # refused entries are not package members


def test_duplicate_and_encrypted_entries(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        duplicate = _zip(tmp_path / "dup.zip",
                         [("imsmanifest.xml", MANIFEST), ("q.xml", ITEM), ("q.xml", ITEM)])
    assert _codes(duplicate)["errors"] == ["duplicate-entry"]
    plain = _zip(tmp_path / "plain.zip", [("imsmanifest.xml", MANIFEST), ("q.xml", ITEM)]).read_bytes()
    encrypted = tmp_path / "encrypted.zip"
    encrypted.write_bytes(_patch_central_directory(plain, 8, "<H", 1))
    assert "encrypted-entry" in _codes(encrypted)["errors"]


def test_truncated_zip_and_non_package_file(tmp_path: Path) -> None:
    whole = _zip(tmp_path / "whole.zip", [("imsmanifest.xml", MANIFEST), ("q.xml", ITEM)]).read_bytes()
    truncated = tmp_path / "cut.zip"
    truncated.write_bytes(whole[: len(whole) // 2])
    assert _codes(truncated)["errors"] == ["bad-zip"]
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert _codes(text)["errors"] == ["xml-syntax"]


def test_folder_package_with_symlink(tmp_path: Path) -> None:
    (tmp_path / "imsmanifest.xml").write_bytes(MANIFEST)
    (tmp_path / "q.xml").write_bytes(ITEM)
    (tmp_path / "secret.xml").symlink_to("/etc/passwd")
    assert _codes(tmp_path)["errors"] == ["unsafe-path"]
    assert _codes(tmp_path / "imsmanifest.xml")["errors"] == ["unsafe-path"]


# --- XML -------------------------------------------------------------------------------------


def test_entity_bomb_never_expands(tmp_path: Path) -> None:
    levels = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    body = ITEM.split(b"?>", 1)[1].replace(b"<p>Hi</p>", b"<p>&e9;</p>")
    item = f'<!DOCTYPE assessmentItem [<!ENTITY e0 "lol">{levels}]>'.encode() + body
    path = _zip(tmp_path / "laughs.zip", [("imsmanifest.xml", MANIFEST), ("q.xml", item)])
    started = time.perf_counter()
    (package,) = check_paths([path]).packages
    assert time.perf_counter() - started < 1.0
    assert "xml-syntax" in package.codes("error")


def test_declared_entities_are_reported_and_not_resolved(tmp_path: Path) -> None:
    doctype = b'<!DOCTYPE assessmentItem [<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
    body = ITEM.split(b"?>", 1)[1].replace(b"<p>Hi</p>", b"<p>&secret;</p>")
    item = b'<?xml version="1.0"?>\n' + doctype + body
    path = tmp_path / "q.xml"
    path.write_bytes(item)
    (package,) = check_paths([path]).packages
    assert package.kind == "qti21"
    assert "entity-declaration" in package.codes("warning")
    assert "secret" in next(p.message for p in package.problems if p.code == "entity-declaration")


def test_href_escaping_through_xml_base(tmp_path: Path) -> None:
    manifest = MANIFEST.replace(b"<resources>", b'<resources xml:base="../../">')
    path = _zip(tmp_path / "base.zip", [("imsmanifest.xml", manifest), ("q.xml", ITEM)])
    codes = _codes(path)
    assert codes["errors"] == ["unsafe-href"]
    assert "unlisted-file" in codes["warnings"]  # the hrefs resolve outside, so nothing lists q.xml


def test_moodle_pluginfile_references(tmp_path: Path) -> None:
    quiz = tmp_path / "quiz.xml"
    quiz.write_text('<?xml version="1.0"?><quiz><question type="truefalse"><name><text>Q</text></name>'
                    '<questiontext format="html"><text><![CDATA[<img src="@@PLUGINFILE@@/a%20b.png">'
                    '<img src="@@PLUGINFILE@@/gone.png">]]></text>'
                    '<file name="a b.png" path="/" encoding="base64">AA==</file></questiontext>'
                    '</question></quiz>', encoding="utf-8")
    (package,) = check_paths([quiz]).packages
    assert package.kind == "moodle"
    missing = [p.message for p in package.problems if p.code == "missing-file"]
    assert len(missing) == 1 and "gone.png" in missing[0]


# --- our own packages ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(QUIZ_FORMATS))  # lmspack check reads LMS packages, not card decks
def test_lmspack_package_checks_clean(fmt: str, warm_handoff: Quiz, tmp_path: Path) -> None:
    output = builder_for(fmt)(warm_handoff)
    path = tmp_path / output.filename
    path.write_bytes(output.data)
    report = check_paths([path])
    (package,) = report.packages
    assert package.kind == {"canvas": "qti12"}.get(fmt, fmt)
    assert package.problems == [], "\n".join(report.lines())
    assert package.validated_files, "nothing was validated against our own schemas"
    if OFFICIAL_SCHEMAS.is_dir():
        official = check_paths([path], schema_dir=OFFICIAL_SCHEMAS)
        assert official.ok, "\n".join(official.lines())
        assert set(official.packages[0].codes("warning")) <= {"manifest-not-validated"}


# --- hostile inputs (issue #15): every one ends in findings, never internal-error ---------------

QTI21_MANIFEST_HEAD = ('<?xml version="1.0"?>\n<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
                       'identifier="M">\n<organizations/>\n<resources>\n'
                       '<resource identifier="Q" type="imsqti_item_xmlv2p1" href="q.xml"><file href="q.xml"/>'
                       '</resource>\n')


def _manifest_zip(path: Path, resources: str, extra: list[tuple[str, bytes]] | None = None) -> Path:
    manifest = (QTI21_MANIFEST_HEAD + resources + "</resources>\n</manifest>\n").encode()
    return _zip(path, [("imsmanifest.xml", manifest), ("q.xml", ITEM), *(extra or [])])


def _run_check(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """``lmspack check`` in a child process that is killed after ``timeout`` seconds, so a check
    that blocks (on a FIFO, say) fails the test instead of hanging the suite."""
    return subprocess.run([sys.executable, "-m", "builder", "check", *args], capture_output=True, text=True,
                          timeout=timeout, check=False, cwd=Path(__file__).resolve().parents[1])


def _only(package: PackageReport, code: str) -> list[Finding]:
    assert "internal-error" not in package.codes("error"), [p.format() for p in package.problems]
    return [p for p in package.problems if p.code == code]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_and_device_are_refused_without_reading(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.zip"
    os.mkfifo(pipe)
    folder = tmp_path / "package"
    folder.mkdir()
    (folder / "imsmanifest.xml").write_bytes(MANIFEST)
    (folder / "q.xml").write_bytes(ITEM)
    os.mkfifo(folder / "stuck.xml")
    devices = [device for device in ("/dev/zero",) if Path(device).exists()]
    run = _run_check(str(pipe), str(folder), *devices, timeout=60)
    lines = run.stdout.splitlines()
    assert run.returncode == 1, run.stderr
    assert f"{pipe}:0: error: is a FIFO (named pipe), not a regular file; it was not read [unsafe-path]" in lines
    assert (f"{folder}:0: error: 'stuck.xml' is a FIFO (named pipe), not a regular file; it was not read "
            "[unsafe-path]") in lines
    if devices:
        assert "/dev/zero:0: error: is a character device, not a regular file; it was not read [unsafe-path]" \
            in lines
    assert "internal-error" not in run.stdout
    assert lines[-1].startswith(f"summary: {2 + len(devices)} paths checked, {2 + len(devices)} errors")


def test_file_over_the_cap_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checking, "MAX_XML_BYTES", 1000)
    big = tmp_path / "big.xml"
    big.write_bytes(b"<quiz>" + b" " * 2000 + b"</quiz>")
    (package,) = check_paths([big]).packages
    assert [p.format() for p in package.problems] == [f"{big}:0: error: larger than 1,000 bytes; not read [too-large]"]
    folder = tmp_path / "package"
    folder.mkdir()
    (folder / "imsmanifest.xml").write_bytes(MANIFEST)
    (folder / "q.xml").write_bytes(ITEM.replace(b"Hi", b"x" * 2000))
    (package,) = check_paths([folder]).packages
    assert [p.format() for p in _only(package, "too-large")] == [
        f"{folder}/q.xml:0: error: larger than 1,000 bytes; not read [too-large]"]


def test_folder_with_too_many_entries_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checking, "MAX_FOLDER_ENTRIES", 50)
    (tmp_path / "imsmanifest.xml").write_bytes(MANIFEST)
    for index in range(60):
        (tmp_path / f"f{index}.txt").write_bytes(b"x")
    (package,) = check_paths([tmp_path]).packages
    assert [p.format() for p in package.problems] == [
        f"{tmp_path}:0: error: more than 50 files and folders; the limit is 50 (nothing was read) [too-large]"]


def test_corrupt_deflate_stream_is_bad_zip(tmp_path: Path) -> None:
    path = _zip(tmp_path / "corrupt.zip", [("imsmanifest.xml", MANIFEST), ("q.xml", ITEM)])
    with zipfile.ZipFile(path) as archive:
        entry = archive.getinfo("q.xml")
    data = bytearray(path.read_bytes())
    name_length, extra_length = struct.unpack_from("<HH", data, entry.header_offset + 26)
    start = entry.header_offset + 30 + name_length + extra_length
    data[start:start + entry.compress_size] = b"\xff" * entry.compress_size  # block type 3: invalid
    path.write_bytes(bytes(data))
    (package,) = check_paths([path]).packages
    (finding,) = _only(package, "bad-zip")
    assert finding.file == f"{path}!/q.xml" and finding.message.startswith("cannot be unpacked: ")
    assert check_paths([path]).exit_code == 1


def test_long_dependency_chain_and_wide_fan_out(tmp_path: Path) -> None:
    """1,100 resources each depending on the next (it was a RecursionError), and one resource
    depending on 1,000: hrefs listed only at the far end of the chain are still found."""
    chain = "".join(f'<resource identifier="C{i}" type="webcontent" href="c.txt">'
                    f'<dependency identifierref="C{i + 1}"/></resource>\n' for i in range(1100))
    chain += '<resource identifier="C1100" type="webcontent"><file href="c.txt"/></resource>\n'
    fan = ('<resource identifier="F" type="webcontent" href="f.txt">'
           + "".join(f'<dependency identifierref="L{i}"/>' for i in range(1000)) + "</resource>\n"
           + "".join(f'<resource identifier="L{i}" type="webcontent"/>\n' for i in range(999))
           + '<resource identifier="L999" type="webcontent"><file href="f.txt"/></resource>\n')
    path = _manifest_zip(tmp_path / "chain.zip", chain + fan, [("c.txt", b"c"), ("f.txt", b"f")])
    (package,) = check_paths([path]).packages
    assert _only(package, "href-not-listed") == []
    assert package.codes("error") == []
    unlisted = chain.replace('<file href="c.txt"/>', "")
    path = _manifest_zip(tmp_path / "unlisted.zip", unlisted, [("c.txt", b"c")])
    (package,) = check_paths([path]).packages
    assert len(_only(package, "href-not-listed")) == 1100  # C1100 has no href


def test_dependency_walk_stops_at_its_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each resource's href is listed only by the last of the chain: every path is a walk back
    over the whole chain, the square of its length in all."""
    monkeypatch.setattr(checking, "MAX_DEPENDENCY_STEPS", 1000)
    chain = "".join(f'<resource identifier="C{i}" type="webcontent" href="c{i}.txt">'
                    f'<dependency identifierref="C{i + 1}"/></resource>\n' for i in range(300))
    chain += ('<resource identifier="C300" type="webcontent">'
              + "".join(f'<file href="c{i}.txt"/>' for i in range(300)) + "</resource>\n")
    path = _manifest_zip(tmp_path / "chain.zip", chain, [(f"c{i}.txt", b"c") for i in range(300)])
    (package,) = check_paths([path]).packages
    (cap,) = _only(package, "too-large")
    assert cap.message == ("the resources' dependencies take more than 1,000 steps to follow; href-not-listed "
                           "was not checked from this resource on")
    assert not package.ok


def test_external_entity_in_manifest_is_a_finding(tmp_path: Path) -> None:
    manifest = MANIFEST.replace(b'<?xml version="1.0"?>\n', b'<?xml version="1.0"?>\n<!DOCTYPE manifest '
                                b'[<!ENTITY x SYSTEM "file:///etc/passwd">]>\n')
    manifest = manifest.replace(b"<organizations/>", b"<metadata><schema>&x;</schema></metadata><organizations/>")
    path = _zip(tmp_path / "entity.zip", [("imsmanifest.xml", manifest), ("q.xml", ITEM)])
    for schema_dir in [None, OFFICIAL_SCHEMAS] if OFFICIAL_SCHEMAS.is_dir() else [None]:
        (package,) = check_paths([path], schema_dir=schema_dir).packages
        assert [p.code for p in _only(package, "entity-declaration")] == ["entity-declaration"]
        assert b"root:" not in json.dumps(package.to_dict()).encode()  # /etc/passwd was never read


def test_many_unsafe_xml_bases_are_each_reported(tmp_path: Path) -> None:
    files = "".join(f'<file xml:base="../d{i}/" href="x.txt"/>' for i in range(5000))
    path = _manifest_zip(tmp_path / "bases.zip", f'<resource identifier="B" type="webcontent">{files}</resource>')
    (package,) = check_paths([path]).packages
    unsafe = _only(package, "unsafe-href")
    assert len(unsafe) == 5000
    assert unsafe[0].message == "xml:base '../d0/' is absolute or points outside the package"


def test_thousands_of_duplicate_identifiers_skip_the_quadratic_schema_pass(tmp_path: Path) -> None:
    resources = "".join('<resource identifier="R" type="webcontent"/>\n' for _ in range(3000))
    path = _manifest_zip(tmp_path / "dups.zip", resources)
    (package,) = check_paths([path]).packages
    assert len(_only(package, "duplicate-identifier")) == 2999
    (subset,) = _only(package, "outside-lmspack-subset")[:1]
    assert "more than 100 refusals or repeated identifiers among more than 1,000 sibling elements" in subset.message
    if OFFICIAL_SCHEMAS.is_dir():
        (package,) = check_paths([path], schema_dir=OFFICIAL_SCHEMAS).packages
        assert len(_only(package, "duplicate-identifier")) == 2999
        assert any("more than 100 refusals" in p.message for p in _only(package, "schema"))


def test_moodle_text_with_thousands_of_files(tmp_path: Path) -> None:
    parts = "".join(f'<text>@@PLUGINFILE@@/f{i}.png @@PLUGINFILE@@/g{i}.png</text>'
                    f'<file name="f{i}.png" path="/" encoding="base64">AA==</file>' for i in range(2000))
    quiz = tmp_path / "quiz.xml"
    quiz.write_text(f'<?xml version="1.0"?><quiz><question type="description"><name><text>Q</text></name>'
                    f'<questiontext format="html">{parts}</questiontext></question></quiz>', encoding="utf-8")
    (package,) = check_paths([quiz]).packages
    missing = _only(package, "missing-file")
    assert len(missing) == 2000
    assert missing[0].message == "@@PLUGINFILE@@/g0.png has no <file name='g0.png'> in <questiontext>"


def _item_with(body: bytes) -> bytes:
    return ITEM.replace(b"<p>Hi</p>", body).replace(
        b'identifier="q"', b'xmlns:xi="http://www.w3.org/2001/XInclude" identifier="q"')


def test_xinclude_outside_the_package_is_an_error_and_never_followed(tmp_path: Path) -> None:
    item = _item_with(b'<xi:include href="file:///etc/passwd" parse="text"/><xi:include href="../../up.xml"/>'
                      b'<xi:include href="http://example.invalid/x.xml"/><xi:include href="here.xml"/>')
    manifest = MANIFEST.replace(b"<organizations/>", b'<organizations/><xi:include '
                                b'xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/shadow"/>')
    path = _zip(tmp_path / "xinclude.zip", [("imsmanifest.xml", manifest), ("q.xml", item)])
    (package,) = check_paths([path]).packages
    assert sorted((p.file.split("!/")[1], p.code, p.message) for p in package.problems if p.level == "error") == [
        ("imsmanifest.xml", "unsafe-href",
         "<xi:include href> 'file:///etc/shadow' refers outside the package; it was not followed"),
        ("q.xml", "missing-file", "<xi:include href> 'here.xml' is not in the package"),
        ("q.xml", "unsafe-href", "<xi:include href> '../../up.xml' points outside the package"),
        ("q.xml", "unsafe-href",
         "<xi:include href> 'file:///etc/passwd' refers outside the package; it was not followed"),
        ("q.xml", "unsafe-href",
         "<xi:include href> 'http://example.invalid/x.xml' refers outside the package; it was not followed"),
    ]
    assert "root:" not in json.dumps(package.to_dict())


def test_single_file_never_looks_outside_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "quiz"
    folder.mkdir()
    (tmp_path / "secret.png").write_bytes(b"x")
    (folder / "here.png").write_bytes(b"x")
    (folder / "link.png").symlink_to(tmp_path / "secret.png")
    item = folder / "q.xml"
    item.write_bytes(_item_with(b'<img src="/etc/passwd" alt=""/><img src="../secret.png" alt=""/>'
                                b'<img src="here.png" alt=""/><img src="link.png" alt=""/>'
                                b'<img src="file:///etc/hostname" alt=""/><img src="https://example.org/a.png" alt=""/>'
                                b'<xi:include href="/etc/passwd"/>'))
    check_paths([item])  # compiles and indexes lmspack's schemas (stat calls of their own) before recording
    looked_at: list[str] = []
    for name in ("stat", "lstat"):
        original = getattr(os, name)

        def recording(target: object, *args: object, _original: object = original, **kwargs: object) -> object:
            looked_at.append(os.fspath(target))  # type: ignore[arg-type]
            return _original(target, *args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(os, name, recording)
    (package,) = check_paths([item]).packages
    monkeypatch.undo()
    outside = [p for p in looked_at if not any(Path(os.path.abspath(p)).is_relative_to(allowed)
                                               for allowed in (folder, checking.SCHEMA_DIR))]
    assert outside == []
    found = _only(package, "unsafe-href") + _only(package, "missing-file")
    assert sorted((p.level, p.code, p.message) for p in found) == [
        ("error", "unsafe-href",
         "<img src> '../secret.png' points outside the folder of this file; it was not looked at"),
        ("error", "unsafe-href", "<img src> '/etc/passwd' is an absolute path; it was not looked at"),
        ("error", "unsafe-href",
         "<img src> 'file:///etc/hostname' refers outside this file's folder; it was not followed"),
        ("error", "unsafe-href", "<xi:include href> '/etc/passwd' is an absolute path; it was not looked at"),
        ("warning", "missing-file",
         "<img src> 'link.png' names a file that is not beside this file (checked outside its package)"),
    ]
    assert check_paths([item]).exit_code == 1


QTI_TEST = b"""<?xml version="1.0"?>
<assessmentTest xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="T" title="T">
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <testPart identifier="P" navigationMode="linear" submissionMode="individual">
    <assessmentSection identifier="S" title="S" visible="true">
      <assessmentItemRef identifier="S" href="q.xml"/>
      <assessmentItemRef identifier="P" href="q.xml"/>
      <assessmentItemRef identifier="SCORE" href="q.xml"/>
      <assessmentItemRef identifier="I" href="q.xml"/>
      <assessmentItemRef identifier="I" href="q.xml"/>
    </assessmentSection>
    <assessmentSection identifier="S" title="again" visible="true"/>
  </testPart>
</assessmentTest>
"""
RULE = ("within an assessmentTest the identifiers of testPart, assessmentSection, assessmentSectionRef, "
        "assessmentItemRef and outcomeDeclaration elements must all differ")


def test_duplicate_identifiers_in_a_qti_test(tmp_path: Path) -> None:
    test = tmp_path / "test.xml"
    test.write_bytes(QTI_TEST)
    (tmp_path / "q.xml").write_bytes(ITEM)
    result = CliRunner().invoke(main, ["check", str(test)])
    assert result.exit_code == 1
    found = [line for line in result.output.splitlines() if "[duplicate-" in line]
    assert found == [
        f"{test}:6: error: assessmentItemRef identifier 'S' is already the identifier of the assessmentSection "
        f"on line 5; {RULE} [duplicate-identifier]",
        f"{test}:7: error: assessmentItemRef identifier 'P' is already the identifier of the testPart on line 4; "
        f"{RULE} [duplicate-identifier]",
        f"{test}:8: error: assessmentItemRef identifier 'SCORE' is already the identifier of the "
        f"outcomeDeclaration on line 3; {RULE} [duplicate-identifier]",
        f"{test}:10: error: assessmentItemRef identifier 'I' is already used on line 9 [duplicate-item-ref]",
        f"{test}:12: error: assessmentSection identifier 'S' is already the identifier of the assessmentSection "
        f"on line 5; {RULE} [duplicate-identifier]",
    ]
    manifest = MANIFEST.replace(b"</resources>", b'<resource identifier="T" type="imsqti_test_xmlv2p1" '
                                b'href="test.xml"><file href="test.xml"/><dependency identifierref="R"/>'
                                b"</resource></resources>")
    package = _zip(tmp_path / "test.zip", [("imsmanifest.xml", manifest), ("q.xml", ITEM), ("test.xml", QTI_TEST)])
    (report,) = check_paths([package]).packages
    assert [(p.file.split("!/")[1], p.line) for p in _only(report, "duplicate-identifier")] == [
        ("test.xml", 6), ("test.xml", 7), ("test.xml", 8), ("test.xml", 12)]
    assert len(_only(report, "duplicate-item-ref")) == 1


def test_duplicate_variable_identifiers_in_a_qti_item(tmp_path: Path) -> None:
    item = tmp_path / "q.xml"
    item.write_bytes(ITEM.replace(b"<itemBody>", b'<responseDeclaration identifier="RESPONSE" cardinality="single" '
                                  b'baseType="identifier"/><outcomeDeclaration identifier="RESPONSE" '
                                  b'cardinality="single" baseType="float"/><itemBody>'))
    (package,) = check_paths([item]).packages
    assert [p.message for p in _only(package, "duplicate-identifier")] == [
        "outcomeDeclaration identifier 'RESPONSE' is already the identifier of the responseDeclaration on line 3; "
        "within an assessmentItem the identifiers of responseDeclaration, outcomeDeclaration and "
        "templateDeclaration elements must all differ"]
    assert not package.ok


# --- what reaches the terminal ---------------------------------------------------------------

FORGED = "x.xml\nsummary: 1 path checked, 0 errors, 0 warnings"
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_names_and_schema_messages_are_printed_escaped(tmp_path: Path) -> None:
    """A zip entry name or an attribute value (in a schema message) holding a newline, an escape
    sequence or a bidi override is shown escaped, so it cannot forge a line or recolour one."""
    manifest = MANIFEST.replace(b'identifier="M"', b'identifier="M&#10;summary: forged&#x9b;2J&#x202e;"')
    path = _zip(tmp_path / "names.zip", [("imsmanifest.xml", manifest), ("q.xml", ITEM), (FORGED, b"<a/>"),
                                         ("evil\u202egpj.xml", b"<a/>"), ("bell\x07\x1b[31m.txt", b"x")])
    result = CliRunner().invoke(main, ["check", str(path)])
    lines = result.output.splitlines()
    assert result.exit_code == 0
    assert [line for line in lines if line.startswith("summary:")] == [lines[-1]]
    assert lines[-1] == "summary: 1 path checked, 0 errors, 5 warnings"
    assert not RAW_CONTROL.search(result.output)
    assert f"{path}!/x.xml\\nsummary: 1 path checked, 0 errors, 0 warnings:0: warning: file is in the package but " \
        "no <file> element of the manifest lists it [unlisted-file]" in lines
    assert any(line.startswith(f"{path}!/evil\\u202egpj.xml:0: warning:") for line in lines)
    assert any(line.startswith(f"{path}!/bell\\x07\\x1b[31m.txt:0: warning:") for line in lines)
    assert any("'M\\nsummary: forged\\x9b2J\\u202e'" in line and "[outside-lmspack-subset]" in line for line in lines)


def test_json_report_is_ascii_json_with_the_names_intact(tmp_path: Path) -> None:
    path = _zip(tmp_path / "names.zip", [("imsmanifest.xml", MANIFEST), ("q.xml", ITEM), (FORGED, b"<a/>"),
                                         ("evil\u202egpj\x7f.xml", b"<a/>")])
    result = CliRunner().invoke(main, ["check", "--json", str(path)])
    assert result.exit_code == 0
    assert result.output.isascii() and not RAW_CONTROL.search(result.output)
    report = json.loads(result.output)
    files = {problem["file"] for problem in report["packages"][0]["problems"] if problem["code"] == "unlisted-file"}
    assert files == {f"{path}!/{FORGED}", f"{path}!/evil\u202egpj\x7f.xml"}


@pytest.mark.skipif(not (OFFICIAL_SCHEMAS / "qti12").is_dir(), reason="official QTI 1.2.1 DTD not found")
def test_dtd_validation_of_a_very_wide_file_stops_at_the_cap(tmp_path: Path) -> None:
    quiz = tmp_path / "wide.xml"
    quiz.write_bytes(b"<questestinterop>" + b"<bogus/>" * 1500 + b"</questestinterop>")
    (package,) = check_paths([quiz], schema_dir=OFFICIAL_SCHEMAS).packages
    assert [p.message for p in _only(package, "dtd")] == [
        "not validated: an element has 1,500 children, more than 1,000 (DTD validation would cost the square "
        "of that when they are refused)"]
    quiz.write_bytes(b"<questestinterop>" + b"<bogus/>" * 500 + b"</questestinterop>")
    (package,) = check_paths([quiz], schema_dir=OFFICIAL_SCHEMAS).packages
    assert len(_only(package, "dtd")) > 500 and all(p.line == 1 for p in _only(package, "dtd"))


def test_check_never_writes_or_fetches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"check opened a network connection: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    item = _item_with(b'<xi:include href="http://127.0.0.1:9/x.xml"/><img src="http://127.0.0.1:9/i.png" alt=""/>')
    item = item.replace(b'<?xml version="1.0"?>\n', b'<?xml version="1.0"?>\n<!DOCTYPE assessmentItem SYSTEM '
                        b'"http://127.0.0.1:9/x.dtd" [<!ENTITY e SYSTEM "http://127.0.0.1:9/e">]>\n')
    path = _zip(tmp_path / "net.zip", [("imsmanifest.xml", MANIFEST), ("q.xml", item)])
    before = sorted(p.name for p in tmp_path.rglob("*"))
    monkeypatch.chdir(tmp_path)
    for schema_dir in [None, OFFICIAL_SCHEMAS] if OFFICIAL_SCHEMAS.is_dir() else [None]:
        (package,) = check_paths([path], schema_dir=schema_dir).packages
        assert _only(package, "unsafe-href")[0].message.startswith("<xi:include href> 'http://127.0.0.1:9/x.xml'")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_wide_qti_test_with_repeated_variable_references_is_validated_as_a_tree(tmp_path: Path) -> None:
    """Over 1,000 item refs side by side, and one variable referred to 200 times: in QTI an
    identifier attribute also refers, so only a manifest's repeats count towards the cap."""
    refs = "".join(f'<assessmentItemRef identifier="I{i}" href="q.xml"/>' for i in range(1001))
    sums = '<variable identifier="I1.SCORE"/>' * 200
    test = tmp_path / "test.xml"
    test.write_text('<?xml version="1.0"?>\n<assessmentTest xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" '
                    'identifier="T" title="T"><outcomeDeclaration identifier="SCORE" cardinality="single" '
                    'baseType="float"/><testPart identifier="P" navigationMode="linear" submissionMode="individual">'
                    f'<assessmentSection identifier="S" title="S" visible="true">{refs}</assessmentSection>'
                    '</testPart><outcomeProcessing><setOutcomeValue identifier="SCORE"><sum>'
                    f"{sums}</sum></setOutcomeValue></outcomeProcessing></assessmentTest>", encoding="utf-8")
    (tmp_path / "q.xml").write_bytes(ITEM)
    (package,) = check_paths([test]).packages
    assert not any("more than 100 refusals" in p.message for p in package.problems), package.problems
    assert package.ok


def test_nul_in_a_reference_is_unsafe_not_an_internal_error(tmp_path: Path) -> None:
    item = tmp_path / "q.xml"
    item.write_bytes(_item_with(b'<img src="a%00b.png" alt=""/>'))
    (package,) = check_paths([item]).packages
    assert [p.message for p in _only(package, "unsafe-href")] == [
        "<img src> 'a%00b.png' contains a NUL character (%00); it was not looked at"]
    manifest = MANIFEST.replace(b'<file href="q.xml"/>', b'<file href="q.xml"/><file href="q.xml%00.png"/>')
    path = _zip(tmp_path / "nul.zip", [("imsmanifest.xml", manifest), ("q.xml", ITEM)])
    (package,) = check_paths([path]).packages
    assert [p.message for p in _only(package, "unsafe-href")] == [
        "<file href> 'q.xml%00.png' contains a NUL character (%00)"]
