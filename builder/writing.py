"""The one way files reach disk: a temporary file beside the target, then an atomic rename.

A build that fails or is interrupted leaves each target either as it was or complete."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class Writer:
    """Writes named outputs into one folder; refuses paths that escape it and double writes."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.written: dict[str, Path] = {}

    def target(self, name: str) -> Path:
        if not name or "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
            raise ValueError(f"output name {name!r} must be a plain file name")
        if name in self.written:
            raise ValueError(f"two outputs would be written to {name}")
        return self.out_dir / name

    def write(self, name: str, data: bytes) -> Path:
        path = self.target(name)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
        self.written[name] = path
        return path


def write_atomic(path: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        # Also on KeyboardInterrupt: never leave a half-written file behind.
        Path(temporary).unlink(missing_ok=True)
        raise
