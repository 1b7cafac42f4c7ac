"""Zip archives that are byte-identical for the same members: fixed order, times and modes."""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Iterable

ZIP_EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can carry


def build_time() -> int:
    """Seconds since the epoch from SOURCE_DATE_EPOCH, else a fixed date, so builds repeat exactly."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value.isdigit():
        return max(int(value), ZIP_EPOCH)
    return ZIP_EPOCH


def zip_bytes(members: Iterable[tuple[str, bytes]], timestamp: int | None = None) -> bytes:
    """A zip of ``members`` in the given order. Names must be unique, relative, with '/' only."""
    stamp = time.gmtime(build_time() if timestamp is None else timestamp)[:6]
    buffer = io.BytesIO()
    seen: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            if name in seen or name.startswith("/") or "\\" in name or ".." in name.split("/"):
                raise ValueError(f"bad or repeated zip member name {name!r}")
            seen.add(name)
            info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the mode below is read as such everywhere
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()
