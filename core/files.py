"""Atomic file writes: the one way the lab writes a file, or a group of files, to disk.

A file is written to a temporary file in the same folder, flushed to disk (fsync) and renamed over
the target, so readers and a crash at any moment see either the whole old file or the whole new one.
A group of files (`AtomicGroup`) writes every temporary file first and renames them only when all
are complete; a folder (`replace_folder`) is built beside the target and swapped in. A full disk
or an unwritable folder raises `WriteFailed`, a `LabError` (and an `OSError` with the same errno),
after removing every temporary file, so nothing written before is lost.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import shutil
import threading
from pathlib import Path
from typing import Callable

from core.errors import LabError

TEMP_MARK = ".tmp"
_counter = itertools.count()
_lock = threading.Lock()


class WriteFailed(LabError, OSError):
    """A file could not be written (full disk, no permission); the previous version is kept."""

    def __str__(self) -> str:  # OSError would print "[Errno 28] ..." once errno is set
        return str(self.args[0]) if self.args else ""


def temp_path(path: str | os.PathLike) -> Path:
    """A unique hidden temporary name beside `path` that keeps its suffix (`.keras`, `.npz`, `.png`)."""
    path = Path(path)
    with _lock:
        n = next(_counter)
    return path.with_name(f".{path.stem}.{os.getpid()}-{n}{TEMP_MARK}{path.suffix}")


def is_temp(path: str | os.PathLike) -> bool:
    """Whether `path` is one of our temporary files or folders (for listings and tests)."""
    name = Path(path).name
    return name.startswith(".") and TEMP_MARK in name


def write_failed(exc: OSError, path: Path) -> WriteFailed:
    """The user-facing error for an OSError raised while writing `path`."""
    if isinstance(exc, WriteFailed):
        return exc
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        text = (f"The disk is full: could not write {path.name} in {path.parent}; nothing saved "
                "before was lost. Free some space and try again.")
    elif code in (errno.EISDIR, errno.ENOTDIR):
        text = f"Cannot write {path}: a folder and a file are in each other's way."
    else:
        text = f"Cannot write {path}: {exc.strerror or exc}."
    failed = WriteFailed(text)
    failed.errno, failed.strerror, failed.filename = code, exc.strerror, str(path)
    return failed


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # some file systems do not open folders; the rename itself is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def atomic_write(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Write `path` atomically: `write(tmp)` fills a temporary file beside it, then it is renamed.

    Args:
        path: the file to create or replace. Its folder is created when missing.
        write: a function that writes the whole file to the path it is given.

    Returns:
        `path`.

    Raises:
        WriteFailed: the disk is full or the folder is not writable; the old file is untouched.
    """
    path = Path(path)
    with AtomicGroup() as group:
        write(group.stage(path))
    return path


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Replace `path` with `data` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Replace `path` with UTF-8 `text` atomically."""
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json_atomic(path: str | os.PathLike, data, indent: int | None = 1) -> Path:
    """Replace `path` with `data` as JSON atomically."""
    return write_text_atomic(path, json.dumps(data, indent=indent))


class AtomicGroup:
    """Several files that change together: all old ones survive, or all new ones.

    Use as a context manager; `stage(target)` gives the temporary path to write each file to. On a
    clean exit every staged file is fsynced, then all are renamed into place; on any error every
    temporary file is removed and the targets are untouched. Renames cannot fail for lack of space,
    so a full disk always leaves the complete old set.
    """

    def __init__(self):
        self._staged: list[tuple[Path, Path]] = []

    def stage(self, target: str | os.PathLike) -> Path:
        """The temporary path to write `target` to (its folder is created)."""
        target = Path(target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_failed(exc, target) from None
        if target.is_dir():
            raise WriteFailed(f"Cannot write {target}: it is a folder. Choose a file name.")
        tmp = temp_path(target)
        self._staged.append((tmp, target))
        return tmp

    def __enter__(self) -> "AtomicGroup":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            try:
                self._commit()
                return False
            except OSError as error:
                exc = error
        self._discard()
        if isinstance(exc, OSError):
            target = next((t for tmp, t in self._staged if Path(exc.filename or "") == tmp),
                          self._staged[0][1] if self._staged else Path("."))
            raise write_failed(exc, target) from None
        return False

    def _commit(self) -> None:
        for tmp, _ in self._staged:
            if not tmp.exists():
                raise OSError(errno.ENOENT, "the writer produced no file", str(tmp))
            _fsync_file(tmp)
        for tmp, target in self._staged:
            os.replace(tmp, target)
        for folder in {target.parent for _, target in self._staged}:
            _fsync_dir(folder)

    def _discard(self) -> None:
        for tmp, _ in self._staged:
            _remove(tmp)


def replace_folder(target: str | os.PathLike, build: Callable[[Path], object]):
    """Build a whole folder beside `target`, then swap it in; on failure the old folder is kept.

    Args:
        target: the folder to create or replace.
        build: fills the (new, empty) folder it is given; its return value is returned.

    Raises:
        WriteFailed: the disk filled up or the parent is not writable (nothing is left behind).
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise WriteFailed(f"Cannot write the folder {target}: a file has that name.")
    new, old = temp_path(target.with_suffix("")), temp_path(target.with_name(target.name + "-old"))
    try:
        new.mkdir(parents=True)
        result = build(new)
        if target.exists():
            os.replace(target, old)
        os.replace(new, target)
    except OSError as exc:
        _remove(new)
        if old.exists() and not target.exists():
            os.replace(old, target)
        raise write_failed(exc, target) from None
    except BaseException:
        _remove(new)
        raise
    _remove(old)
    _fsync_dir(target.parent)
    return result
