"""The one way files reach disk: a temporary file beside the target, then an atomic rename.

A build that fails or is interrupted leaves each target either as it was or complete. The
temporary file is ``.<target name>.<8 random letters, digits or _>.part`` (the name Python's
tempfile.mkstemp gives it, which earlier versions used), and its writer holds an exclusive flock
on it from the moment it exists until it has been renamed. A writer that was killed (SIGKILL, a
power cut) cannot delete its file, but its lock is gone with it: the next build into the folder
removes every such file that nobody holds (``remove_leftovers``), and never one that a build
running at the same time is still writing."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import stat
from pathlib import Path

try:
    import fcntl
except ImportError:  # no flock (Windows): leftovers are then never removed, only reported by no one
    fcntl = None  # type: ignore[assignment]  # mypy checks for Linux, where the module is always there

# What mkstemp draws its eight letters from, and so what a leftover's middle part is made of.
_RANDOM_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"
LEFTOVER = re.compile(r"\.[^./\\][^/\\]*\.[a-z0-9_]{8}\.part")
"""The name of a temporary file of ours (the target's name never starts with a dot: Writer.target)."""


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


def temporary_name(target: str) -> str:
    return f".{target}.{''.join(secrets.choice(_RANDOM_LETTERS) for _ in range(8))}.part"


def write_atomic(path: Path, data: bytes) -> None:
    for _ in range(100):  # a name already taken: another one, as mkstemp does
        temporary = path.parent / temporary_name(path.name)
        fd = -1
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
            if not _locked(fd, temporary):
                continue  # removed as a leftover by another build before it was locked: it is not ours now
            with os.fdopen(os.dup(fd), "wb") as handle:  # the lock stays with fd until the rename is done
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.fchmod(fd, 0o644)
            os.replace(temporary, path)
            return
        except BaseException as error:
            if fd < 0 and isinstance(error, FileExistsError):
                continue  # not ours
            # Also on KeyboardInterrupt and SIGTERM (builder.interruption): never leave a
            # half-written file behind. After the rename the name is gone and this does nothing.
            temporary.unlink(missing_ok=True)
            raise
        finally:
            if fd >= 0:
                os.close(fd)
    raise FileExistsError(f"no free temporary name for {path.name} in {path.parent}")


def _locked(fd: int, temporary: Path) -> bool:
    """Lock our new file; False when, between its making and its locking, another build took it
    for a leftover and removed it (the name is then free, or another file's)."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as error:
        if error.errno in _NO_LOCKS:
            return True  # a file system without flock: written unlocked, as before there were locks
        raise
    try:
        named = os.stat(temporary, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (mine.st_dev, mine.st_ino)


# What flock fails with where the file system has no such locks (some network and FUSE file systems).
_NO_LOCKS = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}


def remove_leftovers(out_dir: Path) -> list[str]:
    """Delete the temporary files of writers that are gone (killed before they could) from
    ``out_dir``; the names deleted, sorted. Only files named as ours (LEFTOVER) and only those
    whose flock can be taken: a writer that is alive holds it."""
    if fcntl is None:
        return []
    try:
        entries = [entry for entry in os.scandir(out_dir) if LEFTOVER.fullmatch(entry.name)]
    except OSError:  # no folder yet, or one we may not list: nothing to tidy that we can see
        return []
    removed = []
    for entry in entries:
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_CLOEXEC", 0))
        except OSError:  # gone meanwhile (renamed into place), or not a file we may open
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # Still the file we locked under that name (not renamed away and replaced since)?
            named, locked = os.stat(entry.path, follow_symlinks=False), os.fstat(fd)
            if (named.st_dev, named.st_ino) == (locked.st_dev, locked.st_ino) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:  # BlockingIOError: its writer is alive; others: gone meanwhile
            pass
        finally:
            os.close(fd)
    return sorted(removed)


def file_sha256(path: Path) -> tuple[str, int] | None:
    """The SHA-256 and size of the regular file at ``path`` as its bytes are now; None when there
    is none there (gone, a folder, a symbolic link: never followed, the build writes none) or it
    cannot be read. Read in chunks: an earlier package can be tens of MB."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        digest, size = hashlib.sha256(), 0
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
            size += len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return digest.hexdigest(), size
