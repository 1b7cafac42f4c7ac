"""Reading YAML safely, keeping the line and column of every value.

Only plain mappings, sequences and scalars are accepted: anchors and aliases are refused (they
are the vehicle of 'billion laughs' documents), as are duplicate keys, tags (``!!python/object``
and friends), several documents in one file, nesting deeper than ``MAX_NESTING``, files over
``MAX_FILE_BYTES``, NUL bytes and text that is not UTF-8.

The tree is built here from the parser's events, without PyYAML's composer: the composer recurses
once per level (libyaml's can crash the interpreter on a deeply nested flow such as ``[[[[...``)
and expands nothing we could refuse early. Reading events lets every refusal happen at the first
offending token, so hostile files cost time and memory in proportion to their first few bytes.
Scalars keep the text exactly as written: ``No`` or ``2024-01-01`` in a text field stay text.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import yaml

from builder.errors import Problem, shown
from builder.model import Notice

MAX_FILE_BYTES = 1_000_000
MAX_NESTING = 64
NESTED_TOO_DEEP = f"nested more than {MAX_NESTING} levels deep"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Node:
    """A YAML value with its place. ``value`` is a str for scalars, a list of Node for sequences,
    and a dict of key -> (key Node, value Node) for mappings."""

    kind: Literal["scalar", "sequence", "mapping"]
    value: str | list[Node] | dict[str, tuple[Node, Node]]
    line: int
    column: int
    plain: bool = True
    """For scalars: written without quotes, so YAML's true/false/numbers apply."""

    @property
    def tag(self) -> str:
        """The YAML type of the value (only asked for now and then, so worked out when asked)."""
        if not isinstance(self.value, str):  # a sequence or a mapping
            return _COLLECTION_TAGS[self.kind]
        if not self.plain:
            return "tag:yaml.org,2002:str"
        return _RESOLVER.resolve(yaml.ScalarNode, self.value, (True, False))


_COLLECTION_TAGS = {"sequence": "tag:yaml.org,2002:seq", "mapping": "tag:yaml.org,2002:map"}


class NotARegularFile(OSError):
    """The path names a folder, FIFO, device or socket: reading it could block forever or never end."""


