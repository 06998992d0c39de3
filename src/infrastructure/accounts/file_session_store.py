"""``flower-vendor dev``'s sessions: the in-memory store, written through to one file (mode 0600)
in dev's data directory after every change and read back at start, so a restart (or a ``--reload``)
keeps every login. Only refresh-token hashes are stored, never a token.

The simplest store that survives a restart: one process (dev runs one worker; under ``--reload`` the
old worker has stopped before the new one reads the file), a handful of sessions, a write of a few
kilobytes per login, refresh or logout. The file is replaced whole (never half written); a file that
cannot be read is set aside with a warning and dev starts with no sessions (everyone logs in again).
Expiry uses wall-clock time, which means the same thing in the next process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import msgspec

from application.accounts.ports import MAX_SESSION_LIFETIME, ReuseGrace, Rotation, RotationOutcome, SessionRecord
from infrastructure.accounts.memory_session_store import InMemorySessionStore, _Family, _Session, _Token
from infrastructure.logging import get_logger
from infrastructure.security.private_files import read_private, write_private

DEV_SESSIONS_FILE = "dev-sessions.json"
_FORMAT = 1

log = get_logger(__name__)


class _Snapshot(msgspec.Struct, forbid_unknown_fields=True):
    format: int
    sessions: dict[UUID, _Session]
    tokens: dict[str, _Token]
    families: dict[UUID, _Family]
    users: dict[UUID, set[UUID]]


class FileSessionStore(InMemorySessionStore):
    """``SessionStore`` in memory, persisted to ``path`` after each change."""

    def __init__(
        self, path: Path, now: Callable[[], float] = time.time, *, max_lifetime: timedelta = MAX_SESSION_LIFETIME
    ) -> None:
        super().__init__(now, max_lifetime=max_lifetime)
        self._path = path
        self._load()

    def _load(self) -> None:
        text = read_private(self._path)  # UnsafeFile when others could read it: not used
        if text is None:
            return
        try:
            snapshot = msgspec.json.decode(text, type=_Snapshot)
            if snapshot.format != _FORMAT:
                raise msgspec.ValidationError(f"format {snapshot.format}")
        except msgspec.MsgspecError as error:
            aside = self._path.with_name(self._path.name + ".unreadable")
            self._path.replace(aside)
            log.warning("dev_sessions_unreadable", file=str(aside), reason=type(error).__name__)
            return
        self._sessions = snapshot.sessions
        self._tokens = snapshot.tokens
        self._families = snapshot.families
        self._users = snapshot.users

    def _save(self) -> None:
        # Synchronous on purpose: the snapshot and the write happen with no await between them, so
        # concurrent operations never interleave a half-changed state into the file.
        snapshot = _Snapshot(_FORMAT, self._sessions, self._tokens, self._families, self._users)
        # Not flushed to disk (a few ms each time): a restart of dev keeps it, a power cut may not.
        write_private(self._path, msgspec.json.encode(snapshot).decode(), durable=False)

    async def create(self, session: SessionRecord, refresh_hash: str, ttl: timedelta) -> None:
        await super().create(session, refresh_hash, ttl)
        self._save()

    async def rotate(
        self, presented_hash: str, new_hash: str, ttl: timedelta, *, grace: ReuseGrace | None = None
    ) -> Rotation:
        rotation = await super().rotate(presented_hash, new_hash, ttl, grace=grace)
        if rotation.outcome is not RotationOutcome.REPEATED:  # changes nothing
            self._save()
        return rotation

    async def revoke(self, session_id: UUID) -> None:
        await super().revoke(session_id)
        self._save()

    async def revoke_all(self, user_id: UUID, *, except_session: UUID | None = None) -> int:
        count = await super().revoke_all(user_id, except_session=except_session)
        self._save()
        return count
