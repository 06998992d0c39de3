"""Request bodies (responses are the read models of ``application.notes.views``). Inputs refuse
unknown fields; the limit here stops an oversized text before any work, the domain's rule gives the
precise message."""

from __future__ import annotations

from typing import Annotated

import msgspec


class NoteIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    text: Annotated[str, msgspec.Meta(max_length=2000)]
