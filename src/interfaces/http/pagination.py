from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

from application.shared.pagination import DEFAULT_LIMIT, MAX_LIMIT

MAX_OFFSET = 2**31 - 1

Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description=f"1 to {MAX_LIMIT}, default {DEFAULT_LIMIT}")]
Offset = Annotated[int, Parameter(ge=0, le=MAX_OFFSET)]
