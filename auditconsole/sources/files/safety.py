"""Which files may be opened: only regular files under a configured directory.

No path from a request reaches this module: requests name a source by its configured key
and a file by ``(st_dev, st_ino)``, and files are only ever found by listing the configured
directories. Even so, every file is checked twice before it is read:

* at discovery, ``realpath`` must stay under the configured directory (``commonpath``), so
  a symlink pointing at ``/etc/shadow`` is refused, and the target must be a regular file
  (a FIFO would block the request, a device could be anything);
* at ``open``, the resolved path is opened with ``O_NOFOLLOW | O_NONBLOCK`` and the open
  descriptor is ``fstat``-ed: it must still be a regular file with the identity seen at
  discovery, so a file swapped for a symlink or FIFO in between is refused too.
"""

from __future__ import annotations

import os
import stat


class UnsafePath(OSError):
    """A file outside the allowed directories, or not a regular file."""


def resolve_root(directory: str) -> str:
    """The canonical form of a configured directory, against which files are checked."""
    return os.path.realpath(directory)


def is_within(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives, or a mix of relative and absolute
        return False


def check_file(path: str, root: str) -> tuple[str, os.stat_result]:
    """``(realpath, stat)`` of a discovered file, or :class:`UnsafePath` saying why not."""
    real = os.path.realpath(path)
    if not is_within(real, root):
        raise UnsafePath(f"{os.path.basename(path)} resolves outside the log directory")
    st = os.stat(real)
    if not stat.S_ISREG(st.st_mode):
        raise UnsafePath(f"{os.path.basename(path)} is not a regular file")
    return real, st


def open_checked(real: str, root: str, identity: tuple[int, int] | None = None) -> int:
    """An ``O_RDONLY`` descriptor for an already-checked file; re-verified after opening."""
    if not is_within(real, root):
        raise UnsafePath("file resolves outside the log directory")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(real, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafePath("not a regular file")
        if identity is not None and (st.st_dev, st.st_ino) != identity:
            raise UnsafePath("file was replaced while being opened")
    except BaseException:
        os.close(fd)
        raise
    return fd