def read_at_most(path: Path | str, limit: int) -> bytes:
    """The file's bytes, or its first ``limit + 1`` when it holds more (so the caller can refuse it).
    Read as large as stat() says, then on to the end, which may have moved (the file may grow);
    never into a buffer of the limit's size: allocating 1 MB for each of thousands of 2 KB files
    doubled the system time of reading a bank. Unbuffered: one read for the file, one to see its end.

    Regular files only (NotARegularFile otherwise): opened without blocking, so that a FIFO named
    like an item file cannot hang the build waiting for a writer, and checked before any read."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        status = os.fstat(descriptor)
    except OSError:
        os.close(descriptor)
        raise
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise NotARegularFile(errno.EINVAL, "not a regular file", str(path))
    with open(descriptor, "rb", buffering=0) as handle:
        data = handle.read(min(status.st_size, limit) + 1)
        while len(data) <= limit and (more := handle.read(min(limit + 1 - len(data), 1 << 16))):
            data += more
    return data


def unreadable(error: OSError) -> str:
    """What to tell the author when a file or folder of the quiz cannot be read, and what to do."""
    if isinstance(error, NotARegularFile) or error.errno == errno.ENXIO:  # ENXIO: opening a socket
        return ("is not a regular file (a folder, FIFO, device or socket) but is named like a quiz file; "
                "make it a plain file or rename it")
    if error.errno == errno.ELOOP:
        return "is a symbolic link that leads round in a loop; make it a plain file or remove it"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "cannot be read: permission denied; make it readable (chmod a+rX) or move it out of the quiz folder"
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return "cannot be read: it vanished, or is a symbolic link to nothing; restore it or remove it"
    return f"cannot be read: {error.strerror or error}; check the file, or move it out of the quiz folder"


class SourceFile:
    """One canonical file: its display path, bytes, and a way to report problems in it."""

    def __init__(self, path: Path, display: str, problems: list[Problem]) -> None:
        self.path = path
        self.display = display
        self.problems = problems
        self.data = b""
        self.text = ""
        self.folder = ""
        """An item file's folder in its quiz folder ('' at the top): where its file names start."""
        self.quiz_folder = ""
        """The quiz folder as messages name it (builder.loading.quiz_folder_named)."""
        self.media: dict[str, tuple[int, int]] = {}
        """The files of the quiz folder its texts show, each with where it is first named."""
        self.notices: dict[Notice, None] = {}
        """What its texts lost or lack without being refused: warned at every build."""

    def place_near(self, node: Node, written: str) -> tuple[int, int]:
        """The line and column of ``written`` in the file, at or after where ``node`` starts (an
        image's URL inside a text); the node's own place when it is not found as written (a
        quoted text with escapes)."""
        if not self.text or not written:
            return node.line, node.column
        line_start = 0
        for _ in range(node.line - 1):
            line_start = self.text.find("\n", line_start) + 1
            if line_start == 0:
                return node.line, node.column
        found = self.text.find(written, line_start + max(node.column - 1, 0))
        if found < 0:
            return node.line, node.column
        return _place_in_text(self.text, found)

    def problem(self, line: int, column: int, message: str) -> None:
        self.problems.append(Problem(self.display, line, column, message))

    def at(self, node: Node, message: str) -> None:
        self.problem(node.line, node.column, message)

    def read(self, empty_ok: bool = False) -> Node | None:
        """Parse the file; on any problem, report it and return None (also, with ``empty_ok``, for
        a file with nothing but comments, which is then no problem)."""
        try:
            self.data = read_at_most(self.path, MAX_FILE_BYTES)
        except OSError as error:
            self.problem(0, 0, unreadable(error))
            return None
        if len(self.data) > MAX_FILE_BYTES:
            self.problem(0, 0, f"file is over the {MAX_FILE_BYTES:,}-byte limit for one file; "
                               "split it into several items")
            return None
        text = self._decode(self.data)
        if text is None:
            return None
        self.text = text
        try:
            root = _build(yaml.parse(text, Loader=_Loader))
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            message = error.problem or str(error)
            if error.context and error.problem:
                message = f"{error.problem} ({error.context})"
            line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            if "maximum nesting depth" in message:
                # libyaml 0.2.5+ stops at depth 1000 while looking ahead, before our own limit is
                # reached; say the same thing either way.
                self.problem(line, column, NESTED_TOO_DEEP)
            elif (mistake := _common_mistake(text, error)) is not None:
                self.problem(*mistake)
            else:
                self.problem(line, column, f"invalid YAML: {message}")
            return None
        except yaml.reader.ReaderError as error:
            line, column = _place_in_text(text, error.position)
            self.problem(line, column, f"character U+{error.character:04X} is not allowed in a YAML file; remove it")
            return None
        except yaml.YAMLError as error:
            self.problem(0, 0, f"invalid YAML: {error}")
            return None
        if root is None and not empty_ok:
            self.problem(1, 1, "file is empty; write a YAML mapping of fields")
        return root

    def _decode(self, data: bytes) -> str | None:
        if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            self.problem(1, 1, "file is UTF-32; save it as UTF-8")
            return None
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.problem(1, 1, "file is UTF-16; save it as UTF-8")
            return None
        nul = data.find(b"\x00")
        if nul >= 0:
            line, column = _place_of(data, nul)
            if _looks_like_utf16(data):
                self.problem(1, 1, "file is UTF-16 (without a byte order mark); save it as UTF-8")
            else:
                self.problem(line, column, "file contains a NUL byte; is it a binary file? save it as UTF-8 text")
            return None
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0  # accepted, and dropped
        try:
            return data[bom:].decode("utf-8")
        except UnicodeDecodeError as error:
            offset = bom + error.start
            line, column = _place_of(data, offset)
            self.problem(line, column, f"invalid UTF-8 (byte 0x{data[offset]:02X}); save the file as UTF-8")
            return None

    def parse(self, empty_ok: bool = False) -> Node | None:
        try:
            return self.read(empty_ok)
        except _Refused as refused:
            self.problem(refused.line, refused.column, refused.message)
            return None


class _TagResolver(Protocol):
    """What we ask of PyYAML's resolver, whose stubs leave it untyped: the tag of a plain scalar."""

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str: ...


