"""Every status a real server answered the e2e tests on a documented operation is documented for
that operation in the OpenAPI document (what a generated client can expect), and every problem
``code`` it answered is shown there as an example of that status (so the examples are what the
server really says). Runs after every other test of the session (tests/e2e/conftest.py orders it
last) and checks what they observed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from infrastructure.config import load_settings
from infrastructure.di.container import make_container
from interfaces.http.app import build_litestar
from interfaces.http.di import http_providers
from tests.e2e.conftest import OBSERVED, OBSERVED_PROBLEMS

pytestmark = pytest.mark.e2e

# Answered by the front door for any request, before routing (stated in the document's description).
PROTOCOL_LEVEL = {431}


def _document() -> dict[str, Any]:
    settings = load_settings({"ENVIRONMENT": "development", "DATABASE_URL": "sqlite+aiosqlite:///:memory:"})
    return build_litestar(settings, make_container(settings, *http_providers())).openapi_schema.to_schema()


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    for template, item in document["paths"].items():
        if re.fullmatch(re.sub(r"\\{[^}]+\\}", "[^/]+", template), path) and method.lower() in item:
            operation: dict[str, Any] = item[method.lower()]
            return operation
    return None


def test_every_observed_status_is_documented() -> None:
    if not OBSERVED:
        pytest.skip("checks the statuses the other e2e tests observed; run it with them")
    document = _document()
    missing: set[tuple[str, str, str, int]] = set()
    checked = 0
    for method, path, status in sorted(OBSERVED):
        operation = _operation(document, method, path)
        if operation is None or status in PROTOCOL_LEVEL:
            continue  # not an operation of the document (an unknown path, a wrong method)
        checked += 1
        if str(status) not in operation["responses"]:
            missing.add((operation["operationId"], method, path, status))
    assert checked > 0
    assert not missing, "statuses observed but not documented: " + "; ".join(map(str, sorted(missing)))


def test_every_observed_problem_code_is_shown_as_an_example() -> None:
    if not OBSERVED_PROBLEMS:
        pytest.skip("checks the problems the other e2e tests observed; run it with them")
    document = _document()
    missing: set[tuple[str, str, int, str]] = set()
    checked = 0
    for method, path, status, code in sorted(OBSERVED_PROBLEMS):
        operation = _operation(document, method, path)
        response = operation["responses"].get(str(status)) if operation is not None else None
        if response is None or status in PROTOCOL_LEVEL:
            continue  # not an operation or status of the document (the test above judges those)
        checked += 1
        media = response.get("content", {}).get("application/problem+json") or {}
        examples = media.get("examples", {})
        if code not in {example["value"]["code"] for example in examples.values()}:
            missing.add((operation["operationId"], status, code))
    assert checked > 0
    assert not missing, "problem codes answered but not shown as examples: " + "; ".join(map(str, sorted(missing)))
