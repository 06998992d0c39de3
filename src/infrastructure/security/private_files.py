"""Files only their owner may read or write (mode 0600): ``flower-vendor dev``'s signing key, its
sessions and the demo logins. A file that others could read is refused, never silently fixed: its
content may already have leaked, so the operator decides (``chmod 600`` it, or delete it)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIRECTORY_MODE = 0o700


class UnsafeFile(Exception):
    """A private file that is not private; the message says which file and what to do."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def check_private(path: Path) -> None:
    """Raises ``UnsafeFile`` unless ``path`` is a regular file of this user that only they can use."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(f"{path} is not a regular file (a symlink or something else); delete it")
    if info.st_uid != os.getuid():
        raise UnsafeFile(f"{path} belongs to another user; delete it")
    if info.st_mode & 0o077:
        mode = oct(stat.S_IMODE(info.st_mode))[2:]
        raise UnsafeFile(
            f"{path} has mode {mode}: others may read or change it, so it is not used;"
            f" run `chmod 600 {path}` if it never left your hands, or delete it to get a new one"
        )


def read_private(path: Path) -> str | None:
    """The file's text, ``None`` when it does not exist; ``UnsafeFile`` when others may use it."""
    try:
        check_private(path)
    except FileNotFoundError:
        return None
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, encoding="utf-8") as file:
        return file.read()


def write_private(path: Path, text: str, *, durable: bool = True) -> None:
    """Replaces the file at once (a reader sees the old or the new content, never half) with mode 0600.
    ``durable=False`` skips the flush to disk: the file then survives the process, not a power cut."""
    path.parent.mkdir(mode=PRIVATE_DIRECTORY_MODE, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE_MODE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)  # a leftover temporary file keeps no wider mode
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            descriptor = -1
            file.write(text)
            file.flush()
            if durable:
                os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if descriptor >= 0:
            os.close(descriptor)
        temporary.unlink(missing_ok=True)
        raise
