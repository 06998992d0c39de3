"""Calling use cases from an operator's own Python script, as a named staff member of a shop.

A script runs on a machine with the service's environment (``DATABASE_URL``, ``REDIS_URL``,
``SECRET_KEY`` …), like a ``flower-vendor`` command, and reaches the use cases through the same
container as the HTTP API::

    from interfaces.cli.scripts import run_as

    async def show(scope: AsyncContainer, me: Principal) -> None:
        print(await (await scope.get(GetVendor)).execute(me))

    run_as("rosa-amsterdam", "owner@rosa.example", show)

``me`` is what ``ActAs`` gives: the member's stored role and ``SCRIPT_SESSION_ID`` for a session, so
the script may do exactly what that member may do. The README's "Calling a use case from a Python
script" has a complete example.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from dishka import AsyncContainer

from application.accounts.act_as import ActAs
from application.shared.context import Principal, RequestMeta, bind_request_meta
from interfaces.cli.runner import run_in_container

R = TypeVar("R")

SCRIPT_CLIENT = "local"
SCRIPT_REQUEST_ID_PREFIX = "script-"


def script_request_meta() -> RequestMeta:
    """Where a script's calls come from, for the security events they record: the local operator,
    with one request id for the whole run, ``script-`` and 32 hex digits."""
    return RequestMeta(client_ip=SCRIPT_CLIENT, request_id=f"{SCRIPT_REQUEST_ID_PREFIX}{uuid.uuid4().hex}")


def run_as(shop: str, email: str, action: Callable[[AsyncContainer, Principal], Awaitable[R]]) -> R:
    """Runs ``action(scope, principal)`` as the staff member ``email`` of the shop ``shop`` (its
    slug) and returns what it returns.

    The configuration comes from the environment, as for every ``flower-vendor`` command. The
    member is looked up first, in a request scope of its own; ``action`` then gets a fresh request
    scope (``await scope.get(SomeUseCase)``) and the member's principal. Every security event the
    script's use cases record says client ``local`` and one request id ``script-…``.

    Anything refused ends the script like a refused command: one line on stderr (``error: …``) and
    exit status 1, never a traceback. That covers an invalid configuration, an unknown shop or
    member, a deactivated shop or member, an unreachable database and any refusal a use case
    raises (a missing role, a bad value). To carry on past a use case's refusal, catch
    ``ApplicationError`` (``application.shared.errors``) inside ``action``.
    """

    async def body(container: AsyncContainer) -> R:
        bind_request_meta(script_request_meta())  # this run's own context: nothing else sees it
        async with container() as scope:
            principal = await (await scope.get(ActAs)).execute(shop, email)
        async with container() as scope:
            return await action(scope, principal)

    try:
        return run_in_container(body)
    except click.ClickException as refused:
        refused.show()
        sys.exit(refused.exit_code)
