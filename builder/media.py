"""The files of the quiz folder that items show (images, audio, video): found, checked, read.

Texts name them as Markdown images (builder/markup.py turns each into ``media/<path>``); each item
remembers which it uses and where (``Item.media``). Every build reads them again here, from the
quiz folder, so a changed picture is never served from the cache; each is checked for what every
LMS needs: inside the quiz folder, a name every LMS and file system takes, bytes of the kind its
name says, an SVG with nothing active in it, and sizes within the limits.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from builder.errors import Problem
from builder.markup import MEDIA_TYPES
from builder.model import MediaFile, MediaUse, Place

# Characters some LMS or file system refuses in a file name (Windows above all); spaces and
# letters of any script are carried (the formats quote them in URLs).
_UNSAFE_NAME = re.compile(r'[\\:*?"<>|\x00-\x1f\x7f]')
_WINDOWS_DEVICE = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class MediaLimits:
    """How large the files of one quiz may be (quiz.yaml ``media:``). The defaults fit the usual
    upload limits: 10 MB a file is what a default Canvas or Moodle course takes without a word, and
    50 MB a package stays under the upload limit most Moodle sites set (the Moodle XML file holds
    every file, in base64) and far under Canvas's 500 MB course quota."""

    file_mb: float = 10
    total_mb: float = 50

    @property
    def file_bytes(self) -> int:
        return int(self.file_mb * 2**20)

    @property
    def total_bytes(self) -> int:
        return int(self.total_mb * 2**20)


def _signature_fits(media_type: str, data: bytes) -> bool:
    """Whether the bytes start as files of ``media_type`` do (a renamed file would not show)."""
    match media_type:
        case "image/png":
            return data.startswith(b"\x89PNG\r\n\x1a\n")
        case "image/jpeg":
            return data.startswith(b"\xff\xd8\xff")
        case "image/gif":
            return data.startswith((b"GIF87a", b"GIF89a"))
        case "image/webp":
            return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
        case "image/svg+xml":
            return True  # text: _svg_problem reads it
        case "audio/mpeg":
            return data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)
        case "audio/mp4" | "video/mp4":
            return data[4:8] == b"ftyp"
        case "audio/ogg":
            return data.startswith(b"OggS")
        case "video/webm":
            return data.startswith(b"\x1a\x45\xdf\xa3")
        case _:
            raise AssertionError(f"no signature for {media_type}")


def sniffed_type(data: bytes) -> str | None:
    """The media type of a file lmspack carries that ``data`` starts as (None: none of them; an SVG,
    being text, is never sniffed): for files whose name may not say what they are (lmspack import)."""
    return next((kind for kind in dict.fromkeys(MEDIA_TYPES.values())
                 if kind != "image/svg+xml" and _signature_fits(kind, data)), None)


_SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_SVG_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                              remove_comments=True)
# Elements that run, embed or load something.
_SVG_ACTIVE = frozenset({"script", "foreignObject", "iframe", "embed", "object", "audio", "video", "handler",
                         "listener", "animate", "set", "animateMotion", "animateTransform", "discard"})
