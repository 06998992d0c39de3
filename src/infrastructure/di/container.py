"""The composition root shared by the HTTP app, the CLI and the tests."""

from __future__ import annotations

from dishka import AsyncContainer, Provider, make_async_container

from infrastructure.config import Settings
from infrastructure.di.providers import default_providers


def make_container(settings: Settings, *extra_providers: Provider) -> AsyncContainer:
    """Extra providers come last, so a test or a CLI command can override any binding."""
    return make_async_container(
        *default_providers(),
        *extra_providers,
        context={Settings: settings},
    )
