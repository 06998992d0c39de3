"""Redis key layouts that more than one adapter reads.

A session is live exactly while its key exists. The accounts context's session store writes
and deletes it; the platform's rate limiter reads it in the same round trip as its count, so an
authenticated request costs one Redis round trip for both. The layout lives here, in the
platform, so that neither side imports the other.
"""

from __future__ import annotations

from uuid import UUID


def session_key(key_prefix: str, session_id: UUID) -> str:
    """The key that exists exactly while session ``session_id`` is live."""
    return f"{key_prefix}{{auth}}:sess:{session_id}"