_CSS_REFERENCE = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)|@import|expression\s*\(", re.IGNORECASE)


def _svg_problem(data: bytes) -> str | None:
    """Why an SVG cannot be carried (it could run script or load anything from outside), or None."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return "declares a DOCTYPE or entities; save it again without them"
    try:
        root = etree.fromstring(data, _SVG_PARSER)
    except etree.XMLSyntaxError as error:
        return f"is not a well-formed SVG file ({error.msg})"
    if root.tag != f"{{{_SVG_NAMESPACE}}}svg":
        return "is not an SVG image (its root is not <svg> in the SVG namespace)"
    for node in root.iter():
        if isinstance(node, etree._ProcessingInstruction):
            return "holds a processing instruction (an external style sheet); remove it"
        if not isinstance(node.tag, str):
            continue
        name = etree.QName(node).localname
        if name in _SVG_ACTIVE:
            return f"holds <{name}>, which can run or load something; remove it"
        for attribute, value in node.attrib.items():
            local = etree.QName(attribute).localname
            if local.lower().startswith("on"):
                return f"has an event handler ({local} on <{name}>); remove it"
            if (attribute == _XLINK_HREF or local == "href") and not value.strip().startswith("#"):
                return f"refers to {value.strip()[:60]!r} outside itself (on <{name}>); embed it or remove it"
            if local == "style" and _CSS_REFERENCE.search(value):
                return f"has a style that loads something (on <{name}>); remove it"
        if name == "style" and _CSS_REFERENCE.search("".join(node.itertext())):
            return "has a <style> that loads something; remove it"
    return None


def content_problem(media_type: str, data: bytes) -> str | None:
    """Why these bytes cannot be carried as a file of ``media_type`` (they are not of that kind, or
    an SVG could run or load something), or None."""
    if not _signature_fits(media_type, data):
        return f"is not a {media_type} file, as its name says; convert it or correct the name"
    if media_type == "image/svg+xml":
        svg_trouble = _svg_problem(data)
        if svg_trouble is not None:
            return f"(SVG) {svg_trouble}"
    return None


def name_problem(name: str) -> str | None:
    """Why a file's path in the quiz folder cannot be a file name in every LMS, or None."""
    for part in name.split("/"):
        if _UNSAFE_NAME.search(part):
            return "has a character that some LMS or file system refuses (\\ : * ? \" < > | or a control); rename it"
        if part.endswith((" ", ".")) or _WINDOWS_DEVICE.match(part):
            return "has a name Windows cannot store (a device name, or one ending in a space or dot); rename it"
    return None


def read_media(directory: Path, uses: list[MediaUse], limits: MediaLimits,
               problems: list[Problem], named: str = "") -> tuple[MediaFile, ...]:
    """Each file ``uses`` name, read from the quiz folder ``directory`` and checked, once each,
    sorted by name; every problem reported at the first place that uses the file (``named``: the
    quiz folder as messages name it; default: its name)."""
    named = named or directory.name
    first_use: dict[str, Place] = {}
    for use in uses:
        first_use.setdefault(use.name, use.place)
    real_directory = os.path.realpath(directory)
    files: list[MediaFile] = []
    by_folded: dict[str, str] = {}
    total = 0
    for name in sorted(first_use):
        place = first_use[name]

        def report(message: str, place: Place = place, name: str = name) -> None:
            problems.append(Problem(place.path, place.line, place.column, f"file {name!r} {message}"))

        trouble = name_problem(name)
        if trouble is not None:
            report(trouble)
            continue
        other = by_folded.setdefault(unicodedata.normalize("NFC", name).casefold(), name)
        if other != name:
            report(f"differs from {other!r} only in case; Windows, macOS and some LMSs do not tell them apart: "
                   "rename one")
            continue
        path = directory / name
        if not os.path.realpath(path).startswith(real_directory + os.sep):
            report(f"is a link to a file outside the quiz folder {named}; copy the file in")
            continue
        try:
            with open(path, "rb") as stream:
                if not os.path.isfile(path):
                    report("is not a plain file")
                    continue
                data = stream.read(limits.file_bytes + 1)
        except FileNotFoundError:
            report(f"does not exist in the quiz folder {named}; check the name, or add the file")
            continue
        except OSError as error:
            report(f"cannot be read: {error.strerror or error}")
            continue
        if len(data) > limits.file_bytes:
            report(f"is larger than {limits.file_mb:g} MB, the limit for one file (media: max_file_mb in quiz.yaml); "
                   "make it smaller, or raise the limit if every LMS you use takes it")
            continue
        media_type = MEDIA_TYPES[os.path.splitext(name)[1].lower()]
        trouble = content_problem(media_type, data)
        if trouble is not None:
            report(trouble)
            continue
        total += len(data)
        if total > limits.total_bytes:
            report(f"takes the quiz's files past {limits.total_mb:g} MB, the limit for one package (media: "
                   "max_total_mb in quiz.yaml); make the files smaller, or raise the limit")
            continue
        files.append(MediaFile(name=name, media_type=media_type, content=data))
    return tuple(files)
