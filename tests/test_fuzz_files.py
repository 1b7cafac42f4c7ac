"""Byte mutations of real quiz files, through the command line: whatever the bytes, `validate` and
`build` end with exit 0 or 1 (never a traceback, never exit 3), agree with each other, report
every problem as ``path:line:column: message`` and write nothing when they exit 1.

The seeds are fixed, so a failure repeats. LMSPACK_FUZZ_SEEDS=first:last runs other seeds (the
default few hundred take well under a minute; thousands were run while fixing what they found):

    LMSPACK_FUZZ_SEEDS=0:5000 .venv/bin/python -m pytest -q tests/test_fuzz_files.py
"""

from __future__ import annotations

import os
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from builder.cli import main

from projects import SINGLE, make_project

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "items" / "warm-handoff"
HOSTILE = ROOT / "tests" / "hostile" / "sanitised"
# What the mutations insert: YAML's indicators, the bytes that decoding and XML refuse or treat
# specially, line breaks YAML and Unicode count differently, markup, and runs long enough to
# reach limits (nesting, line length).
INTERESTING = [
    b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\x1b", b"\x1b]0;x\x07", b"\x7f", b"\x0b", b"\x0c", b"\r",
    b"\n", b"\t", b"&", b"&a", b"*a", b":", b": ", b"- ", b"-", b"? ", b"{", b"}", b"[", b"]", b",", b"#", b"'",
    b'"', b"|", b">", b"!", b"!!str ", b"%", b"@", b"`", b"---\n", b"...\n", b"\\", b"\\u0000", b"~", b"null",
    b"true", b"1e999", b".nan", b"-0", b"0x10", b"<", b"<script>alert(1)</script>", b"<![CDATA[", b"]]>",
    b"&#0;", b"&amp;", b"<a href='javascript:x'>", b"![i](../x.png)", b"[l](file:///etc/passwd)",
    b"\xc3", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf4\x90\x80\x80", b"\xc0\xaf",
    b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xe2\x80\xae", b"\xef\xbf\xbe", b"\xf0\x9f\x98\x80",
    b"id: x\n", b"type: true_false\n", b"correct: true\n", b"choices: []\n", b"points: 0\n", b"sections:\n",
]
LINE = re.compile(r"[^\n]+:[0-9]+:[0-9]+: \S[^\n]*")
SUMMARY = re.compile(r"[0-9]+ problems? found; nothing was written")


def _seeds() -> range:
    first, _, last = os.environ.get("LMSPACK_FUZZ_SEEDS", "0:300").partition(":")
    return range(int(first), int(last))


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four mutations of ``data``: bit flips, insertions (of an interesting token, often at a
    line's start or end), deletions, duplications and long runs."""
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(buffer) + 1)
        if rng.random() < 0.4:  # line starts and ends, where YAML's structure is
            starts = [0] + [i + 1 for i, byte in enumerate(buffer) if byte == 0x0A]
            where = rng.choice(starts)
            if rng.random() < 0.5:
                where = buffer.find(b"\n", where) if buffer.find(b"\n", where) >= 0 else len(buffer)
        span = rng.randint(1, 40)
        kind = rng.randrange(7)
        if kind == 0 and buffer:
            index = min(where, len(buffer) - 1)
            buffer[index] ^= 1 << rng.randrange(8)
        elif kind == 1:
            buffer[where:where] = rng.choice(INTERESTING)
        elif kind == 2:
            del buffer[where:where + span]
        elif kind == 3:
            buffer[where:where] = buffer[where:where + span] * rng.randint(2, 50)
        elif kind == 4:
            buffer[where:where + rng.randint(0, 3)] = rng.choice(INTERESTING) * rng.randint(2, 3000)
        elif kind == 5:
            buffer[where:where] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        else:
            buffer[where:where + span] = rng.choice(INTERESTING)
    return bytes(buffer)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bundled quiz, the hostile-markup quiz and the tests' smallest quiz, in one project reused by every case (each
    case puts back the file it changed), so the build cache makes the valid cases quick."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(BUNDLED, root / "items" / "warm-handoff")
    shutil.copytree(HOSTILE, root / "items" / "sanitised")
    make_project(root, {"q1.yaml": SINGLE.format(id="q1")}, folder="items/demo")  # the tests' smallest quiz
    before = Path.cwd()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(before)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "items").rglob("*.yaml"))


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _check(result: Result, what: str) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{what}: an exception reached the user") from result.exception
    assert result.exit_code in (0, 1), f"{what}: exit {result.exit_code}\n{result.output}"
    if result.exit_code == 1:
        *lines, summary = result.stderr.splitlines()
        assert lines and SUMMARY.fullmatch(summary), f"{what}:\n{result.stderr}"
        for line in lines:
            assert LINE.fullmatch(line), f"{what}: not path:line:column: message: {line!r}"
            assert line.isprintable(), f"{what}: a character that does not print as itself: {line!r}"


@pytest.mark.parametrize("seed", _seeds())
def test_mutated_file(project: Path, seed: int) -> None:
    """validate agrees exactly with build of the quiz's own formats (what validate checks them for);
    build --format all refuses at least what validate does, and more only for formats the quiz does
    not build."""
    rng = random.Random(seed)
    target = rng.choice(_files(project))
    original = target.read_bytes()
    mutated = mutate(original, rng)
    what = f"seed {seed}, {target.relative_to(project)}"
    target.write_bytes(mutated)
    out = project / "out"
    try:
        checked = _run("validate", "items")
        _check(checked, f"validate ({what})")
        for formats in ((), ("--format", "all")):
            built = _run("build", "items", *formats, "--out", str(out), "--quiet")
            _check(built, f"build {' '.join(formats)} ({what})")
            if built.exit_code == 1:
                assert not out.exists(), f"{what}: the build wrote files and exited 1"
            else:
                assert (out / "SHA256SUMS").is_file()
                shutil.rmtree(out)
            if not formats:
                assert built.exit_code == checked.exit_code, what
                if built.exit_code == 1:
                    assert built.stderr == checked.stderr, what
            elif checked.exit_code == 1:
                assert set(checked.stderr.splitlines()[:-1]) <= set(built.stderr.splitlines()), what
    finally:
        target.write_bytes(original)
        shutil.rmtree(out, ignore_errors=True)
