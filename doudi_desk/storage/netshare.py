"""Is a SQLite file on a network share? SQLite's locking does not hold over SMB or NFS: two PCs
writing one file through a share corrupt it. Such a database is refused before it is opened.

* Windows: a UNC path (``\\\\server\\share\\…``, also ``\\\\?\\UNC\\…``) or a drive letter whose
  ``GetDriveTypeW`` is ``DRIVE_REMOTE`` (a mapped network drive).
* Linux: the mount holding the file, from ``/proc/mounts``, has a network file-system type.

The system calls are parameters (and the platform is :func:`doudi_desk.paths.current_platform`), so
tests stand in another system, a drive type or a mount table.
"""

from __future__ import annotations

import ntpath
import os
import sys
from collections.abc import Callable
from pathlib import Path

from .. import paths

DRIVE_REMOTE = 4  # GetDriveTypeW's value for a network drive
NETWORK_FS = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "fuse.sshfs"})


def _windows_drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def _read_mounts() -> str:
    try:
        return Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _unescape(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as octal escapes (\040 …).
    out, i = [], 0
    while i < len(field):
        code = field[i + 1:i + 4]
        if field[i] == "\\" and len(code) == 3 and all(c in "01234567" for c in code):
            out.append(chr(int(code, 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def windows_share(path: str, drive_type: Callable[[str], int] | None = None) -> str | None:
    """The share (``\\\\server\\share`` or ``Z:``) a Windows path is on, or None if it is local."""
    text = str(path).replace("/", "\\")
    if text.upper().startswith("\\\\?\\UNC\\"):
        text = "\\\\" + text[8:]
    elif text.startswith("\\\\?\\") or text.startswith("\\\\.\\"):
        text = text[4:]  # \\?\C:\… is a local path written for long names
    drive, _rest = ntpath.splitdrive(text)
    if drive.startswith("\\\\"):
        return drive
    if len(drive) == 2 and drive[1] == ":":
        kind = (drive_type or _windows_drive_type)(drive.upper() + "\\")
        if kind == DRIVE_REMOTE:
            return drive.upper()
    return None


def mounted_share(path: str, mounts: str | None = None) -> str | None:
    """``source (type)`` of the network mount holding ``path`` (Linux), or None if it is local."""
    table = _read_mounts() if mounts is None else mounts
    target = os.path.realpath(path)
    best: tuple[int, str, str] | None = None
    for line in table.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        source, point, fstype = _unescape(parts[0]), _unescape(parts[1]), parts[2]
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) > best[0]):
            best = (len(point), source, fstype)
    if best is not None and best[2].lower() in NETWORK_FS:
        return f"{best[1]}（{best[2]}）"
    return None


def network_share(path: Path | str, *, platform: str | None = None,
                  drive_type: Callable[[str], int] | None = None, mounts: str | None = None) -> str | None:
    """Where on the network ``path`` lies, for the message; None if it is on a local disk."""
    platform = platform or paths.current_platform()
    if platform.startswith("win"):
        text = os.path.abspath(path) if sys.platform.startswith("win") else str(path)
        return windows_share(text, drive_type)
    if platform.startswith("linux"):
        return mounted_share(str(path), mounts)
    return None
