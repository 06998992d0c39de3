"""What the front door's checks cost per request, without a network or a database: uvicorn's
httptools protocol and the guarded one each serve the same keep-alive requests (the shape of
scripts/bench_server.py's authenticated GET) to a do-nothing app on a fake transport, in
alternating rounds, in one process. The difference is the guarded protocol's own CPU time per
request, a figure a shared machine's load barely moves (unlike requests per second over loopback).

Usage:  uv run python scripts/bench_front_door.py [--requests 20000] [--rounds 6]
Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from interfaces.http.front_door import GuardedHttpToolsProtocol

REQUEST = (
    b"GET /api/staff?limit=20 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"
    b"Authorization: Bearer " + b"x" * 320 + b"\r\nAccept-Encoding: identity\r\n\r\n"
)


class NullTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.answered = asyncio.Event()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if bytes(data).startswith(b"HTTP/1.1 "):
            self.answered.set()

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _app(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


async def _serve(protocol_class: type[HttpToolsProtocol], requests: int) -> float:
    """Seconds of CPU per request for ``requests`` requests on one keep-alive connection."""
    config = Config(app=_app, log_config=None, server_header=False, access_log=False)
    config.load()
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})
    transport = NullTransport()
    protocol.connection_made(transport)
    started = time.process_time()
    for _ in range(requests):
        protocol.data_received(REQUEST)
        await transport.answered.wait()
        transport.answered.clear()
    used = time.process_time() - started
    protocol.connection_lost(None)
    return used / requests


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    results: dict[str, list[float]] = {"httptools": [], "guarded": []}
    classes: dict[str, type[HttpToolsProtocol]] = {"httptools": HttpToolsProtocol, "guarded": GuardedHttpToolsProtocol}
    for round_number in range(args.rounds):
        order = ["httptools", "guarded"] if round_number % 2 == 0 else ["guarded", "httptools"]
        for label in order:
            results[label].append(asyncio.run(_serve(classes[label], args.requests)))
    plain = statistics.median(results["httptools"]) * 1e6
    guarded = statistics.median(results["guarded"]) * 1e6
    print(f"{args.rounds} rounds x {args.requests} keep-alive requests to a do-nothing app, medians of CPU time")
    print(f"uvicorn httptools protocol   {plain:6.1f} µs/request")
    print(f"guarded protocol             {guarded:6.1f} µs/request   (+{guarded - plain:.1f} µs)")


if __name__ == "__main__":
    main()
