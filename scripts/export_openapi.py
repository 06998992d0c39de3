"""Write the OpenAPI 3.1 document without starting a server, as `flower-vendor dev` serves it at
``/schema/openapi.json`` (development settings; nothing is connected to and nothing is written but
the output file).

Usage:
    ./.venv/bin/python -m scripts.export_openapi [openapi.json]
``make client`` runs it, then generates a typed Python client from the file (README, "The OpenAPI
document and generated clients").
"""

from __future__ import annotations

import sys
from pathlib import Path

import msgspec

from infrastructure.config import load_settings
from infrastructure.di.container import make_container
from interfaces.http.app import build_litestar
from interfaces.http.di import http_providers


def document() -> bytes:
    settings = load_settings({"ENVIRONMENT": "development"})
    app = build_litestar(settings, make_container(settings, *http_providers()))
    return msgspec.json.format(msgspec.json.encode(app.openapi_schema.to_schema()), indent=2)


def main(argv: list[str]) -> None:
    target = Path(argv[0] if argv else "openapi.json")
    target.write_bytes(document() + b"\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
