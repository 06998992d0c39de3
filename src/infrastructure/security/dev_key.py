"""``flower-vendor dev``'s signing key: kept in its data directory (``./.data/dev-signing-key``, mode
0600) so a restart keeps every token valid. Only the ``dev`` command reads it; ``serve`` takes its key
from ``SECRET_KEY`` alone and never looks at this file."""

from __future__ import annotations

from pathlib import Path

from infrastructure.config import generate_secret_key, secret_strength_problems
from infrastructure.security.private_files import UnsafeFile, read_private, write_private

DEV_KEY_FILE = "dev-signing-key"


def dev_signing_key(directory: Path) -> tuple[str, Path, bool]:
    """The key, its file, and whether it was made just now. ``UnsafeFile`` when the file is readable
    by others or holds no strong key."""
    path = directory / DEV_KEY_FILE
    text = read_private(path)
    if text is None:
        key = generate_secret_key()
        write_private(path, key + "\n")
        return key, path, True
    key = text.strip()
    if secret_strength_problems(key):
        raise UnsafeFile(f"{path} does not hold a strong key; delete it and `flower-vendor dev` makes a new one")
    return key, path, False
