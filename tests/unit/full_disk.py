"""A disk that fills up: every file opened for writing under a folder shares a byte budget.

`disk_with_room(folder, n)` patches `open` (builtins and io, which zipfile, numpy, PIL, Keras and
pathlib use) so that writes under `folder` raise `OSError(ENOSPC)` once `n` bytes in all have been
written, after writing the part that still fitted: a torn file, as on a real full disk.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import io
import os
import shutil
import subprocess
from pathlib import Path


class _Budget:
    def __init__(self, room: int):
        self.room = room
        self.hit = False


class _Filling:
    """A file object whose writes stop, half done, when the budget runs out."""

    def __init__(self, fh, budget: _Budget, name):
        self._fh, self._budget, self._name = fh, budget, name

    def write(self, data):
        if len(data) > self._budget.room:
            self._fh.write(data[: self._budget.room])
            self._budget.room = 0
            self._budget.hit = True
            raise OSError(errno.ENOSPC, "No space left on device", str(self._name))
        self._budget.room -= len(data)
        return self._fh.write(data)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()
        return False

    def __iter__(self):
        return iter(self._fh)

    def __getattr__(self, name):
        return getattr(self._fh, name)


@contextlib.contextmanager
def disk_with_room(folder: str | os.PathLike, room: int):
    """Within the block, at most `room` more bytes fit on the "disk" holding `folder`.

    Yields the budget; `budget.hit` tells whether the disk really filled up.
    """
    root = Path(folder).resolve()
    budget = _Budget(room)
    real_open = io.open

    def limited_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        if isinstance(file, (str, os.PathLike)) and any(c in mode for c in "wax+"):
            path = Path(file).resolve()
            if path == root or root in path.parents:
                return _Filling(fh, budget, path)
        return fh

    saved = builtins.open, io.open
    builtins.open = io.open = limited_open
    try:
        yield budget
    finally:
        builtins.open, io.open = saved


def snapshot(folder: str | os.PathLike) -> dict[str, bytes]:
    """{relative path: content} of every file and folder (None) under `folder`, hidden ones included."""
    folder = Path(folder)
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


def size(folder: str | os.PathLike) -> int:
    """Bytes of all files under `folder`."""
    return sum(len(v) for v in snapshot(folder).values() if v is not None)


def restore(folder: str | os.PathLike, saved: dict[str, bytes]) -> None:
    """Put `folder` back exactly as `snapshot` saw it."""
    import shutil

    folder = Path(folder)
    shutil.rmtree(folder)
    folder.mkdir()
    for rel, content in saved.items():
        if content is None:
            (folder / rel).mkdir(parents=True, exist_ok=True)
        else:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(content)


def bytes_written(folder: str | os.PathLike, write) -> int:
    """How many bytes `write()` writes under `folder` (the folder is restored afterwards)."""
    saved = snapshot(folder)
    with disk_with_room(folder, 1 << 62) as budget:
        write()
    restore(folder, saved)
    return (1 << 62) - budget.room


def tmpfs_available() -> bool:
    """Whether this machine lets a test mount a small tmpfs in its own namespace (`unshare -rm`)."""
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0
