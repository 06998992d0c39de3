"""The offline list of passwords too common to allow.

The list ships with the package as ``data/common-passwords.txt.gz`` (UTF-8, one password a line, most
common first; provenance and licence in ``data/README.md``). It is read once, on the first check or on
``load()``, under a lock, and kept as a frozenset of NFC-normalised, lower-cased entries (~100,000
short strings, ~10 MB). Matching is case-insensitive: a password is refused when its NFC, lower-cased
form is on the list, so ``PassWord1234`` counts as ``password1234``.
"""

from __future__ import annotations

import gzip
import io
import threading
import unicodedata
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

DEFAULT_LIST = "data/common-passwords.txt.gz"


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFC", password).lower()


def _default_source() -> Traversable:
    return resources.files(__package__ or "infrastructure.accounts").joinpath(DEFAULT_LIST)


class CommonPasswordList:
    """``application.accounts.ports.CommonPasswords`` backed by a gzip text file."""

    def __init__(self, source: Traversable | Path | None = None) -> None:
        self._source: Traversable | Path = _default_source() if source is None else source
        self._entries: frozenset[str] | None = None
        self._lock = threading.Lock()

    def contains(self, password: str) -> bool:
        return _normalise(password) in self._load()

    def load(self) -> None:
        """Read the list now (e.g. at start-up) instead of on the first check."""
        self._load()

    def __len__(self) -> int:
        """Distinct entries, after normalisation."""
        return len(self._load())

    def _load(self) -> frozenset[str]:
        entries = self._entries
        if entries is None:
            with self._lock:
                entries = self._entries
                if entries is None:
                    entries = self._read()
                    self._entries = entries
        return entries

    def _read(self) -> frozenset[str]:
        with (
            self._source.open("rb") as raw,
            gzip.GzipFile(fileobj=raw) as unzipped,
            io.TextIOWrapper(unzipped, encoding="utf-8", newline=None) as text,
        ):
            entries = frozenset(_normalise(entry) for line in text if (entry := line.rstrip("\n")))
        if not entries:
            raise RuntimeError(f"the common-password list {self._source} is empty")
        return entries
