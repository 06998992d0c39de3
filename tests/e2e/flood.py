"""A bounded HTTP flood on loopback, run as its own process: ``connections`` keep-alive connections
each sending pipelined batches of GET requests and reading the answers, for ``seconds`` seconds.
It targets only 127.0.0.1 and stops by itself; it prints, as one JSON line, how many answers it
read per status and the first answer of each status."""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import re
import time

MAX_CONNECTIONS = 500
MAX_SECONDS = 30.0
_STATUS = re.compile(rb"HTTP/1\.1 (\d{3}) ")


async def _connection(
    port: int, path: str, batch: int, deadline: float, counts: collections.Counter[str], samples: dict[str, str]
) -> None:
    """One attacker's connection: reconnects whenever the server closes it, until the deadline."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() * batch
    while time.monotonic() < deadline:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout=5)
        except (OSError, TimeoutError):
            counts["connect_error"] += 1
            await asyncio.sleep(0.05)
            continue
        try:
            await _exchange(reader, writer, request, batch, deadline, counts, samples)
        except (OSError, TimeoutError):
            counts["error"] += 1
        finally:
            writer.close()


async def _exchange(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    request: bytes,
    batch: int,
    deadline: float,
    counts: collections.Counter[str],
    samples: dict[str, str],
) -> None:
    while time.monotonic() < deadline:
        writer.write(request)
        seen = 0
        buffer = b""
        while seen < batch and time.monotonic() < deadline:
            chunk = await asyncio.wait_for(reader.read(65536), timeout=max(0.1, deadline - time.monotonic()))
            if not chunk:
                counts["closed"] += 1
                return
            buffer += chunk
            found = _STATUS.findall(buffer)
            for status in found:
                counts[status.decode()] += 1
                if status.decode() not in samples:  # the first answer of each status, for the caller
                    start = buffer.find(b"HTTP/1.1 " + status)
                    samples[status.decode()] = buffer[start : start + 2048].decode("latin-1")
            seen += len(found)
            buffer = buffer[buffer.rfind(b"HTTP/1.1 ") + 1 :] if found else buffer[-64:]


async def flood(
    port: int, *, connections: int, seconds: float, path: str, batch: int
) -> tuple[dict[str, int], dict[str, str]]:
    """Answers read per status (and connection outcomes), and the first answer of each status."""
    connections = min(connections, MAX_CONNECTIONS)
    deadline = time.monotonic() + min(seconds, MAX_SECONDS)
    counts: collections.Counter[str] = collections.Counter()
    samples: dict[str, str] = {}
    await asyncio.gather(*(_connection(port, path, batch, deadline, counts, samples) for _ in range(connections)))
    return dict(counts), samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--path", default="/api/nothing-here")
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    counts, samples = asyncio.run(
        flood(args.port, connections=args.connections, seconds=args.seconds, path=args.path, batch=args.batch)
    )
    print(json.dumps({"counts": counts, "samples": samples}), flush=True)


if __name__ == "__main__":
    main()
