"""Every context's tables on the platform's one metadata: what migrations (``alembic/env.py``) and
the model/migration drift test compare against. Adding a context adds one line here."""

from __future__ import annotations

import infrastructure.db.metadata
from infrastructure.accounts import models as accounts_models  # noqa: F401
from infrastructure.catalog import models as catalog_models  # noqa: F401
from infrastructure.customers import models as customers_models  # noqa: F401
from infrastructure.delivery import models as delivery_models  # noqa: F401
from infrastructure.stock import models as stock_models  # noqa: F401

metadata = infrastructure.db.metadata.metadata
