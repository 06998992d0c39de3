"""The notes context over HTTP: `/api/notes`."""

from __future__ import annotations

from interfaces.http.context import HttpContext
from interfaces.http.notes.notes import NotesController

CONTEXT = HttpContext(controllers=(NotesController,))
