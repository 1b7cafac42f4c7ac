"""One Jinja environment for every file we emit, and the check that each XML file is valid
against the schema the project ships for it, before anything is written."""

from __future__ import annotations

import contextlib
import functools
import struct
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from lxml import etree
from markupsafe import Markup

from builder import PACKAGE_DIR, TEMPLATE_DIRS
from builder.cache import CACHE_DIR, Cache, key, make_folder
from builder.errors import OutputInvalidError, Problem
from builder.packaging import Deflated
from builder.scoring import format_number

SCHEMA_DIR = PACKAGE_DIR / "schemas"


def safe_parser() -> etree.XMLParser:
    """Parser for anything we read: no DTDs, no entity expansion, no network, no huge trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=False)


def _escape_in_python(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;") \
        .replace('"', "&#34;")


try:  # markupsafe's own escape of a str to a str, in C (a private name: without it, the same in Python)
    from markupsafe._speedups import _escape_inner as _escape_text
except ImportError:  # pragma: no cover - markupsafe before 3.0
    _escape_text = _escape_in_python


def escape_for_output(value: object) -> str:
    """What markupsafe.escape gives, as a plain str: the escape Jinja applies to every value a
    template writes out (about 75 per QTI item). markupsafe wraps each result in a Markup, made by
    a Python-level __new__, which output joined into one string never needs: a seventh of
    rendering an item. Template output only: a value kept for later must stay Markup."""
    if type(value) is str:
        return _escape_text(value)
    if hasattr(value, "__html__"):
        html: str = value.__html__()  # what markupsafe.escape returns as it is (a Markup, so a str)
        return html
    return _escape_text(str(value))


class OutputTemplate(jinja2.Template):
    """A template whose output escaping is escape_for_output. (Jinja's compiled code imports
    ``escape`` into the template's module and calls it only where a value is written out: in an
    output buffer, a macro's or a filter block's, the text is made Markup again as a whole.)"""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: CodeType, globals: MutableMapping[str, Any],
                  uptodate: Callable[[], bool] | None = None) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        template.root_render_func.__globals__["escape"] = escape_for_output
        return template


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in TEMPLATE_DIRS]),
        autoescape=jinja2.select_autoescape(["xml", "html", "xsd"], default_for_string=True, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates do not change during a build; checking costs a stat per render
    )
    # Jinja's default globals (range, dict, namespace, cycler, joiner, lipsum) are logic our
    # templates leave to Python; without them each render sets up its context in half the time.
    env.globals.clear()
    env.filters["number"] = format_number
    env.template_class = OutputTemplate
    return env


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled once and kept in the cache folder (Jinja's bytecode cache, keyed by each
    template's source, so an edited template is compiled again): every lmspack process otherwise
    compiles the templates it renders, a twentieth of a second each time. The folder is made when
    a template is first kept (an input error leaves none), and an unusable folder only costs time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.trouble: str | None = None
        """Why a compiled template could not be read or kept, the first time (as Cache.trouble)."""
        super().__init__(str(root / CACHE_DIR / "templates"))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError as error:
            self._note("read", error)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            (make_folder(self.root) / "templates").mkdir(exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError as error:
            self._note("write", error)

    def _note(self, doing: str, error: OSError) -> None:
        if self.trouble is None:
            self.trouble = f"cannot {doing} compiled templates in {self.directory}: {error.strerror or error}"


@contextlib.contextmanager
def compiled_templates_kept(root: Path | None) -> Iterator[CompiledTemplates | None]:
    """Keep the templates compiled during the block in the cache folder under ``root`` (None: not)."""
    env = environment()
    kept = env.bytecode_cache = CompiledTemplates(root) if root is not None else None
    try:
        yield kept
    finally:
        env.bytecode_cache = None


def compile_all() -> None:
    """Compile every template now, in this process: forked workers then start with them compiled
    instead of each compiling them again."""
    env = environment()
    for name in env.list_templates():
        env.get_template(name)


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)


@functools.cache
def schema(name: str) -> etree.XMLSchema:
    """A schema the project ships (``builder/schemas/NAME``), compiled once per process."""
    document = etree.parse(str(SCHEMA_DIR / name), safe_parser())
    return etree.XMLSchema(document)


def render_xml(template: str, schema_name: str, output_name: str, **context: object) -> bytes:
    """Render an XML template and validate the result; raise OutputInvalidError naming the
    template, the output file and the line when it is not well-formed or not schema-valid."""
    data = render(template, **context).encode("utf-8")
    check_xml(data, schema_name, f"{output_name} (from template {template})")
    return data


def remembered_xml(cache: Cache, template: str, schema_name: str, output_name: str,
                   **context: object) -> Deflated:
    """render_xml, compressed for a zip and remembered by the template and the repr of its context:
    for a document that lists every item (a test), which a rebuild would otherwise render, validate
    and compress again although one item's text changed. Every value in ``context`` must show all
    it holds in its repr (strings, numbers, tuples, frozen dataclasses: tests/test_cache.py)."""
    def produce() -> bytes:
        return Deflated.of(render_xml(template, schema_name, output_name, **context)).to_bytes()

    entry = key("render_xml", template, schema_name, output_name, sorted(context.items()))
    return Deflated.from_bytes(cache.remembered(entry, produce, "as is"))


def render_part(template: str, schema_name: str, wrapper: tuple[str, str], label: str,
                **context: object) -> Markup:
    """Render one repeated part of a document (a question, an item) and validate it inside
    ``wrapper``, the smallest valid document around it. Large documents are built from parts so
    that each part is checked on its own (and, as an ItemPart, remembered)."""
    text = render(template, **context)
    check_xml(f"{wrapper[0]}{text}{wrapper[1]}".encode(), schema_name, f"{label} (from template {template})")
    return Markup(text)


_SLOT = Markup("<!--lmspack:slot-->")


def render_around(template: str, slot: str, **context: object) -> tuple[bytes, bytes]:
    """The output of ``template`` before and after the one place where it writes ``slot``, so
    that a large value can be put there as pieces instead of as one string."""
    head, tail = render(template, **{slot: _SLOT}, **context).split(_SLOT)
    return head.encode("utf-8"), tail.encode("utf-8")


def render_frame(cache: Cache, template: str, schema_name: str, output_name: str, slot: str,
                 first_part: tuple[str, Callable[[], bytes]] | None, first_only: dict[str, object] | None = None,
                 **context: object) -> tuple[bytes, bytes]:
    """The document around ``slot``, where a sequence of parts (encoded render_part results) goes:
    what comes before and after it. The frame is validated holding the first part, and every part
    was validated in a frame of its own, so the whole is valid where the schema lets the slot hold
    any sequence of parts (a list of questions or items): a schema with constraints across parts
    must not be composed this way. A bank of thousands of items is thus never copied as one string.

    ``first_part`` is the first part's cache key and a function that gives it (None: no parts);
    the frame is remembered by that key and the repr of ``context``, as in remembered_xml.
    ``first_only`` replaces values of ``context`` for the check with what they are for the first
    part alone: the frame's own list of every part (a manifest's dependencies on every item) must
    refer to parts that are there. The whole list is made by the same loop."""
    def produce() -> bytes:
        first = Markup(first_part[1]().decode("utf-8")) if first_part is not None else Markup("")
        render_xml(template, schema_name, output_name, **{slot: first}, **{**context, **(first_only or {})})
        head, tail = render_around(template, slot, **context)
        return struct.pack("<Q", len(head)) + head + tail

    frame = cache.remembered(key("render_frame", template, schema_name, output_name, slot,
                                 first_part[0] if first_part is not None else None, sorted(context.items())), produce)
    (head_size,) = struct.unpack_from("<Q", frame)
    return frame[8:8 + head_size], frame[8 + head_size:]


# One parser for every document we check: a parser keeps its libxml2 context from one document to
# the next, and a new one for each (50,000 in a cold 10,000-item build) made a fifteenth of parsing.
# (lxml locks a parser's context while it parses, so threads may share it.) safe_parser's settings
# but huge_tree: the documents are our own, and a Moodle question holds each file it shows in
# base64 as one text node, past libxml2's 10 MB limit for a file over 7.5 MB (Moodle reads it).
_OUTPUT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                                 huge_tree=True, remove_comments=False)


def check_xml(data: bytes, schema_name: str, label: str) -> etree._Element:
    try:
        root = etree.fromstring(data, _OUTPUT_PARSER)
    except etree.XMLSyntaxError as error:
        problem = Problem(label, error.lineno or 0, error.offset or 0, f"not well-formed XML: {error.msg}")
        raise OutputInvalidError([problem]) from None
    validator = schema(schema_name)
    if not validator.validate(root):
        raise OutputInvalidError([Problem(label, e.line, e.column, f"schema {schema_name}: {e.message}")
                                  for e in validator.error_log])
    return root
