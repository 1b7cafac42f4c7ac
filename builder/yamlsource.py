"""Reading YAML safely, keeping the line and column of every value.

Only plain mappings, sequences and scalars are accepted: anchors and aliases are refused (they
are the vehicle of 'billion laughs' documents), as are duplicate keys, tags, several documents in
one file, NUL bytes and text that is not UTF-8.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from builder.errors import Problem

MAX_FILE_BYTES = 1_000_000
MAX_NESTING = 64

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Node:
    """A YAML value with its place. ``value`` is a str for scalars, a list of Node for sequences,
    and a dict of key -> (key Node, value Node) for mappings."""

    kind: str  # "scalar", "sequence" or "mapping"
    value: object
    tag: str
    line: int
    column: int
    plain: bool = True
    """For scalars: written without quotes, so YAML's true/false/numbers apply."""


class SourceFile:
    """One canonical file: its display path, bytes, and a way to report problems in it."""

    def __init__(self, path: Path, display: str, problems: list[Problem]) -> None:
        self.path = path
        self.display = display
        self.problems = problems
        self.data = b""

    def problem(self, line: int, column: int, message: str) -> None:
        self.problems.append(Problem(self.display, line, column, message))

    def at(self, node: Node, message: str) -> None:
        self.problem(node.line, node.column, message)

    def read(self) -> Node | None:
        """Parse the file; on any problem, report it and return None."""
        try:
            size = self.path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.problem(0, 0, f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for "
                                   "one file; split it into several items")
                return None
            self.data = self.path.read_bytes()
        except OSError as error:
            self.problem(0, 0, f"cannot read file: {error.strerror or error}")
            return None
        text = self._decode(self.data)
        if text is None:
            return None
        try:
            root = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            message = error.problem or str(error)
            if error.context and error.problem:
                message = f"{error.problem} ({error.context})"
            self.problem(mark.line + 1 if mark else 0, mark.column + 1 if mark else 0,
                         f"invalid YAML: {message}")
            return None
        except yaml.YAMLError as error:
            self.problem(0, 0, f"invalid YAML: {error}")
            return None
        except RecursionError:
            self.problem(0, 0, "invalid YAML: nested too deeply")
            return None
        if root is None:
            self.problem(1, 1, "file is empty; write a YAML mapping of fields")
            return None
        return self._convert(root, set(), 0)

    def _decode(self, data: bytes) -> str | None:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.problem(1, 1, "file is UTF-16; save it as UTF-8")
            return None
        nul = data.find(b"\x00")
        if nul >= 0:
            line, column = _place_of(data, nul)
            self.problem(line, column, "file contains a NUL byte; is it a binary file? save it as UTF-8 text")
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line, column = _place_of(data, error.start)
            self.problem(line, column, f"invalid UTF-8 (byte 0x{data[error.start]:02X}); save the file as UTF-8")
            return None

    def _convert(self, node: yaml.Node, seen: set[int], depth: int) -> Node:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if id(node) in seen:
            # The composer hands back the anchored node itself for every alias.
            raise _Refused(line, column, "YAML anchors and aliases (&name, *name) are not allowed; "
                                         "write the value out in full")
        if depth > MAX_NESTING:
            raise _Refused(line, column, f"nested more than {MAX_NESTING} levels deep")
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return Node("scalar", node.value, node.tag, line, column, plain=node.style in (None, ""))
        if isinstance(node, yaml.SequenceNode):
            return Node("sequence", [self._convert(child, seen, depth + 1) for child in node.value],
                        node.tag, line, column)
        mapping: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = self._convert(key_node, seen, depth + 1)
            value = self._convert(value_node, seen, depth + 1)
            if key.kind != "scalar":
                raise _Refused(key.line, key.column, "a key must be a plain name")
            name = str(key.value)
            if name in mapping:
                first = mapping[name][0]
                raise _Refused(key.line, key.column,
                               f"duplicate key '{name}' (first at line {first.line}); keep only one")
            mapping[name] = (key, value)
        return Node("mapping", mapping, node.tag, line, column)

    def parse(self) -> Node | None:
        try:
            return self.read()
        except _Refused as refused:
            self.problem(refused.line, refused.column, refused.message)
            return None


class _Refused(Exception):
    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def _place_of(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1