_RESOLVER: _TagResolver = yaml.resolver.Resolver()
_SCALAR, _ALIAS, _SEQUENCE = yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent
_OPENING = yaml.CollectionStartEvent  # a SequenceStartEvent or a MappingStartEvent
_CLOSING = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _build(events: Iterator[yaml.Event]) -> Node | None:
    """The one document of ``events`` as a Node tree, refusing what we do not accept as soon as it
    appears. Iterative, so no input can exhaust the stack. (Dispatch is on the exact event class
    where it can be, scalars first: this loop runs for every value of every file.)"""
    # Each open collection: its Node, what it holds (the Node's value, typed), and for mappings
    # the key waiting for its value.
    stack: list[tuple[Node, list[Node] | dict[str, tuple[Node, Node]], Node | None]] = []
    root: Node | None = None
    documents = 0
    for event in events:
        if type(event) is _SCALAR:
            if event.anchor is not None or event.tag is not None:
                _refuse_anchor_or_tag(event)
            line, column = _place(event)
            node: Node = Node("scalar", event.value, line, column, plain=event.style in (None, ""))
        elif (kind := type(event)) in _CLOSING:
            node = stack.pop()[0]
        elif isinstance(event, _OPENING):  # a sequence or a mapping
            if event.anchor is not None or event.tag is not None:
                _refuse_anchor_or_tag(event)
            line, column = _place(event)
            if len(stack) >= MAX_NESTING:
                raise _Refused(line, column, NESTED_TOO_DEEP)
            children: list[Node] | dict[str, tuple[Node, Node]] = [] if kind is _SEQUENCE else {}
            stack.append((Node("sequence" if kind is _SEQUENCE else "mapping", children, line, column), children, None))
            continue
        elif kind is _ALIAS:
            raise _Refused(*_place(event), _NO_ANCHORS)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Refused(*_place(event), "a second YAML document ('---') in one file; "
                                               "write one item per file")
            continue
        else:
            continue  # stream start and end, document end
        if not stack:
            root = node
            continue
        parent, held, key = stack[-1]
        if isinstance(held, list):
            held.append(node)
        elif key is None:
            if node.kind != "scalar":
                raise _Refused(node.line, node.column, "a key must be a plain name")
            stack[-1] = (parent, held, node)
        else:
            name = str(key.value)
            if name in held:
                first = held[name][0]
                raise _Refused(key.line, key.column,
                               f"duplicate key {shown(name)} (first at line {first.line}); keep only one")
            held[name] = (key, node)
            stack[-1] = (parent, held, None)
    return root


_NO_ANCHORS = "YAML anchors and aliases (&name, *name) are not allowed; write the value out in full"


def _refuse_anchor_or_tag(event: yaml.ScalarEvent | yaml.CollectionStartEvent) -> None:
    """Refuse a value that has an anchor (&name) or a tag (!!python/object...); the anchor is
    named first when it has both."""
    if event.anchor is not None:
        raise _Refused(*_place(event), _NO_ANCHORS)
    if event.tag is not None:
        written = event.tag.replace("tag:yaml.org,2002:", "!!", 1)
        raise _Refused(*_place(event), f"YAML tags such as {shown(written)} are not allowed; write a plain "
                                       "value (in quotes if it starts with '!')")


