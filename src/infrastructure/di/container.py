"""The composition root shared by the HTTP app, the CLI and the tests."""

from __future__ import annotations

from dishka import AsyncContainer, Provider, make_async_container

from infrastructure.config import Settings
from infrastructure.di import tables  # noqa: F401
from infrastructure.di.providers import default_providers

# ``tables`` puts every context's tables on the one metadata before any session flushes: a
# constraint one context's model names by table only (the catalog's recipe lines point at the stock
# context's ``stock_items``) resolves only when the other context's models are loaded too, and the
# unit of work sorts every mapped table by its foreign keys at the first flush.


def make_container(settings: Settings, *extra_providers: Provider) -> AsyncContainer:
    """Extra providers come last, so a test or a CLI command can override any binding."""
    return make_async_container(
        *default_providers(),
        *extra_providers,
        context={Settings: settings},
    )