def _place(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    if mark is None:  # never from the parser, which marks every event; line 0 means the whole file
        return 0, 0
    return mark.line + 1, mark.column + 1


class _Refused(Exception):
    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def _place_of(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters, as editors count them) of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    before = data[line_start:offset]
    if line_start == 0:
        before = before.removeprefix(codecs.BOM_UTF8)
    return data.count(b"\n", 0, offset) + 1, len(before.decode("utf-8", errors="replace")) + 1


def _place_in_text(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _looks_like_utf16(data: bytes) -> bool:
    """Text saved as UTF-16 without a byte order mark: every other byte of ASCII text is NUL."""
    sample = data[:200]
    half = len(sample) // 2
    return half > 0 and (sample[0::2].count(0) * 2 >= half or sample[1::2].count(0) * 2 >= half)


# The mistakes of text written or pasted in a word processor, looked for only once the parser has
# failed (a good file costs nothing), and reported where they are: libyaml notices most of them
# later, at a place that has nothing to do with them (a curly closing quote on line 9 at 12:12).
_STRAIGHT_QUOTES = "YAML quotes text with straight quotes \" or '"
_CURLY_QUOTES = "\u2018\u2019\u201c\u201d"
_CURLY_FOR = {'"': "\u201c\u201d", "'": "\u2018\u2019"}
"""The curly quotes a word processor writes where the author typed each straight quote."""
_INVISIBLE_SPACES = "\u200b\u2060\ufeff"
"""Zero-width spaces: not spaces to Python's str.isspace, and no more to YAML."""
# A line's structure: indentation, list dashes, a key and its colon, then the value. \s rather
# than [ \t]: a no-break space where YAML needs a space is what is looked for.
_LINE = re.compile(r"(?P<lead>[\s\u200b\u2060\ufeff]*(?:-\s+)*)"
                   r"(?:(?P<key>[^\s'\"#:\-\u200b\u2060\ufeff][^:#]*?):(?:\s+|$))?(?:-\s+)*(?P<value>.*)")

_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*\s*(?:#.*)?\Z")


def _common_mistake(text: str, error: yaml.MarkedYAMLError) -> tuple[int, int, str] | None:
    """The first word-processor mistake up to where the parser failed, as (line, column, message),
    or None when none explains the failure."""
    mark = error.problem_mark
    if mark is None:
        return None
    found: list[tuple[int, int, str]] = []
    block_indent = -1  # the indentation of the key of a block scalar (| or >) the lines are in, if any
    for number, line in enumerate(text.split("\n")[:mark.line + 1], start=1):
        if block_indent >= 0 and (not line.strip(" \r") or len(line) - len(line.lstrip(" ")) > block_indent):
            continue  # text, where any character is itself
        block_indent = -1
        match = _LINE.match(line)
        assert match is not None  # every group may be empty
        if _BLOCK_SCALAR.match(match["value"]):
            block_indent = match.start("key") if match["key"] else len(line) - len(line.lstrip(" "))
        for index, char in enumerate(line[:match.start("value")]):
            if _is_odd_space(char):
                found.append((number, index + 1, f"invalid YAML: {_character(char)} where YAML needs a plain "
                                                 "space; replace it with a space"))
                break
        value = match["value"]
        if value.startswith(('"', "'")) and (curly := _curly_close(value)) is not None:
            found.append((number, match.start("value") + curly + 1,
                          f"invalid YAML: curly quote {_character(value[curly])} ends the text its straight "
                          f"{value[0]} opens; {_STRAIGHT_QUOTES}: replace it with {value[0]}"))
    at_mark = text[mark.index:mark.index + 1]
    if at_mark == "\t":
        found.append((mark.line + 1, mark.column + 1, "invalid YAML: a tab character (U+0009) in the indentation; "
                                                       "YAML indents with spaces only: replace it with spaces"))
    elif at_mark == ":" and (error.problem or "").startswith("mapping values are not allowed"):
        found.extend(_colon_in_text(text, mark.line, mark.column))
    if not found and error.context == "while scanning a quoted scalar" and error.context_mark is not None:
        opening = error.context_mark
        quote = text[opening.index:opening.index + 1]
        found.append((opening.line + 1, opening.column + 1,
                      f"invalid YAML: the text that this {quote} opens never ends; end it with a straight {quote}"))
    return min(found, default=None)


def _is_odd_space(char: str) -> bool:
    return (char.isspace() and char not in " \t\r\n") or char in _INVISIBLE_SPACES


def _character(char: str) -> str:
    """A character as a message names it: 'no-break space (U+00A0)', 'curly quote ” (U+201D)'."""
    code = f"U+{ord(char):04X}"
    if _is_odd_space(char):
        name = unicodedata.name(char, "space").lower()
        return f"{'an' if name[0] in 'aeiou' else 'a'} {name} ({code})"
    return f"{char} ({code})"


def _curly_close(value: str) -> int | None:
    """Where in ``value`` (which starts with a straight quote) a curly quote seems meant to end it:
    the last curly quote on the line, when no straight quote ends it there."""
    quote, index = value[0], 1
    while index < len(value):
        char = value[index]
        if char == "\\" and quote == '"':
            index += 2
            continue
        if char == quote:
            if quote == "'" and value[index + 1:index + 2] == "'":  # '' is a quote inside '...'
                index += 2
                continue
            return None
        index += 1
    curly = max(value.rfind(char) for char in _CURLY_FOR[quote])
    return curly if curly > 0 else None


def _colon_in_text(text: str, line_index: int, column_index: int) -> list[tuple[int, int, str]]:
    """The parser's 'mapping values are not allowed' at a colon inside a value: the text needs
    quotes (or, when it opens with a curly quote, meant to have them)."""
    line = text.split("\n")[line_index]
    match = _LINE.match(line)
    assert match is not None  # every group may be empty
    if not match["key"] or column_index <= match.start("value"):
        return []
    value = match["value"]
    if value[:1] in _CURLY_QUOTES:
        return [(line_index + 1, match.start("value") + 1,
                 f"invalid YAML: curly quote {_character(value[0])} where YAML needs a straight quote; "
                 f"{_STRAIGHT_QUOTES}: replace both quotes with \"")]
    written = value.split(" #")[0].rstrip()
    key = line[:match.start("value")].strip()
    if '"' not in written and "\\" not in written:
        quoted = f' put the text in quotes, {key} "{written}", or'
    elif "'" not in written:
        quoted = f" put the text in quotes, {key} '{written}', or"
    else:
        quoted = ""
    return [(line_index + 1, column_index + 1,
             f"invalid YAML: a colon and a space (': ') in unquoted text start a new key in YAML;{quoted} write "
             f"{key} >- and the text on the lines below it, indented")]
